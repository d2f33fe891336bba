import { readFileSync } from "node:fs";
import { chmod, chown, copyFile, mkdir, rm, stat } from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { GradualError } from "@gradual/protocol";
import { createScratchFolder } from "../scratchFolders.ts";
import { assertIsTaskLimits, createCheckedRunner } from "./checkedRunner.ts";
import { errorMessage, failure } from "./checks.ts";
import type { WorkerInit } from "./messages.ts";
import { ProcessConnection, type SandboxUser } from "./processConnection.ts";
import type { TaskCall } from "./taskCall.ts";
import {
  callTimeoutMs,
  type TaskCallResult,
  type TaskFailure,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "./types.ts";
import { WorkerConnection } from "./workerConnection.ts";
import { taskProcessScriptPath, workerScriptPath } from "./workerScript.ts";

const DEFAULT_START_TIMEOUT_MS = 30_000;
/** First wait before restarting a task process that died, in ms; doubled per death in a row, up to the maximum. */
const RESTART_BACKOFF_MS = 100;
const MAX_RESTART_BACKOFF_MS = 30_000;

export type SandboxedTaskRunnerOptions = {
  /** The task bundle: one ESM file (bundleTask's output written with writeBundleFile). */
  readonly bundlePath: string;
  readonly host: TaskHost;
  readonly limits: TaskLimits;
  /** Longest wait for a task process to load the bundle and register its routes, in ms (default 30,000). */
  readonly startTimeoutMs?: number;
  /**
   * "process" (the default and the only isolation for untrusted code): a child process under Node's permission
   * model. "worker": a worker thread of the node's own process, with all its privileges; kept only so the
   * benchmark can measure what the process costs against it.
   */
  readonly isolation?: "process" | "worker";
  /** Run the task process as this user (default: `nobody` when the node runs as root, else the node's user). */
  readonly user?: SandboxUser | "node";
};

type Connection = WorkerConnection | ProcessConnection;

async function assertIsBundleFile(bundlePath: string): Promise<string> {
  const absolute = path.resolve(bundlePath);
  const info = await stat(absolute).catch((error: unknown) => {
    throw new GradualError("NODE__BUNDLE_UNREADABLE", { message: `task bundle ${absolute}: ${errorMessage(error)}` });
  });
  if (!info.isFile())
    throw new GradualError("NODE__BUNDLE_UNREADABLE", { message: `task bundle ${absolute}: not a file` });
  return absolute;
}

/** The `nobody` user from /etc/passwd when this process runs as root; undefined otherwise (nothing to drop). */
function defaultSandboxUser(): SandboxUser | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , uid, gid] = line.split(":");
      if (name === "nobody" && Number.isSafeInteger(Number(uid)) && Number.isSafeInteger(Number(gid))) {
        return { uid: Number(uid), gid: Number(gid) };
      }
    }
  } catch {
    // no passwd file: stay as we are
  }
  return undefined;
}

/** The prefix of a task sandbox's folder in the system's temporary folder. */
export const SANDBOX_FOLDER_PREFIX = "gradual-task-";

/**
 * The folder a task process may read: its code and its bundle, copied read-only, and its data folder, the only one
 * it may write, owned by the sandbox user. Removed when the runner closes; one whose node died first is removed by
 * the next sandbox made on the machine (`createScratchFolder`).
 */
async function prepareSandboxFolder(scriptPath: string, bundlePath: string, user: SandboxUser | undefined) {
  const root = await createScratchFolder(SANDBOX_FOLDER_PREFIX);
  await chmod(root, 0o755);
  const script = path.join(root, "host.mjs");
  const bundle = path.join(root, "task.mjs");
  await copyFile(scriptPath, script);
  await copyFile(bundlePath, bundle);
  await chmod(script, 0o444);
  await chmod(bundle, 0o444);
  const dataDir = path.join(root, "data");
  await mkdir(dataDir, { mode: 0o700 });
  if (user !== undefined) await chown(dataDir, user.uid, user.gid);
  return { root, script, bundle, dataDir, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Runs a task bundle in its own process (protocol.md §2; docs/writing-a-task.md "Limits" and "What a task can
 * reach"): Node's permission model (it reads only its own folder, writes only its data folder, and can start no
 * process, worker, native addon or inspector), an empty environment, an unprivileged user when the node is root,
 * the V8 heap capped at `memoryMb` and resident memory watched. Each call kind has its own time limit
 * (`TaskLimits`); a call that overruns kills the process (the only way to stop a busy loop), as does running out of
 * memory, flooding stdout or sending a malformed message. Either way the failed call and any other call in flight
 * fail, and the next call starts a fresh process (after a backoff when they keep dying), which re-runs `setup`
 * first once `setup` has succeeded. A throw in task code only fails its call. Rejects when the bundle cannot load.
 */
export async function createSandboxedTaskRunner(options: SandboxedTaskRunnerOptions): Promise<TaskRunner> {
  const { host, limits } = options;
  assertIsTaskLimits(limits);
  const bundlePath = await assertIsBundleFile(options.bundlePath);
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const config = { ...host.config };
  let spawn: () => Connection;
  let cleanup = async (): Promise<void> => {};
  if (options.isolation === "worker") {
    const scriptPath = await workerScriptPath();
    const init: WorkerInit = {
      bundleUrl: pathToFileURL(bundlePath).href,
      taskId: host.taskId,
      node: host.node,
      config,
    };
    spawn = () => new WorkerConnection({ scriptPath, init, host, memoryMb: limits.memoryMb, startTimeoutMs });
  } else {
    const user = options.user === "node" ? undefined : (options.user ?? defaultSandboxUser());
    const folder = await prepareSandboxFolder(await taskProcessScriptPath(), bundlePath, user);
    cleanup = folder.remove;
    const init: WorkerInit = {
      bundleUrl: pathToFileURL(folder.bundle).href,
      taskId: host.taskId,
      node: host.node,
      config,
    };
    spawn = () =>
      new ProcessConnection({
        scriptPath: folder.script,
        readDir: folder.root,
        dataDir: folder.dataDir,
        init,
        host,
        memoryMb: limits.memoryMb,
        ...(limits.cpuPercent === undefined ? {} : { cpuPercent: limits.cpuPercent }),
        startTimeoutMs,
        user,
      });
  }
  let workers: Awaited<ReturnType<typeof startSupervisor>>;
  try {
    workers = await startSupervisor(spawn, bundlePath, host);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const setups = createSetupTracker(host, limits);
  const execute = async (call: TaskCall): Promise<TaskCallResult<unknown>> => {
    const current = await workers.acquire();
    if (!("call" in current)) return current;
    if (call.kind === "setup") return setups.run(current, call);
    const setup = await setups.ensure(current);
    if (!setup.ok) return { ...setup, message: `setup on a fresh task process failed: ${setup.message}` };
    const result = await current.call(call, callTimeoutMs(limits, call.kind));
    workers.report(result);
    return result;
  };
  const close = async (): Promise<void> => {
    await workers.close();
    await cleanup();
  };
  return createCheckedRunner({ execute, close }, host, limits);
}

/** Deaths that end the task process; after one the next call waits out the backoff before a new process starts. */
const FATAL_REASONS: ReadonlySet<TaskFailure["reason"]> = new Set([
  "timeout",
  "out-of-memory",
  "crashed",
  "bad-message",
  "output-flood",
]);

/**
 * Keeps one live task process: starts the first (rejecting if the bundle cannot load), and replaces a dead one when
 * the next call needs it; calls arriving during the restart share it. A process that keeps dying is restarted after
 * a growing wait (RESTART_BACKOFF_MS doubled per death in a row), reset by the next call that succeeds.
 */
async function startSupervisor(spawn: () => Connection, bundlePath: string, host: TaskHost) {
  let connection = spawn();
  try {
    await connection.ready;
  } catch (error) {
    await connection.terminate();
    // The sandbox refused the bundle something as it loaded: its own code, which says what and what to do.
    if (error instanceof GradualError && error.code === "SANDBOX__ACCESS_DENIED") {
      throw new GradualError("SANDBOX__ACCESS_DENIED", {
        message: `cannot load task bundle ${bundlePath}: ${error.message}`,
        cause: error,
      });
    }
    throw new GradualError("NODE__BUNDLE_LOAD_FAILED", {
      message: `cannot load task bundle ${bundlePath}: ${errorMessage(error)}`,
      cause: error,
    });
  }
  let closed = false;
  let deaths = 0;
  let replacing: Promise<Connection | TaskFailure> | undefined;
  let wake: (() => void) | undefined;
  const backoff = async (): Promise<void> => {
    if (deaths <= 1) return;
    const waitMs = Math.min(MAX_RESTART_BACKOFF_MS, RESTART_BACKOFF_MS * 2 ** Math.min(deaths - 2, 20));
    host.log.warn(`task process died ${deaths} times in a row; restarting in ${waitMs} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  };
  const replace = async (): Promise<Connection | TaskFailure> => {
    deaths += 1;
    await backoff();
    if (closed) return failure("crashed", "the task runner was closed");
    const fresh = spawn();
    try {
      await fresh.ready;
    } catch (error) {
      void fresh.terminate();
      return failure("crashed", `cannot restart the task process: ${errorMessage(error)}`);
    }
    if (closed) {
      void fresh.terminate();
      return failure("crashed", "the task runner was closed");
    }
    connection = fresh;
    return fresh;
  };
  return {
    async acquire(): Promise<Connection | TaskFailure> {
      const current = connection;
      if (await current.healthy()) return current;
      if (connection !== current && connection.alive) return connection; // replaced while we waited
      replacing ??= replace().finally(() => {
        replacing = undefined;
      });
      return replacing;
    },
    report(result: TaskCallResult<unknown>): void {
      if (result.ok || !FATAL_REASONS.has(result.reason)) deaths = 0;
    },
    async close(): Promise<void> {
      closed = true;
      wake?.();
      const pending = replacing;
      await connection.terminate();
      await pending; // a process still starting is terminated by replace() itself
    },
  };
}

/**
 * Setup runs once per process: when the node calls `setup()`, and again in every replacement process once it has
 * succeeded, before that process's first call (concurrent calls share that run). A failed run is retried next time.
 */
function createSetupTracker(host: TaskHost, limits: TaskLimits) {
  const runs = new WeakMap<Connection, Promise<TaskCallResult<unknown>>>();
  let succeeded = false;
  const run = (connection: Connection, call: TaskCall): Promise<TaskCallResult<unknown>> => {
    let pending = runs.get(connection);
    if (!pending) {
      pending = connection.call(call, callTimeoutMs(limits, "setup")).then((result) => {
        if (result.ok) succeeded = true;
        else runs.delete(connection);
        return result;
      });
      runs.set(connection, pending);
    }
    return pending;
  };
  const ensure = (connection: Connection): Promise<TaskCallResult<unknown>> =>
    succeeded
      ? run(connection, { kind: "setup", round: host.currentRound() })
      : Promise.resolve({ ok: true, value: undefined });
  return { run, ensure };
}
