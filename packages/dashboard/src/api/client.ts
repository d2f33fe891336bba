import { GradualError, type RegisteredCode } from "@gradual/protocol";
import {
  type AccountView,
  type Assignment,
  type BlockHeaderWire,
  type BlockWire,
  type ChainInfo,
  type Commit,
  type CycleView,
  type DistributionView,
  decodeReply,
  type ErrorBodyWire,
  errorBody,
  MAX_PAGE_LIMIT,
  type NodeView,
  type Page,
  pathOf,
  type ReplyContext,
  type ReplyOf,
  type Reveal,
  ROUTES,
  type RouteWire,
  type TaskList,
  type TaskView,
  type TxStatusWire,
  type VoteList,
  WireError,
} from "@gradual/wire";

/**
 * A typed client of the ledger's public read API: the routes of @gradual/wire, every reply checked by its route's
 * decoder before a view sees it. Every failure becomes an {@link ApiError} with the ledger's stable code,
 * `NETWORK__UNREACHABLE` when no answer came back, or `WIRE__BAD_REPLY` when the answer is not what the route
 * says, so views can say what to do.
 */

export class ApiError extends GradualError {
  override readonly name = "ApiError";
  readonly status: number;

  constructor(status: number, body: ErrorBodyWire) {
    // A registered code (the ledger's, the wire's or the dashboard's own); a newer ledger may send one this build lacks.
    super(body.code as RegisteredCode, { message: body.message, context: body.context });
    this.status = status;
  }
}

/** What the dashboard's server relays from a node's own /health and /metrics (serve.ts). */
export type NodeStatus = {
  readonly url: string;
  readonly reachable: boolean;
  readonly health: Record<string, unknown> | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly error: string | null;
};

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export type ApiClientOptions = {
  /** Origin and path prefix of the ledger API; "" = the page's own origin. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
};

/** Largest page the ledger serves. */
const MAX_PAGE = MAX_PAGE_LIMIT;

/** A wire error as the views show errors: its code, the route and what did not match. */
function asApiError(error: WireError, status: number): ApiError {
  return new ApiError(status, { code: error.code, message: error.message, context: error.context });
}

export function createApiClient(options: ApiClientOptions = {}) {
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;

  /** GET `path`; the reply's JSON, or an ApiError for a failure (the error body's code, or no answer at all). */
  /** GET `path` with the client's timeout; an ApiError (NETWORK__UNREACHABLE) when nothing answers. */
  async function fetchPath(path: string, accept: string, signal: AbortSignal | undefined): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await doFetch(`${base}${path}`, {
        headers: { accept },
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, {
        code: "NETWORK__UNREACHABLE",
        message: `the ledger did not answer (${(error as Error).message})`,
        context: { path },
      });
    }
  }

  async function getJson(path: string, signal: AbortSignal | undefined): Promise<{ status: number; body: unknown }> {
    const response = await fetchPath(path, "application/json", signal);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const fallback = {
        code: `HTTP__${response.status}`,
        message: `HTTP ${response.status}: ${text.slice(0, 200)}`,
        context: { path },
      };
      let body: ErrorBodyWire = fallback;
      try {
        body = parsed === undefined ? fallback : errorBody.decode(parsed, "error");
      } catch {
        // Not the ledger's error body (a proxy's page): the status says what is known.
      }
      throw new ApiError(response.status, body);
    }
    if (parsed === undefined) {
      throw new ApiError(response.status, {
        code: "API__NOT_JSON",
        message: `expected JSON from ${path}`,
        context: { path },
      });
    }
    return { status: response.status, body: parsed };
  }

  /** One route of the ledger: its path from the route, its reply checked by the route's decoder. */
  async function get<R extends RouteWire>(
    route: R,
    request: {
      readonly params?: Readonly<Record<string, string | number>>;
      readonly query?: Readonly<Record<string, string | number | undefined>>;
    },
    signal: AbortSignal | undefined,
  ): Promise<ReplyOf<R>> {
    const path = pathOf(route, request.params, request.query);
    const { status, body } = await getJson(path, signal);
    const context: ReplyContext = { route, path, status };
    try {
      return decodeReply({ ...context, route }, body);
    } catch (error) {
      if (error instanceof WireError) throw asApiError(error, status);
      throw error;
    }
  }

  const page = (offset = 0, limit = 100) => ({ offset, limit: Math.min(limit, MAX_PAGE) });

  return {
    baseUrl: base,
    eventsUrl: (after?: number) => `${base}${pathOf(ROUTES.events, {}, { after })}`,
    chain: (signal?: AbortSignal): Promise<ChainInfo> => get(ROUTES.getChain, {}, signal),
    head: (signal?: AbortSignal): Promise<BlockHeaderWire> => get(ROUTES.getHead, {}, signal),
    block: (number: number, signal?: AbortSignal): Promise<BlockWire> =>
      get(ROUTES.getBlock, { params: { number } }, signal),
    blocks: async (from: number, to: number, signal?: AbortSignal): Promise<readonly BlockWire[]> =>
      (await get(ROUTES.getBlocks, { query: { from, to } }, signal)).blocks,
    tx: (hash: string, signal?: AbortSignal): Promise<TxStatusWire> => get(ROUTES.getTx, { params: { hash } }, signal),
    account: (account: string, signal?: AbortSignal): Promise<AccountView> =>
      get(ROUTES.getAccount, { params: { account } }, signal),
    tasks: (offset = 0, limit = 100, signal?: AbortSignal): Promise<TaskList> =>
      get(ROUTES.listTasks, { query: page(offset, limit) }, signal),
    task: (task: string, signal?: AbortSignal): Promise<TaskView> => get(ROUTES.getTask, { params: { task } }, signal),
    nodes: (task: string, offset = 0, limit = 100, signal?: AbortSignal): Promise<Page<NodeView>> =>
      get(ROUTES.listNodes, { params: { task }, query: page(offset, limit) }, signal),
    node: (task: string, account: string, signal?: AbortSignal): Promise<NodeView> =>
      get(ROUTES.getNode, { params: { task, account } }, signal),
    cycle: (task: string, cycle: number, signal?: AbortSignal): Promise<CycleView> =>
      get(ROUTES.getCycle, { params: { task, cycle } }, signal),
    commits: (task: string, cycle: number, offset = 0, limit = 100, signal?: AbortSignal): Promise<Page<Commit>> =>
      get(ROUTES.listCommits, { params: { task, cycle }, query: page(offset, limit) }, signal),
    reveals: (task: string, cycle: number, offset = 0, limit = 100, signal?: AbortSignal): Promise<Page<Reveal>> =>
      get(ROUTES.listReveals, { params: { task, cycle }, query: page(offset, limit) }, signal),
    assignments: (
      task: string,
      cycle: number,
      offset = 0,
      limit = 100,
      signal?: AbortSignal,
    ): Promise<Page<Assignment>> =>
      get(ROUTES.listAssignments, { params: { task, cycle }, query: page(offset, limit) }, signal),
    votes: (
      task: string,
      cycle: number,
      trigger: number,
      offset = 0,
      limit = 100,
      signal?: AbortSignal,
    ): Promise<VoteList> =>
      get(ROUTES.listVotes, { params: { task, cycle, trigger }, query: page(offset, limit) }, signal),
    distribution: (
      task: string,
      cycle: number,
      attempt: number,
      offset = 0,
      limit = 100,
      signal?: AbortSignal,
    ): Promise<DistributionView> =>
      get(ROUTES.getDistribution, { params: { task, cycle, attempt }, query: page(offset, limit) }, signal),
    /** A stored blob's bytes (a list's `recipient amount` lines, protocol.md §6.2); undefined when not stored. */
    blob: async (hash: string, signal?: AbortSignal): Promise<Uint8Array | undefined> => {
      const path = pathOf(ROUTES.getBlob, { hash });
      const response = await fetchPath(path, "application/octet-stream", signal);
      if (response.status === 404) return undefined;
      if (!response.ok) {
        throw new ApiError(response.status, {
          code: `HTTP__${response.status}`,
          message: `HTTP ${response.status} for blob ${hash}`,
          context: { path },
        });
      }
      return new Uint8Array(await response.arrayBuffer());
    },
    /** The EVM indexer's own description of the chain (GET /v1/indexer); the ledger has no such route. */
    indexer: async (signal?: AbortSignal): Promise<unknown> => (await getJson("/v1/indexer", signal)).body,
    /** A node's own /health and /metrics, relayed by the dashboard's server (absent when the page is served elsewhere). */
    nodeStatus: async (task: string, account: string, signal?: AbortSignal): Promise<NodeStatus> =>
      (await getJson(`/dashboard/v1/node-status/${task}/${account}`, signal)).body as NodeStatus,
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** Every item of a paged list, up to `limit` items (default 10,000), in pages of 1,000. */
export async function allPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  limit = 10_000,
): Promise<{ items: T[]; total: number; truncated: boolean }> {
  const items: T[] = [];
  let offset: number | null = 0;
  let total = 0;
  while (offset !== null && items.length < limit) {
    const result: Page<T> = await fetchPage(offset, Math.min(MAX_PAGE, limit - items.length));
    items.push(...result.items);
    total = result.total;
    offset = result.next;
  }
  return { items, total, truncated: items.length < total };
}
