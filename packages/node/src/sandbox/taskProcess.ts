import { Socket } from "node:net";
import { createFrameReader, encodeFrame } from "./frames.ts";
import type { ParentMessage, WorkerInit } from "./messages.ts";
import { runTaskEntry } from "./taskEntry.ts";

/**
 * The entry of a task process (processConnection.ts starts it under Node's permission model). The node speaks on
 * file descriptor 3, a socket pair: first an `init` frame, then calls and host replies. When the node goes away the
 * socket ends and so does this process.
 */

/** Where the task's start data is visible to code loading in the task process (a worker's workerData). */
const TASK_INIT_KEY = Symbol.for("gradual.sandbox.init");

/** Largest frame accepted from the node, in bytes: it sends calls (proofs, route bodies) and host replies. */
const MAX_NODE_FRAME_BYTES = 256 * 1024 * 1024;

const socket = new Socket({ fd: 3, readable: true, writable: true });
let handler: ((message: ParentMessage) => void) | undefined;
let started = false;
const reader = createFrameReader({
  maxFrameBytes: MAX_NODE_FRAME_BYTES,
  onFrame: (message) => {
    const parsed = message as ParentMessage | { type: "init"; init: WorkerInit };
    if (parsed.type === "init") {
      if (started) return;
      started = true;
      // What a worker gets as workerData, for code that reads it at load time (the Koii runtime's constants).
      Object.defineProperty(globalThis, TASK_INIT_KEY, { value: Object.freeze({ ...parsed.init }) });
      void runTaskEntry(
        {
          post: (outgoing) => {
            socket.write(encodeFrame(outgoing));
          },
          onMessage: (next) => {
            handler = next;
          },
          close: () => {
            socket.end(() => process.exit(0));
          },
        },
        parsed.init,
      );
      return;
    }
    // Answered from the event loop task code shares: a pong says the process is not stuck in a loop.
    if (parsed.type === "ping") socket.write(encodeFrame({ type: "pong", id: parsed.id }));
    else handler?.(parsed);
  },
  onError: () => process.exit(70),
});
socket.on("data", (chunk: Buffer) => reader.push(chunk));
socket.on("end", () => process.exit(0));
socket.on("error", () => process.exit(0));
