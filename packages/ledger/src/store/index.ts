export { BLOB_FILE_NAME, BlobStore, type BlobStoreOptions } from "./blobStore.ts";
export type { LedgerStore, MempoolRow, StateChange, StoredTransaction } from "./LedgerStore.ts";
export { SQLITE_FILE_NAME, SqliteStore, type SqliteStoreOptions } from "./sqliteStore.ts";
