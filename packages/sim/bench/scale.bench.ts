/**
 * The simulator's half of npm run bench:scale: one task with 100,000 honest nodes (auditsPerNode 8) through a few
 * rounds, with the time and memory of each round (wall and CPU time between round starts; the process's RSS and
 * V8 heap in use at each round start). Figures only, no assertions. `--nodes N` and `--rounds R` change the size.
 */
import { cpus, loadavg } from "node:os";
import { createScenario, runSimulation } from "../src/index.ts";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index < 0 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name}: expected a positive integer`);
  return value;
}

const nodes = option("nodes", 100_000);
const rounds = option("rounds", 3);
const format = (value: number) => value.toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

console.log(`gradual bench:scale (simulator), ${cpus()[0]?.model ?? "cpu"} x${cpus().length}, node ${process.version}`);
console.log(
  `load average at start: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")}`,
);
console.log(`${format(nodes)} honest nodes, ${rounds} rounds of work, auditsPerNode 8\n`);

const scenario = createScenario({
  name: `scale-${nodes}`,
  task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0, auditsPerNode: 8 } },
  rounds,
  groups: [{ name: "honest", strategy: "honest", count: nodes, stake: 1000 }],
});

type Mark = { round: number; wall: number; cpu: number; rss: number; heap: number };
const marks: Mark[] = [];
const mark = (round: number) => {
  const memory = process.memoryUsage();
  marks.push({ round, wall: performance.now(), cpu: cpuMs(), rss: memory.rss, heap: memory.heapUsed });
};
const started = { wall: performance.now(), cpu: cpuMs() };
const result = runSimulation(scenario, {
  seed: 1,
  stateRoot: false,
  onRound: (round) => {
    mark(round);
    process.stderr.write(`  round ${round} started\n`);
  },
});
mark(Number.POSITIVE_INFINITY);

console.log("| round | wall | CPU | RSS at its start | heap in use at its start |");
console.log("| ----- | ---- | --- | ---------------- | ------------------------ |");
for (let index = 0; index + 1 < marks.length; index += 1) {
  const here = marks[index] as Mark;
  const next = marks[index + 1] as Mark;
  const label = here.round < rounds ? String(here.round) : `${here.round} (settling)`;
  console.log(
    `| ${label} | ${((next.wall - here.wall) / 1000).toFixed(1)} s | ${((next.cpu - here.cpu) / 1000).toFixed(1)} s | ${mb(here.rss)} | ${mb(here.heap)} |`,
  );
}
const wall = performance.now() - started.wall;
const cpu = cpuMs() - started.cpu;
const peak = Math.max(...marks.map((entry) => entry.rss));
console.log(
  `\n${format(result.nodeRounds)} node-rounds in ${(wall / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU ` +
    `(${format(Math.round((result.nodeRounds / wall) * 60_000))} per wall minute); ${format(result.transactions)} transactions; ` +
    `largest RSS at a round start ${mb(peak)}; invariants held (the run throws otherwise)`,
);
console.log(
  `load average at end: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")}`,
);
