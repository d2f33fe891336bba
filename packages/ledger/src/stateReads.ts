import { type ApiErrorCode, getTask, type State } from "@gradual/protocol";
import { ROUTES, type RouteWire } from "@gradual/wire";
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
} from "./views.ts";

/**
 * The read API's routes that a state alone answers (tasks, their nodes and cycles), written once: the ledger's
 * server registers each (with its summary for the OpenAPI document) and the in-memory ledger reader of the local
 * runs answers the same routes from a `MemoryChain`, so a task reads the same replies, and the same misses, on both.
 */

/** A route's path parameters, checked by its decoder. */
export type ReadParams = Readonly<Record<string, string | number>>;

/** What a read did not find: the ledger's code (answered with HTTP 404) and its context. */
export class ReadMiss {
  readonly code: ApiErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  readonly message: string | undefined;
  constructor(code: ApiErrorCode, context: Readonly<Record<string, unknown>>, message?: string) {
    this.code = code;
    this.context = context;
    this.message = message;
  }
}

export type StateRead = {
  readonly route: RouteWire;
  /** The OpenAPI tag and summary, and what the 200 reply holds. */
  readonly tag: "tasks" | "cycles";
  readonly summary: string;
  readonly reply: string;
  readonly read: (state: State, params: ReadParams, page: Page) => unknown;
};

const text = (params: ReadParams, name: string) => String(params[name]);
const count = (params: ReadParams, name: string) => Number(params[name]);

/** A read of a task that exists: TASK__NOT_FOUND otherwise. */
function ofTask(state: State, params: ReadParams, read: (task: string) => unknown): unknown {
  const task = text(params, "task");
  return getTask(state, task) === undefined ? new ReadMiss("TASK__NOT_FOUND", { task }) : read(task);
}

/** `value`, or the miss when there is none. */
function found<T>(value: T | undefined, miss: () => ReadMiss): T | ReadMiss {
  return value === undefined ? miss() : value;
}

/** A paged list of one cycle of a task that exists. */
function cyclePage(
  route: RouteWire,
  summary: string,
  list: (state: State, task: string, cycle: number, page: Page) => unknown,
): StateRead {
  return {
    route,
    tag: "cycles",
    summary,
    reply: "page",
    read: (state, params, page) => ofTask(state, params, (task) => list(state, task, count(params, "cycle"), page)),
  };
}

export const STATE_READS: readonly StateRead[] = [
  {
    route: ROUTES.listTasks,
    tag: "tasks",
    summary: "Task ids in creation order, paged.",
    reply: "task ids",
    read: (state, _params, page) => taskPage(state, page.offset, page.limit),
  },
  {
    route: ROUTES.getTask,
    tag: "tasks",
    summary:
      "A task: parameters, escrow, node count, the current round, and for each live cycle its phase, windows and which windows are open at the next slot.",
    reply: "task",
    read: (state, params) => {
      const task = text(params, "task");
      return found(taskView(state, task), () => new ReadMiss("TASK__NOT_FOUND", { task }));
    },
  },
  {
    route: ROUTES.listNodes,
    tag: "tasks",
    summary: "The task's nodes (stake, trust-ramped weight, unbonding, slashes, vesting), paged by node index.",
    reply: "nodes",
    read: (state, params, page) => ofTask(state, params, (task) => nodeList(state, task, page)),
  },
  {
    route: ROUTES.getNode,
    tag: "tasks",
    summary: "One node of a task.",
    reply: "node",
    read: (state, params) =>
      ofTask(state, params, (task) => {
        const node = text(params, "account");
        return found(nodeView(state, task, node), () => new ReadMiss("NODE__NOT_STAKED", { task, node }));
      }),
  },
  {
    route: ROUTES.getCycle,
    tag: "cycles",
    summary: "A cycle: its record, phase and windows, its triggers (with tallies) and its distribution attempts.",
    reply: "cycle",
    read: (state, params) =>
      ofTask(state, params, (task) => {
        const cycle = count(params, "cycle");
        return found(cycleView(state, task, cycle), () => new ReadMiss("CYCLE__NOT_FOUND", { task, cycle }));
      }),
  },
  cyclePage(ROUTES.listCommits, "Commits of the cycle, paged by node index.", commitList),
  cyclePage(ROUTES.listReveals, "Reveals of the cycle in ledger order (their index), paged.", revealList),
  cyclePage(
    ROUTES.listAssignments,
    "Audit assignments (who checks whom) by reveal index, paged; empty until the seed is fixed.",
    assignmentList,
  ),
  {
    route: ROUTES.getAssignment,
    tag: "cycles",
    summary: "The submissions one node must audit in the cycle, and the nodes that audit its own.",
    reply: "assignment",
    read: (state, params) =>
      ofTask(state, params, (task) => assignmentOf(state, task, count(params, "cycle"), text(params, "auditor"))),
  },
  {
    route: ROUTES.listVotes,
    tag: "cycles",
    summary: "A trigger with its votes in arrival order, paged.",
    reply: "votes",
    read: (state, params, page) =>
      ofTask(state, params, (task) => {
        const cycle = count(params, "cycle");
        const trigger = count(params, "trigger");
        return found(
          voteList(state, task, cycle, trigger, page),
          () => new ReadMiss("VOTE__TRIGGER_NOT_FOUND", { task, cycle, trigger }),
        );
      }),
  },
  {
    route: ROUTES.getDistribution,
    tag: "cycles",
    summary:
      "A distribution attempt's list: its record (Merkle root, total, size). The entries are not on the ledger: GET /v1/blobs/{listBlob} serves them, one `recipient amount` line each.",
    reply: "distribution",
    read: (state, params, page) =>
      ofTask(state, params, (task) => {
        const cycle = count(params, "cycle");
        const attempt = count(params, "attempt");
        return found(
          distributionView(state, task, cycle, attempt, page),
          () =>
            new ReadMiss(
              "API__RECORD_NOT_FOUND",
              { task, cycle, attempt },
              `no distribution list for attempt ${attempt} of cycle ${cycle}`,
            ),
        );
      }),
  },
];
