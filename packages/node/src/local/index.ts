/**
 * @gradual/node/local: the local runs (`gradual task test`, `gradual task dev`, `gradual koii test`, a linked Koii
 * folder's tests) without the rest of the node: several nodes on an in-memory chain, its ledger reader, the HTTP
 * server of their proofs and routes, and the report format. No SQLite, no node process.
 */

export type { TaskCall, TaskFailure } from "../runtime/executor.ts";
export type { TaskHost, TaskLimits, TaskRunner } from "../sandbox/types.ts";
export { describeTaskLimits } from "../sandbox/types.ts";
export * from "./createLocalTask.ts";
export * from "./localNetwork.ts";
export * from "./localNode.ts";
export * from "./localNodeServer.ts";
export * from "./localReport.ts";
export * from "./memoryChain.ts";
export * from "./memoryLedgerReader.ts";
