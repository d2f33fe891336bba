import type { Hash, Transaction } from "@gradual/protocol";
import type { Block, BlockHeader, BlockTransaction, StoredBlock } from "../block.ts";
import type { LedgerGenesis } from "../genesis.ts";

/** A transaction acknowledged and not yet in a block, as logged (durably) before the acknowledgement. */
export type MempoolRow = {
  /** Arrival order; blocks take the mempool in this order. */
  readonly seq: number;
  readonly hash: Hash;
  readonly tx: Transaction;
  readonly signature: string;
  readonly receivedAtMs: number;
  /** The transaction's wire JSON text (serialized once, at admission). */
  readonly wire: string;
};

export type StoredTransaction = BlockTransaction & { readonly block: number; readonly position: number };

/** A state record written (value) or removed (undefined) by a block. */
export type StateChange = readonly [key: string, value: unknown];

/**
 * Everything the ledger keeps on disk, behind one interface so that another backend (PostgreSQL) can replace the
 * embedded SQLite one without touching the rest. Methods are async for that reason, even though SQLite answers
 * synchronously.
 *
 * Durability contract (what the ledger's acknowledgements rely on):
 * - `appendMempool` returns only once the rows survive a crash (power loss included).
 * - `commitBlock` writes the block, its transactions and results, the state changes and the mempool removal in
 *   ONE atomic, durable transaction: after a crash either all of it is there or none of it.
 * - Any write failure throws a `StorageError`; the caller must then stop acknowledging.
 */
export interface LedgerStore {
  /** Where the data lives, for messages ("sqlite:/data/ledger.sqlite"). */
  readonly location: string;

  /** The genesis the store was initialized with, or undefined for an empty store. */
  readGenesis(): Promise<LedgerGenesis | undefined>;
  /** Stores the genesis, block 0 and the genesis state in one transaction. */
  initialize(genesis: LedgerGenesis, block: Block, state: Iterable<StateChange>): Promise<void>;

  getHead(): Promise<BlockHeader | undefined>;
  getBlock(number: number): Promise<StoredBlock | undefined>;
  /** Blocks `from..to` inclusive, in order, at most `to - from + 1`. */
  getBlocks(from: number, to: number): Promise<StoredBlock[]>;
  getBlockHeaders(from: number, to: number): Promise<BlockHeader[]>;
  /** Every block from `from` on, in order, one at a time (for replay). */
  iterateBlocks(from: number): AsyncIterable<StoredBlock>;
  getTransaction(hash: Hash): Promise<StoredTransaction | undefined>;

  /** The state records as of the head block. */
  loadState(): AsyncIterable<StateChange>;
  loadMempool(): Promise<MempoolRow[]>;
  appendMempool(rows: readonly MempoolRow[]): Promise<void>;
  /** Durably removes the mempool rows with these seqs (a dropped stuck entry). */
  dropMempool(seqs: readonly number[]): Promise<void>;
  /** Stores `block` and removes mempool rows up to and including `mempoolThroughSeq` (their order is the log's). */
  commitBlock(block: Block, state: Iterable<StateChange>, mempoolThroughSeq: number): Promise<void>;

  /** Stores a blob under its sha256; false when it was already there. */
  putBlob(hash: Hash, bytes: Uint8Array): Promise<boolean>;
  getBlob(hash: Hash): Promise<Uint8Array | undefined>;

  /** Runs `work` on one consistent snapshot of the store (verify replays a moving ledger this way). */
  readSnapshot<T>(work: () => Promise<T>): Promise<T>;

  close(): Promise<void>;
}
