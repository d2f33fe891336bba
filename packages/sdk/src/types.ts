import type { Account, DistributionEntry, Hash } from "@gradual/protocol";

/**
 * The task API (docs/writing-a-task.md). A task is an ES module whose default export is `defineTask({...})`. Task
 * code never touches globals: everything it may use arrives in `ctx`, so the same code runs in a node's sandbox,
 * in `gradual task test`, and in the simulator.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A persistent key-value store, one per task per node. Values are JSON; keys at most 256 characters. */
export interface TaskStore {
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`, sorted, at most `limit` (default 1,000). */
  keys(prefix?: string, limit?: number): Promise<string[]>;
}

export interface TaskLogger {
  info(message: string, fields?: Record<string, JsonValue>): void;
  warn(message: string, fields?: Record<string, JsonValue>): void;
  error(message: string, fields?: Record<string, JsonValue>): void;
}

/**
 * Content-addressed storage shared by every node of the ledger (its blob store, docs/writing-a-task.md "Storage"):
 * what one node puts, any other node can get by the hash, and the bytes are checked against it on the way back.
 * Uploads are signed by the node's key on the node's side and count against the node's quota on the ledger.
 */
export interface TaskBlobs {
  /** Stores the bytes (a string as UTF-8) and answers their sha256 as 64 lowercase hex characters. */
  put(bytes: Uint8Array | string): Promise<Hash>;
  /** The bytes stored under `hash`; rejects when nobody stored them or they do not match the hash. */
  get(hash: Hash): Promise<Uint8Array>;
}

/** Read access to the ledger, as JSON with amounts as decimal strings. */
export interface LedgerReader {
  /** Any GET route of the ledger's /v1 API, e.g. `get("/blocks/12")`. */
  get<T = JsonValue>(path: string): Promise<T>;
}

export type TaskContext = {
  readonly taskId: Hash;
  /** The cycle this call works for (the round the work is done in, protocol.md §2). */
  readonly cycle: number;
  /** The ledger's current round for this task when the call started. */
  readonly round: number;
  /** This node's public key (64 hex). */
  readonly node: Account;
  /**
   * Signs a task payload with the node's key (ed25519, hex signature). What is signed is
   * `taskPayloadBytes(bytes)`: "gradual/task-payload/v1\n" then `bytes`, so nothing a task signs can ever be a
   * ledger transaction; verify with `taskPayloadBytes(bytes)` as the message.
   */
  readonly sign: (bytes: Uint8Array) => Promise<string>;
  /**
   * Signs the UTF-8 bytes of one JSON text as they are (ed25519, hex signature); the node refuses anything that is
   * not a JSON text. For formats that sign JSON without a tag of ours (Koii's payloadSigning).
   */
  readonly signJson: (text: string) => Promise<string>;
  readonly store: TaskStore;
  readonly blobs: TaskBlobs;
  readonly log: TaskLogger;
  readonly fetch: typeof fetch;
  readonly ledger: LedgerReader;
  /** The task's own configuration values (from task.yml `config:` and operator-supplied `--task-var`). */
  readonly config: Readonly<Record<string, string>>;
};

export type ProofPayload = Uint8Array | string | JsonValue;

/** What `audit` receives: the exact bytes the submitter served, with helpers. */
export type Proof = {
  readonly bytes: Uint8Array;
  readonly digest: Hash;
  text(): string;
  json<T = JsonValue>(): T;
};

export type Submitter = {
  readonly account: Account;
  /** Ramped voting weight in the distribution round, in base units of stake. */
  readonly weight: bigint;
  readonly proofDigest: Hash;
};

export type RouteRequest = {
  /** GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS. */
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text, whatever its content type (JSON and forms arrive unparsed). */
  readonly body: string;
  /** The body's exact bytes as base64, when it has any (binary uploads). */
  readonly bodyBase64?: string;
};

export type RouteResponse = {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Text, or JSON (sent as application/json). */
  readonly body?: string | JsonValue;
  /** Bytes as base64 (an image, a file), instead of `body`; sent as application/octet-stream unless a header says. */
  readonly bodyBase64?: string;
};

/** What a handler receives: the request plus the values of the pattern's `:name` segments (URL-decoded). */
export type RouteHandlerRequest = RouteRequest & { readonly params: Readonly<Record<string, string>> };

export type RouteHandler = (request: RouteHandlerRequest, ctx: RouteContext) => Promise<RouteResponse> | RouteResponse;
export type RouteContext = Omit<TaskContext, "cycle"> & { readonly cycle: number | null };

/**
 * Registers routes while `routes(router)` runs (once, when the task starts). Paths are relative to the task's prefix
 * `/tasks/{taskId}` and start with "/"; a segment `:name` matches any one segment and lands in `request.params`.
 */
export interface Router {
  get(path: string, handler: RouteHandler): void;
  post(path: string, handler: RouteHandler): void;
  put(path: string, handler: RouteHandler): void;
  patch(path: string, handler: RouteHandler): void;
  delete(path: string, handler: RouteHandler): void;
  /** CORS preflights and the like; without one, OPTIONS is answered 404. */
  options(path: string, handler: RouteHandler): void;
}

export type TaskDefinition = {
  /** Once, when the task starts on a node. */
  readonly setup?: (ctx: TaskContext) => Promise<void> | void;
  /** The cycle's work; keep results in `ctx.store`. */
  readonly task: (ctx: TaskContext) => Promise<void> | void;
  /**
   * The proof of the cycle's work (at most the task's maxProofBytes once encoded), or `null` / `undefined` to submit
   * nothing this cycle (no work to show: the node commits nothing and is not paid for the cycle; not an error).
   */
  readonly submission: (ctx: TaskContext) => Promise<ProofPayload | null | undefined> | ProofPayload | null | undefined;
  /** Whether another node's proof for `ctx.cycle` is valid. */
  readonly audit: (ctx: TaskContext, proof: Proof, submitter: Account) => Promise<boolean> | boolean;
  /** Who gets what of the cycle's bounty; defaults to an equal split (`equalSplit`). */
  readonly distribution?: (
    ctx: TaskContext,
    submitters: readonly Submitter[],
    bounty: bigint,
  ) => Promise<readonly DistributionEntry[]> | readonly DistributionEntry[];
  /** HTTP routes served by the node under `/tasks/{taskId}/`. */
  readonly routes?: (router: Router) => void;
};
