import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type KoiiLocalNetworkResult, NOTHING_SUBMITTED, runKoiiLocalNetwork } from "@gradual/koii/localNetwork";
import { createLedgerClient, resolveLedgerUrl } from "@gradual/ledger/client";
import { createSandboxedTaskRunner, withMisbehaviour, writeBundleFile } from "@gradual/node";
import { formatTokenAmount, GradualError, getNodeView, PRESETS, type PresetName } from "@gradual/protocol";
import type { Command } from "commander";
import { applyLongLivedFlagsToSelf } from "../devnet/processes.ts";
import { startKoiiDevnet } from "../koii/devnet.ts";
import { type KoiiTask, loadKoiiTask, publishKoiiTask } from "../koii/publish.ts";
import { createTaskCallTally, taskCallVerdict } from "../koii/taskCalls.ts";
import { CliError, integerOption, printError, printJson } from "../output.ts";
import { collectTaskVar, taskVarsOf } from "../taskVars.ts";
import { callLedger } from "./account.ts";
import { createEventPrinter, followRounds } from "./devnetPrinter.ts";

/** Local runs shrink Koii's long rounds (often 1,500 slots) to this many slots unless told otherwise. */
const DEFAULT_LOCAL_ROUND_SLOTS = 40;

function presetOf(raw: string | undefined): PresetName {
  const preset = raw ?? "devnet";
  if (!(preset in PRESETS))
    throw new CliError("CLI__BAD_INPUT", `--preset: expected ${Object.keys(PRESETS).join(" or ")}`);
  return preset as PresetName;
}

function describeMapping(task: KoiiTask): string[] {
  const { mapping } = task.folder;
  const { params } = mapping;
  const lines = [
    `${mapping.name}: bundle ${task.hash} (${task.bytes} bytes)`,
    `  round_time ${mapping.koiiWindows.roundTime}, submission_window ${mapping.koiiWindows.submissionWindow}, audit_window ${mapping.koiiWindows.auditWindow} (Koii slots)`,
    `  -> roundSlots ${params.roundSlots}: commit ${params.commitSlots} | reveal ${params.revealSlots}, audit ${params.auditSlots}, votes ${params.voteSlots} | distribution ${params.distributionSlots}, audit ${params.distributionAuditSlots}`,
    `  minimumStake ${formatTokenAmount(params.minimumStake)}, bountyPerRound ${formatTokenAmount(params.bountyPerRound)}, funding ${formatTokenAmount(mapping.funding)}, allowedFailedDistributions ${params.allowedFailedDistributions}`,
  ];
  if (mapping.taskVariables.length > 0) {
    lines.push(
      `  task variables (node operators pass --task-var NAME=value): ${mapping.taskVariables.map((variable) => variable.name).join(", ")}`,
    );
  }
  for (const warning of mapping.warnings) lines.push(`  note: ${warning}`);
  return lines;
}

type LedgerEvent = { readonly type: string; readonly cycle?: number } & Record<string, unknown>;

/** One line per settled round: proofs, audit triggers with their votes and outcome, slashes, the list, vesting. */
function ledgerStory(result: KoiiLocalNetworkResult): string[] {
  const name = (account: unknown) => {
    const index = result.accounts.indexOf(account as string);
    return index < 0 ? String(account).slice(0, 8) : `node ${index}`;
  };
  const events = result.events as readonly LedgerEvent[];
  const completed = events.filter((event) => event.type === "CycleCompleted");
  const empty = completed.filter((done) => done.outcome === "no-submitters").map((done) => done.cycle as number);
  // Why a round had no submitter: nodes not active yet (no task call at all), nothing submitted, or failures.
  const why = (cycle: number) => {
    const work = result.calls.filter((call) => call.cycle === cycle && call.call === "task+submission");
    if (work.length === 0) return "no submitters (stake still warming up)";
    if (work.every((call) => call.ok && call.detail === NOTHING_SUBMITTED))
      return "no submissions (submission() returned no string)";
    if (work.every((call) => !call.ok)) return "no submitters (every task+submission failed)";
    return "no submitters";
  };
  const groups = new Map<string, number[]>();
  for (const cycle of empty) groups.set(why(cycle), [...(groups.get(why(cycle)) ?? []), cycle]);
  const lines = [...groups].map(([reason, cycles]) => `  round(s) ${cycles.join(", ")}: ${reason}`);
  return lines.concat(
    completed
      .filter((done) => done.outcome !== "no-submitters")
      .map((done) => {
        const of = (type: string) => events.filter((event) => event.type === type && event.cycle === done.cycle);
        const parts = [`  round ${done.cycle}: ${of("Revealed").length} proof(s)`];
        for (const trigger of of("TriggerResolved")) {
          const votes = of("Voted").filter((vote) => vote.trigger === trigger.trigger);
          const tally = ["valid", "invalid", "unavailable"]
            .map((choice) => `${votes.filter((vote) => vote.choice === choice).length} ${choice}`)
            .join(", ");
          parts.push(`${trigger.kind} audit of ${name(trigger.target)} ${trigger.resolution} (${tally})`);
        }
        for (const slash of of("Slashed"))
          parts.push(
            `${name(slash.node)} slashed ${formatTokenAmount((slash.fromStake as bigint) + (slash.fromVesting as bigint))}`,
          );
        const vested = of("Vested").map((vest) => `${name(vest.node)} ${formatTokenAmount(vest.amount as bigint)}`);
        parts.push(`${done.outcome}: ${vested.length === 0 ? "nobody paid" : `vesting ${vested.join(", ")}`}`);
        return parts.join("; ");
      }),
  );
}

type TestFlags = {
  nodes: string;
  cheaters: string;
  rounds: string;
  roundSlots: string;
  taskVar: string[];
  taskVarFile?: string;
  seed?: string;
  cheat: string;
  json?: boolean;
};

/** --cheat: what a cheater submits every second round (garbage, or its real output with one character changed). */
function cheatMode(text: string): "garbage" | "altered" {
  if (text === "garbage" || text === "altered") return text;
  throw new CliError("CLI__BAD_INPUT", `--cheat: expected garbage or altered, got ${JSON.stringify(text)}`);
}

async function runKoiiTest(dir: string, options: TestFlags): Promise<void> {
  const nodes = integerOption("--nodes", options.nodes, 1, 50);
  const cheaters = integerOption("--cheaters", options.cheaters, 0, nodes - 1);
  const rounds = integerOption("--rounds", options.rounds, 1, 100);
  const cheat = cheatMode(options.cheat);
  const keep = options.roundSlots === "keep";
  const roundSlots = keep ? undefined : integerOption("--round-slots", options.roundSlots, 3, 1_000_000);
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  // Task variables first: a bad --task-var-file fails before the folder is bundled.
  const config = taskVarsOf(options);
  const task = await loadKoiiTask(dir, roundSlots === undefined ? {} : { roundSlots });
  for (const line of describeMapping(task)) say(line);
  const missing = task.folder.mapping.taskVariables.filter((variable) => config[variable.name] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      "KOII__MISSING_TASK_VARIABLE",
      `the task requires ${missing.map((variable) => `--task-var ${variable.name}=VALUE`).join(" ")} (or a --task-var-file holding them)`,
    );
  }
  const bundlePath = await writeBundleFile(task.code);
  const what = cheat === "garbage" ? "garbage" : "their real output with one character changed";
  const cheating = cheaters > 0 ? ` (the last ${cheaters} submitting ${what} every second round)` : "";
  say(
    `running ${nodes} node(s)${cheating} for ${rounds} round(s) on an in-memory ledger, each node in its own sandbox\n`,
  );
  const params = { ...task.config.params, maxNodes: Math.max(task.config.params.maxNodes, nodes) };
  const result = await runKoiiLocalNetwork({
    nodes,
    rounds,
    params,
    funding: task.config.funding,
    bundleHash: task.hash,
    taskName: task.config.name,
    config,
    limits: task.config.limits,
    createRunner: async (host, limits, index) => {
      const runner = await createSandboxedTaskRunner({ bundlePath, host, limits });
      // The last --cheaters nodes cheat every second round, so audits, votes and slashes show.
      return index >= nodes - cheaters ? withMisbehaviour(runner, { kind: cheat, every: 2 }) : runner;
    },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    onReport: say,
  });
  const accepted = result.events.filter((event) => event.type === "DistributionAccepted") as {
    cycle: number;
    total: bigint;
    entries: number;
  }[];
  const completed = result.events.filter((event) => event.type === "CycleCompleted") as {
    cycle: number;
    outcome: string;
    paid: bigint;
  }[];
  const failed = result.calls.filter((call) => !call.ok);
  const summary = result.accounts.map((account, index) => {
    const view = getNodeView(result.state, result.taskId, account);
    return { node: index, account, stake: view?.stake ?? 0n, vesting: (view?.claimable ?? 0n) + (view?.locked ?? 0n) };
  });
  const report = {
    task: result.taskId,
    cycles: completed,
    accepted,
    failedCalls: failed,
    calls: result.calls,
    nodes: summary,
  };
  const failure =
    failed.length > 0
      ? `${failed.length} call(s) failed`
      : accepted.length === 0
        ? "no distribution list was accepted"
        : undefined;
  // Under --json a failed run is one object: the report with the error beside it (main.ts prints it).
  if (options.json && failure !== undefined) throw new CliError("KOII_TEST__FAILED", failure, 1, report);
  if (options.json) printJson(report);
  else {
    say("");
    say("what the ledger recorded:");
    for (const line of ledgerStory(result)) say(line);
    say(
      `${accepted.length} list(s) accepted; ${result.calls.length - failed.length} calls ok, ${failed.length} failed`,
    );
    for (const row of summary) {
      say(
        `  node ${row.node} ${row.account.slice(0, 12)}… stake ${formatTokenAmount(row.stake)}, rewards ${formatTokenAmount(row.vesting)}`,
      );
    }
  }
  if (failure !== undefined) throw new CliError("KOII_TEST__FAILED", failure);
}

export type KoiiDevnetFlags = {
  nodes: string;
  cheaters: string;
  data: string;
  port: string;
  slotMs: string;
  roundSlots: string;
  rounds?: string;
  taskVar: string[];
  taskVarFile?: string | undefined;
  quiet?: boolean;
  cheat?: string;
  nodeProcesses?: boolean;
};

/**
 * A devnet for a Koii folder (its nodes threads of this process, or processes with --node-processes), printing the
 * ledger's story round by round until --rounds or Ctrl-C.
 */
export async function runKoiiDevnet(dir: string, options: KoiiDevnetFlags): Promise<void> {
  applyLongLivedFlagsToSelf();
  const nodes = integerOption("--nodes", options.nodes, 1, 32);
  const cheaters = integerOption("--cheaters", options.cheaters, 0, 8);
  const keep = options.roundSlots === "keep";
  const net = await startKoiiDevnet({
    dataDir: resolve(options.data),
    task: dir,
    honestNodes: nodes,
    cheaters,
    misbehave: `${cheatMode(options.cheat ?? "garbage")}:3`,
    port: integerOption("--port", options.port, 0, 65_535),
    slotMs: integerOption("--slot-ms", options.slotMs, 10, 60_000),
    ...(keep
      ? { roundSlots: Number.NaN }
      : { roundSlots: integerOption("--round-slots", options.roundSlots, 3, 1_000_000) }),
    taskVars: taskVarsOf(options),
    nodeArgs: options.quiet ? ["--quiet"] : [],
    nodeProcesses: options.nodeProcesses === true,
    write: (text) => process.stdout.write(text),
  }).catch((error: unknown) => {
    throw error instanceof CliError ? error : new CliError("DEVNET__FAILED", (error as Error).message);
  });
  // Each node's task calls, read every round: whether the task worked decides the exit code (taskCalls.ts).
  const tally = createTaskCallTally(net.nodes);
  let stopping = false;
  /** Stops the devnet and prints the task calls' totals; throws KOII_DEVNET__TASK_FAILED when none submitted. */
  const finish = async (): Promise<void> => {
    stopping = true;
    await tally.poll(); // the nodes' last counts, before they stop
    process.stdout.write("\nstopping the devnet…\n");
    await net.stop();
    const verdict = taskCallVerdict(tally.latest(), resolve(options.data));
    process.stdout.write(`${verdict.line}\n`);
    if (verdict.failure !== undefined) throw new CliError("KOII_DEVNET__TASK_FAILED", verdict.failure);
  };
  // Ctrl-C ends the run as --rounds does: the same totals, and exit 1 when no task call submitted a proof.
  const onSignal = () => {
    if (stopping) return;
    void finish().then(
      () => process.exit(0),
      (error: unknown) => {
        const failed = error instanceof GradualError ? error : new CliError("DEVNET__FAILED", String(error));
        printError({ code: failed.code, message: failed.message }, false);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const view = await net.client.getTask(net.taskId);
  if (view === undefined) throw new CliError("DEVNET__FAILED", `task ${net.taskId} not found after creation`);
  const rounds =
    options.rounds === undefined ? Number.POSITIVE_INFINITY : integerOption("--rounds", options.rounds, 1, 100_000);
  const printer = createEventPrinter({
    task: view.task,
    taskId: net.taskId,
    labels: new Map(net.labels),
    quiet: options.quiet === true,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  // From before the nodes started, so their stakes are in the story.
  await followRounds(net.client, printer, rounds, net.startBlock, () => void tally.poll());
  if (stopping) return; // a signal is ending the run
  await finish();
  process.exit(0);
}

export function register(program: Command): void {
  const koii = program
    .command("koii")
    .description(
      "Run Koii tasks unmodified: check, build, test and publish a Koii task folder (config-task.yml + src/)",
    );

  koii
    .command("check")
    .argument("<dir>", "Koii task folder (or its config-task.yml)")
    .description("Validate config-task.yml as Koii's CLI does and show how it maps onto gradual's parameters")
    .option("--preset <name>", "parameter set the fields apply to: devnet or mainnet", "devnet")
    .option("--round-slots <n>", "rescale the round to this many slots")
    .option("--json", "print the mapping as JSON")
    .action(async (dir: string, options: { preset?: string; roundSlots?: string; json?: boolean }) => {
      const task = await loadKoiiTask(dir, {
        preset: presetOf(options.preset),
        ...(options.roundSlots === undefined
          ? {}
          : { roundSlots: integerOption("--round-slots", options.roundSlots, 3, 1_000_000) }),
      });
      if (options.json) printJson({ bundleHash: task.hash, bytes: task.bytes, ...task.folder.mapping });
      else process.stdout.write(`${describeMapping(task).join("\n")}\n`);
    });

  koii
    .command("build")
    .argument("<dir>", "Koii task folder")
    .description("Bundle a Koii task folder with gradual's Koii API into one task bundle")
    .option("--out <file>", "where to write the bundle (default: print its hash only)")
    .action(async (dir: string, options: { out?: string }) => {
      const task = await loadKoiiTask(dir);
      if (options.out !== undefined) writeFileSync(resolve(options.out), task.code);
      process.stdout.write(
        `${task.hash} ${task.bytes} bytes${options.out === undefined ? "" : ` -> ${options.out}`}\n`,
      );
    });

  koii
    .command("link")
    .argument("[dir]", "Koii task folder with a package.json", ".")
    .description("Make a Koii task folder's own npm install, tests and scripts run against gradual's Koii API")
    .option("--undo", "restore the @_koii/* dependency ranges and remove the linked packages")
    .option("--json", "print what was done as JSON")
    .addHelpText(
      "after",
      `
Koii's packages (@_koii/task-manager, @_koii/namespace-wrapper, @_koii/web3.js, @_koii/storage-task-sdk) are not
in the npm registry here, so npm install fails in a Koii task folder. link writes local packages of those names
under DIR/.gradual/koii/ (gradual's implementation, bundled) and points package.json's dependencies on them there
(file:), keeping the original ranges for --undo. Then npm install works, and the folder's own tests and scripts
(Koii's template: npm test, npm run simulate, npm run jest-test) run the task against an in-memory gradual ledger
in their own process: taskRunner.submitTask commits and reveals, auditTask audits and triggers,
selectAndGenerateDistributionList submits the list, getTaskState reads it all back. .gradual/ is added to
.gitignore. GRADUAL_KOII_LINK_OFF=1 turns the local ledger off.

Example:
  gradual koii link my-koii-task && (cd my-koii-task && npm install && npm test)`,
    )
    .action(async (dir: string, options: { undo?: boolean; json?: boolean }) => {
      const { linkKoiiFolder, unlinkKoiiFolder } = await import("@gradual/koii/link");
      if (options.undo) {
        const result = unlinkKoiiFolder(dir);
        if (options.json) printJson(result);
        else
          process.stdout.write(
            `restored ${result.restored.join(", ") || "nothing"} in ${result.directory}/package.json\n`,
          );
        return;
      }
      const result = await linkKoiiFolder(dir);
      if (options.json) {
        printJson(result);
        return;
      }
      const lines = [
        `linked ${result.linked.join(", ") || "nothing (no @_koii/* dependency in package.json)"} -> .gradual/koii/packages (API bundle ${(result.bundleBytes / 1024).toFixed(0)} KiB)`,
        ...result.unknown.map((name) => `  not provided by gradual: ${name} (npm install will still fail on it)`),
        "next: npm install, then the folder's own scripts (npm test, npm run simulate, ...)",
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  koii
    .command("test")
    .argument("<dir>", "Koii task folder")
    .description("Run a Koii task folder through several rounds on several nodes (Koii's own simulation runs one key)")
    .option("--nodes <n>", "number of nodes", "3")
    .option("--cheaters <n>", "of those, nodes that cheat every second round", "0")
    .option(
      "--cheat <how>",
      "garbage (a proof that is not the task's output) or altered (the real output with one character changed, which an audit that compares values catches)",
      "garbage",
    )
    .option(
      "--rounds <n>",
      "rounds of work the report covers (the nodes go on calling task() in the rounds that review and pay them, as Koii's nodes work every round)",
      "3",
    )
    .option(
      "--round-slots <n>",
      `slots per round for this run, windows in proportion ("keep" for round_time)`,
      String(DEFAULT_LOCAL_ROUND_SLOTS),
    )
    .option("--task-var <name=value>", "a task variable the task requires (repeatable)", collectTaskVar, [] as string[])
    .option("--task-var-file <file>", "task variables from a .env file (NAME=value lines); --task-var overrides it")
    .option("--seed <text>", "derive the node keys from this seed (same keys every run)")
    .option("--json", "print the calls and outcome as JSON")
    .addHelpText(
      "after",
      `
Each node runs the task's unmodified code in its own sandbox: task(R) then submission(R), audits of its assigned
peers with audit(value, R, key), and distribution(submitters, bounty, R) on every valid submitter: each may post
its list as a Merkle root, the best-scored poster's list stands, and the others check it against their own. The
report shows, round by round, what each function returned on each node, then what the ledger recorded. Exits 1
when a call failed or no list was accepted.

Example:
  gradual koii test examples/koii/hello-world --nodes 5 --cheaters 1 --rounds 3`,
    )
    .action((dir: string, options: TestFlags) => runKoiiTest(dir, options));

  koii
    .command("devnet")
    .argument("<dir>", "Koii task folder")
    .description("Run a Koii task folder on a local devnet: a ledger and nodes over 127.0.0.1")
    .option("--nodes <n>", "honest nodes", "4")
    .option("--cheaters <n>", "nodes that cheat every third round", "0")
    .option("--cheat <how>", "garbage, or altered (the real output with one character changed)", "garbage")
    .option("--data <dir>", "data directory (wiped at start)", ".data/koii-devnet")
    .option("--port <n>", "ledger port (0 = any free port)", "8899")
    .option("--slot-ms <ms>", "slot length", "250")
    .option("--round-slots <n>", `slots per round, windows in proportion ("keep" for round_time)`, "24")
    .option("--rounds <n>", "stop after this many rounds (default: run until Ctrl-C)")
    .option("--task-var <name=value>", "a task variable every node gets (repeatable)", collectTaskVar, [] as string[])
    .option("--task-var-file <file>", "task variables from a .env file (NAME=value lines); --task-var overrides it")
    .option("--quiet", "print only round summaries")
    .option(
      "--node-processes",
      "run each node as a `gradual node` process of its own (default: a thread of this process, about 40 MB less per node)",
    )
    .addHelpText(
      "after",
      `
The folder is bundled with gradual's Koii API and published from its config-task.yml; every node runs it
unmodified in its sandboxed task process. Logs go to DATA/*.log; Ctrl-C stops every node and process.
The last line gives the totals of the nodes' task() + submission() calls; the exit code is 1
(KOII_DEVNET__TASK_FAILED) when none submitted a proof (all failed, or the task never ran), else 0.

Example:
  gradual koii devnet examples/koii/hello-world --cheaters 1 --rounds 8`,
    )
    .action((dir: string, options: KoiiDevnetFlags) => runKoiiDevnet(dir, options));

  koii
    .command("create")
    .argument("<dir>", "Koii task folder (or its config-task.yml)")
    .description(
      "Publish a Koii task to a ledger: bundle, metadata and createTask (same as task create --config config-task.yml)",
    )
    .requiredOption("--key <file>", "key file of the creator (pays total_bounty_amount)")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--preset <name>", "parameter set the fields apply to: devnet or mainnet", "devnet")
    .option("--round-slots <n>", "rescale the round to this many slots")
    .option("--json", "print the task id as JSON")
    .action(
      async (
        dir: string,
        options: { key: string; ledger?: string; preset?: string; roundSlots?: string; json?: boolean },
      ) => {
        const task = await loadKoiiTask(dir, {
          preset: presetOf(options.preset),
          ...(options.roundSlots === undefined
            ? {}
            : { roundSlots: integerOption("--round-slots", options.roundSlots, 3, 1_000_000) }),
        });
        const url = resolveLedgerUrl(options.ledger);
        const client = createLedgerClient({ url, timeoutMs: 60_000 });
        const log = (line: string) => {
          if (!options.json) process.stderr.write(`${line}\n`);
        };
        const taskId = await callLedger(url, () => publishKoiiTask(client, task, options.key, log));
        const variables = task.folder.mapping.taskVariables.map((variable) => variable.name);
        if (options.json)
          printJson({ task: taskId, name: task.config.name, bundleHash: task.hash, taskVariables: variables });
        else {
          process.stdout.write(
            `created Koii task ${taskId} (${task.config.name}), funded with ${formatTokenAmount(task.config.funding)} tokens\n`,
          );
          if (variables.length > 0)
            process.stdout.write(`nodes need: ${variables.map((name) => `--task-var ${name}=VALUE`).join(" ")}\n`);
        }
      },
    );
}
