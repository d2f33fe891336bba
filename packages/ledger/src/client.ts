import {
  type ApiErrorCode,
  decodeList,
  type Hash,
  sha256Hex,
  type Transaction,
  transactionToJson,
} from "@gradual/protocol";
import {
  type AccountView,
  type AdminSlotsResult,
  type Assignment,
  type AssignmentList,
  type BatchResult,
  type BlobStored,
  type BlockEventData,
  type BlockHeaderWire,
  type BlockWire,
  type ChainInfo,
  type CommitList,
  type CycleView,
  type DistributionEntryWire,
  type DistributionView,
  decodeErrorReply,
  decodeReply,
  eventStreamMessage,
  type Health,
  type NodeList,
  type NodeView,
  parseReplyJson,
  pathOf,
  type ReplyContext,
  type ReplyOf,
  type RevealList,
  ROUTES,
  type RouteWire,
  type SubmitResult,
  stringifyWire,
  type TaskList,
  type TaskView,
  type TxStatusWire,
  type Vote,
  type VoteList,
  WireError,
} from "@gradual/wire";
import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER, blobUploadPayload } from "./blobAuth.ts";
import { type ErrorBody, LedgerError } from "./errors.ts";
import { type KeyPair, signBytes, signTransaction } from "./keys.ts";

// The wire shapes the client answers with, under the names it has always exported.
export type {
  AccountView,
  AdminSlotsResult,
  Assignment,
  AssignmentList,
  BatchResult,
  BlobStored,
  BlockEventData,
  BlockHeaderWire,
  BlockWire,
  ChainInfo,
  CommitList,
  CycleView,
  DistributionView,
  Health,
  NodeList,
  NodeView,
  RevealList,
  SubmitResult,
  TaskList,
  TaskView,
  TxStatusWire,
  VoteList,
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

  type RequestOptions = {
    readonly params?: Readonly<Record<string, string | number>>;
    readonly query?: Readonly<Record<string, string | number | undefined>>;
    readonly body?: unknown;
    readonly raw?: Uint8Array;
    readonly headers?: Record<string, string>;
    readonly timeoutMs?: number;
  };

  /** Sends one request of `route`; resolves with the response when its status is a success, throws otherwise. */
  async function send(route: RouteWire, options: RequestOptions, allow404: boolean) {
    const path = pathOf(route, options.params, options.query);
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = options.raw;
    } else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = stringifyWire(options.body);
    }
    const response = await doFetch(`${base}${path}`, {
      method: route.method,
      headers,
      ...(body === undefined ? {} : { body: body as NonNullable<RequestInit["body"]> }),
      signal: AbortSignal.timeout(options.timeoutMs ?? timeoutMs),
    });
    const context: ReplyContext = { route, path, status: response.status };
    if (response.ok || route.replies[response.status] !== undefined) return { response, context, found: true };
    if (response.status === 404 && allow404) {
      await response.arrayBuffer();
      return { response, context, found: false };
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's page, a cut connection): no code of the ledger's to report.
      const message = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      throw new LedgerRequestError(response.status, { code: "API__INTERNAL", message, context: {} });
    }
    throw new LedgerRequestError(response.status, decodeErrorReply(context, parsed) as ErrorBody);
  }

  /** A JSON route: the reply checked by the route's decoder for its status (WIRE__BAD_REPLY otherwise). */
  async function request<R extends RouteWire>(route: R, options: RequestOptions = {}): Promise<ReplyOf<R>> {
    const { response, context } = await send(route, options, false);
    return decodeReply({ ...context, route }, parseReplyJson(context, await response.text()));
  }

  /** The same for a lookup: `undefined` when the ledger answers 404 (no such record). */
  async function lookup<R extends RouteWire>(route: R, options: RequestOptions = {}): Promise<ReplyOf<R> | undefined> {
    const { response, context, found } = await send(route, options, true);
    if (!found) return undefined;
    return decodeReply({ ...context, route }, parseReplyJson(context, await response.text()));
  }

  /** A route whose success is not JSON of a declared shape (metrics, blobs, the OpenAPI document). */
  async function fetchRaw(route: RouteWire, options: RequestOptions, allow404: boolean) {
    const { response, context, found } = await send(route, options, allow404);
    return found ? { response, context } : undefined;
  }

  const page = (parameters: PageParameters = {}) => ({ offset: parameters.offset, limit: parameters.limit });
  const envelope = (signed: SignedTransaction) => ({ tx: transactionToJson(signed.tx), signature: signed.signature });
  const waitQuery = (wait: WaitParameters | undefined) =>
    wait === undefined ? {} : { wait: "included", timeoutMs: wait.timeoutMs };

  async function allPages<T>(
    fetchPage: (offset: number) => Promise<{ readonly items: readonly T[]; readonly next: number | null }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let offset: number | null = 0;
    for (let count = 0; offset !== null && count < MAX_PAGES; count += 1) {
      const result: { readonly items: readonly T[]; readonly next: number | null } = await fetchPage(offset);
      items.push(...result.items);
      offset = result.next;
    }
    return items;
  }

  let chainIdForBlobs: string | undefined;
  const client = {
    url: base,
    getChain: (): Promise<ChainInfo> => request(ROUTES.getChain),
    /** The ledger's liveness: `ok` false (HTTP 503) with the code and reason when it stopped or stalled. */
    health: (): Promise<Health> => request(ROUTES.getHealth),
    metrics: async (): Promise<string> => {
      const { response } = (await fetchRaw(ROUTES.getMetrics, {}, false)) as { response: Response };
      return response.text();
    },
    openApi: async (): Promise<Record<string, unknown>> => {
      const { response, context } = (await fetchRaw(ROUTES.getOpenApi, {}, false)) as {
        response: Response;
        context: ReplyContext;
      };
      const document = parseReplyJson(context, await response.text());
      if (typeof document !== "object" || document === null || Array.isArray(document)) {
        throw new WireError("WIRE__BAD_REPLY", {
          message: `GET ${context.path}: the OpenAPI document is not a JSON object`,
          context: { method: "GET", path: context.path, status: context.status },
        });
      }
      return document as Record<string, unknown>;
    },

    /** Resolves once the ledger has durably logged the transaction (status "pending"), or with its existing status. */
    submit: (signed: SignedTransaction): Promise<SubmitResult> => request(ROUTES.submit, { body: envelope(signed) }),
    /** Resolves once the transaction's block is durable (status "included" with its result), or pending after the timeout. */
    submitAndWait: (signed: SignedTransaction, wait: WaitParameters = {}): Promise<SubmitResult> =>
      request(ROUTES.submit, {
        query: waitQuery(wait),
        body: envelope(signed),
        timeoutMs: (wait.timeoutMs ?? 30_000) + timeoutMs,
      }),
    submitBatch: (signed: readonly SignedTransaction[], wait?: WaitParameters): Promise<BatchResult> =>
      request(ROUTES.submitBatch, { query: waitQuery(wait), body: { txs: signed.map(envelope) } }),
    getTx: (hash: Hash): Promise<TxStatusWire | undefined> => lookup(ROUTES.getTx, { params: { hash } }),

    getHead: (): Promise<BlockHeaderWire> => request(ROUTES.getHead),
    getBlock: (number: number): Promise<BlockWire | undefined> => lookup(ROUTES.getBlock, { params: { number } }),
    getBlocks: async (from: number, to: number): Promise<readonly BlockWire[]> =>
      (await request(ROUTES.getBlocks, { query: { from, to } })).blocks,

    getAccount: (account: string): Promise<AccountView> => request(ROUTES.getAccount, { params: { account } }),
    listTasks: (parameters?: PageParameters): Promise<TaskList> =>
      request(ROUTES.listTasks, { query: page(parameters) }),
    getTask: (task: Hash): Promise<TaskView | undefined> => lookup(ROUTES.getTask, { params: { task } }),
    listNodes: (task: Hash, parameters?: PageParameters): Promise<NodeList> =>
      request(ROUTES.listNodes, { params: { task }, query: page(parameters) }),
    getNode: (task: Hash, account: string): Promise<NodeView | undefined> =>
      lookup(ROUTES.getNode, { params: { task, account } }),
    getCycle: (task: Hash, cycle: number): Promise<CycleView | undefined> =>
      lookup(ROUTES.getCycle, { params: { task, cycle } }),
    listCommits: (task: Hash, cycle: number, parameters?: PageParameters): Promise<CommitList> =>
      request(ROUTES.listCommits, { params: { task, cycle }, query: page(parameters) }),
    listReveals: (task: Hash, cycle: number, parameters?: PageParameters): Promise<RevealList> =>
      request(ROUTES.listReveals, { params: { task, cycle }, query: page(parameters) }),
    listAssignments: (task: Hash, cycle: number, parameters?: PageParameters): Promise<AssignmentList> =>
      request(ROUTES.listAssignments, { params: { task, cycle }, query: page(parameters) }),
    getAssignment: (task: Hash, cycle: number, auditor: string): Promise<Assignment> =>
      request(ROUTES.getAssignment, { params: { task, cycle, auditor } }),
    listVotes: (task: Hash, cycle: number, trigger: number, parameters?: PageParameters): Promise<VoteList> =>
      request(ROUTES.listVotes, { params: { task, cycle, trigger }, query: page(parameters) }),
    getDistribution: (
      task: Hash,
      cycle: number,
      attempt: number,
      parameters?: PageParameters,
    ): Promise<DistributionView | undefined> =>
      lookup(ROUTES.getDistribution, { params: { task, cycle, attempt }, query: page(parameters) }),

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
      const votes: Record<number, readonly Vote[]> = {};
      for (const trigger of view.triggers) {
        votes[trigger.index] = await allPages((offset) =>
          client.listVotes(task, cycle, trigger.index, { offset, limit }),
        );
      }
      // A list's entries are a blob, not ledger records (protocol.md §6.2): empty when the blob is not stored.
      const distributionEntries: Record<number, readonly DistributionEntryWire[]> = {};
      for (const distribution of view.distributions) {
        const bytes = await client.getBlob(distribution.listBlob);
        const entries = bytes === undefined ? null : decodeList(bytes);
        distributionEntries[distribution.attempt] = (entries ?? []).map((entry) => ({
          recipient: entry.recipient,
          amount: entry.amount.toString(),
        }));
      }
      return { ...view, commits, reveals, assignments, votes, distributionEntries };
    },

    /** Uploads bytes signed by `keyPair` (a task creator, a staked node, or an account holding one token). */
    uploadBlob: async (bytes: Uint8Array, keyPair: KeyPair): Promise<BlobStored> => {
      chainIdForBlobs ??= (await request(ROUTES.getChain)).chainId;
      const hash = sha256Hex(bytes);
      return request(ROUTES.uploadBlob, {
        raw: bytes,
        headers: {
          [BLOB_ACCOUNT_HEADER]: keyPair.publicKey,
          [BLOB_SIGNATURE_HEADER]: signBytes(keyPair, blobUploadPayload(chainIdForBlobs, hash)),
        },
      });
    },
    getBlob: async (hash: Hash): Promise<Uint8Array | undefined> => {
      const found = await fetchRaw(ROUTES.getBlob, { params: { hash } }, true);
      return found === undefined ? undefined : new Uint8Array(await found.response.arrayBuffer());
    },

    /** Devnet: tokens from the faucet (amount in base units). */
    faucet: (account: string, amount: bigint, wait?: WaitParameters): Promise<SubmitResult> =>
      request(ROUTES.faucet, { query: waitQuery(wait), body: { account, amount: amount.toString() } }),
    /** Devnet: produce `count` blocks now (manual slots). */
    advanceSlots: (count: number, adminToken: string): Promise<AdminSlotsResult> =>
      request(ROUTES.advanceSlots, {
        body: { count },
        headers: { authorization: `Bearer ${adminToken}` },
      }),

    /**
     * Signs `body` with the key's next free nonce (counting its pending transactions) and submits it. A node and a
     * command may sign with one key at once (`gradual unstake` beside the running node): the nonce read here can be
     * taken by the other's transaction before this one arrives, and the ledger refuses it at the edge
     * (TX__NONCE_TOO_LOW, never included). Nothing of it was applied, so it is signed again with the next free nonce,
     * at most `SEND_NONCE_ATTEMPTS` times in all.
     */
    async send(keyPair: KeyPair, body: TransactionBody, wait?: WaitParameters): Promise<SubmitResult> {
      // The chain id is read once; only the nonce is read again.
      const [chain, first] = await Promise.all([client.getChain(), client.getAccount(keyPair.publicKey)]);
      for (let attempt = 1, account = first; ; attempt += 1, account = await client.getAccount(keyPair.publicKey)) {
        const tx = {
          ...body,
          chainId: chain.chainId,
          from: keyPair.publicKey,
          nonce: account.nextNonce,
        } as Transaction;
        const signed = { tx, signature: signTransaction(keyPair, tx) };
        try {
          return await (wait === undefined ? client.submit(signed) : client.submitAndWait(signed, wait));
        } catch (error) {
          if (attempt >= SEND_NONCE_ATTEMPTS || !isLedgerRequestError(error, "TX__NONCE_TOO_LOW")) throw error;
        }
      }
    },

    /**
     * Follows the event stream: `onBlock` gets every block after `after` (or from now), in order, reconnecting with
     * Last-Event-ID after a dropped connection until `close()`. Each message is checked like a reply: one that does
     * not match goes to `onError` (WIRE__BAD_REPLY) and the stream reconnects after the last good block.
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
            const path = pathOf(ROUTES.events);
            const response = await doFetch(`${base}${path}`, { headers, signal: controller.signal });
            if (!response.ok || response.body === null) throw new Error(`event stream: HTTP ${response.status}`);
            const context: ReplyContext = { route: ROUTES.events, path, status: response.status };
            for await (const message of readServerSentEvents(response.body)) {
              if (message.event !== "block") continue;
              const data = decodeEventMessage(context, message.data);
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

/** One `block` message of the event stream, checked like a reply (WIRE__BAD_REPLY). */
function decodeEventMessage(context: ReplyContext, data: string): BlockEventData {
  const route = { ...context.route, replies: { [context.status]: eventStreamMessage } };
  return decodeReply({ ...context, route }, parseReplyJson(context, data)) as BlockEventData;
}

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

/** Signatures `send` tries when another signer of the same key takes the nonce it read (TX__NONCE_TOO_LOW). */
export const SEND_NONCE_ATTEMPTS = 4;

export function isLedgerRequestError(error: unknown, code?: ApiErrorCode): error is LedgerRequestError {
  return error instanceof LedgerRequestError && (code === undefined || error.code === code);
}
