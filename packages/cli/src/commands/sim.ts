import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import {
  buildReport,
  formatSummary,
  isRulesName,
  loadScenario,
  RULE_NAMES,
  runSimulation,
  ScenarioError,
  SimulationError,
} from "@gradual/sim";
import { type Command, Option } from "commander";
import { CliError, printJson } from "../output.ts";

type SimOptions = {
  scenario?: string;
  seed?: string;
  replay?: string;
  rules: string;
  json?: boolean;
  everySlot?: boolean;
};
type ReportOptions = {
  out?: string;
  seeds?: string;
  propertySeeds?: string;
  quick?: boolean;
  jobs?: string;
  pairedReveals?: boolean;
};

const SIM_HELP = `
Runs one scenario on a virtual clock with the real protocol core and the node's real decide(), asserting the
invariants of protocol.md §11 after every slot. The same seed gives the same result and state root.

Examples:
  gradual sim --scenario packages/sim/scenarios/whale-49.yaml
  gradual sim --scenario packages/sim/scenarios/whale-49.yaml --rules koii --seed 3
  gradual sim --scenario packages/sim/scenarios/mixed-faults.yaml --replay 412 --json > run.json

Scenario files are YAML; docs/simulator.md documents the format. An invariant break prints the seed, the slot and
the replay command, and exits with code 2.`;

const REPORT_HELP = `
Runs the fixed sweep (whale share 10-80%, patient whales, lazy, griefer, copier and offline shares, node counts,
ramp lengths) under gradual's and Koii's rules and writes report.md, PNG charts and results.json into DIR.
Progress goes to stderr. The full sweep takes one to two minutes on two cores; --quick runs a small one.

Example:
  gradual sim report --out report/

(docs/simulator-report/ holds the committed report: --out there overwrites it.)`;

function integer(name: string, raw: string | undefined, minimum: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < minimum) {
    throw new CliError("CLI__BAD_OPTION", `${name}: expected an integer >= ${minimum}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function runSim(options: SimOptions): void {
  if (options.scenario === undefined) throw new CliError("CLI__MISSING_OPTION", "--scenario <file> is required");
  if (options.seed !== undefined && options.replay !== undefined) {
    throw new CliError("CLI__BAD_OPTION", "give --seed or --replay, not both (they mean the same)");
  }
  const seed = integer(options.replay === undefined ? "--seed" : "--replay", options.replay ?? options.seed, 0) ?? 1;
  if (!isRulesName(options.rules)) {
    throw new CliError("CLI__BAD_OPTION", `--rules: expected one of ${RULE_NAMES.join(", ")}, got ${options.rules}`);
  }
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(options.scenario);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError("SIM__BAD_SCENARIO", error.message);
    throw error;
  }
  try {
    const result = runSimulation(scenario, {
      seed,
      rules: options.rules,
      scenarioPath: options.scenario,
      ...(options.everySlot ? { wake: "every-slot" as const } : {}),
    });
    if (options.json) printJson(result);
    else process.stdout.write(`${formatSummary(result)}\n`);
  } catch (error) {
    if (error instanceof SimulationError) throw new CliError("SIM__INVARIANT_BROKEN", error.message, 2);
    throw error;
  }
}

/**
 * Formats the written report with the repository's formatter when it is installed, so that generated docs pass
 * `npm run lint` like hand-written ones. Elsewhere the files stay as written.
 */
function formatReport(dir: string): void {
  let biome: string;
  try {
    biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
  } catch {
    return;
  }
  spawnSync(process.execPath, [biome, "format", "--write", dir], { stdio: "ignore" });
}

async function runReport(options: ReportOptions): Promise<void> {
  if (options.out === undefined) throw new CliError("CLI__MISSING_OPTION", "--out <dir> is required");
  const seeds = integer("--seeds", options.seeds, 1);
  const propertySeeds = integer("--property-seeds", options.propertySeeds, 1);
  const workers = integer("--jobs", options.jobs, 1);
  const summary = await buildReport({
    outDir: resolve(options.out),
    quick: options.quick ?? false,
    pairedReveals: options.pairedReveals ?? false,
    ...(seeds === undefined ? {} : { seeds }),
    ...(propertySeeds === undefined ? {} : { propertySeeds }),
    ...(workers === undefined ? {} : { workers }),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  formatReport(summary.outDir);
  for (const status of summary.properties.statuses.filter((item) => item.rules === "gradual")) {
    const worst =
      status.worst === null
        ? ""
        : `; worst ${status.worst.scenario}, seed ${status.worst.seed}: ${status.worst.figure}`;
    process.stdout.write(
      `${(status.met ? "met" : "missed").padEnd(7)} ${status.id} ${status.wording}\n` +
        `        gradual: ${status.runs - status.failures} of ${status.runs} runs pass${worst}\n`,
    );
  }
  for (const goal of summary.figures.headline) {
    process.stdout.write(
      `${goal.status.padEnd(7)} ${goal.goal}\n        gradual: ${goal.gradual}\n        koii:    ${goal.koii}\n`,
    );
  }
  process.stdout.write(`wrote ${summary.files.length} files to ${summary.outDir} (${summary.runs} runs)\n`);
  if (summary.breaks.length > 0) {
    throw new CliError(
      "SIM__INVARIANT_BROKEN",
      `${summary.breaks.length} run(s) broke an invariant:\n${summary.breaks.join("\n")}`,
      2,
    );
  }
}

/**
 * A missing option reported as commander reports a `requiredOption` (CLI__MISSING_OPTION with the `see ... --help`
 * hint): `sim`'s --scenario cannot be a requiredOption, since commander would then ask it of `sim report` too.
 */
function requireOption(command: Command, value: string | undefined, flags: string): void {
  if (value === undefined)
    command.error(`error: required option '${flags}' not specified`, {
      code: "commander.missingMandatoryOptionValue",
      exitCode: 1,
    });
}

export function register(program: Command): void {
  const sim = program
    .command("sim")
    .description("Deterministic adversarial simulator: run a scenario, or build the economic-security report")
    .option("--scenario <file>", "scenario file (YAML, see docs/simulator.md); required")
    .option("--seed <n>", "seed of the run (default 1)")
    .option("--replay <n>", "replay the run of this seed (same as --seed)")
    .addOption(new Option("--rules <name>", "rule set").choices([...RULE_NAMES]).default("gradual"))
    .option("--json", "print the whole result as JSON, with the per-round series")
    .option("--every-slot", "call decide() for every node in every slot (slow; the same result)")
    .addHelpText("after", SIM_HELP)
    .action((options: SimOptions, command: Command) => {
      requireOption(command, options.scenario, "--scenario <file>");
      runSim(options);
    });
  sim
    .command("report")
    .description("Run the fixed sweep under both rule sets and write report.md with PNG charts")
    .option("--out <dir>", "output directory; required")
    .option("--seeds <n>", "seeds per point of the charts' sweeps (default 2; 1 with --quick)")
    .option("--property-seeds <n>", "seeds of the property runs P1-P7, 1..n (default 10; 1 with --quick)")
    .option(
      "--paired-reveals",
      "gradual's runs on tasks that pair reveals with the next commits (revealSlots 0, protocol.md §2.2)",
    )
    .option("--quick", "a small sweep: fewer points and seeds")
    .option("--jobs <n>", "worker threads (default: the machine's cores, at most 4)")
    .addHelpText("after", REPORT_HELP)
    .action((options: ReportOptions, command: Command) => {
      requireOption(command, options.out, "--out <dir>");
      return runReport(options);
    });
}
