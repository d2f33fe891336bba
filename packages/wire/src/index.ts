/**
 * @gradual/wire: the ledger's HTTP wire format, written once. Route definitions (`ROUTES`), the decoders of every
 * request and reply (from which their TypeScript types are inferred and their JSON Schema emitted), bigints as
 * decimal strings (`toWire`, `Wire<T>`), the protocol's events as they travel (`WireEvent`) and their descriptions
 * in words (`describeEvent`). Pure and small: the ledger's server and client, the CLI and the dashboard (in the
 * browser) import it; it imports only the protocol.
 */
export * from "./bigints.ts";
export * from "./decoder.ts";
export * from "./describeEvent.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./primitives.ts";
export * from "./records.ts";
export * from "./replies.ts";
export * from "./replyDecoding.ts";
export * from "./routes.ts";
export * from "./transactions.ts";
export type { Assert, Equals } from "./typeCheck.ts";
