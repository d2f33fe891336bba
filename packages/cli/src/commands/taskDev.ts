import { type FSWatcher, mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { writeBundleFile } from "@gradual/node/bundle";
import { bundleTask } from "@gradual/sdk/bundle";
import type { Command } from "commander";
import { startTaskSite } from "../devnet/taskSite.ts";
import { CliError } from "../output.ts";
import { loadTaskConfig } from "../taskConfig.ts";

/** The steps of a cycle whose time the dev loop reports, in the order a cycle runs them. */
const DEV_STEPS = ["task", "submission", "audit", "distribution"] as const;
export type DevStep = (typeof DEV_STEPS)[number];

/** What the timing wrapper logs from inside the sandbox, one line per call: `gradual:timing STEP ROUND MS`. */
const TIMING_LINE = /^\s+node-\d+ log: gradual:timing (task|submission|audit|distribution) (\d+) ([\d.]+)$/;

/** Folders whose changes never trigger a rerun: installed packages, build output, node data, version control. */
const IGNORED = /(^|[\\/])(node_modules|dist|\.data|\.git|\.tsbuild)([\\/]|$)/;

/**
 * The entry the dev loop bundles: the task as written, each of its four functions wrapped to measure its own time
 * inside the sandbox (not the host's round trip) and to log it through ctx.log, which the loop reads back.
 */
function timingEntry(taskEntry: string): string {
  return `import definition from ${JSON.stringify(taskEntry)};
const timed = (step, call) =>
  call === undefined
    ? undefined
    : async (ctx, ...rest) => {
        const started = performance.now();
        try {
          return await call(ctx, ...rest);
        } finally {
          ctx.log.info(\`gradual:timing \${step} \${ctx.round} \${(performance.now() - started).toFixed(2)}\`);
        }
      };
const wrapped = { ...definition };
for (const step of ${JSON.stringify(DEV_STEPS)}) if (definition[step] !== undefined) wrapped[step] = timed(step, definition[step]);
export default wrapped;
`;
}

type Timings = Map<number, Map<DevStep, number[]>>;

function formatMs(values: readonly number[] | undefined): string {
  if (values === undefined || values.length === 0) return "–";
  const max = Math.max(...values);
  return `${max < 10 ? max.toFixed(1) : Math.round(max)} ms`;
}

/** One line per round: the slowest node's time for each step (what decides whether the round's windows are met). */
function formatRoundTimings(round: number, steps: ReadonlyMap<DevStep, number[]>): string {
  return `  round ${String(round).padEnd(3)} ${DEV_STEPS.map((step) => `${step} ${formatMs(steps.get(step))}`).join(" · ")}`;
}

type DevOptions = { nodes: string; rounds: string; verbose?: boolean };

type RunOutcome = "passed" | "failed" | "stopped";

/** One rebuild and rerun: bundle (with the timing wrapper), then the local network; prints timings as it goes. */
async function runOnce(
  directory: string,
  options: { nodes: number; rounds: number; verbose: boolean },
  signal: AbortSignal,
  say: (line: string) => void,
): Promise<RunOutcome> {
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), "gradual-dev-"));
  try {
    const config = loadTaskConfig(directory);
    const entry = join(scratch, "entry.mjs");
    writeFileSync(entry, timingEntry(config.entry));
    const bundled = performance.now();
    const { createSandboxedTaskRunner, runLocalNetwork } = await import("@gradual/node");
    const bundle = await bundleTask(entry, { workingDir: config.directory });
    const bundlePath = await writeBundleFile(bundle.code, { directory: join(tmpdir(), "gradual-dev-bundles") });
    say(`  bundle    ${formatMs([performance.now() - bundled])}  (${bundle.bytes} bytes)`);
    const site = await startTaskSite(config);
    const timings: Timings = new Map();
    let printedRound = -1;
    const flush = (upTo: number) => {
      for (const round of [...timings.keys()].sort((a, b) => a - b)) {
        if (round > upTo || round <= printedRound) continue;
        say(formatRoundTimings(round, timings.get(round) ?? new Map()));
        printedRound = round;
      }
    };
    try {
      const result = await runLocalNetwork({
        nodes: options.nodes,
        rounds: options.rounds,
        params: { ...config.params, maxNodes: Math.max(config.params.maxNodes, options.nodes) },
        config: (site?.config ?? config).config,
        limits: config.limits,
        // Each node's routes and revealed proofs at the URL it staked with, as on a devnet.
        serveHttp: true,
        createRunner: (host, limits) => createSandboxedTaskRunner({ bundlePath, host, limits }),
        signal,
        onReport: (line) => {
          const timing = TIMING_LINE.exec(line);
          if (timing !== null) {
            const round = Number(timing[2]);
            const steps = timings.get(round) ?? new Map<DevStep, number[]>();
            const step = timing[1] as DevStep;
            steps.set(step, [...(steps.get(step) ?? []), Number(timing[3])]);
            timings.set(round, steps);
            return;
          }
          const round = /^round (\d+)$/.exec(line);
          if (round !== null) flush(Number(round[1]) - 1);
          if (options.verbose || /FAILED|refused|setup failed|✘/.test(line)) say(line);
        },
      });
      flush(Number.POSITIVE_INFINITY);
      const paid = result.events.filter((event) => event.type === "CycleCompleted" && event.outcome === "paid").length;
      const failed = result.calls.filter((call) => !call.ok).length;
      const ok = failed === 0 && paid > 0;
      say(
        `  ${ok ? "✔ passed" : "✘ failed"}: ${paid} cycle(s) paid; ${result.calls.length - failed} calls ok, ${failed} failed (run ${formatMs([performance.now() - started])})`,
      );
      return ok ? "passed" : "failed";
    } finally {
      await site?.close();
    }
  } catch (error) {
    if (signal.aborted) return "stopped";
    const code = (error as { code?: unknown }).code;
    say(`  ✘ error[${typeof code === "string" ? code : "TASK_DEV__RUN_FAILED"}]: ${(error as Error).message}`);
    return "failed";
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `gradual task dev [dir]`: watches a task folder; on start and on every change, rebuilds the bundle and reruns the
 * local test (several sandboxed nodes on an in-memory ledger), printing each round's step timings. A change during a
 * run stops it and starts a new one. Ctrl-C (SIGINT) or SIGTERM stops the run and the watcher, then exits 0.
 */
export function registerTaskDev(task: Command): void {
  task
    .command("dev")
    .argument("[dir]", "task folder (holding task.yml)", ".")
    .description("Watch a task: rebuild and rerun its local test on every change, with per-step timings")
    .option("--nodes <n>", "number of nodes", "3")
    .option("--rounds <n>", "rounds of work per run", "2")
    .option("--verbose", "print every call and event of each run, as gradual task test does")
    .addHelpText(
      "after",
      `
Each run bundles the task (esbuild), then runs it as \`gradual task test\` does: several sandboxed nodes on an
in-memory ledger. For every round it prints the slowest node's time of each step (task, submission, audit,
distribution), measured inside the sandbox around the task's own function. Changes in the folder (except
node_modules, dist and .data) start a new run; a change during a run stops it first. Ctrl-C stops it.

Example:
  gradual task dev my-task --rounds 3`,
    )
    .action(async (dir: string, options: DevOptions) => {
      const directory = resolve(dir);
      const nodes = Number(options.nodes);
      const rounds = Number(options.rounds);
      if (!Number.isInteger(nodes) || nodes < 2 || nodes > 50)
        throw new CliError("CLI__BAD_INPUT", "--nodes: expected 2..50");
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100)
        throw new CliError("CLI__BAD_INPUT", "--rounds: expected 1..100");
      loadTaskConfig(directory); // a missing or invalid task.yml is an error at once, not a watch on nothing
      await watchTask(directory, { nodes, rounds, verbose: options.verbose === true });
    });
}

async function watchTask(directory: string, options: { nodes: number; rounds: number; verbose: boolean }) {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let current: { controller: AbortController; done: Promise<RunOutcome> } | undefined;
  let runs = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();

  const start = (reason: string) => {
    runs += 1;
    const controller = new AbortController();
    say(`── run ${runs} (${reason})`);
    const done = runOnce(directory, options, controller.signal, say).then((outcome) => {
      if (current?.controller === controller) current = undefined;
      if (!stopping && outcome !== "stopped") say(`watching ${directory} for changes (Ctrl-C stops)`);
      return outcome;
    });
    current = { controller, done };
  };

  const rerun = async () => {
    const files = [...changed].slice(0, 3).join(", ") + (changed.size > 3 ? ", …" : "");
    changed.clear();
    if (current !== undefined) {
      current.controller.abort(new Error("changed"));
      await current.done;
    }
    if (!stopping) start(`changed: ${files}`);
  };

  let watcher: FSWatcher;
  try {
    watcher = watch(directory, { recursive: true }, (_event, file) => {
      const name = file === null ? "" : String(file);
      if (stopping || IGNORED.test(name)) return;
      changed.add(relative(directory, resolve(directory, name)) || ".");
      clearTimeout(timer);
      timer = setTimeout(() => void rerun(), 150);
    });
  } catch (error) {
    throw new CliError("TASK_DEV__WATCH_FAILED", `cannot watch ${directory}: ${(error as Error).message}`);
  }
  say(`gradual task dev: ${directory}, ${options.nodes} nodes, ${options.rounds} round(s) per run`);
  start("start");

  await new Promise<void>((stopped) => {
    const stop = async () => {
      if (stopping) process.exit(130); // a second Ctrl-C: do not wait for the run
      stopping = true;
      clearTimeout(timer);
      watcher.close();
      current?.controller.abort(new Error("stopped"));
      await current?.done;
      say(`stopped after ${runs} run(s)`);
      stopped();
    };
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
  });
  // Whatever a task left open (a keep-alive socket of its fetch, say) must not keep the command alive.
  process.exit(0);
}
