import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";

/** The `gradual` executable of this installation (runs the compiled dist/, plain JavaScript). */
export const CLI_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/gradual.js");

/**
 * V8 flags of the long-lived processes the devnet starts (its nodes), which do little CPU work per slot. Young
 * generation semi-spaces of 2 MB instead of V8's 16 MB (the larger nursery mostly held garbage waiting for a
 * scavenge, about 20 MB in each process), and `--optimize-for-size` (the old generation grows less before V8 collects
 * it, and less code is kept optimised; about 15 MB more). One V8 platform thread and a garbage collector that does
 * not start helper threads (`--single-threaded-gc`, `--v8-pool-size=1`): about 10 MB more per process, and on a
 * 2-core machine running 13 processes the helpers only contended for the same cores. Measured in
 * docs/benchmarks.md ("Node memory").
 */
const LONG_LIVED_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=2",
  "--optimize-for-size",
  "--single-threaded-gc",
  "--v8-pool-size=1",
];

/**
 * The part of LONG_LIVED_NODE_FLAGS a process can still apply to itself once started: the devnet command (started by
 * the user as plain `gradual devnet`) runs as long as its devnet and mostly waits. V8 reads the young generation's
 * limit when it grows the nursery, so setting it at startup caps it (about 20 MB less; measured in
 * docs/benchmarks.md), and its heap heuristics read `--optimize-for-size` as they run. The garbage collector's threads
 * are already running and keep their defaults: `--single-threaded-gc` set at run time crashes V8 (a concurrent
 * marking check fails).
 */
export function applyLongLivedFlagsToSelf(): void {
  v8.setFlagsFromString("--max-semi-space-size=2");
  v8.setFlagsFromString("--optimize-for-size");
  // The devnet's ledger runs in this process (startDevnetLedger): as a dedicated ledger does (commands/ledger.ts),
  // let the heap grow by at most half its live size after a full collection.
  v8.setFlagsFromString("--heap-growing-percent=50");
}

export type GradualProcess = {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the first match of the URL pattern on stdout; rejects if the process exits first. */
  readonly url: Promise<string>;
};

/** Every process spawned here, killed with SIGKILL if this process exits without stopping them (a crashed test). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const orphan of live) orphan.kill("SIGKILL");
  });
}

/**
 * Spawns `gradual <args>`, appends its stdout and stderr to `logFile`, and resolves the URL it announces on stdout
 * (the ledger's JSON line, the node's "serving task" line).
 */
export function spawnGradual(
  name: string,
  args: readonly string[],
  logFile: string,
  urlPattern: RegExp,
): GradualProcess {
  const child = spawn(process.execPath, [...LONG_LIVED_NODE_FLAGS, CLI_BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr?.pipe(log, { end: false });
  child.once("close", () => log.end());
  const url = new Promise<string>((resolveUrl, rejectUrl) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      log.write(`${line}\n`);
      const match = urlPattern.exec(line);
      if (match?.[1] !== undefined) resolveUrl(match[1]);
    });
    child.once("exit", (code, signal) =>
      rejectUrl(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready (see ${logFile})`)),
    );
    child.once("error", rejectUrl);
  });
  url.catch(() => {});
  return { name, process: child, url };
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

/** SIGTERM, then SIGKILL after `graceMs` if the process is still running; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}
