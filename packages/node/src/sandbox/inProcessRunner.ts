import { jsonPayloadBytes, type TaskDefinition, taskPayloadBytes } from "@gradual/sdk";
import { assertIsTaskLimits, createCheckedRunner } from "./checkedRunner.ts";
import { errorMessage, failure } from "./checks.ts";
import { type ContextSource, taskBlobs } from "./context.ts";
import { createRouteTable } from "./routeTable.ts";
import { runTaskCall, type TaskCall } from "./taskCall.ts";
import { callTimeoutMs, type TaskCallResult, type TaskHost, type TaskLimits, type TaskRunner } from "./types.ts";

/** Resolves with `timeout` after `timeoutMs` unless `promise` settles first; the timer never outlives the race. */
async function raceTimeout<T>(promise: Promise<T>, timeoutMs: number, timeout: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(timeout), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs task code in the current thread, for tests and the simulator: the same calls, contexts and result checks as
 * the sandboxed runner, without isolation. Limits are weaker here and only the sandbox enforces them for real:
 * - `callTimeoutMs` is a Promise.race: the caller gets `timeout` on time, but the task's code keeps running (nothing
 *   can stop a promise), and a synchronous busy loop blocks the whole thread, timer included.
 * - `memoryMb` is not enforced: a task that exhausts memory takes the process down.
 * - `ctx.fetch` is this thread's global fetch; `ctx.config` is a copy per call.
 * Throws if `routes(router)` throws, as a bundle that fails to load makes createSandboxedTaskRunner reject.
 */
export function createInProcessTaskRunner(definition: TaskDefinition, host: TaskHost, limits: TaskLimits): TaskRunner {
  assertIsTaskLimits(limits);
  const routes = createRouteTable();
  if (definition.routes) routes.register(definition.routes);
  const { currentRound: _currentRound, sign, blobs, ...services } = host;
  const source: ContextSource = {
    ...services,
    blobs: taskBlobs(blobs.put, blobs.get),
    config: { ...host.config },
    fetch: globalThis.fetch,
    sign: (bytes) => sign(taskPayloadBytes(bytes)),
    signJson: (text) => sign(jsonPayloadBytes(text)),
  };
  const execute = async (call: TaskCall): Promise<TaskCallResult<unknown>> => {
    const timeoutMs = callTimeoutMs(limits, call.kind);
    const timeout = failure("timeout", `the ${call.kind} call did not finish within ${timeoutMs} ms`);
    try {
      return await raceTimeout<TaskCallResult<unknown>>(
        runTaskCall(definition, routes, source, call),
        timeoutMs,
        timeout,
      );
    } catch (error) {
      return failure("crashed", errorMessage(error)); // runTaskCall catches task errors; this is a last resort
    }
  };
  return createCheckedRunner({ execute, close: async () => {} }, host, limits);
}
