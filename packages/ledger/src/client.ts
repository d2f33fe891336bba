import { type ApiErrorCode, type Hash, sha256Hex, type Transaction, transactionToJson } from "@gradual/protocol";
import type { Static } from "@sinclair/typebox";
import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER, blobUploadPayload } from "./blobAuth.ts";
import type { TxResult } from "./block.ts";
import { type ErrorBody, LedgerError } from "./errors.ts";
import { type KeyPair, signBytes, signTransaction } from "./keys.ts";
import type {
  AccountView,
  AdminSlotsResultSchema,
  AssignmentListSchema,
  AssignmentSchema,
  BatchResult,
  BlobStoredSchema,
  BlockHeaderWire,
  BlockWire,
  ChainInfo,
  CommitListSchema,
  CycleView,
  DistributionViewSchema,
  NodeListSchema,
  NodeView,
  RevealListSchema,
  SubmitResult,
  TaskListSchema,
  TaskView,
  TxStatusWire,
  VoteListSchema,
} from "./server/schemas.ts";

export type CommitList = Static<typeof CommitListSchema>;
export type RevealList = Static<typeof RevealListSchema>;
export type AssignmentList = Static<typeof AssignmentListSchema>;
export type Assignment = Static<typeof AssignmentSchema>;
export type VoteList = Static<typeof VoteListSchema>;
export type DistributionView = Static<typeof DistributionViewSchema>;
export type NodeList = Static<typeof NodeListSchema>;
export type TaskList = Static<typeof TaskListSchema>;
export type BlobStored = Static<typeof BlobStoredSchema>;
export type AdminSlotsResult = Static<typeof AdminSlotsResultSchema>;
export type {
  AccountView,
  BatchResult,
  BlockHeaderWire,
  BlockWire,
  ChainInfo,
  CycleView,
  NodeView,
  SubmitResult,
  TaskView,
  TxStatusWire,
};

/** Distributive Omit: each transaction kind keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A transaction without what the client fills in (chain id, sender, nonce). */
export type TransactionBody = Without<Transaction, "chainId" | "from" | "nonce">;

export type SignedTransaction = { readonly tx: Transaction; readonly signature: string };

export type PageParameters = { readonly offset?: number; readonly limit?: number };
export type WaitParameters = { readonly timeoutMs?: number };

/** The cycle with every list, paged through: commits, reveals, assignments, triggers with votes, distributions with entries. */
export type CycleDetails = CycleView & {
  readonly commits: CommitList["items"];
  readonly reveals: RevealList["items"];
  readonly assignments: AssignmentList["items"];
  readonly votes: Record<number, VoteList["items"]>;
  readonly distributionEntries: Record<number, DistributionView["items"]>;
};

export type BlockEventData = {
  readonly header: BlockHeaderWire;
  readonly txs: readonly { hash: Hash; kind: string; from: string; result: TxResult }[];
  readonly events: readonly { tx: Hash | null; event: { type: string } & Record<string, unknown> }[];
};

export type Subscription = { close(): void; readonly done: Promise<void> };

export type CreateLedgerClientParameters = {
  /** The ledger's base URL, e.g. http://127.0.0.1:8899. */
  readonly url: string;
  readonly fetch?: typeof fetch;
  /** Per-request timeout (not for event streams). */
  readonly timeoutMs?: number;
};

/** An error answered by the ledger: its stable code, HTTP status and context. */
class LedgerRequestError extends LedgerError {
  readonly status: number;
  constructor(status: number, body: ErrorBody) {
    super(body.code, { message: body.message, context: body.context });
    this.status = status;
  }
}

const MAX_PAGES = 10_000;

/**
 * A typed client for the ledger's HTTP API, used by the node and the CLI. Amounts come back as decimal strings
 * (the wire form); pass bigints in. Lookups of things that do not exist resolve to `undefined`; every other error
 * throws a {@link LedgerRequestError} with the ledger's code.
 */
export function createLedgerClient(parameters: CreateLedgerClientParameters) {
  const base = parameters.url.replace(/\/+$/, "");
  const doFetch = parameters.fetch ?? fetch;
  const timeoutMs = parameters.timeoutMs ?? 60_000;

  async function request<T>(
    method: "GET" | "POST",
    path: string,
    options: {
      body?: unknown;
      raw?: Uint8Array;
      headers?: Record<string, string>;
      allow404?: boolean;
      timeoutMs?: number;
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = options.raw;
    } else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body, (_key, value: unknown) =>
        typeof value === "bigint" ? value.toString() : value,
      );
    }
    const response = await doFetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: body as NonNullable<RequestInit["body"]> }),
      signal: AbortSignal.timeout(options.timeoutMs ?? timeoutMs),
    });
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok) {
      if (response.status === 404 && options.allow404) {
        await response.arrayBuffer();
        return undefined as T;
      }
      const text = await response.text();
      let parsed: ErrorBody;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        parsed = { code: "API__INTERNAL", message: `HTTP ${response.status}: ${text.slice(0, 200)}`, context: {} };
      }
      throw new LedgerRequestError(response.status, parsed);
    }
    if (type.startsWith("application/json")) return (await response.json()) as T;
    if (type.startsWith("application/octet-stream")) return new Uint8Array(await response.arrayBuffer()) as T;
    return (await response.text()) as T;
  }

  const query = (values: Record<string, number | string | undefined>) => {
    const entries = Object.entries(values).filter(([, value]) => value !== undefined) as [string, string | number][];
    return entries.length === 0
      ? ""
      : `?${entries.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&")}`;
  };
  const page = (parameters: PageParameters = {}) => query({ offset: parameters.offset, limit: parameters.limit });
  const envelope = (signed: SignedTransaction) => ({ tx: transactionToJson(signed.tx), signature: signed.signature });
  const waitQuery = (wait: WaitParameters | undefined) =>
    wait === undefined ? "" : query({ wait: "included", timeoutMs: wait.timeoutMs });

  async function allPages<T>(
    fetchPage: (offset: number) => Promise<{ items: T[]; next: number | null }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let offset: number | null = 0;
    for (let count = 0; offset !== null && count < MAX_PAGES; count += 1) {
      const result: { items: T[]; next: number | null } = await fetchPage(offset);
      items.push(...result.items);
      offset = result.next;
    }
    return items;
  }

  let chainIdForBlobs: string | undefined;
  const client = {
    url: base,
    getChain: () => request<ChainInfo>("GET", "/v1/chain"),
    health: () => request<{ ok: boolean; head: BlockHeaderWire }>("GET", "/v1/health"),
    metrics: () => request<string>("GET", "/metrics"),
    openApi: () => request<Record<string, unknown>>("GET", "/v1/openapi.json"),

    /** Resolves once the ledger has durably logged the transaction (status "pending"), or with its existing status. */
    submit: (signed: SignedTransaction) => request<SubmitResult>("POST", "/v1/txs", { body: envelope(signed) }),
    /** Resolves once the transaction's block is durable (status "included" with its result), or pending after the timeout. */
    submitAndWait: (signed: SignedTransaction, wait: WaitParameters = {}) =>
      request<SubmitResult>("POST", `/v1/txs${waitQuery(wait)}`, {
        body: envelope(signed),
        timeoutMs: (wait.timeoutMs ?? 30_000) + timeoutMs,
      }),
    submitBatch: (signed: readonly SignedTransaction[], wait?: WaitParameters) =>
      request<BatchResult>("POST", `/v1/txs/batch${waitQuery(wait)}`, { body: { txs: signed.map(envelope) } }),
    getTx: (hash: Hash) => request<TxStatusWire | undefined>("GET", `/v1/txs/${hash}`, { allow404: true }),

    getHead: () => request<BlockHeaderWire>("GET", "/v1/blocks/head"),
    getBlock: (number: number) => request<BlockWire | undefined>("GET", `/v1/blocks/${number}`, { allow404: true }),
    getBlocks: async (from: number, to: number) =>
      (await request<{ blocks: BlockWire[] }>("GET", `/v1/blocks${query({ from, to })}`)).blocks,

    getAccount: (account: string) => request<AccountView>("GET", `/v1/accounts/${account}`),
    listTasks: (parameters?: PageParameters) => request<TaskList>("GET", `/v1/tasks${page(parameters)}`),
    getTask: (task: Hash) => request<TaskView | undefined>("GET", `/v1/tasks/${task}`, { allow404: true }),
    listNodes: (task: Hash, parameters?: PageParameters) =>
      request<NodeList>("GET", `/v1/tasks/${task}/nodes${page(parameters)}`),
    getNode: (task: Hash, account: string) =>
      request<NodeView | undefined>("GET", `/v1/tasks/${task}/nodes/${account}`, { allow404: true }),
    getCycle: (task: Hash, cycle: number) =>
      request<CycleView | undefined>("GET", `/v1/tasks/${task}/cycles/${cycle}`, { allow404: true }),
    listCommits: (task: Hash, cycle: number, parameters?: PageParameters) =>
      request<CommitList>("GET", `/v1/tasks/${task}/cycles/${cycle}/commits${page(parameters)}`),
    listReveals: (task: Hash, cycle: number, parameters?: PageParameters) =>
      request<RevealList>("GET", `/v1/tasks/${task}/cycles/${cycle}/reveals${page(parameters)}`),
    listAssignments: (task: Hash, cycle: number, parameters?: PageParameters) =>
      request<AssignmentList>("GET", `/v1/tasks/${task}/cycles/${cycle}/assignments${page(parameters)}`),
    getAssignment: (task: Hash, cycle: number, auditor: string) =>
      request<Assignment>("GET", `/v1/tasks/${task}/cycles/${cycle}/assignments/${auditor}`),
    listVotes: (task: Hash, cycle: number, trigger: number, parameters?: PageParameters) =>
      request<VoteList>("GET", `/v1/tasks/${task}/cycles/${cycle}/triggers/${trigger}/votes${page(parameters)}`),
    getDistribution: (task: Hash, cycle: number, attempt: number, parameters?: PageParameters) =>
      request<DistributionView | undefined>(
        "GET",
        `/v1/tasks/${task}/cycles/${cycle}/distributions/${attempt}${page(parameters)}`,
        { allow404: true },
      ),

    /** Everything about a cycle, every page fetched (bounded by the task's size). */
    async getCycleDetails(task: Hash, cycle: number): Promise<CycleDetails | undefined> {
      const view = await client.getCycle(task, cycle);
      if (view === undefined) return undefined;
      const limit = 1000;
      const [commits, reveals, assignments] = await Promise.all([
        allPages((offset) => client.listCommits(task, cycle, { offset, limit })),
        allPages((offset) => client.listReveals(task, cycle, { offset, limit })),
        allPages((offset) => client.listAssignments(task, cycle, { offset, limit })),
      ]);
      const votes: Record<number, VoteList["items"]> = {};
      for (const trigger of view.triggers) {
        votes[trigger.index] = await allPages((offset) =>
          client.listVotes(task, cycle, trigger.index, { offset, limit }),
        );
      }
      const distributionEntries: Record<number, DistributionView["items"]> = {};
      for (const distribution of view.distributions) {
        distributionEntries[distribution.attempt] = await allPages(async (offset) => {
          const result = await client.getDistribution(task, cycle, distribution.attempt, { offset, limit });
          return result ?? { items: [], next: null };
        });
      }
      return { ...view, commits, reveals, assignments, votes, distributionEntries };
    },

    /** Uploads bytes signed by `keyPair` (a task creator, a staked node, or an account holding one token). */
    uploadBlob: async (bytes: Uint8Array, keyPair: KeyPair) => {
      chainIdForBlobs ??= (await request<ChainInfo>("GET", "/v1/chain")).chainId;
      const hash = sha256Hex(bytes);
      return request<BlobStored>("POST", "/v1/blobs", {
        raw: bytes,
        headers: {
          [BLOB_ACCOUNT_HEADER]: keyPair.publicKey,
          [BLOB_SIGNATURE_HEADER]: signBytes(keyPair, blobUploadPayload(chainIdForBlobs, hash)),
        },
      });
    },
    getBlob: (hash: Hash) => request<Uint8Array | undefined>("GET", `/v1/blobs/${hash}`, { allow404: true }),

    /** Devnet: tokens from the faucet (amount in base units). */
    faucet: (account: string, amount: bigint, wait?: WaitParameters) =>
      request<SubmitResult>("POST", `/v1/faucet${waitQuery(wait)}`, { body: { account, amount: amount.toString() } }),
    /** Devnet: produce `count` blocks now (manual slots). */
    advanceSlots: (count: number, adminToken: string) =>
      request<AdminSlotsResult>("POST", "/v1/admin/slots", {
        body: { count },
        headers: { authorization: `Bearer ${adminToken}` },
      }),

    /** Signs `body` with the key's next free nonce (counting its pending transactions) and submits it. */
    async send(keyPair: KeyPair, body: TransactionBody, wait?: WaitParameters): Promise<SubmitResult> {
      const [chain, account] = await Promise.all([client.getChain(), client.getAccount(keyPair.publicKey)]);
      const tx = { ...body, chainId: chain.chainId, from: keyPair.publicKey, nonce: account.nextNonce } as Transaction;
      const signed = { tx, signature: signTransaction(keyPair, tx) };
      return wait === undefined ? client.submit(signed) : client.submitAndWait(signed, wait);
    },

    /**
     * Follows the event stream: `onBlock` gets every block after `after` (or from now), in order, reconnecting with
     * Last-Event-ID after a dropped connection until `close()`.
     */
    subscribe(
      onBlock: (data: BlockEventData) => void,
      options: { after?: number; onError?: (error: unknown) => void } = {},
    ): Subscription {
      const controller = new AbortController();
      let lastId = options.after;
      const done = (async () => {
        while (!controller.signal.aborted) {
          try {
            const headers: Record<string, string> = { accept: "text/event-stream" };
            if (lastId !== undefined) headers["last-event-id"] = String(lastId);
            const response = await doFetch(`${base}/v1/events`, { headers, signal: controller.signal });
            if (!response.ok || response.body === null) throw new Error(`event stream: HTTP ${response.status}`);
            for await (const message of readServerSentEvents(response.body)) {
              if (message.event !== "block") continue;
              const data = JSON.parse(message.data) as BlockEventData;
              lastId = data.header.number;
              onBlock(data);
            }
          } catch (error) {
            if (controller.signal.aborted) return;
            options.onError?.(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      return { close: () => controller.abort(), done };
    },
  };
  return client;
}

export type LedgerClient = ReturnType<typeof createLedgerClient>;

/** Parses a text/event-stream body into messages. */
async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: string; id: string | undefined }> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | undefined;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n"), id };
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  }
}

export function isLedgerRequestError(error: unknown, code?: ApiErrorCode): error is LedgerRequestError {
  return error instanceof LedgerRequestError && (code === undefined || error.code === code);
}
