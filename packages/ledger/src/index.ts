/**
 * @gradual/ledger: the settlement ledger. One process runs the protocol core, orders signed transactions into one
 * block per slot, stores everything durably (SQLite by default, behind `LedgerStore`), serves the HTTP API, and
 * lets anyone replay its history (`verifyLedger`). See packages/ledger/README.md.
 */
export * from "./blobAuth.ts";
export * from "./block.ts";
export * from "./client.ts";
export * from "./clock.ts";
export * from "./edge.ts";
export * from "./errors.ts";
export * from "./genesis.ts";
export * from "./headFile.ts";
export * from "./keys.ts";
export * from "./ledger.ts";
export * from "./logger.ts";
export * from "./mempool.ts";
export * from "./metrics.ts";
export * from "./producer.ts";
export * from "./resolveLedgerUrl.ts";
export { createLedgerServer, type LedgerServerModules, type LedgerServerOptions } from "./server/createLedgerServer.ts";
export * from "./startLedger.ts";
export * from "./store/index.ts";
export * from "./verifierPool.ts";
export * from "./verify.ts";
export * from "./verifyEnvelope.ts";
