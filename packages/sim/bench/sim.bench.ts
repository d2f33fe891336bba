/**
 * npm run bench:sim: simulator throughput in node-rounds per minute for 1,000 and 10,000 honest nodes with
 * auditsPerNode 8, where the time goes (the protocol core's applyBlock, the node's decide(), the invariant checks,
 * the rest), and audit work per round against the all-pairs baseline. Figures only, no assertions.
 *
 * A node-round is one staked node through one of the scenario's rounds (the rounds that settle the last cycles
 * after the task closes are simulated too but not counted). The goal is 1,000,000 node-rounds per wall minute on
 * the machine's cores, measured twice: two runs per worker (start-up and compilation weigh on it) and about a minute
 * of runs per worker (BENCH_SIM_MINUTE_RUNS runs each, default 30; 0 skips it). Runs skip the final state root, as
 * the report's runs do (a one-off hash of the whole state, not part of simulating a round). The machine's load
 * average is printed with the figures: other jobs on the same cores lower every wall-time figure.
 */
import { cpus, loadavg } from "node:os";

/**
 * The code measured: the compiled simulator (dist/, what `gradual sim` runs, its workers plain JavaScript), or with
 * BENCH_SIM_SOURCE=1 the TypeScript sources through tsx (each worker then registers tsx and transpiles again).
 */
const FROM_SOURCE = process.env.BENCH_SIM_SOURCE === "1";
const base = FROM_SOURCE ? "../src/" : "../dist/";
const extension = FROM_SOURCE ? "ts" : "js";
const { createScenario, runSimulation } = (await import(
  `${base}index.${extension}`
)) as typeof import("../src/index.ts");
const { runJobs } = (await import(`${base}report/pool.${extension}`)) as typeof import("../src/report/pool.ts");

const GOAL = 1_000_000;

function scenarioInput(nodes: number, rounds: number): Record<string, unknown> {
  return {
    name: `bench-${nodes}`,
    task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0, auditsPerNode: 8 } },
    rounds,
    groups: [{ name: "honest", strategy: "honest", count: nodes, stake: 1000 }],
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const perMinute = (nodeRounds: number, ms: number) => Math.round((nodeRounds / ms) * 60_000);
const share = (part: number, total: number) => `${((part / total) * 100).toFixed(0)}%`;
const format = (value: number) => value.toLocaleString("en-US");

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
console.log(
  `gradual bench:sim, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}, ${FROM_SOURCE ? "TypeScript sources (tsx)" : "compiled dist/"}`,
);
console.log(`load average at start: ${load()}\n`);
for (const [nodes, rounds] of [
  [1_000, 12],
  [10_000, 4],
] as const) {
  const scenario = createScenario(scenarioInput(nodes, rounds));
  const cpuStart = cpuMs();
  const wallStart = performance.now();
  const result = runSimulation(scenario, { seed: 1, profile: true, stateRoot: false });
  const cpu = cpuMs() - cpuStart;
  const wall = performance.now() - wallStart;
  const profile = result.profile ?? { protocolMs: 0, decideMs: 0, checksMs: 0, totalMs: wall };
  const m = result.metrics;
  console.log(
    `${format(nodes)} honest nodes, ${rounds} rounds (auditsPerNode 8): ${format(result.nodeRounds)} node-rounds`,
  );
  console.log(
    `  node-rounds per minute   ${format(perMinute(result.nodeRounds, cpu))} per CPU minute, ${format(perMinute(result.nodeRounds, wall))} per wall minute (goal ${format(GOAL)})`,
  );
  console.log(`  time                     ${(cpu / 1000).toFixed(1)} s CPU, ${(wall / 1000).toFixed(1)} s wall`);
  console.log(
    `  where it goes            protocol core ${share(profile.protocolMs, profile.totalMs)}, decide() ${share(profile.decideMs, profile.totalMs)}, ` +
      `invariant checks ${share(profile.checksMs, profile.totalMs)}, simulator ${share(profile.totalMs - profile.protocolMs - profile.decideMs - profile.checksMs, profile.totalMs)}`,
  );
  const protocolCpu = cpu * (profile.protocolMs / profile.totalMs);
  console.log(
    `  protocol core alone      ${format(perMinute(result.nodeRounds, protocolCpu))} node-rounds per CPU minute (the ceiling with a free simulator)`,
  );
  console.log(
    `  per node-round           ${(result.transactions / result.nodeRounds).toFixed(2)} transactions, ${(result.decideCalls / result.nodeRounds).toFixed(2)} decide() calls`,
  );
  console.log(
    `  audit work per round     ${format(Math.round(m.auditChecksPerRound))} proof checks; all pairs would be ${format(Math.round(m.allPairsChecksPerRound))} ` +
      `(${(m.allPairsChecksPerRound / Math.max(m.auditChecksPerRound, 1)).toFixed(0)}x more)\n`,
  );
}

// Every core, as the report's sweeps run: two 1,000-node runs per worker thread (worker start-up included), then
// about a minute of them (each worker running one run after another, as in a report's sweep of many scenarios): the
// first line is mostly start-up and V8's compilation, the second what a sweep runs at once its workers are warm.
const workers = Math.min(cpus().length, 4);
const everyCore = async (runsPerWorker: number) => {
  const jobs = Array.from({ length: runsPerWorker * workers }, (_, index) => ({
    index,
    scenario: scenarioInput(1_000, 12),
    rules: "gradual" as const,
    seed: index + 1,
    keepSeries: false,
  }));
  const wallStart = performance.now();
  const results = await runJobs(jobs, { workers });
  const wall = performance.now() - wallStart;
  const nodeRounds = results.reduce((total, result) => total + result.nodeRounds, 0);
  return { jobs: jobs.length, nodeRounds, wall };
};
const short = await everyCore(2);
console.log(
  `${workers} worker threads, ${short.jobs} 1,000-node runs (${(short.wall / 1000).toFixed(1)} s): ${format(perMinute(short.nodeRounds, short.wall))} node-rounds per wall minute in all (goal ${format(GOAL)})`,
);
/** Runs per worker for the minute-long line (BENCH_SIM_MINUTE_RUNS; 0 skips it): about 2 s each on this machine. */
const minuteRuns = Number(process.env.BENCH_SIM_MINUTE_RUNS ?? 30);
if (Number.isInteger(minuteRuns) && minuteRuns > 0) {
  const minute = await everyCore(minuteRuns);
  console.log(
    `${workers} worker threads, ${minute.jobs} 1,000-node runs (${(minute.wall / 1000).toFixed(1)} s): ${format(perMinute(minute.nodeRounds, minute.wall))} node-rounds per wall minute in all (goal ${format(GOAL)})`,
  );
}
console.log(`load average at end: ${load()}`);
