/**
 * npm run soak:sim [-- --seeds N --rounds R --jobs J]: the mixed-faults scenario (every strategy, every kind of
 * fault) for seeds 1..N (default 1,000) of R rounds (default 50), odd seeds under gradual's rules and even seeds
 * under Koii's, on worker threads. Every invariant is asserted after every slot of every run; any break is printed
 * with its replay command and the exit code is 1.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { replayCommand } from "../src/index.ts";
import type { Job } from "../src/report/jobs.ts";
import { defaultWorkers, runJobs } from "../src/report/pool.ts";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer`);
  return value;
}

const seeds = option("seeds", 1_000);
const rounds = option("rounds", 50);
const workers = option("jobs", defaultWorkers());
const path = "packages/sim/scenarios/mixed-faults.yaml";
const scenario = {
  ...(parse(readFileSync(fileURLToPath(new URL("../scenarios/mixed-faults.yaml", import.meta.url)), "utf8")) as Record<
    string,
    unknown
  >),
  rounds,
};
const jobs: Job[] = Array.from({ length: seeds }, (_, index) => ({
  index,
  scenario,
  rules: index % 2 === 0 ? "gradual" : "koii",
  seed: index + 1,
  keepSeries: false,
}));
const started = performance.now();
let nodeRounds = 0;
const breaks: string[] = [];
console.log(`soak:sim: ${seeds} seeds x ${rounds} rounds of mixed-faults on ${workers} worker(s)`);
await runJobs(jobs, {
  workers,
  onResult: (result, done, total) => {
    const job = jobs[result.index] as Job;
    nodeRounds += result.nodeRounds;
    if (result.error !== null) {
      breaks.push(
        `seed ${job.seed} (${job.rules}): ${result.error}\n  replay: ${replayCommand(path, job.seed, job.rules)}`,
      );
      console.log(`BREAK seed ${job.seed} ${job.rules}: ${result.error}`);
    }
    if (done % 50 === 0 || done === total) {
      const minutes = (performance.now() - started) / 60_000;
      console.log(`  ${done}/${total} runs, ${breaks.length} invariant break(s), ${minutes.toFixed(1)} min`);
    }
  },
});
const minutes = (performance.now() - started) / 60_000;
console.log(
  `soak:sim: ${seeds} runs, ${nodeRounds.toLocaleString("en-US")} node-rounds in ${minutes.toFixed(1)} min: ` +
    `${breaks.length} invariant break(s)`,
);
for (const line of breaks) console.log(line);
process.exit(breaks.length === 0 ? 0 : 1);
