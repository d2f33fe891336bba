import { parentPort, workerData } from "node:worker_threads";
import type { ParentMessage, WorkerInit } from "./messages.ts";
import { runTaskEntry } from "./taskEntry.ts";

/**
 * The task side of the worker-thread sandbox (workerConnection.ts), kept only to measure the process sandbox against
 * it (bench/node.bench.ts): a worker thread shares the node's process and its privileges.
 */
const port = parentPort;
// Only workerConnection.ts starts this module, as a worker thread: anything else is a bug (a plain Error, no code).
if (!port) throw new Error("worker.ts runs only as a worker thread (see workerConnection.ts)");
await runTaskEntry(
  {
    post: (message) => port.postMessage(message),
    onMessage: (handler) => port.on("message", (message: ParentMessage) => handler(message)),
    close: () => port.close(),
  },
  workerData as WorkerInit,
);
