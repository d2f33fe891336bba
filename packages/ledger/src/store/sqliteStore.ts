import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  canonicalParse,
  canonicalStringify,
  decodeTransaction,
  type Hash,
  isDecodeRejection,
  transactionHash,
} from "@gradual/protocol";
import { stringifyWire } from "@gradual/wire";
import Database from "better-sqlite3";
import {
  type Block,
  type BlockHeader,
  type BlockTransaction,
  computeBlockHash,
  computeTxsRoot,
  type StoredBlock,
  type TxResult,
  type WireBlockEvent,
} from "../block.ts";
import { LedgerError, StorageError } from "../errors.ts";
import { genesisToJson, type LedgerGenesis, parseGenesis } from "../genesis.ts";
import type { LedgerStore, MempoolRow, StateChange, StoredTransaction } from "./LedgerStore.ts";
import { type BlockMessage, SqliteWriter, type StateMessage } from "./sqliteWriter.ts";

export const SQLITE_FILE_NAME = "ledger.sqlite";
const SCHEMA_VERSION = "1";

export type SqliteStoreOptions = {
  /** The data directory; the database is `DIR/ledger.sqlite`. */
  readonly dataDir: string;
  /** Refuse to grow the database past this size (a quota; SQLite then fails like a full disk). */
  readonly maxDatabaseBytes?: number;
  /** Open for reading only (verify): no schema creation, no writes. */
  readonly readonly?: boolean;
  /**
   * Check every block read against its own hashes (header hash, txsRoot, each transaction's hash); a mismatch is
   * LEDGER__DAMAGED. Default true; `verify` turns it off because it reports mismatches itself.
   */
  readonly checkOnRead?: boolean;
};

/**
 * Tables. Rows are appended in key order wherever possible (blocks by number, transactions by block and position,
 * mempool by arrival), which keeps SQLite's B-trees cheap to grow; only the 32-byte hash index takes random inserts.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (
  number INTEGER PRIMARY KEY,
  slot INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  txs_root TEXT NOT NULL,
  state_root TEXT NOT NULL,
  hash TEXT NOT NULL,
  tx_count INTEGER NOT NULL,
  produced_at_ms INTEGER NOT NULL,
  events TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS txs (
  id INTEGER PRIMARY KEY,
  hash BLOB NOT NULL,
  tx TEXT NOT NULL,
  signature TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS txs_by_hash ON txs (hash);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mempool (
  seq INTEGER PRIMARY KEY,
  hash BLOB NOT NULL,
  tx TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, bytes BLOB NOT NULL) WITHOUT ROWID;
`;

/** A transaction's row id: its block and position, so that a block's transactions are one range of the table. */
const POSITIONS_PER_BLOCK = 1 << 20;

function txId(block: number, position: number): number {
  return block * POSITIONS_PER_BLOCK + position;
}

type BlockRow = {
  number: number;
  slot: number;
  prev_hash: string;
  txs_root: string;
  state_root: string;
  hash: string;
  tx_count: number;
  produced_at_ms: number;
  events: string;
};
type TxRow = { id: number; hash: Buffer; tx: string; signature: string; result: string };
type MempoolDbRow = { seq: number; hash: Buffer; tx: string; signature: string; received_at_ms: number };

const OK_RESULT_TEXT = JSON.stringify({ ok: true });

function resultText(result: TxResult): string {
  return result.ok ? OK_RESULT_TEXT : JSON.stringify(result);
}

function decodeStoredTx(text: string, hash: string): BlockTransaction["tx"] {
  const decoded = decodeTransaction(JSON.parse(text));
  if (isDecodeRejection(decoded)) {
    throw new LedgerError("API__INTERNAL", {
      message: `stored transaction ${hash} does not decode: ${decoded.message}`,
    });
  }
  return decoded;
}

function headerFromRow(row: BlockRow): BlockHeader {
  return {
    number: row.number,
    slot: row.slot,
    prevHash: row.prev_hash,
    txsRoot: row.txs_root,
    stateRoot: row.state_root,
    hash: row.hash,
    txCount: row.tx_count,
    producedAtMs: row.produced_at_ms,
  };
}

function txFromRow(row: TxRow): StoredTransaction {
  const hash = row.hash.toString("hex");
  return {
    hash,
    tx: decodeStoredTx(row.tx, hash),
    signature: row.signature,
    result: JSON.parse(row.result) as TxResult,
    block: Math.floor(row.id / POSITIONS_PER_BLOCK),
    position: row.id % POSITIONS_PER_BLOCK,
    wire: row.tx,
  };
}

/**
 * The default store: one SQLite file in WAL mode with `synchronous=FULL`, so that every commit is on disk (the WAL
 * fsynced) before it returns. Block, transactions, state changes and mempool removal share one transaction.
 *
 * Two connections: this thread's, for reads (and the genesis), and a writer thread's ({@link SqliteWriter}) for the
 * mempool log, blocks and drops, so that the ledger's thread spends no time in SQLite's B-trees or waiting for an
 * fsync while it admits transactions. WAL mode lets the two run at once; a read sees every write answered before it.
 */
export class SqliteStore implements LedgerStore {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #dataDir: string;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #path: string;
  readonly #checkOnRead: boolean;
  readonly #writer: SqliteWriter | undefined;
  #identity: { dev: number; ino: number } | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#dataDir = options.dataDir;
    const path = join(options.dataDir, SQLITE_FILE_NAME);
    this.#path = path;
    this.#checkOnRead = options.checkOnRead ?? true;
    this.location = `sqlite:${path}`;
    try {
      if (!options.readonly) mkdirSync(options.dataDir, { recursive: true });
      this.#db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
      if (!options.readonly) {
        this.#db.pragma("journal_mode = WAL");
        this.#db.pragma("synchronous = FULL");
        this.#db.exec(SCHEMA);
        // A write now, so that a read-only directory or a full disk is found at start, not at the first submit.
        this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
      }
      this.#db.pragma("busy_timeout = 5000");
      let maxPageCount: number | undefined;
      if (options.maxDatabaseBytes !== undefined) {
        const pageSize = Number(this.#db.pragma("page_size", { simple: true }));
        maxPageCount = Math.max(8, Math.floor(options.maxDatabaseBytes / pageSize));
        this.#db.pragma(`max_page_count = ${maxPageCount}`);
      }
      this.#statements = prepare(this.#db);
      const stat = statSync(path);
      this.#identity = { dev: stat.dev, ino: stat.ino };
      if (!options.readonly) {
        this.#writer = new SqliteWriter({
          path,
          dataDir: options.dataDir,
          identity: this.#identity,
          positionsPerBlock: POSITIONS_PER_BLOCK,
          ...(maxPageCount === undefined ? {} : { maxPageCount }),
        });
      }
    } catch (error) {
      if (error instanceof LedgerError) throw error;
      throw new StorageError(
        options.readonly ? "open the ledger database" : "open the ledger database for writing",
        error,
        options.dataDir,
      );
    }
  }

  /**
   * The database file must still be the one opened: deleted or replaced while running, SQLite would go on writing
   * into an unlinked inode and every acknowledgement would be lost at the next start (issue 13).
   */
  #assertSameFile(): void {
    let stat: { dev: number; ino: number } | undefined;
    try {
      stat = statSync(this.#path);
    } catch {
      stat = undefined;
    }
    if (
      stat === undefined ||
      this.#identity === undefined ||
      stat.ino !== this.#identity.ino ||
      stat.dev !== this.#identity.dev
    ) {
      throw new LedgerError("LEDGER__DATA_DIR_CHANGED", {
        message: `${this.#path} was ${stat === undefined ? "deleted" : "replaced"} while the ledger ran; nothing more is acknowledged. Restore the data directory (the head file records the last durable block) and restart`,
        context: { path: this.#path },
      });
    }
  }

  #write<T>(operation: string, work: () => T): T {
    this.#assertSameFile();
    try {
      return work();
    } catch (error) {
      throw new StorageError(operation, error, this.#dataDir);
    }
  }

  async readGenesis(): Promise<LedgerGenesis | undefined> {
    const row = this.#statements.getMeta.get("genesis") as { value: string } | undefined;
    return row === undefined ? undefined : parseGenesis(JSON.parse(row.value));
  }

  async initialize(genesis: LedgerGenesis, block: Block, state: Iterable<StateChange>): Promise<void> {
    this.#write("store the genesis", () =>
      this.#db.transaction(() => {
        this.#statements.putMeta.run("genesis", JSON.stringify(genesisToJson(genesis)));
        this.#insertBlock(block);
        this.#writeState(state);
      })(),
    );
  }

  async getHead(): Promise<BlockHeader | undefined> {
    const row = this.#statements.head.get() as BlockRow | undefined;
    return row === undefined ? undefined : headerFromRow(row);
  }

  #readBlock(row: BlockRow): StoredBlock {
    const rows = this.#statements.txsOfBlock.all(txId(row.number, 0), txId(row.number + 1, 0) - 1) as TxRow[];
    const txs = rows.map((tx) => {
      const { block: _block, position: _position, ...rest } = txFromRow(tx);
      return rest;
    });
    const block = { ...headerFromRow(row), txs, events: JSON.parse(row.events) as WireBlockEvent[] };
    if (this.#checkOnRead) this.#checkBlock(block);
    return block;
  }

  /** A stored block checked against its own hashes: the chain's hashes are its checksums (issue 13). */
  #checkBlock(block: StoredBlock): void {
    const damaged = (what: string) =>
      new LedgerError("LEDGER__DAMAGED", {
        message: `block ${block.number} in ${this.location} is damaged (${what}); run \`gradual ledger verify\` and restore the data directory from a backup`,
        context: { block: block.number, what },
      });
    if (computeBlockHash(block) !== block.hash) throw damaged("its header does not hash to its hash");
    for (const tx of block.txs) {
      if (transactionHash(tx.tx) !== tx.hash) throw damaged(`transaction ${tx.hash} does not hash to its hash`);
    }
    if (block.txs.length !== block.txCount || computeTxsRoot(block.txs.map((tx) => tx.hash)) !== block.txsRoot) {
      throw damaged("its transactions do not match txsRoot");
    }
  }

  async getBlock(number: number): Promise<StoredBlock | undefined> {
    const row = this.#statements.block.get(number) as BlockRow | undefined;
    return row === undefined ? undefined : this.#readBlock(row);
  }

  async getBlocks(from: number, to: number): Promise<StoredBlock[]> {
    return (this.#statements.blockRange.all(from, to) as BlockRow[]).map((row) => this.#readBlock(row));
  }

  async getBlockHeaders(from: number, to: number): Promise<BlockHeader[]> {
    return (this.#statements.blockRange.all(from, to) as BlockRow[]).map(headerFromRow);
  }

  async *iterateBlocks(from: number): AsyncIterable<StoredBlock> {
    // Pages of blocks rather than one long-lived cursor: the reader never pins an old WAL snapshot for long.
    const page = 256;
    for (let next = from; ; next += page) {
      const blocks = await this.getBlocks(next, next + page - 1);
      for (const block of blocks) yield block;
      if (blocks.length < page) return;
    }
  }

  async getTransaction(hash: Hash): Promise<StoredTransaction | undefined> {
    const row = this.#statements.tx.get(Buffer.from(hash, "hex")) as TxRow | undefined;
    return row === undefined ? undefined : txFromRow(row);
  }

  async *loadState(): AsyncIterable<StateChange> {
    for (const row of this.#statements.allState.iterate() as Iterable<{ key: string; value: string }>) {
      yield [row.key, canonicalParse(row.value)];
    }
  }

  async loadMempool(): Promise<MempoolRow[]> {
    return (this.#statements.allMempool.all() as MempoolDbRow[]).map((row) => {
      const hash = row.hash.toString("hex");
      return {
        seq: row.seq,
        hash,
        tx: decodeStoredTx(row.tx, hash),
        signature: row.signature,
        receivedAtMs: row.received_at_ms,
        wire: row.tx,
      };
    });
  }

  #writerOf(operation: string): SqliteWriter {
    if (this.#writer === undefined) {
      throw new StorageError(operation, "the database was opened for reading only", this.#dataDir);
    }
    return this.#writer;
  }

  async appendMempool(rows: readonly MempoolRow[]): Promise<void> {
    if (rows.length === 0) return;
    const operation = "log acknowledged transactions";
    await this.#writerOf(operation).append(
      rows.map((row) => [row.seq, row.hash, row.wire, row.signature, row.receivedAtMs] as const),
    );
  }

  async dropMempool(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.#writerOf("drop mempool entries").drop(seqs);
  }

  async commitBlock(block: Block, state: Iterable<StateChange>, mempoolThroughSeq: number): Promise<void> {
    const writer = this.#writerOf(`store block ${block.number}`);
    const message: BlockMessage = {
      number: block.number,
      slot: block.slot,
      prevHash: block.prevHash,
      txsRoot: block.txsRoot,
      stateRoot: block.stateRoot,
      hash: block.hash,
      txCount: block.txCount,
      producedAtMs: block.producedAtMs,
      events: stringifyWire(block.events),
      txs: block.txs.map(
        (tx) => [tx.hash, tx.wire ?? stringifyWire(tx.tx), tx.signature, resultText(tx.result)] as const,
      ),
    };
    const changes: StateMessage[] = [];
    for (const [key, value] of state) changes.push([key, value === undefined ? null : canonicalStringify(value)]);
    await writer.commit(message, changes, mempoolThroughSeq);
  }

  #insertBlock(block: Block): void {
    const s = this.#statements;
    s.insertBlock.run(
      block.number,
      block.slot,
      block.prevHash,
      block.txsRoot,
      block.stateRoot,
      block.hash,
      block.txCount,
      block.producedAtMs,
      stringifyWire(block.events),
    );
    block.txs.forEach((tx, position) => {
      s.insertTx.run(
        txId(block.number, position),
        Buffer.from(tx.hash, "hex"),
        tx.wire ?? stringifyWire(tx.tx),
        tx.signature,
        resultText(tx.result),
      );
    });
  }

  #writeState(state: Iterable<StateChange>): void {
    const s = this.#statements;
    for (const [key, value] of state) {
      if (value === undefined) s.deleteState.run(key);
      else s.putState.run(key, canonicalStringify(value));
    }
  }

  async putBlob(hash: Hash, bytes: Uint8Array): Promise<boolean> {
    return this.#write("store a blob", () => this.#statements.insertBlob.run(hash, bytes.length, bytes).changes > 0);
  }

  async getBlob(hash: Hash): Promise<Uint8Array | undefined> {
    const row = this.#statements.blob.get(hash) as { bytes: Buffer } | undefined;
    return row === undefined ? undefined : new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.length);
  }

  /** Raw access for tests and tools (tampering with a block in the verify test). */
  get database(): Database.Database {
    return this.#db;
  }

  async readSnapshot<T>(work: () => Promise<T>): Promise<T> {
    // A read transaction in WAL mode sees the database as of its first read until it ends.
    this.#db.exec("BEGIN");
    try {
      this.#statements.head.get();
      return await work();
    } finally {
      if (this.#db.inTransaction) this.#db.exec("COMMIT");
    }
  }

  async close(): Promise<void> {
    await this.#writer?.close();
    if (this.#db.open) this.#db.close();
  }
}

function prepare(db: Database.Database) {
  return {
    getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
    putMeta: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),
    head: db.prepare("SELECT * FROM blocks ORDER BY number DESC LIMIT 1"),
    block: db.prepare("SELECT * FROM blocks WHERE number = ?"),
    blockRange: db.prepare("SELECT * FROM blocks WHERE number BETWEEN ? AND ? ORDER BY number"),
    txsOfBlock: db.prepare("SELECT * FROM txs WHERE id BETWEEN ? AND ? ORDER BY id"),
    tx: db.prepare("SELECT * FROM txs WHERE hash = ?"),
    insertBlock: db.prepare(
      "INSERT INTO blocks (number, slot, prev_hash, txs_root, state_root, hash, tx_count, produced_at_ms, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertTx: db.prepare("INSERT INTO txs (id, hash, tx, signature, result) VALUES (?, ?, ?, ?, ?)"),
    allState: db.prepare("SELECT key, value FROM state"),
    putState: db.prepare("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)"),
    deleteState: db.prepare("DELETE FROM state WHERE key = ?"),
    allMempool: db.prepare("SELECT * FROM mempool ORDER BY seq"),
    insertBlob: db.prepare("INSERT OR IGNORE INTO blobs (hash, size, bytes) VALUES (?, ?, ?)"),
    blob: db.prepare("SELECT bytes FROM blobs WHERE hash = ?"),
  };
}
