import { type Page, ReadMiss, type ReadParams, STATE_READS } from "@gradual/ledger/views";
import { GradualError, getChain } from "@gradual/protocol";
import type { LedgerReader } from "@gradual/sdk";
import { MAX_BLOCK_RANGE, MAX_PAGE_LIMIT, ROUTES, type RouteWire } from "@gradual/wire";
import type { MemoryChain } from "./memoryChain.ts";

/**
 * ctx.ledger (and the reads of Koii's namespace wrapper) for the local runs, which have no HTTP ledger: `gradual task
 * test`, `gradual koii test` and a linked Koii folder's own tests. It answers the GET routes of the ledger's /v1 API
 * that a `MemoryChain` can answer, in the ledger's wire form (bigints as decimal strings):
 *  - the state's records (tasks, nodes, cycles and their lists) through the ledger's own views
 *    (@gradual/ledger/views), so each reply is a real ledger's, route for route (@gradual/wire ROUTES);
 *  - GET /blocks?from&to: the chain's blocks (when it keeps them, `keepBlocks`), at most 100 per request, none past
 *    the head, as on the ledger;
 *  - GET /chain: the chain id, the slot length, the head and the task count.
 * A path may start with /v1 or not. A missing record or a bad parameter fails like the ledger's 404 or 400
 * (NODE__LEDGER_REQUEST_FAILED, "HTTP 404" in the message); any other route fails with NODE__LOCAL_READ_UNSUPPORTED.
 */

export type MemoryLedgerReaderOptions = {
  /** What GET /chain answers as the slot length (the local chain's slots pass as fast as its nodes work), in ms. */
  readonly slotMs: number;
};

/** A route's URL as a pattern over the path without /v1 (`/tasks/:task` -> /^\/tasks\/([^/]+)$/). */
function matcherOf(route: RouteWire): { readonly pattern: RegExp; readonly names: readonly string[] } {
  const names: string[] = [];
  const source = route.url.replace(/^\/v1/, "").replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

const MATCHERS = STATE_READS.map((served) => ({ ...served, ...matcherOf(served.route) }));

/** The routes served, for the message of a request for another one. */
function servedRoutes(keepsBlocks: boolean): string {
  const blocks = keepsBlocks ? [`${ROUTES.getBlocks.url}?from&to`] : [];
  return [ROUTES.getChain.url, ...blocks, ...STATE_READS.map(({ route }) => route.url)].join(", ");
}

function failure(path: string, status: 400 | 404, what: string): GradualError {
  return new GradualError("NODE__LEDGER_REQUEST_FAILED", {
    message: `GET ${path}: HTTP ${status} ${what} (local ledger)`,
    context: { path, status },
  });
}

/** The path parameters checked as the ledger checks them (its route's schema): a bad one is a 400. */
function paramsOf(path: string, route: RouteWire, names: readonly string[], values: readonly string[]): ReadParams {
  const raw: Record<string, string | number> = {};
  names.forEach((name, index) => {
    const value = decodeURIComponent(values[index] ?? "");
    raw[name] = /^\d+$/.test(value) ? Number(value) : value;
  });
  try {
    return route.params === undefined ? {} : route.params.decode(raw, "params");
  } catch (error) {
    throw failure(path, 400, (error as Error).message);
  }
}

function pageOf(query: URLSearchParams): Page {
  const number = (name: string, fallback: number) => {
    const value = Number(query.get(name) ?? fallback);
    return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
  };
  return { offset: number("offset", 0), limit: Math.max(1, Math.min(MAX_PAGE_LIMIT, number("limit", 100))) };
}

/** GET /blocks?from=N&to=M: blocks N..M, at most 100, none past the head. */
function blockRange(chain: MemoryChain, path: string, query: URLSearchParams): unknown {
  const from = Number(query.get("from"));
  const to = Number(query.get("to") ?? from + MAX_BLOCK_RANGE - 1);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
    throw failure(path, 400, "expected 0 <= from <= to");
  return { blocks: chain.blocks.slice(from, Math.min(to, from + MAX_BLOCK_RANGE - 1) + 1) };
}

export function createMemoryLedgerReader(chain: MemoryChain, options: MemoryLedgerReaderOptions): LedgerReader {
  const answer = (rawPath: string): unknown => {
    const url = new URL(rawPath.replace(/^\/v1(?=\/)/, ""), "http://local");
    const path = url.pathname.replace(/\/$/, "");
    const { state } = chain;
    if (path === "/chain") {
      const record = getChain(state);
      const head = chain.blocks.at(-1);
      return {
        chainId: chain.chainId,
        slotMs: options.slotMs,
        head: { number: record.slot, slot: record.slot, ...(head === undefined ? {} : { hash: head.hash }) },
        taskCount: record.taskCount,
      };
    }
    // Block 0 (genesis) is there whenever the chain keeps its blocks.
    if (path === "/blocks" && chain.blocks.length > 0) return blockRange(chain, path, url.searchParams);
    for (const served of MATCHERS) {
      const match = served.pattern.exec(path);
      if (match === null) continue;
      const params = paramsOf(path, served.route, served.names, match.slice(1));
      const reply = served.read(state, params, pageOf(url.searchParams));
      if (reply instanceof ReadMiss)
        throw failure(path, 404, `${reply.code}${reply.message ? `: ${reply.message}` : ""}`);
      return reply;
    }
    throw new GradualError("NODE__LOCAL_READ_UNSUPPORTED", {
      message: `GET ${rawPath}: the local ledger serves only GET ${servedRoutes(chain.blocks.length > 0)}`,
      context: { path: rawPath },
    });
  };
  // Through JSON, as over HTTP: the task gets a copy it may keep or change.
  return { get: async <T>(path: string) => JSON.parse(JSON.stringify(answer(path))) as T };
}
