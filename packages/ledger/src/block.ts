import {
  type BlockResult,
  bytesToHex,
  type ErrorCode,
  type Hash,
  hashCanonicalHex,
  hexToBytes,
  merkleRoot,
  type ProtocolEvent,
  type Transaction,
  type TransactionOutcome,
  transactionToJson,
} from "@gradual/protocol";
import { type BlockEventWire, type BlockHeaderWire, type BlockWire, toWire, type WireTransaction } from "@gradual/wire";

/**
 * Blocks (protocol.md §9.4). Block n holds slot n: one block per slot, empty ones included, block 0 is genesis.
 * The hash covers the header fields only; the transactions are covered by `txsRoot` (a Merkle root over their
 * hashes) and everything they did by `stateRoot`. Results and events are derived data: `verify` recomputes them.
 */

export const ZERO_HASH: Hash = "0".repeat(64);

export type TxResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      /** Wire form: bigints as decimal strings. */
      readonly context: Readonly<Record<string, unknown>>;
    };

export type BlockTransaction = {
  readonly hash: Hash;
  readonly tx: Transaction;
  readonly signature: string;
  readonly result: TxResult;
  /** The transaction's wire JSON text, when already serialized (so the store does not serialize it again). */
  readonly wire?: string;
};

/** A protocol event with the transaction that caused it (null for window ends and round starts). */
export type BlockEvent = { readonly tx: Hash | null; readonly event: ProtocolEvent };

/** A block event as stored and served: amounts are decimal strings. */
export type WireBlockEvent = BlockEventWire;

export type BlockHeaderFields = {
  readonly number: number;
  readonly slot: number;
  readonly prevHash: Hash;
  readonly txsRoot: Hash;
  readonly stateRoot: Hash;
};

export type BlockHeader = BlockHeaderFields & {
  readonly hash: Hash;
  readonly txCount: number;
  /** Wall time the block was stored, for operators and latency figures; not hashed, not replayed. */
  readonly producedAtMs: number;
};

/** A block as produced, its events with bigints. */
export type Block = BlockHeader & {
  readonly txs: readonly BlockTransaction[];
  readonly events: readonly BlockEvent[];
};

/** A block as read back from a store: the same, with its events in wire form. */
export type StoredBlock = BlockHeader & {
  readonly txs: readonly BlockTransaction[];
  readonly events: readonly WireBlockEvent[];
};

export function computeTxsRoot(txHashes: readonly Hash[]): Hash {
  return bytesToHex(merkleRoot(txHashes.map((hash) => hexToBytes(hash))));
}

export function computeBlockHash(fields: BlockHeaderFields): Hash {
  const { number, slot, prevHash, txsRoot, stateRoot } = fields;
  return hashCanonicalHex("block", { number, slot, prevHash, txsRoot, stateRoot });
}

/** A transaction's outcome as a block records it (the context in wire form). */
export function txResultOf(outcome: TransactionOutcome): TxResult {
  if (outcome.ok) return { ok: true };
  return {
    ok: false,
    code: outcome.code,
    message: outcome.message,
    context: toWire(outcome.context) as Record<string, unknown>,
  };
}

/** A transaction about to be sealed into a block: what was signed, and its wire JSON when already serialized. */
export type SealedEntry = {
  readonly hash: Hash;
  readonly tx: Transaction;
  readonly signature: string;
  readonly wire?: string;
};

/**
 * Block `slot` on top of `prevHash` from what `applyBlock` made of `entries` (in order) and the state root after
 * it: the one place a block is assembled, for the ledger's producer and the in-memory chain alike. Events carry the
 * hash of the transaction that caused them (null for slot events).
 */
export function sealBlock(input: {
  readonly prevHash: Hash;
  readonly slot: number;
  readonly entries: readonly SealedEntry[];
  readonly applied: Pick<BlockResult, "slotEvents" | "outcomes">;
  readonly stateRoot: Hash;
  readonly producedAtMs: number;
}): Block {
  const { prevHash, slot, entries, applied, stateRoot } = input;
  const events: BlockEvent[] = applied.slotEvents.map((event) => ({ tx: null, event }));
  const txs: BlockTransaction[] = entries.map((entry, index) => {
    const outcome = applied.outcomes[index] as TransactionOutcome;
    for (const event of outcome.events) events.push({ tx: entry.hash, event });
    const sealed = { hash: entry.hash, tx: entry.tx, signature: entry.signature, result: txResultOf(outcome) };
    return entry.wire === undefined ? sealed : { ...sealed, wire: entry.wire };
  });
  const fields: BlockHeaderFields = {
    number: slot,
    slot,
    prevHash,
    txsRoot: computeTxsRoot(txs.map((tx) => tx.hash)),
    stateRoot,
  };
  return {
    ...fields,
    hash: computeBlockHash(fields),
    txCount: txs.length,
    producedAtMs: input.producedAtMs,
    txs,
    events,
  };
}

export function genesisBlock(stateRoot: Hash, producedAtMs: number): Block {
  const fields: BlockHeaderFields = { number: 0, slot: 0, prevHash: ZERO_HASH, txsRoot: computeTxsRoot([]), stateRoot };
  return { ...fields, hash: computeBlockHash(fields), txCount: 0, producedAtMs, txs: [], events: [] };
}

export function headerOf(block: Block): BlockHeader {
  const { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs } = block;
  return { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs };
}

// Wire form (bigints as decimal strings), as the routes of @gradual/wire answer them.

export function headerToWire(header: BlockHeader): BlockHeaderWire {
  const { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs } = header;
  return { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs };
}

export function blockEventsToWire(block: Block | StoredBlock): BlockEventWire[] {
  return block.events.map((item) => ({ tx: item.tx, event: toWire(item.event) }));
}

export function blockToWire(block: Block | StoredBlock): BlockWire {
  return {
    ...headerToWire(block),
    txs: block.txs.map((tx) => ({
      hash: tx.hash,
      tx: transactionToJson(tx.tx) as WireTransaction,
      signature: tx.signature,
      result: tx.result,
    })),
    events: blockEventsToWire(block),
  };
}
