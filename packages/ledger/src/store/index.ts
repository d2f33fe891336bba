export type { LedgerStore, MempoolRow, StateChange, StoredTransaction } from "./LedgerStore.ts";
export { SQLITE_FILE_NAME, SqliteStore, type SqliteStoreOptions } from "./sqliteStore.ts";
