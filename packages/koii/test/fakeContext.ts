import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  JsonValue,
  LedgerReader,
  RouteHandler,
  RouteRequest,
  RouteResponse,
  Router,
  TaskBlobs,
  TaskContext,
  TaskDefinition,
  TaskStore,
} from "@gradual/sdk";
import { jsonPayloadBytes, memoryBlobs, taskPayloadBytes } from "@gradual/sdk";

/**
 * A gradual task context without a node: an in-memory store, a real ed25519 signer, a ledger answering from a table
 * of paths, and a log that records every line. Enough to call a Koii task's adapter directly.
 */

export type FakeNodeKey = {
  readonly account: string;
  readonly seed: Uint8Array;
  readonly sign: (bytes: Uint8Array) => string;
};

export function fakeNodeKey(): FakeNodeKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const spki = publicKey.export({ format: "der", type: "spki" });
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  const account = Buffer.from(spki.subarray(spki.length - 32)).toString("hex");
  const seed = new Uint8Array(pkcs8.subarray(pkcs8.length - 32));
  return { account, seed, sign: (bytes) => sign(null, bytes, privateKey).toString("hex") };
}

/** tweetnacl's 64-byte secret key (seed then public key) of a fake node key. */
export function tweetnaclSecretKey(key: FakeNodeKey): Uint8Array {
  const out = new Uint8Array(64);
  out.set(key.seed, 0);
  out.set(Buffer.from(key.account, "hex"), 32);
  return out;
}

export function memoryStore(): TaskStore & { readonly data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: async <T extends JsonValue>(key: string) =>
      data.has(key) ? (JSON.parse(data.get(key) as string) as T) : undefined,
    set: async (key, value) => {
      if (key.length > 256) throw new RangeError("store keys are at most 256 characters");
      data.set(key, JSON.stringify(value));
    },
    delete: async (key) => void data.delete(key),
    keys: async (prefix = "", limit = 1_000) =>
      [...data.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .slice(0, limit),
  };
}

/** A ledger reader over `routes` (path without /v1 and without query -> JSON); anything else is a 404. */
export function tableLedger(routes: Record<string, unknown>): LedgerReader & { readonly requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    get: async <T>(path: string): Promise<T> => {
      requests.push(path);
      const bare = path.replace(/^\/v1/, "").split("?")[0] as string;
      if (!(bare in routes)) throw new Error(`GET /v1${bare}: HTTP 404`);
      return structuredClone(routes[bare]) as T;
    },
  };
}

export type LogLine = { level: "info" | "warn" | "error"; message: string };

export type FakeContextOptions = {
  readonly taskId?: string;
  readonly key?: FakeNodeKey;
  readonly cycle?: number;
  readonly round?: number;
  readonly store?: TaskStore;
  readonly blobs?: TaskBlobs;
  readonly ledger?: LedgerReader;
  readonly config?: Record<string, string>;
  readonly log?: LogLine[];
  readonly fetch?: typeof fetch;
};

export const TASK_ID = "ab".repeat(32);

/** The base paths the fake contexts made: removed when the test process exits. */
const basePaths: string[] = [];
process.once("exit", () => {
  for (const dir of basePaths) rmSync(dir, { recursive: true, force: true });
});

export function fakeContext(options: FakeContextOptions = {}): TaskContext {
  const key = options.key ?? fakeNodeKey();
  const log = options.log ?? [];
  const basePath = mkdtempSync(join(tmpdir(), "gradual-koii-test-"));
  basePaths.push(basePath);
  const config = { GRADUAL_KOII_BASE_PATH: basePath, ...options.config };
  return {
    taskId: options.taskId ?? TASK_ID,
    cycle: options.cycle ?? 1,
    round: options.round ?? options.cycle ?? 1,
    node: key.account,
    sign: async (bytes) => key.sign(taskPayloadBytes(bytes)),
    signJson: async (text) => key.sign(jsonPayloadBytes(text)),
    store: options.store ?? memoryStore(),
    blobs: options.blobs ?? memoryBlobs(),
    log: {
      info: (message) => void log.push({ level: "info", message }),
      warn: (message) => void log.push({ level: "warn", message }),
      error: (message) => void log.push({ level: "error", message }),
    },
    fetch: options.fetch ?? globalThis.fetch,
    ledger: options.ledger ?? tableLedger({}),
    config,
  };
}

/** Registers a definition's routes and returns a function that serves one request the way the node's table does. */
export function routeServer(definition: TaskDefinition, ctx: TaskContext) {
  const routes: { method: string; parts: string[]; handler: RouteHandler }[] = [];
  const router: Router = {
    get: (path, handler) => void routes.push({ method: "GET", parts: path.split("/").filter(Boolean), handler }),
    post: (path, handler) => void routes.push({ method: "POST", parts: path.split("/").filter(Boolean), handler }),
    put: (path, handler) => void routes.push({ method: "PUT", parts: path.split("/").filter(Boolean), handler }),
    patch: (path, handler) => void routes.push({ method: "PATCH", parts: path.split("/").filter(Boolean), handler }),
    delete: (path, handler) => void routes.push({ method: "DELETE", parts: path.split("/").filter(Boolean), handler }),
    options: (path, handler) =>
      void routes.push({ method: "OPTIONS", parts: path.split("/").filter(Boolean), handler }),
  };
  definition.routes?.(router);
  return async (request: Partial<RouteRequest> & { path: string }): Promise<RouteResponse> => {
    const full: RouteRequest = { method: "GET", query: {}, headers: {}, body: "", ...request };
    const parts = full.path.split("/").filter(Boolean);
    const route = routes.find((item) => item.method === full.method && item.parts.length === parts.length);
    if (route === undefined) return { status: 404 };
    const params = Object.fromEntries(route.parts.map((part, index) => [part.slice(1), parts[index] as string]));
    return route.handler({ ...full, params }, { ...ctx, cycle: null });
  };
}
