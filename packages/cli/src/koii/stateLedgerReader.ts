import {
  assignmentList,
  assignmentOf,
  commitList,
  cycleView,
  distributionView,
  nodeList,
  nodeView,
  type Page,
  revealList,
  taskPage,
  taskView,
  voteList,
} from "@gradual/ledger/views";
import { getChain, getTask, type State } from "@gradual/protocol";
import type { LedgerReader } from "@gradual/sdk";
import { MAX_PAGE_LIMIT, ROUTES, type RouteWire } from "@gradual/wire";

/**
 * ctx.ledger for a local network that has no HTTP ledger: the GET routes of the ledger's /v1 API that read the
 * state (tasks, nodes, cycles and their lists), answered from an in-memory state by the ledger's own views
 * (@gradual/ledger/views), so the replies are those of a real ledger, route for route (@gradual/wire ROUTES).
 * /chain has no blocks behind it: it answers the chain id, the slot length, the head's slot and the task count.
 * Unknown paths fail like a 404.
 */

function failure(path: string, status: 400 | 404, what: string): Error {
  return new Error(`GET /v1${path}: HTTP ${status} ${what} (local test ledger)`);
}

type Params = Readonly<Record<string, string | number>>;

type Served = {
  readonly route: RouteWire;
  readonly answer: (state: State, params: Params, page: Page) => unknown;
};

const text = (params: Params, name: string) => String(params[name]);
const count = (params: Params, name: string) => Number(params[name]);
/** A list of a task that exists (the real ledger answers TASK__NOT_FOUND, a 404, otherwise). */
const ofTask = <T>(state: State, params: Params, list: (task: string) => T): T | undefined =>
  getTask(state, text(params, "task")) === undefined ? undefined : list(text(params, "task"));

const SERVED: readonly Served[] = [
  { route: ROUTES.listTasks, answer: (state, _params, page) => taskPage(state, page.offset, page.limit) },
  { route: ROUTES.getTask, answer: (state, params) => taskView(state, text(params, "task")) },
  {
    route: ROUTES.listNodes,
    answer: (state, params, page) => ofTask(state, params, (task) => nodeList(state, task, page)),
  },
  {
    route: ROUTES.getNode,
    answer: (state, params) => ofTask(state, params, (task) => nodeView(state, task, text(params, "account"))),
  },
  {
    route: ROUTES.getCycle,
    answer: (state, params) => ofTask(state, params, (task) => cycleView(state, task, count(params, "cycle"))),
  },
  {
    route: ROUTES.listCommits,
    answer: (state, params, page) =>
      ofTask(state, params, (task) => commitList(state, task, count(params, "cycle"), page)),
  },
  {
    route: ROUTES.listReveals,
    answer: (state, params, page) =>
      ofTask(state, params, (task) => revealList(state, task, count(params, "cycle"), page)),
  },
  {
    route: ROUTES.listAssignments,
    answer: (state, params, page) =>
      ofTask(state, params, (task) => assignmentList(state, task, count(params, "cycle"), page)),
  },
  {
    route: ROUTES.getAssignment,
    answer: (state, params) =>
      ofTask(state, params, (task) => assignmentOf(state, task, count(params, "cycle"), text(params, "auditor"))),
  },
  {
    route: ROUTES.listVotes,
    answer: (state, params, page) =>
      ofTask(state, params, (task) => voteList(state, task, count(params, "cycle"), count(params, "trigger"), page)),
  },
  {
    route: ROUTES.getDistribution,
    answer: (state, params, page) =>
      ofTask(state, params, (task) =>
        distributionView(state, task, count(params, "cycle"), count(params, "attempt"), page),
      ),
  },
];

/** A route's URL as a pattern over the path without /v1 (`/tasks/:task` -> /^\/tasks\/([^/]+)$/). */
function matcherOf(route: RouteWire): { readonly pattern: RegExp; readonly names: readonly string[] } {
  const names: string[] = [];
  const source = route.url.replace(/^\/v1/, "").replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

const MATCHERS = SERVED.map((served) => ({ ...served, ...matcherOf(served.route) }));

/** The path parameters checked as the ledger checks them (its route's schema): a bad one is a 400. */
function paramsOf(path: string, route: RouteWire, names: readonly string[], values: readonly string[]): Params {
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

export function createStateLedgerReader(
  getState: () => State,
  chain: { chainId: string; slotMs: number },
): LedgerReader {
  const answer = (rawPath: string): unknown => {
    const url = new URL(rawPath.replace(/^\/v1(?=\/)/, ""), "http://local");
    const path = url.pathname.replace(/\/$/, "");
    const state = getState();
    if (path === "/chain") {
      const record = getChain(state);
      return { chainId: chain.chainId, slotMs: chain.slotMs, head: { slot: record.slot }, taskCount: record.taskCount };
    }
    for (const served of MATCHERS) {
      const match = served.pattern.exec(path);
      if (match === null) continue;
      const params = paramsOf(path, served.route, served.names, match.slice(1));
      const reply = served.answer(state, params, pageOf(url.searchParams));
      if (reply === undefined) throw failure(path, 404, "no such record");
      return reply;
    }
    throw failure(path, 404, "route not served");
  };
  // Through JSON, as over HTTP: the task gets a copy it may keep or change.
  return { get: async <T>(path: string) => JSON.parse(JSON.stringify(answer(path))) as T };
}
