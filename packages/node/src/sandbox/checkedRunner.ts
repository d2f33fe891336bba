import type { RouteResponse } from "@gradual/sdk";
import {
  checkAudit,
  checkDistribution,
  checkRouteResponse,
  checkWork,
  failure,
  isAccount,
  routeFailureResponse,
} from "./checks.ts";
import type { TaskCall } from "./taskCall.ts";
import type { TaskCallResult, TaskHost, TaskLimits, TaskRunner } from "./types.ts";

/** Runs calls somewhere (a worker, this thread) and reports what task code returned, unchecked. */
export type CallExecutor = {
  execute(call: TaskCall): Promise<TaskCallResult<unknown>>;
  close(): Promise<void>;
};

export function assertIsTaskLimits(limits: TaskLimits): void {
  const positive = (name: keyof TaskLimits, max: number, optional = false) => {
    const value = limits[name];
    if (optional && value === undefined) return;
    if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > max) {
      throw new RangeError(`TaskLimits.${name}: expected an integer in 1..${max}, got ${String(value)}`);
    }
  };
  const day = 24 * 60 * 60 * 1000;
  positive("memoryMb", 64 * 1024);
  positive("callTimeoutMs", day);
  positive("workTimeoutMs", day, true);
  positive("auditTimeoutMs", day, true);
  positive("distributionTimeoutMs", day, true);
  positive("maxProofBytes", 1024 * 1024 * 1024);
}

/** Bad arguments from the node are bugs in the node, so they throw rather than fail the call. */
function assertCall(cycle: number, round: number): void {
  if (!Number.isSafeInteger(cycle) || cycle < 0) throw new RangeError(`expected a cycle >= 0, got ${String(cycle)}`);
  if (!Number.isSafeInteger(round) || round < 0) throw new RangeError(`expected a round >= 0, got ${String(round)}`);
}

/**
 * A TaskRunner over an executor: builds the calls, checks every returned value (checks.ts) and maps route failures
 * to 5xx responses. The sandboxed and the in-process runners differ only in their executor.
 */
export function createCheckedRunner(executor: CallExecutor, host: TaskHost, limits: TaskLimits): TaskRunner {
  let closed = false;
  const execute = (call: TaskCall): Promise<TaskCallResult<unknown>> =>
    closed ? Promise.resolve(failure("crashed", "the task runner is closed")) : executor.execute(call);
  const then = async <T>(call: TaskCall, check: (value: unknown) => TaskCallResult<T>): Promise<TaskCallResult<T>> => {
    const result = await execute(call);
    return result.ok ? check(result.value) : result;
  };
  return {
    setup: () => then({ kind: "setup", round: host.currentRound() }, () => ({ ok: true, value: undefined })),
    work: async (cycle, round) => {
      assertCall(cycle, round);
      return then({ kind: "work", cycle, round }, (value) => checkWork(value, limits.maxProofBytes));
    },
    audit: async (cycle, round, proof, submitter) => {
      assertCall(cycle, round);
      if (!(proof instanceof Uint8Array)) throw new TypeError(`audit: expected proof bytes, got ${typeof proof}`);
      if (!isAccount(submitter)) throw new TypeError(`audit: expected a 64-hex submitter, got ${String(submitter)}`);
      // A copy, so task code cannot modify the caller's buffer (the worker boundary copies anyway).
      return then({ kind: "audit", cycle, round, proof: proof.slice(), submitter }, checkAudit);
    },
    distribution: async (cycle, round, submitters, bounty) => {
      assertCall(cycle, round);
      if (typeof bounty !== "bigint" || bounty < 0n) throw new TypeError(`distribution: expected a bounty >= 0n`);
      const copies = submitters.map((submitter) => Object.freeze({ ...submitter }));
      const call: TaskCall = { kind: "distribution", cycle, round, submitters: copies, bounty };
      return then(call, (value) => checkDistribution(value, submitters, bounty));
    },
    route: async (request): Promise<RouteResponse> => {
      const result = await then({ kind: "route", round: host.currentRound(), request }, checkRouteResponse);
      return result.ok ? result.value : routeFailureResponse(result);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await executor.close();
    },
  };
}
