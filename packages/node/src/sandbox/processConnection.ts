import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { GradualError } from "@gradual/protocol";
import { errorMessage, failure, hostCallFailure, MAX_MESSAGE_CHARS, truncate } from "./checks.ts";
import { failureCode } from "./codes.ts";
import { createFrameReader, encodeFrame } from "./frames.ts";
import { callHost, forwardLog } from "./hostCalls.ts";
import { type ParentMessage, parseWorkerMessage, type WorkerInit, type WorkerMessage } from "./messages.ts";
import type { TaskCall } from "./taskCall.ts";
import type { TaskCallResult, TaskFailure, TaskHost } from "./types.ts";

/** Most requests (store, sign, ledger) one task process may have waiting on the node at once. */
const MAX_HOST_REQUESTS_IN_FLIGHT = 256;
/** Largest message a task may send the node, in bytes (a proof is at most 16 MB: LIMITS.maxProofBytes). */
const MAX_TASK_FRAME_BYTES = 32 * 1024 * 1024;
/** Most bytes a task may write to stdout and stderr together per minute; beyond it the process is ended. */
const MAX_OUTPUT_BYTES_PER_MINUTE = 1024 * 1024;
/** How often the node reads a task process's resident memory, in ms. */
const RSS_POLL_MS = 100;
/** What a task process needs besides its V8 heap (code, young generation, buffers), in MB. */
const RSS_HEADROOM_MB = 96;
/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;
/** The window over which a task process's CPU share is averaged: it may bank this long of its share, in ms. */
const CPU_WINDOW_MS = 1_000;
/** Longest single pause of a throttled task process, in ms (a probe resumes it at once: #probe). */
const MAX_PAUSE_MS = 5_000;
/** How long a task process has to answer a ping after one of its calls timed out before it is killed, in ms. */
const PROBE_GRACE_MS = 1_000;
/** Stack of a task process, in KB (V8's default is 984). */
const STACK_KB = 4_000;
/** The last bytes of stderr kept to explain a crash. */
const STDERR_TAIL_CHARS = 2_000;

export type SandboxUser = { readonly uid: number; readonly gid: number };

export type ProcessConnectionOptions = {
  /** The task side's code as one JS file (taskProcess.ts built by workerScript.ts), inside `readDir`. */
  readonly scriptPath: string;
  /** The only folder the task may read (its code, its bundle, its data folder). */
  readonly readDir: string;
  /** The only folder the task may write; its HOME, TMPDIR and working directory. */
  readonly dataDir: string;
  readonly init: WorkerInit;
  readonly host: TaskHost;
  /** V8 old-generation limit, in MB. */
  readonly memoryMb: number;
  /** Resident memory beyond which the process is killed, in MB (default memoryMb + RSS_HEADROOM_MB). */
  readonly rssLimitMb?: number;
  /** Share of one core the process may use on average, in percent (default: no share); above it, it is paused. */
  readonly cpuPercent?: number;
  /** Longest wait for the bundle to load and register its routes, in ms. */
  readonly startTimeoutMs: number;
  /** The unprivileged user the process runs as (when the node runs as root), or undefined for the node's own. */
  readonly user: SandboxUser | undefined;
};

/**
 * Node's flags for a task process: the permission model (no child processes, workers, addons, inspector), the heap
 * limit, and a small footprint (one V8 platform thread, no parallel GC helpers: about 5 MB less per task process;
 * a node runs one process per task, so tasks do not compete for cores through their collectors).
 */
function taskProcessFlags(options: Pick<ProcessConnectionOptions, "readDir" | "dataDir" | "memoryMb">) {
  // Young generation: V8's semi-spaces grow to 16 MB each under allocation (up to about 48 MB resident, mostly
  // garbage between scavenges); a task's allocation rate is served as well by small ones, scavenged more often.
  const youngMb = Math.min(8, Math.max(2, Math.floor(options.memoryMb / 32)));
  return [
    "--experimental-permission",
    `--allow-fs-read=${options.readDir}`,
    `--allow-fs-read=${options.dataDir}`,
    `--allow-fs-write=${options.dataDir}`,
    "--no-addons",
    "--optimize-for-size",
    "--single-threaded-gc",
    "--v8-pool-size=1",
    "--disable-warning=ExperimentalWarning",
    `--max-old-space-size=${options.memoryMb}`,
    `--max-semi-space-size=${youngMb}`,
    `--stack-size=${STACK_KB}`,
  ];
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); undefined where it cannot be read. */
function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): state is the first, utime the 12th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in MB, from /proc (Linux); undefined where it cannot be read. */
export function residentMemoryMb(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
    return Number.isFinite(pages) ? (pages * 4096) / (1024 * 1024) : undefined;
  } catch {
    return undefined;
  }
}

type PendingCall = { readonly resolve: (result: TaskCallResult<unknown>) => void; readonly timer: NodeJS.Timeout };

/**
 * One task process, from start to death (protocol.md §2; docs/writing-a-task.md "What a task can reach"). It runs
 * under Node's permission model as an unprivileged user with an empty environment, speaks only length-prefixed
 * frames on fd 3, and is killed when a call overruns, its memory passes the limit, it floods its output or it sends
 * a message the node cannot accept. Every pending call then fails; the runner starts a new process for the next.
 */
export class ProcessConnection {
  /** Resolves when the bundle is loaded and its routes registered; rejects with why it could not start. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or -1 after a signal) once the process has ended. */
  readonly exited: Promise<number>;
  readonly #child: ChildProcess;
  readonly #channel: Writable;
  readonly #options: ProcessConnectionOptions;
  readonly #pending = new Map<number, PendingCall>();
  readonly #watchdog: NodeJS.Timeout | undefined;
  #resume: NodeJS.Timeout | undefined;
  #lastId = 0;
  #alive = true;
  #closing = false;
  #probing: { readonly id: number; readonly timer: NodeJS.Timeout } | undefined;
  /** Callers of healthy() waiting for the probe in flight to end. */
  #probeWaiters: (() => void)[] = [];
  #hostRequestsInFlight = 0;
  #outputWindowStart = performance.now();
  #outputBytes = 0;
  #stderrTail = "";
  #starting: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: ProcessConnectionOptions) {
    this.#options = options;
    this.#child = spawn(process.execPath, [...taskProcessFlags(options), options.scriptPath], {
      cwd: options.dataDir,
      // Nothing of the node's environment (keys, tokens, NODE_OPTIONS): only where the task may keep files.
      env: { HOME: options.dataDir, TMPDIR: options.dataDir },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
      windowsHide: true,
    });
    this.#channel = this.#child.stdio[3] as Writable;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#starting = { resolve, reject };
    });
    this.ready.catch(() => {}); // the runner observes it; never an unhandled rejection here
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code) => resolve(code ?? -1));
      this.#child.once("error", () => resolve(-1));
    });
    const startTimer = setTimeout(() => {
      this.#stop(failure("crashed", `the bundle did not load within ${options.startTimeoutMs} ms`));
    }, options.startTimeoutMs);
    const clear = () => clearTimeout(startTimer);
    this.ready.then(clear, clear);
    this.#listen(options);
    this.#watchdog = this.#startWatchdog(options);
    this.#send({ type: "init", init: options.init });
    // An idle task process never keeps the node's process alive (pending calls hold timers); when the node exits
    // without closing it, its end of fd 3 closes and the task process exits too.
    this.#child.unref();
    for (const stream of this.#child.stdio) (stream as { unref?: () => void } | null)?.unref?.();
  }

  get alive(): boolean {
    return this.#alive;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Runs one call. On timeout the call fails; the process is killed (the only way to stop synchronous task code)
   * unless it shows, by answering a ping, that it was only waiting.
   */
  call(call: TaskCall, timeoutMs: number): Promise<TaskCallResult<unknown>> {
    if (!this.#alive) return Promise.resolve(failure("crashed", "the task process is gone"));
    const id = ++this.#lastId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const timedOut = failure("timeout", `the ${call.kind} call did not finish within ${timeoutMs} ms`);
        resolve(timedOut);
        this.#probe(timedOut);
      }, timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#send({ type: "call", id, call });
    });
  }

  /**
   * After a call timed out: a process whose event loop still answers within PROBE_GRACE_MS was only waiting (on the
   * network, a promise that never settles); the call has failed and its late result will be ignored, but the calls
   * beside it carry on. One that does not answer is stuck in synchronous code and is killed, failing them all.
   */
  #probe(timedOut: TaskFailure): void {
    if (!this.#alive || this.#probing !== undefined) return;
    if (this.#resume !== undefined && this.#child.pid !== undefined) {
      // A paused process could not answer: resume it now (its CPU debt stays and pauses it again later).
      clearTimeout(this.#resume);
      this.#resume = undefined;
      this.#continue(this.#child.pid);
    }
    const id = ++this.#lastId;
    const killer = setTimeout(() => {
      this.#probing = undefined;
      this.#stop(failure("crashed", "the task process was restarted because another call timed out"), timedOut);
    }, PROBE_GRACE_MS);
    this.#probing = { id, timer: killer };
    this.#send({ type: "ping", id });
  }

  #onPong(id: number): void {
    if (this.#probing?.id !== id) return;
    clearTimeout(this.#probing.timer);
    this.#probing = undefined;
    this.#wakeProbeWaiters();
  }

  #wakeProbeWaiters(): void {
    const waiters = this.#probeWaiters;
    this.#probeWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Whether the process takes calls; while a probe is in flight, waits for its answer (or the kill) first. */
  healthy(): Promise<boolean> {
    if (this.#probing === undefined) return Promise.resolve(this.#alive);
    return new Promise((resolve) => this.#probeWaiters.push(() => resolve(this.#alive)));
  }

  /** Kills the process; pending calls fail with "crashed". Resolves once it has exited. */
  async terminate(): Promise<void> {
    this.#closing = true;
    this.#child.ref(); // waiting for the exit must keep the node's event loop alive
    this.#stop(failure("crashed", "the task runner was closed"));
    await this.exited;
  }

  #listen(options: ProcessConnectionOptions): void {
    const reader = createFrameReader({
      maxFrameBytes: MAX_TASK_FRAME_BYTES,
      onFrame: (message) => this.#onMessage(message),
      onError: (message) => this.#stop(failure("bad-message", `the task process sent garbage: ${message}`)),
    });
    this.#channel.on("data", (chunk: Buffer) => reader.push(chunk));
    this.#channel.on("error", () => {}); // the exit handler reports the death
    this.#forwardOutput(this.#child.stdout as Readable, "info", options.host);
    this.#forwardOutput(this.#child.stderr as Readable, "warn", options.host);
    this.#child.on("error", (error) => this.#stop(failure("crashed", `cannot start the task process: ${error}`)));
    // "close" comes after the output streams have ended, so the stderr tail is complete when the death is explained.
    this.#child.on("close", (code, signal) => this.#onExit(code, signal));
  }

  #startWatchdog(options: ProcessConnectionOptions): NodeJS.Timeout | undefined {
    const pid = this.#child.pid;
    if (pid === undefined || residentMemoryMb(pid) === undefined) return undefined;
    const limitMb = options.rssLimitMb ?? options.memoryMb + RSS_HEADROOM_MB;
    const throttle = this.#cpuThrottle(pid, options);
    const timer = setInterval(() => {
      const rssMb = residentMemoryMb(pid);
      if (rssMb !== undefined && rssMb > limitMb) {
        const message = `the task process used ${Math.round(rssMb)} MB of memory, over its limit of ${limitMb} MB`;
        this.#stop(failure("out-of-memory", message));
        return;
      }
      throttle();
    }, RSS_POLL_MS);
    timer.unref();
    return timer;
  }

  /**
   * The CPU share (docs/writing-a-task.md "Limits"): credit accrues at `cpuPercent` of one core of wall time (at most
   * CPU_WINDOW_MS of it banked) and the process's CPU time is charged against it; when the credit runs out the process
   * is paused (SIGSTOP) until the debt is repaid, then resumed (SIGCONT). Its calls keep their wall-time limits, so a
   * task that needs more CPU than its share within a window ends with a timeout, never by starving the node.
   */
  #cpuThrottle(pid: number, options: ProcessConnectionOptions): () => void {
    if (options.cpuPercent === undefined) return () => {};
    const share = options.cpuPercent / 100;
    const burst = CPU_WINDOW_MS * share;
    let last = performance.now();
    let lastCpu = cpuTimeMs(pid) ?? 0;
    let credit = burst;
    return () => {
      if (this.#resume !== undefined || !this.#alive) return;
      const now = performance.now();
      const cpu = cpuTimeMs(pid);
      if (cpu === undefined) return;
      credit = Math.min(burst, credit + (now - last) * share) - (cpu - lastCpu);
      last = now;
      lastCpu = cpu;
      if (credit >= 0) return;
      const pauseMs = Math.min(MAX_PAUSE_MS, Math.ceil(-credit / share));
      try {
        process.kill(pid, "SIGSTOP");
      } catch {
        return;
      }
      this.#resume = setTimeout(() => {
        this.#resume = undefined;
        if (this.#alive) this.#continue(pid);
      }, pauseMs);
      this.#resume.unref();
    };
  }

  #continue(pid: number): void {
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // already gone: the exit handler reports it
    }
  }

  /** Task output becomes log lines, within a byte budget: a task that floods is ended, not buffered. */
  #forwardOutput(stream: Readable, level: "info" | "warn", host: TaskHost): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      if (!this.#alive) return;
      if (level === "warn") this.#stderrTail = (this.#stderrTail + text).slice(-STDERR_TAIL_CHARS);
      if (!this.#chargeOutput(text.length)) return;
      const lines = (partial + text).split("\n");
      partial = truncate(lines.pop() ?? "").slice(0, MAX_MESSAGE_CHARS);
      for (const line of lines)
        if (line.length > 0) host.log[level](`${level === "info" ? "stdout" : "stderr"}: ${truncate(line)}`);
    });
    stream.on("error", () => {});
  }

  /**
   * Counts output (stdout, stderr and ctx.log lines) against the budget of MAX_OUTPUT_BYTES_PER_MINUTE; past it the
   * process is ended and this returns false.
   */
  #chargeOutput(bytes: number): boolean {
    if (performance.now() - this.#outputWindowStart > 60_000) {
      this.#outputWindowStart = performance.now();
      this.#outputBytes = 0;
    }
    this.#outputBytes += bytes;
    if (this.#outputBytes <= MAX_OUTPUT_BYTES_PER_MINUTE) return true;
    const limit = `${MAX_OUTPUT_BYTES_PER_MINUTE} bytes a minute`;
    this.#stop(failure("output-flood", `the task process wrote more than ${limit} to stdout, stderr and its log`));
    return false;
  }

  #send(message: ParentMessage): void {
    try {
      this.#channel.write(encodeFrame(message));
    } catch (error) {
      this.#stop(failure("crashed", `cannot send to the task process: ${errorMessage(error)}`));
    }
  }

  #settle(id: number, result: TaskCallResult<unknown>): void {
    const pending = this.#pending.get(id);
    if (!pending) return; // already timed out, or an id task code made up
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  /** Ends the process; pending calls fail with `reason`, and the log says `cause` (the timeout behind a restart). */
  #stop(reason: TaskFailure, cause: TaskFailure = reason): void {
    const wasAlive = this.#alive;
    this.#alive = false;
    if (this.#watchdog !== undefined) clearInterval(this.#watchdog);
    if (this.#resume !== undefined) clearTimeout(this.#resume);
    this.#resume = undefined;
    if (this.#probing !== undefined) clearTimeout(this.#probing.timer);
    this.#probing = undefined;
    this.#wakeProbeWaiters();
    this.#starting?.reject(new GradualError(failureCode(reason), { message: reason.message }));
    this.#starting = undefined;
    for (const id of [...this.#pending.keys()]) this.#settle(id, reason);
    if (wasAlive) {
      this.#child.kill("SIGKILL");
      this.#channel.destroy();
      // Logged here too, because a process can die between calls (a timer that exits, a flood after its answer).
      if (!this.#closing) this.#options.host.log.warn(`task process ended: ${failureCode(cause)}: ${cause.message}`);
    }
  }

  #onMessage(raw: unknown): void {
    if (!this.#alive) return;
    const message = parseWorkerMessage(raw);
    if (!message) {
      this.#stop(failure("bad-message", "the task process sent a malformed message"));
      return;
    }
    this.#dispatch(message);
  }

  #dispatch(message: WorkerMessage): void {
    switch (message.type) {
      case "pong":
        this.#onPong(message.id);
        break;
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
        if (this.#chargeOutput(message.message.length)) {
          forwardLog(this.#options.host, message.level, message.message, message.fields);
        }
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
      this.#channel.write(encodeFrame(reply));
    } catch (error) {
      const message = `${method}: the node's answer cannot be sent to the task: ${errorMessage(error)}`;
      this.#send({ type: "host-reply", id, ok: false, message });
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const outOfMemory = /heap limit|heap out of memory|Allocation failed/i.test(this.#stderrTail);
    const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
    const tail = this.#stderrTail.trim().split("\n").slice(-3).join(" | ");
    this.#stop(
      outOfMemory
        ? failure("out-of-memory", `the task exceeded its memory limit of ${this.#options.memoryMb} MB (memoryMb)`)
        : failure("crashed", `the task process ${how}${tail.length > 0 ? `: ${tail}` : ""}`),
    );
  }
}
