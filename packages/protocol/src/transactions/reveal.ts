import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { accumulateSalt } from "../random.ts";
import { isInside, revealWindow } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { revealRecord } from "../state/records.ts";
import { findTask, isRejection } from "../tasks.ts";
import type { CommitAndRevealTx, CommitRecord, RevealTx } from "../types.ts";
import { nodeStake } from "../weight.ts";
import { applyCommit, openCommitment } from "./commit.ts";

/**
 * protocol.md §4.2: opens the commitment. Each reveal gets the next index in ledger order (the audit ring is built
 * on these indices) and folds its salt into the cycle's seed accumulator.
 */
export function applyReveal(context: TransitionContext, tx: RevealTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const cycle = draft.cycle(task.id, tx.cycle);
  if (cycle === undefined) return reject("CYCLE__NOT_FOUND", { task: task.id, cycle: tx.cycle });
  const window = revealWindow(task, tx.cycle);
  if (!isInside(window, slot)) {
    return reject("REVEAL__WINDOW_CLOSED", { task: task.id, cycle: tx.cycle, slot, ...window });
  }
  const node = draft.node(task.id, tx.from);
  if (node === undefined || nodeStake(node) === 0n) return reject("NODE__NOT_STAKED", { task: task.id, node: tx.from });
  const commit = draft.get<CommitRecord>(stateKeys.commit(task.id, tx.cycle, tx.from));
  if (commit === undefined) return reject("REVEAL__NO_COMMIT", { task: task.id, cycle: tx.cycle });
  const revealKey = stateKeys.reveal(task.id, tx.cycle, tx.from);
  if (draft.get(revealKey) !== undefined) return reject("REVEAL__DUPLICATE", { task: task.id, cycle: tx.cycle });
  const opened = openCommitment({
    task: task.id,
    cycle: tx.cycle,
    node: tx.from,
    proofDigest: tx.proofDigest,
    salt: tx.salt,
  });
  if (opened !== commit.commitment) {
    return reject("REVEAL__MISMATCH", { task: task.id, cycle: tx.cycle, expected: commit.commitment, got: opened });
  }
  // The node's weight in the cycle's work round, recorded by its commit, fixes its share under the `weighted` rule
  // (§6.2): later ramping, slashes or exits cannot move it, and neither can the outcome of anyone else's audit.
  const weight = commit.weight;
  const record = revealRecord({
    proofDigest: tx.proofDigest,
    salt: tx.salt,
    index: cycle.revealCount,
    slot,
    status: "valid",
    weight,
    published: false,
  });
  draft.updateNode(node, { lastRevealCycle: tx.cycle });
  draft.set(revealKey, record);
  draft.set(stateKeys.revealAt(task.id, tx.cycle, cycle.revealCount), tx.from);
  draft.updateCycle(cycle, {
    revealCount: cycle.revealCount + 1,
    validCount: cycle.validCount + 1,
    revealedWeight: cycle.revealedWeight + weight,
    shareCount: cycle.shareCount + 1,
    saltAccumulator: accumulateSalt(cycle.saltAccumulator, tx.salt),
  });
  context.events.push({
    type: "Revealed",
    task: task.id,
    cycle: tx.cycle,
    node: tx.from,
    proofDigest: tx.proofDigest,
    index: record.index,
  });
  return null;
}

/**
 * protocol.md §2.2, §4.1, §4.2: a paired task's reveal of cycle `cycle − 1` and commit of cycle `cycle` in one
 * transaction, with the rules and refusals of the two transactions applied in that order; a refusal of either
 * refuses both (the block rolls back the reveal's writes). Only a paired task opens both windows in the same slot, so
 * elsewhere it is refused with the reveal's window code.
 */
export function applyCommitAndReveal(context: TransitionContext, tx: CommitAndRevealTx): Rejection | null {
  const { task, cycle, commitment, proofDigest, salt } = tx;
  const base = { chainId: tx.chainId, from: tx.from, nonce: tx.nonce };
  if (cycle === 0) return reject("CYCLE__NOT_FOUND", { task, cycle: -1 });
  const revealed = applyReveal(context, { ...base, kind: "reveal", task, cycle: cycle - 1, proofDigest, salt });
  if (revealed !== null) return revealed;
  return applyCommit(context, { ...base, kind: "commit", task, cycle, commitment });
}
