import { getTask } from "@gradual/protocol";
import { ROUTES, type RouteWire } from "@gradual/wire";
import { LedgerError } from "../../errors.ts";
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
} from "../../views.ts";
import type { ServerContext } from "../createLedgerServer.ts";

const ERRORS = { description: "{ code, message, context }" };

type PageQuery = { offset?: number; limit?: number };
const pageOf = (query: unknown): Page => {
  const { offset, limit } = query as PageQuery;
  return { offset: offset ?? 0, limit: limit ?? 100 };
};

export function registerTaskRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  const requireTask = (task: string) => {
    if (getTask(ledger.state, task) === undefined) throw new LedgerError("TASK__NOT_FOUND", { context: { task } });
  };
  const notFoundCycle = (task: string, cycle: number) =>
    new LedgerError("CYCLE__NOT_FOUND", { context: { task, cycle } });

  table.add({
    route: ROUTES.listTasks,
    tag: "tasks",
    summary: "Task ids in creation order, paged.",
    responses: { 200: { description: "task ids" } },
    handler: async (request) => {
      const { offset, limit } = pageOf(request.query);
      return taskPage(ledger.state, offset, limit);
    },
  });

  table.add({
    route: ROUTES.getTask,
    tag: "tasks",
    summary:
      "A task: parameters, escrow, node count, the current round, and for each live cycle its phase, windows and which windows are open at the next slot.",
    responses: { 200: { description: "task" }, 404: ERRORS },
    handler: async (request) => {
      const { task } = request.params as { task: string };
      const view = taskView(ledger.state, task);
      if (view === undefined) throw new LedgerError("TASK__NOT_FOUND", { context: { task } });
      return view;
    },
  });

  table.add({
    route: ROUTES.listNodes,
    tag: "tasks",
    summary: "The task's nodes (stake, trust-ramped weight, unbonding, slashes, vesting), paged by node index.",
    responses: { 200: { description: "nodes" }, 404: ERRORS },
    handler: async (request) => {
      const { task } = request.params as { task: string };
      requireTask(task);
      return nodeList(ledger.state, task, pageOf(request.query));
    },
  });

  table.add({
    route: ROUTES.getNode,
    tag: "tasks",
    summary: "One node of a task.",
    responses: { 200: { description: "node" }, 404: ERRORS },
    handler: async (request) => {
      const { task, account } = request.params as { task: string; account: string };
      requireTask(task);
      const view = nodeView(ledger.state, task, account);
      if (view === undefined) throw new LedgerError("NODE__NOT_STAKED", { context: { task, node: account } });
      return view;
    },
  });

  table.add({
    route: ROUTES.getCycle,
    tag: "cycles",
    summary: "A cycle: its record, phase and windows, its triggers (with tallies) and its distribution attempts.",
    responses: { 200: { description: "cycle" }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle } = request.params as { task: string; cycle: number };
      requireTask(task);
      const view = cycleView(ledger.state, task, cycle);
      if (view === undefined) throw notFoundCycle(task, cycle);
      return view;
    },
  });

  const cycleList = (route: RouteWire, summary: string, list: (task: string, cycle: number, page: Page) => unknown) =>
    table.add({
      route,
      tag: "cycles",
      summary,
      responses: { 200: { description: "page" }, 404: ERRORS },
      handler: async (request) => {
        const { task, cycle } = request.params as { task: string; cycle: number };
        requireTask(task);
        return list(task, cycle, pageOf(request.query));
      },
    });

  cycleList(ROUTES.listCommits, "Commits of the cycle, paged by node index.", (task, cycle, page) =>
    commitList(ledger.state, task, cycle, page),
  );
  cycleList(ROUTES.listReveals, "Reveals of the cycle in ledger order (their index), paged.", (task, cycle, page) =>
    revealList(ledger.state, task, cycle, page),
  );
  cycleList(
    ROUTES.listAssignments,
    "Audit assignments (who checks whom) by reveal index, paged; empty until the seed is fixed.",
    (task, cycle, page) => assignmentList(ledger.state, task, cycle, page),
  );

  table.add({
    route: ROUTES.getAssignment,
    tag: "cycles",
    summary: "The submissions one node must audit in the cycle, and the nodes that audit its own.",
    responses: { 200: { description: "assignment" }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle, auditor } = request.params as { task: string; cycle: number; auditor: string };
      requireTask(task);
      return assignmentOf(ledger.state, task, cycle, auditor);
    },
  });

  table.add({
    route: ROUTES.listVotes,
    tag: "cycles",
    summary: "A trigger with its votes in arrival order, paged.",
    responses: { 200: { description: "votes" }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle, trigger } = request.params as { task: string; cycle: number; trigger: number };
      requireTask(task);
      const view = voteList(ledger.state, task, cycle, trigger, pageOf(request.query));
      if (view === undefined) throw new LedgerError("VOTE__TRIGGER_NOT_FOUND", { context: { task, cycle, trigger } });
      return view;
    },
  });

  table.add({
    route: ROUTES.getDistribution,
    tag: "cycles",
    summary: "A distribution attempt: its record and its entries, paged.",
    responses: { 200: { description: "distribution" }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle, attempt } = request.params as { task: string; cycle: number; attempt: number };
      requireTask(task);
      const view = distributionView(ledger.state, task, cycle, attempt, pageOf(request.query));
      if (view === undefined) {
        throw new LedgerError("API__RECORD_NOT_FOUND", {
          message: `no distribution list for attempt ${attempt} of cycle ${cycle}`,
          context: { task, cycle, attempt },
        });
      }
      return view;
    },
  });
}
