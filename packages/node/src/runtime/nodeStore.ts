import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { canonicalParse, canonicalStringify, GradualError, type Hash, listRoot, sha256Hex } from "@gradual/protocol";
import type { JsonValue, TaskStore } from "@gradual/sdk";
import Database from "better-sqlite3";
import type { ListRecord, NodeMemory, Verdict, WorkRecord } from "../decide.ts";

/**
 * The node's own durable state (SQLite, WAL, synchronous=FULL). Everything `decide` relies on is written here
 * before the node acts on it: a salt and proof before the commit, a verdict before the vote, a signed transaction
 * before it is submitted. After `kill -9` the node reloads this and can neither commit twice, reveal another proof,
 * nor vote differently (protocol.md §5.4).
 */

export type OutboxEntry = {
  readonly nonce: number;
  readonly key: string;
  readonly hash: Hash;
  /** The signed envelope as sent: `{ tx, signature }` in wire JSON. */
  readonly envelope: string;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS work (cycle INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS proofs (digest TEXT PRIMARY KEY, cycle INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lists (key TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS done (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS outbox (nonce INTEGER PRIMARY KEY, key TEXT NOT NULL, hash TEXT NOT NULL, envelope TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * The store's file is damaged: not a database, cut short, or holding a record no node writes. Refused at open (or,
 * for a proof, when it is read), so the node never acts on a memory it cannot trust.
 */
export class NodeStoreError extends GradualError<"NODE__STORE_CORRUPT"> {
  override readonly name = "NodeStoreError";
  readonly file: string;
  constructor(file: string, detail: string, cause?: unknown) {
    super("NODE__STORE_CORRUPT", {
      message: `NODE__STORE_CORRUPT: ${file}: ${detail}. The node's memory cannot be trusted: restore the file from a backup, or move it away to start with an empty memory`,
      context: { file },
      cause,
    });
    this.file = file;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const VERDICTS: ReadonlySet<string> = new Set(["valid", "invalid", "unavailable"]);

/** What is wrong with a stored work record, or null. */
function workProblem(record: unknown): string | null {
  const work = record as Partial<Record<string, unknown>> | null;
  if (work?.status === "failed") return typeof work.reason === "string" ? null : "a failed record without a reason";
  if (work?.status !== "done") return "neither done nor failed";
  if (typeof work.proofDigest !== "string" || !HEX64.test(work.proofDigest)) return "a proofDigest that is not a hash";
  if (typeof work.salt !== "string" || !HEX64.test(work.salt)) return "a salt that is not 64 hex characters";
  return null;
}

/** What is wrong with a stored list, or null: its entries must be well formed and hash to its root. */
function listProblem(record: unknown): string | null {
  const list = record as Partial<ListRecord> | null;
  if (!Array.isArray(list?.entries)) return "no entries";
  for (const entry of list.entries) {
    if (typeof entry?.recipient !== "string" || !HEX64.test(entry.recipient)) return "an entry without a recipient";
    if (typeof entry.amount !== "bigint" || entry.amount < 0n) return "an entry without an amount";
  }
  try {
    return list.root === listRoot(list.entries) ? null : "a root that does not match its entries";
  } catch {
    return "entries that cannot be list leaves";
  }
}

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

export class NodeStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly memory: {
    work: Map<number, WorkRecord>;
    verdicts: Map<string, Verdict>;
    lists: Map<string, ListRecord>;
    done: Set<string>;
  };

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, "node.sqlite");
    this.memory = { work: new Map(), verdicts: new Map(), lists: new Map(), done: new Set() };
    let db: Database.Database | undefined;
    try {
      db = new Database(this.#file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.exec(SCHEMA);
      this.#load(db);
    } catch (error) {
      db?.close();
      if (isCorruption(error)) throw new NodeStoreError(this.#file, (error as Error).message, error);
      throw error;
    }
    this.#db = db;
  }

  /** Reads the memory, refusing any record the node could not have written. */
  #load(db: Database.Database): void {
    const damaged = (what: string) => {
      throw new NodeStoreError(this.#file, what);
    };
    const parsed = (what: string, parse: () => unknown) => {
      try {
        return parse();
      } catch (error) {
        return damaged(`${what} cannot be read (${(error as Error).message})`);
      }
    };
    for (const row of db.prepare("SELECT cycle, record FROM work").all() as { cycle: number; record: string }[]) {
      const record = parsed(`work record of cycle ${row.cycle}`, () => JSON.parse(row.record));
      const problem = workProblem(record);
      if (problem !== null) damaged(`work record of cycle ${row.cycle}: ${problem}`);
      this.memory.work.set(row.cycle, record as WorkRecord);
    }
    for (const row of db.prepare("SELECT key, verdict FROM verdicts").all() as { key: string; verdict: string }[]) {
      if (!VERDICTS.has(row.verdict)) damaged(`verdicts ${row.key}: "${row.verdict}" is not a verdict`);
      this.memory.verdicts.set(row.key, row.verdict as Verdict);
    }
    for (const row of db.prepare("SELECT key, record FROM lists").all() as { key: string; record: string }[]) {
      const record = parsed(`lists ${row.key}`, () => canonicalParse(row.record));
      const problem = listProblem(record);
      if (problem !== null) damaged(`lists ${row.key}: ${problem}`);
      this.memory.lists.set(row.key, record as ListRecord);
    }
    for (const row of db.prepare("SELECT key FROM done").all() as { key: string }[]) this.memory.done.add(row.key);
  }

  get nodeMemory(): NodeMemory {
    return this.memory;
  }

  getMeta(key: string): string | undefined {
    return (this.#db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  /** Stores a cycle's proof and its work record in one transaction (the salt must never change once chosen). */
  saveWork(cycle: number, record: WorkRecord, proof: Uint8Array | null): void {
    const save = this.#db.transaction(() => {
      if (record.status === "done" && proof !== null) {
        this.#db
          .prepare("INSERT OR REPLACE INTO proofs (digest, cycle, bytes) VALUES (?, ?, ?)")
          .run(record.proofDigest, cycle, Buffer.from(proof));
      }
      this.#db.prepare("INSERT INTO work (cycle, record) VALUES (?, ?)").run(cycle, JSON.stringify(record));
    });
    save();
    this.memory.work.set(cycle, record);
  }

  /** A stored proof; throws NodeStoreError if its bytes no longer hash to its digest (served, they would be judged invalid). */
  proof(digest: Hash): { cycle: number; bytes: Uint8Array } | undefined {
    const row = this.#db.prepare("SELECT cycle, bytes FROM proofs WHERE digest = ?").get(digest) as
      | { cycle: number; bytes: Buffer }
      | undefined;
    if (row === undefined) return undefined;
    const bytes = new Uint8Array(row.bytes);
    if (sha256Hex(bytes) !== digest)
      throw new NodeStoreError(this.#file, `the proof of cycle ${row.cycle} no longer hashes to ${digest}`);
    return { cycle: row.cycle, bytes };
  }

  saveVerdict(key: string, verdict: Verdict): void {
    this.#db.prepare("INSERT OR IGNORE INTO verdicts (key, verdict) VALUES (?, ?)").run(key, verdict);
    if (!this.memory.verdicts.has(key)) this.memory.verdicts.set(key, verdict);
  }

  saveList(key: string, record: ListRecord): void {
    this.#db.prepare("INSERT OR IGNORE INTO lists (key, record) VALUES (?, ?)").run(key, canonicalStringify(record));
    if (!this.memory.lists.has(key)) this.memory.lists.set(key, record);
  }

  /** Records a signed transaction and marks its action done, atomically, before it is submitted. */
  saveOutgoing(entry: OutboxEntry): void {
    const save = this.#db.transaction(() => {
      this.#db
        .prepare("INSERT INTO outbox (nonce, key, hash, envelope) VALUES (?, ?, ?, ?)")
        .run(entry.nonce, entry.key, entry.hash, entry.envelope);
      this.#db.prepare("INSERT OR IGNORE INTO done (key) VALUES (?)").run(entry.key);
    });
    save();
    this.memory.done.add(entry.key);
  }

  /** Signed transactions with a nonce the ledger has not consumed yet, oldest first (resubmitted after a restart). */
  outboxFrom(nonce: number): OutboxEntry[] {
    return this.#db
      .prepare("SELECT nonce, key, hash, envelope FROM outbox WHERE nonce >= ? ORDER BY nonce")
      .all(nonce) as OutboxEntry[];
  }

  /** Drops outbox entries the ledger will never include (their nonce was used by another transaction). */
  dropOutboxFrom(nonce: number): string[] {
    return this.#dropOutbox(this.outboxFrom(nonce));
  }

  /**
   * Drops one outbox entry (a settlement without ledger nonces refused it; the entries after it stand). `keepDone`
   * keeps its action done: the refusal is final (a list that lost the posting race), so it is not decided again.
   */
  dropOutboxEntry(nonce: number, options: { readonly keepDone?: boolean } = {}): string[] {
    return this.#dropOutbox(
      this.outboxFrom(nonce).filter((row) => row.nonce === nonce),
      options.keepDone === true,
    );
  }

  /** Deletes the entries, and their done marks unless kept (the actions may be decided again); returns their keys. */
  #dropOutbox(rows: readonly OutboxEntry[], keepDone = false): string[] {
    const drop = this.#db.transaction(() => {
      for (const row of rows) {
        this.#db.prepare("DELETE FROM outbox WHERE nonce = ?").run(row.nonce);
        if (!keepDone) this.#db.prepare("DELETE FROM done WHERE key = ?").run(row.key);
      }
    });
    drop();
    if (!keepDone) for (const row of rows) this.memory.done.delete(row.key);
    return rows.map((row) => row.key);
  }

  lastOutboxNonce(): number | undefined {
    return (
      (this.#db.prepare("SELECT MAX(nonce) AS nonce FROM outbox").get() as { nonce: number | null }).nonce ?? undefined
    );
  }

  /** The task's key-value store (ctx.store). */
  taskStore(): TaskStore {
    const db = this.#db;
    return {
      get: async <T extends JsonValue>(key: string) => {
        const row = db.prepare("SELECT value FROM kv WHERE key = ?").get(key) as { value: string } | undefined;
        return row === undefined ? undefined : (JSON.parse(row.value) as T);
      },
      set: async (key, value) => {
        if (key.length > 256) throw new RangeError(`store key longer than 256 characters: ${key.slice(0, 40)}...`);
        db.prepare(
          "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        ).run(key, JSON.stringify(value));
      },
      delete: async (key) => {
        db.prepare("DELETE FROM kv WHERE key = ?").run(key);
      },
      keys: async (prefix = "", limit = 1_000) =>
        (
          db
            .prepare("SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?")
            .all(prefix, `${prefix}\uffff`, limit) as { key: string }[]
        ).map((row) => row.key),
    };
  }

  close(): void {
    this.#db.close();
  }
}
