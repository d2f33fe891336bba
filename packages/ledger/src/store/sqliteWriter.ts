import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { LedgerError, StorageError } from "../errors.ts";

/**
 * What the writer thread receives. Everything is already serialized to the strings and numbers the tables hold, so
 * the thread needs no protocol code: it only runs SQL. Rows travel as one string, their fields joined with NUL
 * ({@link FIELD_SEPARATOR}): posting one flat string costs a copy, posting an array of tuples costs a clone per
 * field. No field can hold a NUL: hashes and signatures are lowercase hex (the edge checks), the rest is JSON text,
 * which escapes control characters.
 */
export type MempoolRowMessage = readonly [
  seq: number,
  hash: string,
  wire: string,
  signature: string,
  receivedAtMs: number,
];
const FIELD_SEPARATOR = "\u0000";
export type BlockMessage = {
  readonly number: number;
  readonly slot: number;
  readonly prevHash: string;
  readonly txsRoot: string;
  readonly stateRoot: string;
  readonly hash: string;
  readonly txCount: number;
  readonly producedAtMs: number;
  /** The events' wire JSON. */
  readonly events: string;
  /** Per transaction, in position order: hash, wire JSON, signature, result JSON. */
  readonly txs: readonly (readonly [hash: string, wire: string, signature: string, result: string])[];
};
/** A state record's canonical JSON, or null to delete it. Keys are the protocol's record keys (no NUL). */
export type StateMessage = readonly [key: string, value: string | null];

export type SqliteWriterOptions = {
  readonly path: string;
  readonly dataDir: string;
  /** The database file's identity when opened: a write to another file (deleted or replaced) is refused. */
  readonly identity: { readonly dev: number; readonly ino: number };
  readonly maxPageCount?: number;
  /** Row ids of the txs table: block * positionsPerBlock + position. */
  readonly positionsPerBlock: number;
};

/** A block as posted: its transactions' fields joined into one string (hash, wire, signature, result, ...). */
type PackedBlock = Omit<BlockMessage, "txs"> & { readonly txs: string };
type Request =
  | { readonly op: "append"; readonly rows: string }
  | { readonly op: "drop"; readonly seqs: readonly number[] }
  | {
      readonly op: "commit";
      readonly block: PackedBlock;
      /** Key and value JSON of each state record, joined; an empty value removes the record. */
      readonly state: string;
      readonly mempoolThroughSeq: number;
    }
  | { readonly op: "close" };
type Answer = {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string; readonly changed?: boolean };
};
type Pending = { readonly operation: string; resolve(): void; reject(error: Error): void };

/**
 * The writer thread's whole program: one SQLite connection that does every write of the hot path (mempool log,
 * blocks, drops), one request at a time in arrival order, each in one transaction that is durable (WAL fsynced,
 * `synchronous=FULL`) before the answer goes back. Plain JavaScript run with `eval`, like the verifier's: no
 * TypeScript loader in the thread. The main thread keeps its own connection for reads (WAL lets readers and this
 * writer run at once).
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const { path, identity, maxPageCount, positionsPerBlock } = workerData;
let db;
let s;
function open() {
  db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  if (maxPageCount !== undefined) db.pragma("max_page_count = " + maxPageCount);
  s = {
    insertMempool: db.prepare("INSERT INTO mempool (seq, hash, tx, signature, received_at_ms) VALUES (?, ?, ?, ?, ?)"),
    dropMempoolRow: db.prepare("DELETE FROM mempool WHERE seq = ?"),
    deleteMempool: db.prepare("DELETE FROM mempool WHERE seq <= ?"),
    insertBlock: db.prepare("INSERT INTO blocks (number, slot, prev_hash, txs_root, state_root, hash, tx_count, produced_at_ms, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    insertTx: db.prepare("INSERT INTO txs (id, hash, tx, signature, result) VALUES (?, ?, ?, ?, ?)"),
    putState: db.prepare("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)"),
    deleteState: db.prepare("DELETE FROM state WHERE key = ?"),
  };
}
function assertSameFile() {
  let stat;
  try { stat = statSync(path); } catch { stat = undefined; }
  if (stat === undefined || stat.ino !== identity.ino || stat.dev !== identity.dev) {
    const error = new Error(stat === undefined ? "deleted" : "replaced");
    error.changed = true;
    throw error;
  }
}
const SEPARATOR = "\\u0000";
// Fields are read one at a time off the joined string (no array of every field): the thread's heap then holds the
// message and one row, whatever the block's size.
function fieldReader(text) {
  let at = 0;
  return {
    done: () => at >= text.length,
    next() {
      const end = text.indexOf(SEPARATOR, at);
      const field = end < 0 ? text.slice(at) : text.slice(at, end);
      at = end < 0 ? text.length : end + 1;
      return field;
    },
  };
}
const append = (text) => {
  const fields = fieldReader(text);
  while (!fields.done()) {
    const seq = Number(fields.next());
    const hash = Buffer.from(fields.next(), "hex");
    const wire = fields.next();
    const signature = fields.next();
    s.insertMempool.run(seq, hash, wire, signature, Number(fields.next()));
  }
};
const drop = (seqs) => {
  for (const seq of seqs) s.dropMempoolRow.run(seq);
};
const commit = (block, state, mempoolThroughSeq) => {
  s.insertBlock.run(block.number, block.slot, block.prevHash, block.txsRoot, block.stateRoot, block.hash, block.txCount, block.producedAtMs, block.events);
  const base = block.number * positionsPerBlock;
  const txs = fieldReader(block.txs);
  let position = 0;
  while (position < block.txCount && !txs.done()) {
    const hash = Buffer.from(txs.next(), "hex");
    const wire = txs.next();
    const signature = txs.next();
    s.insertTx.run(base + position, hash, wire, signature, txs.next());
    position += 1;
  }
  if (position !== block.txCount || !txs.done()) throw new Error("block " + block.number + ": the transactions do not match txCount " + block.txCount);
  // State records: key, then the value's JSON, or an empty field for a removed record.
  const records = fieldReader(state);
  while (!records.done()) {
    const key = records.next();
    const value = records.next();
    if (value === "") s.deleteState.run(key);
    else s.putState.run(key, value);
  }
  if (mempoolThroughSeq >= 0) s.deleteMempool.run(mempoolThroughSeq);
};
let transactions;
parentPort.on("message", ({ id, request }) => {
  try {
    if (request.op === "close") {
      if (db !== undefined && db.open) db.close();
      parentPort.postMessage({ id });
      return;
    }
    if (db === undefined) {
      open();
      transactions = { append: db.transaction(append), drop: db.transaction(drop), commit: db.transaction(commit) };
    }
    assertSameFile();
    if (request.op === "append") transactions.append(request.rows);
    else if (request.op === "drop") transactions.drop(request.seqs);
    else if (request.op === "commit") transactions.commit(request.block, request.state, request.mempoolThroughSeq);
    else throw new Error("unknown request " + request.op);
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { message: error && error.message ? error.message : String(error), code: typeof (error && error.code) === "string" ? error.code : undefined, changed: error && error.changed === true },
    });
  }
});
`;

/**
 * The write half of {@link SqliteStore}: a worker thread that owns a second connection and does the writes, so that
 * the ledger's thread never waits on SQLite or on an fsync (issue 20: admission never waits on disk). Requests are
 * answered in the order they were sent; each answer means "durable".
 */
export class SqliteWriter {
  readonly #options: SqliteWriterOptions;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #broken: Error | undefined;
  #closed = false;

  constructor(options: SqliteWriterOptions) {
    this.#options = options;
    this.#worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path: options.path,
        identity: { dev: options.identity.dev, ino: options.identity.ino },
        maxPageCount: options.maxPageCount,
        positionsPerBlock: options.positionsPerBlock,
      },
    });
    this.#worker.unref();
    this.#worker.on("message", (answer: Answer) => this.#answer(answer));
    this.#worker.on("error", (error) => this.#breakDown(error));
    this.#worker.on("exit", (code) => {
      if (!this.#closed) this.#breakDown(new Error(`the storage writer thread exited with code ${code}`));
    });
  }

  #answer(answer: Answer): void {
    const pending = this.#pending.get(answer.id);
    if (pending === undefined) return;
    this.#pending.delete(answer.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (answer.error === undefined) {
      pending.resolve();
      return;
    }
    if (answer.error.changed) {
      pending.reject(
        new LedgerError("LEDGER__DATA_DIR_CHANGED", {
          message: `${this.#options.path} was ${answer.error.message} while the ledger ran; nothing more is acknowledged. Restore the data directory (the head file records the last durable block) and restart`,
          context: { path: this.#options.path },
        }),
      );
      return;
    }
    const cause = Object.assign(new Error(answer.error.message), answer.error.code ? { code: answer.error.code } : {});
    pending.reject(new StorageError(pending.operation, cause, this.#options.dataDir));
  }

  #breakDown(error: unknown): void {
    this.#broken ??= error instanceof Error ? error : new Error(String(error));
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const item of pending) item.reject(new StorageError(item.operation, this.#broken, this.#options.dataDir));
  }

  #send(operation: string, request: Request): Promise<void> {
    if (this.#broken !== undefined) {
      return Promise.reject(new StorageError(operation, this.#broken, this.#options.dataDir));
    }
    if (this.#closed) return Promise.reject(new StorageError(operation, "the store is closed", this.#options.dataDir));
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { operation, resolve, reject });
      this.#worker.postMessage({ id, request });
    });
  }

  append(rows: readonly MempoolRowMessage[]): Promise<void> {
    const fields: (string | number)[] = [];
    for (const row of rows) fields.push(row[0], row[1], row[2], row[3], row[4]);
    return this.#send("log acknowledged transactions", { op: "append", rows: fields.join(FIELD_SEPARATOR) });
  }

  drop(seqs: readonly number[]): Promise<void> {
    return this.#send("drop mempool entries", { op: "drop", seqs });
  }

  commit(block: BlockMessage, state: readonly StateMessage[], mempoolThroughSeq: number): Promise<void> {
    const fields: string[] = [];
    for (const tx of block.txs) fields.push(tx[0], tx[1], tx[2], tx[3]);
    const packed: PackedBlock = { ...block, txs: fields.join(FIELD_SEPARATOR) };
    const records: string[] = [];
    for (const [key, value] of state) records.push(key, value ?? "");
    return this.#send(`store block ${block.number}`, {
      op: "commit",
      block: packed,
      state: records.join(FIELD_SEPARATOR),
      mempoolThroughSeq,
    });
  }

  /** Waits for the writes already sent, closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#broken === undefined) await this.#send("close the database", { op: "close" }).catch(() => {});
    this.#closed = true;
    await this.#worker.terminate();
  }
}
