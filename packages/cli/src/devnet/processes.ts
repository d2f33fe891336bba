import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import type { ThreadSignalMessage } from "./nodeThread.ts";

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

/**
 * What the devnet needs of a running `gradual` command, whether a child process or a worker thread of this process
 * (`spawnGradualThread`): its exit, and a way to stop it. A `ChildProcess` is one.
 */
export interface Running {
  /** The operating system's process id: a thread's is this process's. */
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  /** SIGTERM and SIGINT stop it as the signal would; SIGKILL ends it at once (a thread: `Worker.terminate`). */
  kill(signal?: NodeJS.Signals): boolean;
  once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

export type GradualProcess<P extends Running = Running> = {
  readonly name: string;
  readonly process: P;
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
): GradualProcess<ChildProcess> {
  const child = spawn(process.execPath, [...LONG_LIVED_NODE_FLAGS, CLI_BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr?.pipe(log, { end: false });
  child.once("close", () => log.end());
  const url = announcedUrl(name, child, child.stdout, log, logFile, urlPattern);
  // A process that could not be started emits "error" and maybe no "exit".
  const failed = new Promise<never>((_, reject) => child.once("error", reject));
  failed.catch(() => {});
  return { name, process: child, url: Promise.race([url, failed]) };
}

/** Copies the command's stdout to its log and resolves the URL it announces; rejects if it exits first. */
function announcedUrl(
  name: string,
  running: Running,
  stdout: NodeJS.ReadableStream | null,
  log: WriteStream,
  logFile: string,
  urlPattern: RegExp,
): Promise<string> {
  const url = new Promise<string>((resolveUrl, rejectUrl) => {
    if (stdout !== null) {
      const lines = createInterface({ input: stdout });
      lines.on("line", (line) => {
        log.write(`${line}\n`);
        const match = urlPattern.exec(line);
        if (match?.[1] !== undefined) resolveUrl(match[1]);
      });
    }
    running.once("exit", (code, signal) =>
      rejectUrl(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready (see ${logFile})`)),
    );
  });
  url.catch(() => {});
  return url;
}

/** The compiled entry of a `gradual` command run as a worker thread (src/devnet/nodeThread.ts). */
const THREAD_ENTRY = resolve(dirname(CLI_BIN), "../dist/devnet/nodeThread.js");

/**
 * Young generation of a command run as a thread, in MB: the nursery LONG_LIVED_NODE_FLAGS gives a process (semi-spaces
 * of 2 MB).
 */
const THREAD_YOUNG_GENERATION_MB = 6;

/**
 * `gradual <args>` as a worker thread of this process, for the devnet's nodes: the same compiled command as
 * `spawnGradual` runs, in its own V8 isolate and event loop, without a process of its own. Each process maps the node
 * executable and its runtime (about 40 MB of resident memory before any work, measured in docs/benchmarks.md); a
 * thread with the node's code loaded costs about 15. A task's code still runs in its own sandboxed process, which the
 * node starts as it would in a process (that process's permissions are its own, not the devnet's). The thread's
 * stdout and stderr go to `logFile`; `kill("SIGTERM")` stops the node as the signal would, `kill("SIGKILL")`
 * terminates the thread.
 */
export function spawnGradualThread(
  name: string,
  args: readonly string[],
  logFile: string,
  urlPattern: RegExp,
): GradualProcess {
  const thread = new GradualThread(args);
  const log = createWriteStream(logFile, { flags: "a" });
  thread.stderr.pipe(log, { end: false });
  thread.onError = (error) => log.write(`${name}: ${error.stack ?? error.message}\n`);
  const url = announcedUrl(name, thread, thread.stdout, log, logFile, urlPattern);
  // The log ends once both streams have (the last stdout line is written by the line reader before its "end").
  let open = 2;
  const ended = () => {
    open -= 1;
    if (open === 0) log.end();
  };
  thread.stdout.once("end", ended);
  thread.stderr.once("end", ended);
  return { name, process: thread, url };
}

/** A worker thread running the compiled `gradual` command, seen as a `Running`. */
class GradualThread extends EventEmitter implements Running {
  readonly pid = process.pid;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** An uncaught error in the thread (it then exits with code 1). */
  onError: (error: Error) => void = () => {};
  readonly #worker: Worker;
  #terminated = false;

  constructor(args: readonly string[]) {
    super();
    this.#worker = new Worker(THREAD_ENTRY, {
      argv: [...args],
      // Not the parent's flags (a test runs under a TypeScript loader): the thread runs dist/ as a process would.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    this.#worker.on("error", (error) => this.onError(error));
    this.#worker.once("exit", (code) => {
      if (this.#terminated) this.signalCode = "SIGKILL";
      else this.exitCode = code;
      this.emit("exit", this.exitCode, this.signalCode);
    });
  }

  get stdout(): NodeJS.ReadableStream {
    return this.#worker.stdout;
  }

  get stderr(): NodeJS.ReadableStream {
    return this.#worker.stderr;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    if (signal === "SIGKILL") {
      this.#terminated = true;
      void this.#worker.terminate();
    } else {
      const message: ThreadSignalMessage = { signal: signal === "SIGINT" ? "SIGINT" : "SIGTERM" };
      this.#worker.postMessage(message);
    }
    return true;
  }
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: Running): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

/** SIGTERM, then SIGKILL after `graceMs` if the process is still running; resolves once it has exited. */
export async function stopProcess(child: Running, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}
