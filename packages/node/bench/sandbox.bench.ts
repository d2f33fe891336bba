/**
 * node --conditions=source --import tsx packages/node/bench/sandbox.bench.ts: what the task sandbox costs. Bundle time, worker start,
 * the round trip of one call (sandboxed against in-process), a call that uses the host (store + sign over the
 * port), the restart after a timeout, and the memory of a worker. Figures only, no assertions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeProof } from "@gradual/sdk";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { createInProcessTaskRunner } from "../src/sandbox/inProcessRunner.ts";
import { createSandboxedTaskRunner } from "../src/sandbox/sandboxedRunner.ts";
import type { TaskLimits, TaskRunner } from "../src/sandbox/types.ts";
import { workerScriptPath } from "../src/sandbox/workerScript.ts";
import { createFakeHost } from "../test/fakeHost.ts";
import honestTask from "../test/fixtures/honestTask.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures");
const LIMITS: TaskLimits = { memoryMb: 64, callTimeoutMs: 2_000, maxProofBytes: 64 * 1024 };
const CALLS = 2_000;
const STARTS = 7;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await run();
  return [value, performance.now() - started];
}

async function perCallMicroseconds(call: (index: number) => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 100; index++) await call(index); // warm-up
  const [, elapsed] = await timed(async () => {
    for (let index = 0; index < CALLS; index++) await call(index);
  });
  return (elapsed * 1000) / CALLS;
}

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), "gradual-sandbox-bench-"));
  const [bundle, bundleMs] = await timed(() => bundleTask(path.join(FIXTURES, "honestTask.ts")));
  const bundlePath = await writeBundleFile(bundle.code, { directory });
  const [, workerBuildMs] = await timed(() => workerScriptPath());
  console.log(
    `bundleTask(honestTask): ${ms(bundleMs)}, ${bundle.bytes} bytes; worker script build: ${ms(workerBuildMs)}`,
  );

  const starts: number[] = [];
  for (let index = 0; index < STARTS; index++) {
    const [runner, elapsed] = await timed(() =>
      createSandboxedTaskRunner({ bundlePath, host: createFakeHost().host, limits: LIMITS }),
    );
    starts.push(elapsed);
    await runner.close();
  }
  console.log(`worker start (createSandboxedTaskRunner until ready), median of ${STARTS}: ${ms(median(starts))}`);

  const proof = encodeProof({ square: 9 });
  const audit = (runner: TaskRunner) => () => runner.audit(3, 4, proof, "a".repeat(64));
  const sandboxed = await createSandboxedTaskRunner({ bundlePath, host: createFakeHost().host, limits: LIMITS });
  const inProcess = createInProcessTaskRunner(honestTask, createFakeHost().host, LIMITS);
  const sandboxedAudit = await perCallMicroseconds(audit(sandboxed));
  const inProcessAudit = await perCallMicroseconds(audit(inProcess));
  console.log(`audit call: sandboxed ${sandboxedAudit.toFixed(0)} µs, in-process ${inProcessAudit.toFixed(0)} µs`);
  // work = task (sign, ledger.get, log, store.set) + submission (store.get): 4 host round trips + 1 log line.
  const sandboxedWork = await perCallMicroseconds((index) => sandboxed.work(index, index));
  const inProcessWork = await perCallMicroseconds((index) => inProcess.work(index, index));
  console.log(
    `work call, 4 host calls: sandboxed ${sandboxedWork.toFixed(0)} µs, in-process ${inProcessWork.toFixed(0)} µs`,
  );

  const before = process.memoryUsage().rss;
  const extra = await Promise.all(
    [1, 2, 3, 4].map(() => createSandboxedTaskRunner({ bundlePath, host: createFakeHost().host, limits: LIMITS })),
  );
  const perWorkerMb = (process.memoryUsage().rss - before) / 4 / 1024 / 1024;
  console.log(`resident memory per idle worker: about ${perWorkerMb.toFixed(0)} MB`);
  await Promise.all([...extra, sandboxed].map((runner) => runner.close()));
  await rm(directory, { recursive: true, force: true });
}

await main();
