import { getTask } from "@gradual/protocol";
import { Type } from "@sinclair/typebox";
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
import {
  AssignmentListSchema,
  AssignmentSchema,
  CommitListSchema,
  CycleViewSchema,
  DistributionViewSchema,
  ErrorBodySchema,
  Hex64,
  NodeListSchema,
  NodeViewSchema,
  PageQuerySchema,
  RevealListSchema,
  TaskListSchema,
  TaskViewSchema,
  Uint,
  VoteListSchema,
} from "../schemas.ts";

const ERRORS = { description: "{ code, message, context }", schema: ErrorBodySchema };
const TaskParams = Type.Object({ task: Hex64 });
const CycleParams = Type.Object({ task: Hex64, cycle: Uint });

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
    method: "GET",
    url: "/v1/tasks",
    tag: "tasks",
    summary: "Task ids in creation order, paged.",
    querystring: PageQuerySchema,
    responses: { 200: { description: "task ids", schema: TaskListSchema } },
    handler: async (request) => {
      const { offset, limit } = pageOf(request.query);
      return taskPage(ledger.state, offset, limit);
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task",
    tag: "tasks",
    summary:
      "A task: parameters, escrow, node count, the current round, and for each live cycle its phase, windows and which windows are open at the next slot.",
    params: TaskParams,
    responses: { 200: { description: "task", schema: TaskViewSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task } = request.params as { task: string };
      const view = taskView(ledger.state, task);
      if (view === undefined) throw new LedgerError("TASK__NOT_FOUND", { context: { task } });
      return view;
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/nodes",
    tag: "tasks",
    summary: "The task's nodes (stake, trust-ramped weight, unbonding, slashes, vesting), paged by node index.",
    params: TaskParams,
    querystring: PageQuerySchema,
    responses: { 200: { description: "nodes", schema: NodeListSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task } = request.params as { task: string };
      requireTask(task);
      return nodeList(ledger.state, task, pageOf(request.query));
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/nodes/:account",
    tag: "tasks",
    summary: "One node of a task.",
    params: Type.Object({ task: Hex64, account: Hex64 }),
    responses: { 200: { description: "node", schema: NodeViewSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task, account } = request.params as { task: string; account: string };
      requireTask(task);
      const view = nodeView(ledger.state, task, account);
      if (view === undefined) throw new LedgerError("NODE__NOT_STAKED", { context: { task, node: account } });
      return view;
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle",
    tag: "cycles",
    summary: "A cycle: its record, phase and windows, its triggers (with tallies) and its distribution attempts.",
    params: CycleParams,
    responses: { 200: { description: "cycle", schema: CycleViewSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle } = request.params as { task: string; cycle: number };
      requireTask(task);
      const view = cycleView(ledger.state, task, cycle);
      if (view === undefined) throw notFoundCycle(task, cycle);
      return view;
    },
  });

  const cycleList = (
    url: string,
    summary: string,
    schema: Parameters<typeof table.add>[0]["responses"][number]["schema"],
    list: (task: string, cycle: number, page: Page) => unknown,
  ) =>
    table.add({
      method: "GET",
      url: `/v1/tasks/:task/cycles/:cycle/${url}`,
      tag: "cycles",
      summary,
      params: CycleParams,
      querystring: PageQuerySchema,
      responses: { 200: { description: "page", ...(schema === undefined ? {} : { schema }) }, 404: ERRORS },
      handler: async (request) => {
        const { task, cycle } = request.params as { task: string; cycle: number };
        requireTask(task);
        return list(task, cycle, pageOf(request.query));
      },
    });

  cycleList("commits", "Commits of the cycle, paged by node index.", CommitListSchema, (task, cycle, page) =>
    commitList(ledger.state, task, cycle, page),
  );
  cycleList(
    "reveals",
    "Reveals of the cycle in ledger order (their index), paged.",
    RevealListSchema,
    (task, cycle, page) => revealList(ledger.state, task, cycle, page),
  );
  cycleList(
    "assignments",
    "Audit assignments (who checks whom) by reveal index, paged; empty until the seed is fixed.",
    AssignmentListSchema,
    (task, cycle, page) => assignmentList(ledger.state, task, cycle, page),
  );

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/assignments/:auditor",
    tag: "cycles",
    summary: "The submissions one node must audit in the cycle, and the nodes that audit its own.",
    params: Type.Object({ task: Hex64, cycle: Uint, auditor: Hex64 }),
    responses: { 200: { description: "assignment", schema: AssignmentSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle, auditor } = request.params as { task: string; cycle: number; auditor: string };
      requireTask(task);
      return assignmentOf(ledger.state, task, cycle, auditor);
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/triggers/:trigger/votes",
    tag: "cycles",
    summary: "A trigger with its votes in arrival order, paged.",
    params: Type.Object({ task: Hex64, cycle: Uint, trigger: Uint }),
    querystring: PageQuerySchema,
    responses: { 200: { description: "votes", schema: VoteListSchema }, 404: ERRORS },
    handler: async (request) => {
      const { task, cycle, trigger } = request.params as { task: string; cycle: number; trigger: number };
      requireTask(task);
      const view = voteList(ledger.state, task, cycle, trigger, pageOf(request.query));
      if (view === undefined) throw new LedgerError("VOTE__TRIGGER_NOT_FOUND", { context: { task, cycle, trigger } });
      return view;
    },
  });

  table.add({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/distributions/:attempt",
    tag: "cycles",
    summary: "A distribution attempt: its record and its entries, paged.",
    params: Type.Object({ task: Hex64, cycle: Uint, attempt: Uint }),
    querystring: PageQuerySchema,
    responses: { 200: { description: "distribution", schema: DistributionViewSchema }, 404: ERRORS },
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
