import { stat } from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { assertIsTaskLimits, createCheckedRunner } from "./checkedRunner.ts";
import { errorMessage, failure } from "./checks.ts";
import type { WorkerInit } from "./messages.ts";
import type { TaskCall } from "./taskCall.ts";
import type { TaskCallResult, TaskFailure, TaskHost, TaskLimits, TaskRunner } from "./types.ts";
import { WorkerConnection } from "./workerConnection.ts";
import { workerScriptPath } from "./workerScript.ts";

export const DEFAULT_START_TIMEOUT_MS = 30_000;

export type SandboxedTaskRunnerOptions = {
  /** The task bundle: one ESM file (bundleTask's output written with writeBundleFile). */
  readonly bundlePath: string;
  readonly host: TaskHost;
  readonly limits: TaskLimits;
  /** Longest wait for a worker to load the bundle and register its routes, in ms (default 30,000). */
  readonly startTimeoutMs?: number;
};

async function assertIsBundleFile(bundlePath: string): Promise<string> {
  const absolute = path.resolve(bundlePath);
  const info = await stat(absolute).catch((error: unknown) => {
    throw new Error(`task bundle ${absolute}: ${errorMessage(error)}`);
  });
  if (!info.isFile()) throw new Error(`task bundle ${absolute}: not a file`);
  return absolute;
}

/**
 * Runs a task bundle in a worker thread (protocol.md §2; docs/writing-a-task.md "Limits"): old-generation heap
 * capped at `memoryMb`, every call capped at `callTimeoutMs`. A call that times out terminates the worker (the only
 * way to stop a busy loop) and one that exhausts memory kills it; either way the failed call and any other call in
 * flight fail, and the next call starts a fresh worker, which re-runs `setup` first once `setup` has succeeded.
 * A throw in task code only fails its call. Rejects when the bundle cannot be loaded.
 *
 * The worker isolates faults, not privileges: task code can still use Node's builtins (fs, net, child_process).
 * Memory outside the V8 heap (ArrayBuffers) is not counted against `memoryMb`.
 */
export async function createSandboxedTaskRunner(options: SandboxedTaskRunnerOptions): Promise<TaskRunner> {
  const { host, limits } = options;
  assertIsTaskLimits(limits);
  const bundlePath = await assertIsBundleFile(options.bundlePath);
  const scriptPath = await workerScriptPath();
  const init: WorkerInit = {
    bundleUrl: pathToFileURL(bundlePath).href,
    taskId: host.taskId,
    node: host.node,
    config: { ...host.config },
  };
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const spawn = () => new WorkerConnection({ scriptPath, init, host, memoryMb: limits.memoryMb, startTimeoutMs });

  const workers = await startSupervisor(spawn, bundlePath);
  const setups = createSetupTracker(host, limits);
  const execute = async (call: TaskCall): Promise<TaskCallResult<unknown>> => {
    const current = await workers.acquire();
    if (!(current instanceof WorkerConnection)) return current;
    if (call.kind === "setup") return setups.run(current, call);
    const setup = await setups.ensure(current);
    if (!setup.ok) return { ...setup, message: `setup on a fresh worker failed: ${setup.message}` };
    return current.call(call, limits.callTimeoutMs);
  };
  return createCheckedRunner({ execute, close: workers.close }, host, limits);
}

/**
 * Keeps one live worker: starts the first (rejecting if the bundle cannot load), and replaces a dead one when the
 * next call needs it; calls arriving during the restart share it.
 */
async function startSupervisor(spawn: () => WorkerConnection, bundlePath: string) {
  let connection = spawn();
  try {
    await connection.ready;
  } catch (error) {
    await connection.terminate();
    throw new Error(`cannot load task bundle ${bundlePath}: ${errorMessage(error)}`, { cause: error });
  }
  let closed = false;
  let replacing: Promise<WorkerConnection | TaskFailure> | undefined;
  const replace = async (): Promise<WorkerConnection | TaskFailure> => {
    const fresh = spawn();
    try {
      await fresh.ready;
    } catch (error) {
      void fresh.terminate();
      return failure("crashed", `cannot restart the task worker: ${errorMessage(error)}`);
    }
    if (closed) {
      void fresh.terminate();
      return failure("crashed", "the task runner was closed");
    }
    connection = fresh;
    return fresh;
  };
  return {
    acquire(): Promise<WorkerConnection | TaskFailure> {
      if (connection.alive) return Promise.resolve(connection);
      replacing ??= replace().finally(() => {
        replacing = undefined;
      });
      return replacing;
    },
    async close(): Promise<void> {
      closed = true;
      const pending = replacing;
      await connection.terminate();
      await pending; // a worker still starting is terminated by replace() itself
    },
  };
}

/**
 * Setup runs once per worker: when the node calls `setup()`, and again in every replacement worker once it has
 * succeeded, before that worker's first call (concurrent calls share that run). A failed run is retried next time.
 */
function createSetupTracker(host: TaskHost, limits: TaskLimits) {
  const runs = new WeakMap<WorkerConnection, Promise<TaskCallResult<unknown>>>();
  let succeeded = false;
  const run = (connection: WorkerConnection, call: TaskCall): Promise<TaskCallResult<unknown>> => {
    let pending = runs.get(connection);
    if (!pending) {
      pending = connection.call(call, limits.callTimeoutMs).then((result) => {
        if (result.ok) succeeded = true;
        else runs.delete(connection);
        return result;
      });
      runs.set(connection, pending);
    }
    return pending;
  };
  const ensure = (connection: WorkerConnection): Promise<TaskCallResult<unknown>> =>
    succeeded
      ? run(connection, { kind: "setup", round: host.currentRound() })
      : Promise.resolve({ ok: true, value: undefined });
  return { run, ensure };
}
