import type { RouteContext, TaskBlobs, TaskContext } from "@gradual/sdk";
import type { TaskHost } from "./types.ts";

/**
 * What a context is made of: the host's services (direct or proxied), the fetch the task may use, and the two
 * signers, which sign only domain-tagged task payloads and JSON texts (never raw bytes: protocol taskPayload.ts).
 */
export type ContextSource = Omit<TaskHost, "currentRound" | "sign" | "blobs"> & {
  readonly blobs: TaskBlobs;
  readonly fetch: typeof fetch;
  readonly sign: (bytes: Uint8Array) => Promise<string>;
  readonly signJson: (text: string) => Promise<string>;
};

/**
 * The `ctx` handed to task code for one call. Each call gets a new object with its own copy of the config, so
 * nothing a task writes into one call's ctx leaks into the next.
 */
export function createTaskContext(source: ContextSource, cycle: number, round: number): TaskContext {
  return Object.freeze({
    taskId: source.taskId,
    cycle,
    round,
    node: source.node,
    sign: source.sign,
    signJson: source.signJson,
    store: source.store,
    blobs: source.blobs,
    log: source.log,
    fetch: source.fetch,
    ledger: source.ledger,
    config: Object.freeze({ ...source.config }),
  });
}

/** `ctx.blobs` over the host's blob calls: a string is stored as its UTF-8 bytes. */
export function taskBlobs(
  put: (bytes: Uint8Array) => Promise<string>,
  get: (hash: string) => Promise<Uint8Array>,
): TaskBlobs {
  return Object.freeze({
    put: (bytes: Uint8Array | string) => put(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes),
    get,
  });
}

/** The ctx of a route call: no cycle, the task's current round. */
export function createRouteContext(source: ContextSource, round: number): RouteContext {
  return Object.freeze({ ...createTaskContext(source, 0, round), cycle: null });
}
