/**
 * Builds the index of one cycle from the ledger's blocks: transactions counted by kind, failures counted by code,
 * transaction hashes by account, and each block's hash, all committed to by one Merkle root. Pure: the same blocks
 * give the same index on every node, which is what lets an auditor recompute and compare a single root.
 */
import { bytesToHex, merkleRoot, sha256 } from "@gradual/protocol";
import type { LedgerBlock, TaskSchedule } from "./ledgerApi.ts";

export type BlockIndex = {
  readonly cycle: number;
  readonly fromSlot: number;
  readonly toSlot: number;
  /** Merkle root (hex) over the sorted index entries. */
  readonly root: string;
  /** Included transactions by kind (accepted and failed alike). */
  readonly counts: Readonly<Record<string, number>>;
  /** Included failures by rejection code. */
  readonly failures: Readonly<Record<string, number>>;
  /** Transaction hashes by account (sender, recipient or target), in ledger order. */
  readonly accounts: Readonly<Record<string, readonly string[]>>;
  readonly blockHashes: Readonly<Record<string, string>>;
};

/** What the proof carries: enough to compare, small whatever the traffic. */
export type IndexProof = Pick<BlockIndex, "cycle" | "fromSlot" | "toSlot" | "root" | "counts">;

/** Transaction fields that name an account (protocol transactions/schema.ts). */
const ACCOUNT_FIELDS = ["from", "to", "target"] as const;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The slots cycle `c` indexes: the whole round before it, `[start + (c-1)R, start + cR)`, which the ledger has
 * finished producing when round c's work starts. Cycle 0 indexes the slots just before the task started (clamped
 * at genesis), an empty range when the task starts at slot 0.
 */
export function cycleSlotRange(schedule: TaskSchedule, cycle: number): { fromSlot: number; toSlot: number } {
  const toSlot = schedule.startSlot + cycle * schedule.roundSlots - 1;
  const fromSlot = Math.max(0, toSlot - schedule.roundSlots + 1);
  return { fromSlot, toSlot };
}

function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

export function buildIndex(
  cycle: number,
  fromSlot: number,
  toSlot: number,
  blocks: readonly LedgerBlock[],
): BlockIndex {
  const counts: Record<string, number> = {};
  const failures: Record<string, number> = {};
  const accounts: Record<string, string[]> = {};
  const blockHashes: Record<string, string> = {};
  for (const block of blocks) {
    blockHashes[String(block.number)] = block.hash;
    for (const { hash, tx, result } of block.txs) {
      increment(counts, tx.kind);
      if (!result.ok) increment(failures, result.code ?? "UNKNOWN");
      const involved = new Set(ACCOUNT_FIELDS.map((field) => tx[field]).filter((v) => typeof v === "string"));
      for (const account of involved as Set<string>) {
        if (!HEX64.test(account)) continue;
        const hashes = accounts[account] ?? [];
        hashes.push(hash);
        accounts[account] = hashes;
      }
    }
  }
  const root = indexRoot({ counts, failures, accounts, blockHashes });
  return {
    cycle,
    fromSlot,
    toSlot,
    root,
    counts: sortKeys(counts),
    failures: sortKeys(failures),
    accounts,
    blockHashes,
  };
}

/**
 * Entries `count/{kind}`, `failed/{code}`, `account/{account}` and `block/{number}` (zero-padded so the string
 * order is the numeric one), sorted by key; each leaf is sha256 of the JSON array `[key, value]`.
 */
export function indexEntries(index: Pick<BlockIndex, "counts" | "failures" | "accounts" | "blockHashes">) {
  const entries: (readonly [string, number | string | readonly string[]])[] = [
    ...Object.entries(index.counts).map(([kind, count]) => [`count/${kind}`, count] as const),
    ...Object.entries(index.failures).map(([code, count]) => [`failed/${code}`, count] as const),
    ...Object.entries(index.accounts).map(([account, hashes]) => [`account/${account}`, hashes] as const),
    ...Object.entries(index.blockHashes).map(([n, hash]) => [`block/${n.padStart(12, "0")}`, hash] as const),
  ];
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function indexRoot(index: Pick<BlockIndex, "counts" | "failures" | "accounts" | "blockHashes">): string {
  const leaves = indexEntries(index).map((entry) => sha256(JSON.stringify(entry)));
  return bytesToHex(merkleRoot(leaves));
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function proofOfIndex(index: BlockIndex): IndexProof {
  const { cycle, fromSlot, toSlot, root, counts } = index;
  return { cycle, fromSlot, toSlot, root, counts };
}

/** Exactly `{cycle, fromSlot, toSlot, root, counts}` with integers, a hex root and non-negative counts. */
export function isIndexProof(value: unknown): value is IndexProof {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proof = value as Record<string, unknown>;
  if (Object.keys(proof).sort().join(",") !== "counts,cycle,fromSlot,root,toSlot") return false;
  const counts = proof.counts;
  return (
    [proof.cycle, proof.fromSlot, proof.toSlot].every(Number.isSafeInteger) &&
    typeof proof.root === "string" &&
    HEX64.test(proof.root) &&
    typeof counts === "object" &&
    counts !== null &&
    !Array.isArray(counts) &&
    Object.values(counts).every((count) => Number.isSafeInteger(count) && (count as number) > 0)
  );
}
