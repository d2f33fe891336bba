import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Account, Hash } from "@gradual/protocol";
import Database from "better-sqlite3";
import { LedgerError, StorageError } from "../errors.ts";

export const BLOB_FILE_NAME = "blobs.sqlite";

export type BlobStoreOptions = {
  readonly dataDir: string;
  /** Size limit of the blob file; past it uploads get LEDGER__BLOB_STORE_FULL (the chain is not affected). */
  readonly maxBytes?: number;
  /** Most bytes one account may have stored. */
  readonly maxBytesPerAccount?: number;
};

const DEFAULT_BLOB_STORE_BYTES = 1024 * 1024 * 1024;
const DEFAULT_BLOB_BYTES_PER_ACCOUNT = 64 * 1024 * 1024;

/**
 * Content-addressed blobs, apart from the chain: their own SQLite file (DIR/blobs.sqlite) with its own size limit,
 * so a full blob store never stops block production. Each blob records its uploader, whose stored bytes are
 * bounded. Written with synchronous=FULL like the chain: an answered upload is durable.
 */
export class BlobStore {
  readonly location: string;
  readonly maxBytesPerAccount: number;
  readonly #db: Database.Database;
  readonly #dataDir: string;
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement;
  readonly #usage: Database.Statement;

  constructor(options: BlobStoreOptions) {
    this.#dataDir = options.dataDir;
    const path = join(options.dataDir, BLOB_FILE_NAME);
    this.location = `sqlite:${path}`;
    this.maxBytesPerAccount = options.maxBytesPerAccount ?? DEFAULT_BLOB_BYTES_PER_ACCOUNT;
    try {
      mkdirSync(options.dataDir, { recursive: true });
      this.#db = new Database(path);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = FULL");
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, uploader TEXT NOT NULL,
          bytes BLOB NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS blobs_by_uploader ON blobs (uploader);`);
      const pageSize = Number(this.#db.pragma("page_size", { simple: true }));
      const maxBytes = options.maxBytes ?? DEFAULT_BLOB_STORE_BYTES;
      this.#db.pragma(`max_page_count = ${Math.max(16, Math.floor(maxBytes / pageSize))}`);
      this.#insert = this.#db.prepare("INSERT OR IGNORE INTO blobs (hash, size, uploader, bytes) VALUES (?, ?, ?, ?)");
      this.#get = this.#db.prepare("SELECT bytes FROM blobs WHERE hash = ?");
      this.#usage = this.#db.prepare("SELECT COALESCE(SUM(size), 0) AS used FROM blobs WHERE uploader = ?");
    } catch (error) {
      throw new StorageError("open the blob store", error, options.dataDir);
    }
  }

  /** Bytes stored by `account`. */
  usage(account: Account): number {
    return Number((this.#usage.get(account) as { used: number }).used);
  }

  /** Stores bytes under their sha256 for `uploader`; false when already there. Refuses past the quotas. */
  put(hash: Hash, bytes: Uint8Array, uploader: Account): boolean {
    if (this.#get.get(hash) !== undefined) return false;
    const used = this.usage(uploader);
    if (used + bytes.length > this.maxBytesPerAccount) {
      throw new LedgerError("LEDGER__BLOB_QUOTA", {
        message: `account ${uploader} has ${used} bytes of blobs; ${bytes.length} more exceeds its ${this.maxBytesPerAccount}`,
        context: { account: uploader, used, bytes: bytes.length, limit: this.maxBytesPerAccount },
      });
    }
    try {
      return this.#insert.run(hash, bytes.length, uploader, bytes).changes > 0;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_FULL") {
        throw new LedgerError("LEDGER__BLOB_STORE_FULL", {
          message: "the blob store is full (its own limit; block production is not affected)",
          context: {},
          cause: error,
        });
      }
      throw new StorageError("store a blob", error, this.#dataDir);
    }
  }

  get(hash: Hash): Uint8Array | undefined {
    const row = this.#get.get(hash) as { bytes: Buffer } | undefined;
    return row?.bytes;
  }

  close(): void {
    this.#db.close();
  }
}
