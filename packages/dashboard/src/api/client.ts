import { GradualError, type RegisteredCode } from "@gradual/protocol";
import type {
  AccountView,
  Assignment,
  Block,
  BlockHeader,
  ChainInfo,
  Commit,
  CycleView,
  DistributionView,
  ErrorBody,
  Hex,
  NodeStatus,
  NodeView,
  Page,
  Reveal,
  TaskList,
  TaskView,
  TxStatus,
  VoteList,
} from "./types.ts";

/**
 * A typed client of the ledger's public read API. Every failure becomes an {@link ApiError} with the ledger's
 * stable code, or `NETWORK__UNREACHABLE` when no answer came back, so views can say what to do.
 */

export class ApiError extends GradualError {
  override readonly name = "ApiError";
  readonly status: number;

  constructor(status: number, body: ErrorBody) {
    // A registered code (the ledger's, or the dashboard's own); a newer ledger may send one this build lacks.
    super(body.code as RegisteredCode, { message: body.message, context: body.context });
    this.status = status;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export type ApiClientOptions = {
  /** Origin and path prefix of the ledger API; "" = the page's own origin. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
};

/** Largest page the ledger serves (PageQuerySchema). */
const MAX_PAGE = 1000;
/** Most blocks one range request returns (MAX_BLOCK_RANGE). */
export const MAX_BLOCK_RANGE = 100;

export function createApiClient(options: ApiClientOptions = {}) {
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
    let response: Response;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      response = await doFetch(`${base}${path}`, {
        headers: { accept: "application/json" },
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
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const body = parsed as Partial<ErrorBody> | undefined;
      throw new ApiError(response.status, {
        code: typeof body?.code === "string" ? body.code : `HTTP__${response.status}`,
        message: typeof body?.message === "string" ? body.message : `HTTP ${response.status}: ${text.slice(0, 200)}`,
        context: body?.context ?? { path },
      });
    }
    if (parsed === undefined) {
      throw new ApiError(response.status, {
        code: "API__NOT_JSON",
        message: `expected JSON from ${path}`,
        context: { path },
      });
    }
    return parsed as T;
  }

  const page = (offset = 0, limit = 100) => `offset=${offset}&limit=${Math.min(limit, MAX_PAGE)}`;
  const cyclePath = (task: Hex, cycle: number) => `/v1/tasks/${task}/cycles/${cycle}`;

  return {
    baseUrl: base,
    eventsUrl: (after?: number) => `${base}/v1/events${after === undefined ? "" : `?after=${after}`}`,
    chain: (signal?: AbortSignal) => get<ChainInfo>("/v1/chain", signal),
    head: (signal?: AbortSignal) => get<BlockHeader>("/v1/blocks/head", signal),
    block: (number: number, signal?: AbortSignal) => get<Block>(`/v1/blocks/${number}`, signal),
    blocks: async (from: number, to: number, signal?: AbortSignal) =>
      (await get<{ blocks: Block[] }>(`/v1/blocks?from=${from}&to=${to}`, signal)).blocks,
    tx: (hash: Hex, signal?: AbortSignal) => get<TxStatus>(`/v1/txs/${hash}`, signal),
    account: (account: Hex, signal?: AbortSignal) => get<AccountView>(`/v1/accounts/${account}`, signal),
    tasks: (offset = 0, limit = 100, signal?: AbortSignal) => get<TaskList>(`/v1/tasks?${page(offset, limit)}`, signal),
    task: (task: Hex, signal?: AbortSignal) => get<TaskView>(`/v1/tasks/${task}`, signal),
    nodes: (task: Hex, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<Page<NodeView>>(`/v1/tasks/${task}/nodes?${page(offset, limit)}`, signal),
    node: (task: Hex, account: Hex, signal?: AbortSignal) =>
      get<NodeView>(`/v1/tasks/${task}/nodes/${account}`, signal),
    cycle: (task: Hex, cycle: number, signal?: AbortSignal) => get<CycleView>(cyclePath(task, cycle), signal),
    commits: (task: Hex, cycle: number, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<Page<Commit>>(`${cyclePath(task, cycle)}/commits?${page(offset, limit)}`, signal),
    reveals: (task: Hex, cycle: number, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<Page<Reveal>>(`${cyclePath(task, cycle)}/reveals?${page(offset, limit)}`, signal),
    assignments: (task: Hex, cycle: number, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<Page<Assignment>>(`${cyclePath(task, cycle)}/assignments?${page(offset, limit)}`, signal),
    votes: (task: Hex, cycle: number, trigger: number, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<VoteList>(`${cyclePath(task, cycle)}/triggers/${trigger}/votes?${page(offset, limit)}`, signal),
    distribution: (task: Hex, cycle: number, attempt: number, offset = 0, limit = 100, signal?: AbortSignal) =>
      get<DistributionView>(`${cyclePath(task, cycle)}/distributions/${attempt}?${page(offset, limit)}`, signal),
    /** A node's own /health and /metrics, relayed by the dashboard's server (absent when the page is served elsewhere). */
    nodeStatus: (task: Hex, account: Hex, signal?: AbortSignal) =>
      get<NodeStatus>(`/dashboard/v1/node-status/${task}/${account}`, signal),
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
