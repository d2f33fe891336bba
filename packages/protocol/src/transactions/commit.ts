import type { TransitionContext } from "../context.ts";
import { bytesToHex, hashCanonicalHex } from "../encoding/hash.ts";
import { writeLowerHex } from "../encoding/lowerHex.ts";
import { paddedLength, sha256Prefix } from "../encoding/sha256Compact.ts";
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

const COMMIT_TAG = "gradual/commit/v2\n";
/** The tag, then the task (32 bytes), the cycle (4, big-endian), the node, the proof's digest and the salt. */
const COMMITMENT_INPUT_BYTES = COMMIT_TAG.length + 32 + 4 + 32 * 3;
/** With room for the padding, so it is hashed in place. */
const commitmentInput = new Uint8Array(paddedLength(COMMITMENT_INPUT_BYTES));
for (let index = 0; index < COMMIT_TAG.length; index += 1) commitmentInput[index] = COMMIT_TAG.charCodeAt(index);
const CYCLE_AT = COMMIT_TAG.length + 32;

/**
 * protocol.md §4.1: commit = H("gradual/commit/v2\n", task, cycle, node, proofDigest, salt) over their bytes (the
 * cycle as 4 big-endian bytes): binding the node stops copied commits. A fixed layout of 150 bytes, so a contract
 * hashes it without formatting anything. Inputs that are not well formed (never a wire transaction's: the schema
 * checks them) hash their canonical JSON under the v1 tag instead, which no well-formed commitment can equal.
 */
export function computeCommitment(input: CommitmentInput): Hash {
  const { task, cycle, node, proofDigest, salt } = input;
  if (
    Number.isInteger(cycle) &&
    cycle >= 0 &&
    cycle <= 0xffffffff &&
    // writeLowerHex checks the digits as it writes them (one pass over each input).
    task.length === 64 &&
    node.length === 64 &&
    proofDigest.length === 64 &&
    salt.length === 64 &&
    writeLowerHex(task, commitmentInput, COMMIT_TAG.length) &&
    writeLowerHex(node, commitmentInput, CYCLE_AT + 4) &&
    writeLowerHex(proofDigest, commitmentInput, CYCLE_AT + 36) &&
    writeLowerHex(salt, commitmentInput, CYCLE_AT + 68)
  ) {
    commitmentInput[CYCLE_AT] = cycle >>> 24;
    commitmentInput[CYCLE_AT + 1] = (cycle >>> 16) & 0xff;
    commitmentInput[CYCLE_AT + 2] = (cycle >>> 8) & 0xff;
    commitmentInput[CYCLE_AT + 3] = cycle & 0xff;
    return bytesToHex(sha256Prefix(commitmentInput, COMMITMENT_INPUT_BYTES));
  }
  return hashCanonicalHex("commit", {
    task: input.task,
    cycle: input.cycle,
    node: input.node,
    proofDigest: input.proofDigest,
    salt: input.salt,
  });
}

/** A commitment a node computed for itself, with the inputs it was computed from. */
type OwnCommitment = {
  readonly task: Hash;
  readonly cycle: number;
  readonly node: Hash;
  readonly proofDigest: Hash;
  readonly commitment: Hash;
};

/** The node-side commitments of this process not opened yet, by salt; starts over past OWN_COMMITMENT_LIMIT. */
const ownCommitments = new Map<Hash, OwnCommitment>();
const OWN_COMMITMENT_LIMIT = 1 << 17;

/**
 * A node's own commitment (§4.1), what `computeCommitment` gives, kept until a reveal in the same process opens it:
 * the simulator (and any local run) has every node's decide() and the ledger's reveal in one process, where the
 * reveal would otherwise hash the same inputs a second time (a third of a reveal's cost). A ledger alone keeps
 * nothing. Only work is saved: the reveal takes a kept commitment only for the very same inputs.
 */
export function computeOwnCommitment(input: CommitmentInput): Hash {
  const commitment = computeCommitment(input);
  if (ownCommitments.size >= OWN_COMMITMENT_LIMIT) ownCommitments.clear();
  const { task, cycle, node, proofDigest } = input;
  ownCommitments.set(input.salt, { task, cycle, node, proofDigest, commitment });
  return commitment;
}

/** The commitment that a reveal's inputs open: the node's own when this process kept it, else computed. */
export function openCommitment(input: CommitmentInput): Hash {
  const kept = ownCommitments.get(input.salt);
  if (
    kept !== undefined &&
    kept.task === input.task &&
    kept.cycle === input.cycle &&
    kept.node === input.node &&
    kept.proofDigest === input.proofDigest
  ) {
    // Each commitment is opened once; a reveal applied again (a rolled-back block) computes it.
    ownCommitments.delete(input.salt);
    return kept.commitment;
  }
  return computeCommitment(input);
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
  // The node's lots the task's ramp has folded are folded into its record, as a stake does (§4.1): a node that
  // staked once holds a lot until then, which every commit of a contract would read with the ramp parameter.
  if (node !== stored) draft.setNode(node);
  draft.set(key, record);
  draft.updateCycle(cycle, { commitCount: cycle.commitCount + 1 });
  context.events.push({ type: "Committed", task: task.id, cycle: tx.cycle, node: tx.from });
  return null;
}
