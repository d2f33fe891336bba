import { type ResourceLimits, Worker } from "node:worker_threads";
import { GradualError } from "@gradual/protocol";
import { errorMessage, failure, hostCallFailure } from "./checks.ts";
import { failureCode } from "./codes.ts";
import { callHost, forwardLog } from "./hostCalls.ts";
import { type ParentMessage, parseWorkerMessage, type WorkerInit, type WorkerMessage } from "./messages.ts";
import type { TaskCall } from "./taskCall.ts";
import type { TaskCallResult, TaskFailure, TaskHost } from "./types.ts";

/** Most requests (store, sign, ledger) one worker may have waiting on the node at once. */
export const MAX_HOST_REQUESTS_IN_FLIGHT = 256;

/** Stack of a task worker, in MB (V8's default is about 1). */
const WORKER_STACK_MB = 4;

/**
 * The worker's V8 limits: the old generation is the task's `memoryMb`; the young generation is an eighth of it
 * (2 to 16 MB), enough for allocation-heavy code to run without counting much against the limit.
 */
function workerResourceLimits(memoryMb: number): ResourceLimits {
  const youngMb = Math.min(16, Math.max(2, Math.floor(memoryMb / 8)));
  return { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: youngMb, stackSizeMb: WORKER_STACK_MB };
}

export type WorkerConnectionOptions = {
  /** The worker's code as one JS file (workerScript.ts). */
  readonly scriptPath: string;
  readonly init: WorkerInit;
  readonly host: TaskHost;
  readonly memoryMb: number;
  /** Longest wait for the bundle to load and register its routes, in ms. */
  readonly startTimeoutMs: number;
};

type PendingCall = { readonly resolve: (result: TaskCallResult<unknown>) => void; readonly timer: NodeJS.Timeout };

/**
 * One task worker, from start to death. Calls run concurrently, each with its own timeout; when one times out or the
 * worker runs out of memory, exits or fails, the worker is gone and every pending call fails. The runner then
 * starts a new connection for the next call.
 */
export class WorkerConnection {
  /** Resolves when the bundle is loaded and its routes registered; rejects with why it could not start. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code once the worker thread has ended (terminated, out of memory, or exited). */
  readonly exited: Promise<number>;
  readonly #worker: Worker;
  readonly #options: WorkerConnectionOptions;
  readonly #pending = new Map<number, PendingCall>();
  #lastId = 0;
  #alive = true;
  #hostRequestsInFlight = 0;
  /** Settles `ready`; undefined once it has. */
  #starting: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: WorkerConnectionOptions) {
    this.#options = options;
    this.#worker = new Worker(options.scriptPath, {
      workerData: options.init,
      resourceLimits: workerResourceLimits(options.memoryMb),
      // No inherited flags (an --inspect would clash) and no environment: the node's variables are not the task's.
      execArgv: [],
      env: {},
      name: `gradual task ${options.init.taskId.slice(0, 12)}`,
    });
    this.#worker.unref(); // an idle task never keeps the node's process alive; pending calls hold timers
    this.ready = new Promise<void>((resolve, reject) => {
      this.#starting = { resolve, reject };
    });
    this.ready.catch(() => {}); // the runner observes it; never an unhandled rejection here
    const startTimer = setTimeout(() => {
      this.#stop(failure("crashed", `the bundle did not load within ${options.startTimeoutMs} ms`));
    }, options.startTimeoutMs);
    const clear = () => clearTimeout(startTimer);
    this.ready.then(clear, clear);
    this.#worker.on("message", (message: unknown) => this.#onMessage(message));
    this.#worker.on("error", (error: Error) => this.#onError(error));
    this.#worker.on("exit", (code: number) => this.#onExit(code));
    this.exited = new Promise((resolve) => this.#worker.once("exit", resolve));
  }

  get alive(): boolean {
    return this.#alive;
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(this.#alive);
  }

  /** Runs one call; on timeout the worker is terminated (the only way to stop synchronous task code). */
  call(call: TaskCall, timeoutMs: number): Promise<TaskCallResult<unknown>> {
    if (!this.#alive) return Promise.resolve(failure("crashed", "the task worker is gone"));
    const id = ++this.#lastId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(failure("timeout", `the call did not finish within ${timeoutMs} ms (callTimeoutMs)`));
        this.#stop(failure("crashed", "the task worker was restarted because another call timed out"));
      }, timeoutMs);
      this.#pending.set(id, { resolve, timer });
      try {
        this.#worker.postMessage({ type: "call", id, call } satisfies ParentMessage);
      } catch (error) {
        this.#settle(id, failure("crashed", `the call cannot be sent to the worker: ${errorMessage(error)}`));
      }
    });
  }

  /** Stops the worker; pending calls fail with "crashed". */
  async terminate(): Promise<void> {
    this.#stop(failure("crashed", "the task runner was closed"));
    await this.#worker.terminate();
  }

  #settle(id: number, result: TaskCallResult<unknown>): void {
    const pending = this.#pending.get(id);
    if (!pending) return; // already timed out, or an id task code made up
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  #stop(reason: TaskFailure): void {
    const wasAlive = this.#alive;
    this.#alive = false;
    this.#starting?.reject(new GradualError(failureCode(reason), { message: reason.message }));
    this.#starting = undefined;
    for (const id of [...this.#pending.keys()]) this.#settle(id, reason);
    if (wasAlive) void this.#worker.terminate();
  }

  #onMessage(raw: unknown): void {
    const message = parseWorkerMessage(raw);
    if (!message) {
      this.#options.host.log.warn("ignored a malformed message from the task worker");
      return;
    }
    this.#dispatch(message);
  }

  #dispatch(message: WorkerMessage): void {
    switch (message.type) {
      case "ready":
        this.#starting?.resolve();
        this.#starting = undefined;
        break;
      case "load-failed":
        this.#stop(failure(message.code === "SANDBOX__ACCESS_DENIED" ? "access-denied" : "crashed", message.message));
        break;
      case "result":
        this.#settle(message.id, message.outcome);
        break;
      case "host":
        void this.#serveHost(message.id, message.method, message.args);
        break;
      case "log":
        forwardLog(this.#options.host, message.level, message.message, message.fields);
        break;
    }
  }

  async #serveHost(id: number, method: Parameters<typeof callHost>[1], args: readonly unknown[]): Promise<void> {
    let reply: ParentMessage;
    this.#hostRequestsInFlight += 1;
    try {
      if (this.#hostRequestsInFlight > MAX_HOST_REQUESTS_IN_FLIGHT) {
        throw new GradualError("NODE__HOST_CALLS_IN_FLIGHT", {
          message: `${method}: more than ${MAX_HOST_REQUESTS_IN_FLIGHT} requests in flight; await them`,
        });
      }
      reply = { type: "host-reply", id, ok: true, value: await callHost(this.#options.host, method, args) };
    } catch (error) {
      reply = { type: "host-reply", id, ok: false, ...hostCallFailure(error) };
    } finally {
      this.#hostRequestsInFlight -= 1;
    }
    if (!this.#alive) return;
    try {
      this.#worker.postMessage(reply);
    } catch (error) {
      const message = `${method}: the node's answer cannot be sent to the worker: ${errorMessage(error)}`;
      this.#worker.postMessage({ type: "host-reply", id, ok: false, message } satisfies ParentMessage);
    }
  }

  #onError(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    this.#stop(
      code === "ERR_WORKER_OUT_OF_MEMORY"
        ? failure("out-of-memory", `the task exceeded its memory limit of ${this.#options.memoryMb} MB (memoryMb)`)
        : failure("crashed", `the task worker failed: ${errorMessage(error)}`),
    );
  }

  #onExit(code: number): void {
    this.#stop(failure("crashed", `the task worker exited with code ${code}`));
  }
}
