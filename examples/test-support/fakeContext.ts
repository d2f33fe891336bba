/**
 * A fake task context for the examples' tests: an in-memory store, a fixed ed25519 node key, a logger that records,
 * the real `fetch` (tests point it at servers they start on 127.0.0.1) and a ledger reader answered by a function.
 * It builds the same `ctx` shape a node's sandbox gives task code (@gradual/sdk types.ts), so a task that passes
 * here runs unchanged in `gradual task test` and on a devnet.
 */
import { createPrivateKey, createPublicKey, sign as ed25519Sign } from "node:crypto";
import {
  createProof,
  encodeProof,
  type JsonValue,
  jsonPayloadBytes,
  type LedgerReader,
  memoryBlobs,
  type Proof,
  type RouteContext,
  type RouteHandlerRequest,
  type RouteResponse,
  type Submitter,
  type TaskBlobs,
  type TaskContext,
  type TaskDefinition,
  type TaskLogger,
  type TaskStore,
  taskPayloadBytes,
} from "@gradual/sdk";

/** A task id used by every test unless it passes its own. */
export const TEST_TASK_ID = "7a".repeat(32);

export type MemoryStore = TaskStore & { readonly size: number };

/** A TaskStore over a Map; values are copied in and out as JSON so tests catch values that do not survive JSON. */
export function createMemoryStore(): MemoryStore {
  const values = new Map<string, string>();
  return {
    get size() {
      return values.size;
    },
    async get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
      const text = values.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    async set(key: string, value: JsonValue): Promise<void> {
      if (key.length === 0 || key.length > 256) throw new RangeError(`store key must be 1..256 characters: ${key}`);
      values.set(key, JSON.stringify(value));
    },
    async delete(key: string): Promise<void> {
      values.delete(key);
    },
    async keys(prefix = "", limit = 1_000): Promise<string[]> {
      return [...values.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .slice(0, limit);
    },
  };
}

export type NodeKey = { readonly account: string; readonly sign: (bytes: Uint8Array) => Promise<string> };

// DER prefix of a PKCS#8 ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A fixed ed25519 key derived from a name, so every run of a test sees the same node accounts. */
export function createNodeKey(name: string): NodeKey {
  const seed = Buffer.alloc(32);
  seed.write(name.padEnd(32, "."), "utf8");
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return {
    account: spki.subarray(spki.length - 32).toString("hex"),
    sign: async (bytes) => ed25519Sign(null, bytes, privateKey).toString("hex"),
  };
}

export type LogEntry = { readonly level: "info" | "warn" | "error"; readonly message: string };

export type RecordingLogger = TaskLogger & { readonly entries: LogEntry[] };

export function createRecordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message) => entries.push({ level: "info", message }),
    warn: (message) => entries.push({ level: "warn", message }),
    error: (message) => entries.push({ level: "error", message }),
  };
}

/** Answers `ledger.get(path)`: return the JSON body, or undefined for a 404 (which the reader throws, like HTTP). */
export type LedgerRoute = (path: string, query: URLSearchParams) => JsonValue | undefined;

export function createFakeLedger(route: LedgerRoute): LedgerReader & { readonly requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    async get<T = JsonValue>(path: string): Promise<T> {
      requests.push(path);
      const url = new URL(path, "http://ledger.invalid/v1/");
      const body = route(url.pathname.replace(/^\/v1/, ""), url.searchParams);
      if (body === undefined) throw new Error(`ledger: GET /v1${path} answered 404`);
      return JSON.parse(JSON.stringify(body)) as T;
    },
  };
}

/** A ledger with no routes: every read fails, as when a task runs without a ledger. */
export const NO_LEDGER = createFakeLedger(() => undefined);

export type FakeContextOptions = {
  readonly taskId?: string;
  readonly cycle?: number;
  readonly round?: number;
  /** Name the node key is derived from (default "node-a"). */
  readonly nodeName?: string;
  readonly store?: TaskStore;
  /** Share one (`memoryBlobs()`) between fake nodes so that one fetches what another stored. */
  readonly blobs?: TaskBlobs;
  readonly config?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
  readonly ledger?: LedgerReader;
};

export type FakeContext = TaskContext & { readonly logs: LogEntry[] };

export function createFakeContext(options: FakeContextOptions = {}): FakeContext {
  const key = createNodeKey(options.nodeName ?? "node-a");
  const logger = createRecordingLogger();
  const cycle = options.cycle ?? 1;
  return {
    taskId: options.taskId ?? TEST_TASK_ID,
    cycle,
    round: options.round ?? cycle,
    node: key.account,
    // As a node does: ctx.sign signs the domain-tagged payload, ctx.signJson a JSON text as it is.
    sign: (bytes) => key.sign(taskPayloadBytes(bytes)),
    signJson: (text) => key.sign(jsonPayloadBytes(text)),
    store: options.store ?? createMemoryStore(),
    blobs: options.blobs ?? memoryBlobs(),
    log: logger,
    logs: logger.entries,
    fetch: options.fetch ?? globalThis.fetch,
    ledger: options.ledger ?? NO_LEDGER,
    config: options.config ?? {},
  };
}

/** The same node one round later (the review round), auditing or serving routes with the same store. */
export function atCycle(ctx: FakeContext, cycle: number): FakeContext {
  return { ...ctx, cycle, round: cycle + 1 };
}

/**
 * What a node does in a work round: `task` then `submission`, encoded to the exact bytes it would serve. A
 * submission of null or undefined (nothing to submit this cycle) is an error here: these examples always submit.
 */
export async function runWork(definition: TaskDefinition, ctx: TaskContext): Promise<Proof> {
  await definition.task(ctx);
  const payload = await definition.submission(ctx);
  if (payload === null || payload === undefined) throw new Error(`cycle ${ctx.cycle}: nothing submitted`);
  return proofOf(payload);
}

/** Wraps any payload (or raw text, for garbage) as the Proof an auditor receives. */
export function proofOf(payload: Parameters<typeof encodeProof>[0]): Proof {
  return createProof(encodeProof(payload));
}

export function submitter(account: string, weight: bigint, proofDigest = "00".repeat(32)): Submitter {
  return { account, weight, proofDigest };
}

type Registered = {
  readonly method: string;
  readonly pattern: string;
  readonly handler: Parameters<TaskRouter["get"]>[1];
};
type TaskRouter = Parameters<NonNullable<TaskDefinition["routes"]>>[0];

/**
 * Collects a task's routes and dispatches requests as the SDK's Router describes: paths relative to the task's
 * prefix, a `:name` segment matching any one segment and landing URL-decoded in `request.params`.
 */
export function createRouteTable(definition: TaskDefinition) {
  const registered: Registered[] = [];
  definition.routes?.({
    get: (pattern, handler) => registered.push({ method: "GET", pattern, handler }),
    post: (pattern, handler) => registered.push({ method: "POST", pattern, handler }),
    put: (pattern, handler) => registered.push({ method: "PUT", pattern, handler }),
    patch: (pattern, handler) => registered.push({ method: "PATCH", pattern, handler }),
    delete: (pattern, handler) => registered.push({ method: "DELETE", pattern, handler }),
    options: (pattern, handler) => registered.push({ method: "OPTIONS", pattern, handler }),
  });
  return {
    patterns: registered.map((route) => `${route.method} ${route.pattern}`),
    async request(ctx: TaskContext, method: string, target: string): Promise<RouteResponse> {
      const url = new URL(target, "http://node.invalid");
      for (const route of registered) {
        const params = route.method === method ? matchPattern(route.pattern, url.pathname) : undefined;
        if (params === undefined) continue;
        const request: RouteHandlerRequest = {
          method,
          path: url.pathname,
          params,
          query: Object.fromEntries(url.searchParams),
          headers: {},
          body: "",
        };
        return route.handler(request, { ...ctx, cycle: null } satisfies RouteContext);
      }
      return { status: 404, body: { error: "no route" } };
    },
  };
}

/** The `:name` values of `path` under `pattern`, URL-decoded, or undefined when it does not match. */
function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const segment = got[index] as string;
    if (part.startsWith(":")) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        params[part.slice(1)] = segment;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
