import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeProof } from "@gradual/sdk";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { createInProcessTaskRunner } from "../src/sandbox/inProcessRunner.ts";
import { residentMemoryMb } from "../src/sandbox/processConnection.ts";
import { createSandboxedTaskRunner } from "../src/sandbox/sandboxedRunner.ts";
import type { TaskLimits, TaskRunner } from "../src/sandbox/types.ts";
import { createFakeHost } from "../test/fakeHost.ts";
import honestTask from "../test/fixtures/honestTask.ts";

/**
 * What the task sandbox costs (bench:node's first section): per-call overhead of the process sandbox, of the
 * worker-thread sandbox it replaced and of in-process calls, on the same task and the same calls; the start of a
 * task process; the resident memory of one idle task process.
 */

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures");
const LIMITS: TaskLimits = { memoryMb: 128, callTimeoutMs: 5_000, maxProofBytes: 64 * 1024 };
const CALLS = 2_000;
const STARTS = 5;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await run();
  return [value, performance.now() - started];
}

/** Mean microseconds per call over CALLS sequential calls, after 100 to warm up. */
async function perCallMicroseconds(call: (index: number) => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 100; index++) await call(index);
  const [, elapsed] = await timed(async () => {
    for (let index = 0; index < CALLS; index++) await call(index);
  });
  return (elapsed * 1000) / CALLS;
}

/** The processes whose parent is `parent`, with their command lines (Linux /proc). */
export function childrenOf(parent: number): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== parent) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ") });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The task processes this process started (children under --experimental-permission). */
function taskProcessPids(): number[] {
  return childrenOf(process.pid)
    .filter((child) => child.cmdline.includes("--experimental-permission"))
    .map((child) => child.pid);
}

export type SandboxCost = {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes: readonly string[];
};

export async function measureSandbox(): Promise<SandboxCost> {
  const directory = await mkdtemp(path.join(tmpdir(), "gradual-sandbox-bench-"));
  try {
    const bundle = await bundleTask(path.join(FIXTURES, "honestTask.ts"));
    const bundlePath = await writeBundleFile(bundle.code, { directory });
    const start = (isolation: "process" | "worker") =>
      createSandboxedTaskRunner({ bundlePath, host: createFakeHost().host, limits: LIMITS, isolation });
    const starts = { process: [] as number[], worker: [] as number[] };
    for (let index = 0; index < STARTS; index++) {
      for (const isolation of ["process", "worker"] as const) {
        const [runner, elapsed] = await timed(() => start(isolation));
        starts[isolation].push(elapsed);
        await runner.close();
      }
    }
    const runners: Record<string, TaskRunner> = {
      "process sandbox": await start("process"),
      "worker thread (replaced)": await start("worker"),
      "in-process": createInProcessTaskRunner(honestTask, createFakeHost().host, LIMITS),
    };
    const proof = encodeProof({ square: 9 });
    const rows: string[][] = [];
    for (const [name, runner] of Object.entries(runners)) {
      const audit = await perCallMicroseconds(() => runner.audit(3, 4, proof, "a".repeat(64)));
      const work = await perCallMicroseconds((index) => runner.work(index, index));
      const startMs =
        name === "process sandbox" ? median(starts.process) : name.startsWith("worker") ? median(starts.worker) : 0;
      const startText = startMs > 0 ? `${startMs.toFixed(0)} ms` : "–";
      rows.push([name, `${audit.toFixed(0)} µs`, `${work.toFixed(0)} µs`, startText]);
    }
    // One idle task process: the runner above has answered its calls; let it settle, then read its RSS.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idle = taskProcessPids()
      .map((pid) => residentMemoryMb(pid))
      .filter((mb): mb is number => mb !== undefined);
    for (const runner of Object.values(runners)) await runner.close();
    const fresh = await start("process");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const freshIdle = taskProcessPids()
      .map((pid) => residentMemoryMb(pid))
      .filter((mb): mb is number => mb !== undefined);
    await fresh.close();
    return {
      header: ["runner", "audit call", "work call (4 host calls)", `start until ready (median of ${STARTS})`],
      rows,
      notes: [
        `Resident memory of one idle task process (goal under 60 MB): ${freshIdle.map((mb) => mb.toFixed(1)).join(", ")} MB`,
        `just started, ${idle.map((mb) => mb.toFixed(1)).join(", ")} MB after ${CALLS * 2 + 200} calls.`,
      ],
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
