/**
 * The only place the ledger-indexer talks to the ledger, so a change to the ledger's HTTP API is a change here.
 *
 *   GET /v1/tasks/{id}             -> { task: { startSlot, params: { roundSlots } } }
 *   GET /v1/blocks?from=N&to=M     -> { blocks: [{ number, slot, hash, txs: [{ hash, tx: { kind, from, ... },
 *                                       result: { ok, code? } }] }] }   (from..to inclusive; may return fewer)
 */
import type { LedgerReader } from "@gradual/sdk";

export type LedgerTransaction = {
  readonly hash: string;
  readonly tx: { readonly kind: string; readonly from: string; readonly [field: string]: unknown };
  readonly result: { readonly ok: boolean; readonly code?: string };
};

export type LedgerBlock = {
  readonly number: number;
  readonly slot: number;
  readonly hash: string;
  readonly txs: readonly LedgerTransaction[];
};

export type TaskSchedule = { readonly startSlot: number; readonly roundSlots: number };

/** Blocks asked for in one request; the ledger may answer with fewer, and we continue where it stopped. */
const BLOCKS_PER_REQUEST = 100;

export async function readTaskSchedule(ledger: LedgerReader, taskId: string): Promise<TaskSchedule> {
  const view = await ledger.get<{ task?: { startSlot?: unknown; params?: { roundSlots?: unknown } } }>(
    `/tasks/${taskId}`,
  );
  const startSlot = view.task?.startSlot;
  const roundSlots = Number(view.task?.params?.roundSlots);
  if (typeof startSlot !== "number" || !Number.isSafeInteger(startSlot) || startSlot < 0) {
    throw new Error(`ledger: task ${taskId} has no valid startSlot`);
  }
  if (!Number.isSafeInteger(roundSlots) || roundSlots < 1) throw new Error(`ledger: task ${taskId} has no roundSlots`);
  return { startSlot, roundSlots };
}

/** Every block of slots `fromSlot..toSlot` (inclusive), in order; throws when the ledger does not have them all. */
export async function readBlocks(ledger: LedgerReader, fromSlot: number, toSlot: number): Promise<LedgerBlock[]> {
  const blocks: LedgerBlock[] = [];
  let next = fromSlot;
  while (next <= toSlot) {
    const to = Math.min(toSlot, next + BLOCKS_PER_REQUEST - 1);
    const page = await ledger.get<{ blocks?: unknown }>(`/blocks?from=${next}&to=${to}`);
    const received = Array.isArray(page.blocks) ? page.blocks.filter(isLedgerBlock) : [];
    const fresh = received.filter((block) => block.number >= next && block.number <= to);
    if (fresh.length === 0) throw new Error(`ledger: blocks ${next}..${toSlot} are not available`);
    for (const block of fresh) {
      if (block.number !== next) throw new Error(`ledger: expected block ${next}, got ${block.number}`);
      blocks.push(block);
      next += 1;
    }
  }
  return blocks;
}

function isLedgerBlock(value: unknown): value is LedgerBlock {
  if (typeof value !== "object" || value === null) return false;
  const block = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(block.number) &&
    Number.isSafeInteger(block.slot) &&
    typeof block.hash === "string" &&
    Array.isArray(block.txs) &&
    block.txs.every(isLedgerTransaction)
  );
}

function isLedgerTransaction(value: unknown): value is LedgerTransaction {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  const tx = entry.tx as Record<string, unknown> | null | undefined;
  const result = entry.result as Record<string, unknown> | null | undefined;
  return (
    typeof entry.hash === "string" &&
    typeof tx === "object" &&
    tx !== null &&
    typeof tx.kind === "string" &&
    typeof tx.from === "string" &&
    typeof result === "object" &&
    result !== null &&
    typeof result.ok === "boolean"
  );
}
