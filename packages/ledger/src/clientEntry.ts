/**
 * @gradual/ledger/client: what a client of the ledger (a node, a wallet, the CLI's commands other than `ledger`)
 * needs: keys and signing, the block format and its hashes, envelope checks and the verifier pool, the HTTP client
 * and its error type. It loads neither the HTTP server (fastify) nor storage (SQLite), which a node process, running
 * for days, would otherwise carry; the client checks replies with @gradual/wire's own small decoders (a schema
 * library's modules were about 11 MB). The same modules as the package's main entry, so classes and values are
 * identical through either.
 */
export * from "./blobAuth.ts";
export * from "./block.ts";
export * from "./client.ts";
export * from "./clock.ts";
export * from "./edge.ts";
export * from "./errors.ts";
export * from "./genesis.ts";
export * from "./keys.ts";
export * from "./resolveLedgerUrl.ts";
export * from "./verifierPool.ts";
export * from "./verifyEnvelope.ts";
