import type { TransitionContext } from "../context.ts";
import { bytesToHex, domainTag, hashCanonical, hexToBytes, sha256 } from "../encoding/hash.ts";
import { isLowerHex } from "../encoding/lowerHex.ts";
import { sha256Prefix } from "../encoding/sha256Compact.ts";
import { type Rejection, reject } from "../errors.ts";
import { distributionWindow, isInside } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { findTask, isRejection } from "../tasks.ts";
import type {
  CycleRecord,
  DistributionEntry,
  DistributionRecord,
  Hash,
  RevealRecord,
  SubmitDistributionTx,
  TaskRecord,
} from "../types.ts";

const EMPTY_LIST_DIGEST: Hash = "0".repeat(64);

const ENTRY_TAG = domainTag("distribution-entry");
/** The previous digest and the entry's hash: what each step of the chain hashes. */
const chainInput = new Uint8Array(64);

/**
 * H(tag, canonical(entry)). A well-formed entry's canonical JSON is written out directly (keys in sorted order, hex
 * and digits need no escaping): the same bytes as `canonicalStringify`, without its generic walk.
 */
function entryHash(entry: DistributionEntry): Uint8Array {
  const { recipient, amount } = entry;
  if (typeof amount === "bigint" && isLowerHex(recipient, 64) && Object.keys(entry).length === 2) {
    return sha256(ENTRY_TAG, `{"amount":"${amount}n","recipient":"${recipient}"}`);
  }
  return hashCanonical("distribution-entry", entry);
}

/**
 * Folds entries into a list digest one entry at a time, so the digest of a list does not depend on how it was cut
 * into chunks: two lists are equal exactly when their digests are. The digest stays in bytes from entry to entry.
 */
function chainListDigest(previous: Hash, entries: readonly DistributionEntry[]): Hash {
  if (entries.length === 0) return previous;
  let digest: Uint8Array = hexToBytes(previous);
  for (const entry of entries) {
    chainInput.set(digest, 0);
    chainInput.set(entryHash(entry), 32);
    digest = sha256Prefix(chainInput, 64);
  }
  return bytesToHex(digest);
}

/** The digest of a whole list (what honest auditors compare against the posted one). */
export function listDigest(entries: readonly DistributionEntry[]): Hash {
  return chainListDigest(EMPTY_LIST_DIGEST, entries);
}

/**
 * What a ledger-computed rule pays one valid submitter (protocol.md §6.2), or null for `custom`. `weighted`: the
 * reservation times the node's weight in the work round over the weight of the cycle's reveals; `equal`: the
 * reservation over their number. Both leave out proofs found invalid by an upheld trigger (which needs two thirds of
 * the weight, §5.5) but keep disputed and unavailable ones, so knocking out others' proofs without a slash never
 * raises anyone's share: their part returns to the escrow.
 */
export function ruleAmount(task: TaskRecord, cycle: CycleRecord, reveal: RevealRecord): bigint | null {
  const rule = task.params.distributionRule;
  if (rule === "custom") return null;
  if (rule === "weighted" && cycle.revealedWeight > 0n) {
    return (cycle.reserved * reveal.weight) / cycle.revealedWeight;
  }
  return cycle.shareCount === 0 ? 0n : cycle.reserved / BigInt(cycle.shareCount);
}

/**
 * protocol.md §6.2: under the `custom` rule, the selected distributor posts its list in chunks during the first
 * `distributionSlots` of the attempt's round. The ledger checks all it can without running task code: order,
 * uniqueness, that every recipient is a valid submitter of the cycle and the bounty bound; the other nodes check the
 * amounts (§6.3). A ledger-computed rule takes no list: the cycle pays itself (§6.2, `payByRule`).
 */
export function applySubmitDistribution(context: TransitionContext, tx: SubmitDistributionTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const ref = { task: task.id, cycle: tx.cycle };
  const rule = task.params.distributionRule;
  if (rule !== "custom") return reject("DISTRIBUTION__PAID_BY_RULE", { ...ref, rule });
  const cycle = draft.cycle(task.id, tx.cycle);
  if (cycle === undefined || cycle.outcome !== null) return reject("CYCLE__NOT_FOUND", ref);
  if (tx.attempt !== cycle.attempt) {
    return reject("DISTRIBUTION__WRONG_ATTEMPT", { ...ref, expected: cycle.attempt, got: tx.attempt });
  }
  if (cycle.distributor !== tx.from)
    return reject("DISTRIBUTION__NOT_SELECTED", { ...ref, distributor: cycle.distributor });
  const window = distributionWindow(task, cycle.attemptRound);
  if (!isInside(window, slot)) return reject("DISTRIBUTION__WINDOW_CLOSED", { ...ref, slot, ...window });
  const key = stateKeys.distribution(task.id, tx.cycle, tx.attempt);
  const list = draft.get<DistributionRecord>(key) ?? {
    attempt: tx.attempt,
    distributor: tx.from,
    slot,
    chunkCount: tx.chunkCount,
    chunksReceived: 0,
    entryCount: 0,
    total: 0n,
    lastRecipient: null,
    listDigest: EMPTY_LIST_DIGEST,
    status: "receiving",
    triggered: false,
  };
  if (
    list.status !== "receiving" ||
    tx.chunkCount < 1 ||
    tx.chunkCount !== list.chunkCount ||
    tx.chunk !== list.chunksReceived
  ) {
    return reject("DISTRIBUTION__CHUNK_OUT_OF_ORDER", { ...ref, expected: list.chunksReceived, got: tx.chunk });
  }
  let last = list.lastRecipient;
  let total = list.total;
  for (const entry of tx.entries) {
    if (last !== null && entry.recipient <= last) {
      return reject("DISTRIBUTION__NOT_SORTED", { ...ref, recipient: entry.recipient });
    }
    const reveal = draft.get<RevealRecord>(stateKeys.reveal(task.id, tx.cycle, entry.recipient));
    if (reveal === undefined || reveal.status !== "valid") {
      return reject("DISTRIBUTION__NOT_A_SUBMITTER", { ...ref, recipient: entry.recipient });
    }
    total += entry.amount;
    last = entry.recipient;
  }
  if (total > cycle.reserved) return reject("DISTRIBUTION__OVER_BOUNTY", { ...ref, total, bounty: cycle.reserved });
  const entryCount = list.entryCount + tx.entries.length;
  draft.set(stateKeys.distributionChunk(task.id, tx.cycle, tx.attempt, tx.chunk), tx.entries);
  const chunksReceived = list.chunksReceived + 1;
  draft.set(key, {
    ...list,
    chunksReceived,
    entryCount,
    total,
    lastRecipient: last,
    listDigest: chainListDigest(list.listDigest, tx.entries),
    status: chunksReceived === list.chunkCount ? "complete" : "receiving",
  } satisfies DistributionRecord);
  context.events.push({
    type: "DistributionSubmitted",
    task: task.id,
    cycle: tx.cycle,
    attempt: tx.attempt,
    chunk: tx.chunk,
    chunkCount: tx.chunkCount,
    entries: tx.entries.length,
  });
  return null;
}
