import type { DistributionEntry } from "@gradual/protocol";
import type { RouteContext, RouteRequest, Router, TaskContext, TaskDefinition } from "@gradual/sdk";
import type { Express } from "express";
import { accountToKoiiKey } from "../keys.ts";
import { ChainReader, toKoiiNumber } from "./chain.ts";
import { adoptIdentity, adoptStake, applyTaskVariables } from "./constants.ts";
import { type KoiiCallContext, runWithContext } from "./context.ts";
import { checkKoiiDistribution, koiiSubmitters } from "./distribution.ts";
import { KoiiSubmissionError } from "./errors.ts";
import { dispatchToExpress } from "./expressBridge.ts";
import { namespaceWrapper, taskInfo } from "./namespaceWrapper.ts";
import { getTaskManager } from "./taskManager.ts";

/**
 * The adapter: a Koii task (the functions its src/index registered with initializeTaskManager) as a gradual
 * TaskDefinition (docs/koii.md "Semantics"). Round numbers passed to Koii code are gradual cycle numbers: the round
 * the work was done in, for task, submission, audit and distribution alike.
 */

export type FromKoiiOptions = {
  readonly taskName?: string;
  readonly description?: string;
  /** Environment variables the task requires (config-task.yml requirementsTags TASK_VARIABLE / GLOBAL_VARIABLE). */
  readonly variables?: readonly string[];
  /** The Express app of the namespace wrapper shim. */
  readonly app: Express;
};

/** Koii's limit on a submission, in UTF-8 bytes (task manager `submitTask`). */
const MAX_KOII_SUBMISSION_BYTES = 512;
/** Deepest route path the catch-all forwards to Express, in segments. */
const MAX_ROUTE_SEGMENTS = 8;

/**
 * Koii's submission rule: only a string of at most 512 UTF-8 bytes is submitted. Anything else that is not a string
 * (undefined, null, an object) means nothing is submitted this round, as Koii's task manager does, and is not an
 * error (null); a string over the limit is one (Koii throws and catches it).
 */
function checkKoiiSubmission(value: unknown, round: number): string | null {
  if (typeof value !== "string") return null;
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_KOII_SUBMISSION_BYTES) {
    throw new KoiiSubmissionError(
      `submission(${round}) is ${bytes} bytes; Koii allows at most ${MAX_KOII_SUBMISSION_BYTES} (UTF-8): nothing is submitted for round ${round}`,
    );
  }
  return value;
}

/** Koii's audit rule: undefined or null counts as valid; anything else by its truth. */
function koiiAuditVerdict(value: unknown): boolean {
  return value === undefined || value === null ? true : Boolean(value);
}

function describeCall(ctx: KoiiCallContext): string {
  return ctx.cycle === null ? `round ${ctx.round}` : `round ${ctx.cycle}`;
}

export function fromKoii(options: FromKoiiOptions): TaskDefinition {
  if (options.description !== undefined) taskInfo.description = options.description;
  const required = options.variables ?? [];
  let started: Promise<void> | undefined;

  const refreshNode = async (ctx: KoiiCallContext) => {
    adoptIdentity(ctx.taskId, ctx.node);
    try {
      const node = await new ChainReader(ctx.ledger, ctx.taskId).node(ctx.node);
      adoptStake(node === null ? 0 : toKoiiNumber("stake", node.stake), node?.url);
    } catch {
      // STAKE and SERVICE_URL stay as they were: the ledger was not reachable for this call.
    }
  };

  /** Koii's start: setup() then routes(), once per task instance; a failure is retried on the next call. */
  const start = (ctx: KoiiCallContext): Promise<void> => {
    started ??= (async () => {
      applyTaskVariables(ctx.config);
      const missing = required.filter((name) => ctx.config[name] === undefined);
      if (missing.length > 0) {
        throw new Error(
          `missing task variable(s) ${missing.join(", ")} (config-task.yml requirementsTags): start the node with ${missing
            .map((name) => `--task-var ${name}=VALUE`)
            .join(" ")}`,
        );
      }
      await refreshNode(ctx);
      const manager = await getTaskManager();
      await manager.customSetup();
      await manager.setupRoutes();
    })().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };

  const call = <T>(ctx: KoiiCallContext, body: () => Promise<T>): Promise<T> =>
    runWithContext(ctx, async () => {
      await start(ctx);
      return body();
    });

  const serve = (request: RouteRequest, ctx: RouteContext) =>
    call(ctx, async () => {
      if (request.method.toUpperCase() === "GET" && /^\/?taskState\/?$/.test(request.path)) {
        const state = await namespaceWrapper.getTaskState({});
        return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(state) };
      }
      return dispatchToExpress(options.app, request);
    });

  return {
    setup: (ctx: TaskContext) => runWithContext(ctx, () => start(ctx)),
    task: (ctx: TaskContext) =>
      call(ctx, async () => {
        await refreshNode(ctx);
        await (await getTaskManager()).executeTask(ctx.cycle);
      }),
    submission: (ctx: TaskContext) =>
      call(ctx, async () => {
        const raw = await (await getTaskManager()).fetchSubmission(ctx.cycle);
        const value = checkKoiiSubmission(raw, ctx.cycle);
        if (value === null) {
          const got = raw === null ? "null" : typeof raw;
          ctx.log.info(`koii submission(${ctx.cycle}) returned ${got}, not a string: nothing is submitted this round`);
          return null;
        }
        ctx.log.info(
          `koii submission(${ctx.cycle}) -> ${JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value)}`,
        );
        return value;
      }),
    audit: (ctx: TaskContext, proof, submitter) =>
      call(ctx, async () => {
        const verdict = koiiAuditVerdict(
          await (await getTaskManager()).auditSubmission(proof.text(), ctx.cycle, accountToKoiiKey(submitter)),
        );
        ctx.log.info(`koii audit(${describeCall(ctx)}, ${accountToKoiiKey(submitter)}) -> ${verdict}`);
        return verdict;
      }),
    distribution: (ctx: TaskContext, submitters, bounty): Promise<DistributionEntry[]> =>
      call(ctx, async () => {
        const chain = new ChainReader(ctx.ledger, ctx.taskId);
        const koii = await koiiSubmitters(chain, ctx.cycle, submitters);
        const bountyNumber = toKoiiNumber("bounty", bounty);
        const list = await (await getTaskManager()).makeDistributionList(koii, bountyNumber, ctx.cycle);
        const checked = checkKoiiDistribution(list, koii, bountyNumber);
        for (const note of checked.notes) ctx.log.warn(`koii distribution(${ctx.cycle}): ${note}`);
        if (checked.refused !== undefined) {
          ctx.log.warn(
            `koii distribution(${ctx.cycle}): ${checked.refused}; as Koii's task manager does, the list pays nobody`,
          );
        } else {
          ctx.log.info(
            `koii distribution(${ctx.cycle}) -> ${checked.entries.length} payment(s) of ${koii.length} submitter(s) [votes ${koii
              .map((submitter) => submitter.votes)
              .join(",")}]`,
          );
        }
        return checked.entries;
      }),
    routes: (router: Router) => {
      // Every path up to MAX_ROUTE_SEGMENTS deep goes to the Express app, which does its own routing.
      for (let depth = 0; depth <= MAX_ROUTE_SEGMENTS; depth += 1) {
        const pattern = `/${Array.from({ length: depth }, (_, index) => `:segment${index}`).join("/")}`;
        for (const method of ["get", "post", "put", "patch", "delete", "options"] as const)
          router[method](pattern, serve);
      }
    },
  };
}
