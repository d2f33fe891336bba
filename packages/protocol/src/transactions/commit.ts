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
  draft.set(key, record);
  draft.updateCycle(cycle, { commitCount: cycle.commitCount + 1 });
  context.events.push({ type: "Committed", task: task.id, cycle: tx.cycle, node: tx.from });
  return null;
}
