import { GradualError } from "@gradual/protocol";
import type { JsonValue, TaskDefinition, TaskLogger, TaskStore } from "@gradual/sdk";
import { errorMessage } from "./checks.ts";
import { type ContextSource, taskBlobs } from "./context.ts";
import type { HostMethod, LogLevel, ParentMessage, WorkerInit, WorkerMessage } from "./messages.ts";
import { describeRefusal } from "./refusals.ts";
import { createRouteTable, type RouteTable } from "./routeTable.ts";
import { type RawOutcome, runTaskCall } from "./taskCall.ts";

/**
 * The task side of the sandbox, shared by the task process (taskProcess.ts) and the worker thread (worker.ts): loads
 * the bundle, registers its routes, then runs calls from the node. Everything that needs the node (store, keys,
 * ledger, log) is a request over the channel; `fetch` is the task's own.
 */

/** How the task side talks to the node: post may throw when a value cannot be sent (a function, a symbol). */
export type TaskChannel = {
  post(message: WorkerMessage): void;
  onMessage(handler: (message: ParentMessage) => void): void;
  close(): void;
};

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

function createHostProxy(channel: TaskChannel, init: WorkerInit) {
  const pending = new Map<number, Pending>();
  let lastId = 0;
  const request = <T>(method: HostMethod, args: readonly unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++lastId;
      try {
        channel.post({ type: "host", id, method, args });
      } catch (error) {
        reject(new TypeError(`${method}: arguments cannot be sent to the node: ${errorMessage(error)}`));
        return;
      }
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  const log = (level: LogLevel) => (message: string, fields?: Record<string, JsonValue>) => {
    const line = { type: "log", level, message: String(message), fields } satisfies WorkerMessage;
    try {
      channel.post(line);
    } catch {
      channel.post({ ...line, fields: undefined }); // fields that cannot be cloned are dropped
    }
  };
  const store: TaskStore = {
    get: <T extends JsonValue = JsonValue>(key: string) => request<T | undefined>("store.get", [key]),
    set: (key, value) => request<void>("store.set", [key, value]),
    delete: (key) => request<void>("store.delete", [key]),
    keys: (prefix, limit) => request<string[]>("store.keys", [prefix, limit]),
  };
  const logger: TaskLogger = { info: log("info"), warn: log("warn"), error: log("error") };
  const source: ContextSource = {
    taskId: init.taskId,
    node: init.node,
    config: init.config,
    sign: (bytes) => request<string>("sign", [bytes]),
    signJson: (text) => request<string>("sign.json", [text]),
    store,
    blobs: taskBlobs(
      (bytes) => request<string>("blobs.put", [bytes]),
      (hash) => request<Uint8Array>("blobs.get", [hash]),
    ),
    log: logger,
    ledger: { get: <T>(path: string) => request<T>("ledger.get", [path]) },
    fetch: globalThis.fetch.bind(globalThis),
  };
  const settle = (message: Extract<ParentMessage, { type: "host-reply" }>): void => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new GradualError(message.code ?? "NODE__HOST_CALL_FAILED", { message: message.message }));
  };
  return { source, settle };
}

function isTaskDefinition(value: unknown): value is TaskDefinition {
  if (typeof value !== "object" || value === null) return false;
  const definition = value as Record<string, unknown>;
  return ["task", "submission", "audit"].every((name) => typeof definition[name] === "function");
}

async function loadTask(bundleUrl: string): Promise<{ definition: TaskDefinition; routes: RouteTable }> {
  const module = (await import(bundleUrl)) as { default?: unknown };
  if (!isTaskDefinition(module.default)) {
    throw new TypeError(`${bundleUrl}: the default export must be defineTask({ task, submission, audit, ... })`);
  }
  const routes = createRouteTable();
  if (module.default.routes) routes.register(module.default.routes);
  return { definition: module.default, routes };
}

async function answer(channel: TaskChannel, id: number, outcome: Promise<RawOutcome>): Promise<void> {
  const result = await outcome;
  try {
    channel.post({ type: "result", id, outcome: result });
  } catch (error) {
    const message = `the result cannot cross to the node (plain data only): ${errorMessage(error)}`;
    channel.post({ type: "result", id, outcome: { ok: false, reason: "invalid-result", message } });
  }
}

export async function runTaskEntry(channel: TaskChannel, init: WorkerInit): Promise<void> {
  const host = createHostProxy(channel, init);
  let task: Awaited<ReturnType<typeof loadTask>>;
  try {
    task = await loadTask(init.bundleUrl);
  } catch (error) {
    // A refusal of the sandbox while the bundle loads (a module reading a file outside its folders) keeps its code.
    const refused = describeRefusal(error, init.bundleUrl);
    channel.post(
      refused === undefined
        ? { type: "load-failed", message: errorMessage(error) }
        : { type: "load-failed", message: refused, code: "SANDBOX__ACCESS_DENIED" },
    );
    channel.close();
    return;
  }
  // A promise task code forgot to handle is reported, not fatal: the task and its other calls carry on.
  process.on("unhandledRejection", (reason) => {
    const refused = describeRefusal(reason, init.bundleUrl);
    host.source.log.warn(
      refused === undefined
        ? `unhandled rejection in task code: ${errorMessage(reason)}`
        : `unhandled rejection in task code: SANDBOX__ACCESS_DENIED: ${refused}`,
    );
  });
  channel.onMessage((message) => {
    if (message.type === "host-reply") host.settle(message);
    else if (message.type === "call")
      void answer(
        channel,
        message.id,
        runTaskCall(task.definition, task.routes, host.source, message.call, init.bundleUrl),
      );
  });
  channel.post({ type: "ready", routes: task.routes.size });
}
