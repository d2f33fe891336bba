import type { TransitionContext } from "../context.ts";
import { bytesToHex, domainTag, hashCanonicalHex } from "../encoding/hash.ts";
import { isLowerHex } from "../encoding/lowerHex.ts";
import { ByteWriter } from "../encoding/recordBytes.ts";
import { sha256Prefix } from "../encoding/sha256Compact.ts";
import { type Rejection, reject } from "../errors.ts";
import { commitWindow, isInside, roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { findTask, freshNode, isRejection } from "../tasks.ts";
import type { CommitRecord, CommitTx, Hash } from "../types.ts";
import { nodeActiveStake, nodeWeight } from "../weight.ts";

export type CommitmentInput = {
  readonly task: Hash;
  readonly cycle: number;
  readonly node: Hash;
  readonly proofDigest: Hash;
  readonly salt: Hash;
};

const COMMIT_TAG = domainTag("commit");
/** The tag and the canonical JSON of a commitment's inputs, written piece by piece. */
const commitmentInput = new ByteWriter();

/**
 * protocol.md §4.1: commit = H(task, cycle, node, proofDigest, salt); binding the node stops copied commits. Every
 * reveal recomputes one, so the canonical JSON of well-formed inputs is written out directly (keys in sorted order;
 * hex and digits need no escaping): the same bytes as `canonicalStringify`, without building the string.
 */
export function computeCommitment(input: CommitmentInput): Hash {
  const { task, cycle, node, proofDigest, salt } = input;
  if (
    Number.isSafeInteger(cycle) &&
    isLowerHex(task, 64) &&
    isLowerHex(node, 64) &&
    isLowerHex(proofDigest, 64) &&
    isLowerHex(salt, 64)
  ) {
    // Every piece is ASCII: the constants, the digits of a safe integer and the checked hex.
    const bytes = commitmentInput;
    bytes.length = 0;
    bytes.ascii(COMMIT_TAG);
    bytes.ascii('{"cycle":');
    bytes.ascii(String(cycle));
    bytes.ascii(',"node":"');
    bytes.ascii(node);
    bytes.ascii('","proofDigest":"');
    bytes.ascii(proofDigest);
    bytes.ascii('","salt":"');
    bytes.ascii(salt);
    bytes.ascii('","task":"');
    bytes.ascii(task);
    bytes.ascii('"}');
    // Room for the padding: hashed where it was written.
    bytes.reserve(72);
    return bytesToHex(sha256Prefix(bytes.bytes, bytes.length));
  }
  return hashCanonicalHex("commit", {
    task: input.task,
    cycle: input.cycle,
    node: input.node,
    proofDigest: input.proofDigest,
    salt: input.salt,
  });
}

export function applyCommit(context: TransitionContext, tx: CommitTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const cycle = draft.cycle(task.id, tx.cycle);
  if (cycle === undefined) return reject("CYCLE__NOT_FOUND", { task: task.id, cycle: tx.cycle });
  const window = commitWindow(task, tx.cycle);
  if (!isInside(window, slot)) {
    return reject("COMMIT__WINDOW_CLOSED", { task: task.id, cycle: tx.cycle, slot, ...window });
  }
  const stored = draft.node(task.id, tx.from);
  if (stored === undefined) return reject("NODE__NOT_STAKED", { task: task.id, node: tx.from });
  const round = roundOf(task, slot);
  const node = freshNode(task, stored);
  const activeStake = nodeActiveStake(node, round);
  if (activeStake < task.params.minimumStake) {
    return reject("NODE__NOT_ACTIVE", { task: task.id, node: tx.from, round, activeStake });
  }
  const key = stateKeys.commit(task.id, tx.cycle, tx.from);
  if (draft.get(key) !== undefined) return reject("COMMIT__DUPLICATE", { task: task.id, cycle: tx.cycle });
  // The node's weight in the work round (the commit window is its last slots): its share under the `weighted` rule
  // once it reveals (§6.2), fixed before anyone knows the seed or the audits.
  const record: CommitRecord = { commitment: tx.commitment, slot, weight: nodeWeight(node, round, task.params) };
  draft.set(key, record);
  draft.updateCycle(cycle, { commitCount: cycle.commitCount + 1 });
  context.events.push({ type: "Committed", task: task.id, cycle: tx.cycle, node: tx.from });
  return null;
}
