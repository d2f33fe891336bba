/**
 * The entry of a devnet node run as a worker thread of the devnet's process (processes.ts, `spawnGradualThread`): the
 * CLI's `main` with the thread's argv (`gradual node ...`), and the stop signals the devnet sends as messages (a
 * thread receives no process signals) raised as process events, so the node command stops as it does on SIGTERM.
 */
import { parentPort } from "node:worker_threads";

/** What the devnet posts to stop a node thread: the signal a process would have received. */
export type ThreadSignalMessage = { readonly signal: "SIGTERM" | "SIGINT" };

parentPort?.on("message", (message: unknown) => {
  if (typeof message !== "object" || message === null || !Object.hasOwn(message, "signal")) return;
  const signal = (message as { signal: unknown }).signal;
  if (signal !== "SIGTERM" && signal !== "SIGINT") return;
  // As a process would: with no handler yet (a node still starting), the signal ends it at once (128 + its number).
  if (process.listenerCount(signal) === 0) process.exit(signal === "SIGTERM" ? 143 : 130);
  process.emit(signal, signal);
});
// The port alone never keeps the thread alive: the node's server does while it runs.
parentPort?.unref();

await import("../main.ts");
