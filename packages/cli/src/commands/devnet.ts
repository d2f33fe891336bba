import { resolve } from "node:path";
import type { LedgerClient } from "@gradual/ledger/client";
import { DISTRIBUTION_RULES, formatTokenAmount, type TaskParams } from "@gradual/protocol";
import type { Command } from "commander";
import { createEscrowKeeper } from "../devnet/escrowKeeper.ts";
import { applyLongLivedFlagsToSelf } from "../devnet/processes.ts";
import { createDevnet, DEFAULT_DEVNET_TASK, reportNodeExits } from "../devnet/startDevnet.ts";
import { isKoiiTaskPath } from "../koii/detect.ts";
import { CliError, integerOption } from "../output.ts";
import { collectTaskVar, taskVarsOf } from "../taskVars.ts";
import { createEventPrinter, followRounds } from "./devnetPrinter.ts";

type DevnetFlags = {
  nodes: string;
  cheaters: string;
  task?: string;
  data: string;
  port: string;
  slotMs: string;
  rounds?: string;
  keep?: boolean;
  quiet?: boolean;
  taskVar: string[];
  taskVarFile?: string;
  settlement: string;
  rule?: string;
  pairedReveals?: boolean;
  nodeProcesses?: boolean;
};

export function register(program: Command): void {
  program
    .command("devnet")
    .description(
      "Run a local devnet: a ledger (in this process), a creator who publishes a task, honest nodes and a cheater (a thread of this process each, or a process each with --node-processes; a task's code always runs in a sandboxed process of its own)",
    )
    .option("--nodes <n>", "honest nodes", "5")
    .option("--cheaters <n>", "nodes that submit a garbage proof every third cycle", "1")
    .option("--task <dir>", "task folder (holding task.yml)", DEFAULT_DEVNET_TASK)
    .option("--data <dir>", "data directory (wiped at start unless --keep)", ".data/devnet")
    .option("--port <n>", "ledger port", "8899")
    .option("--slot-ms <ms>", "slot length", "250")
    .option("--rounds <n>", "stop after this many rounds (default: run until Ctrl-C)")
    .option("--keep", "keep the data directory of a previous run")
    .option("--quiet", "print only round headers, the rewards line and pauses (no slot events)")
    .option(
      "--node-processes",
      "run each node as a `gradual node` process of its own, as operators do (default: a thread of this process, about 40 MB less per node)",
    )
    .option(
      "--task-var <name=value>",
      "a task variable every node gets, over task.yml's config (repeatable)",
      collectTaskVar,
      [] as string[],
    )
    .option(
      "--settlement <kind>",
      "ledger (the gradual ledger, in this process) or evm (anvil, the Gradual contract and its indexer)",
      "ledger",
    )
    .option("--task-var-file <file>", "task variables from a .env file (NAME=value lines); --task-var overrides it")
    .option(
      "--rule <rule>",
      `the task's distribution rule, over task.yml's: ${DISTRIBUTION_RULES.join(", ")} (custom: Koii's, a list posted in a race between posters, audited, claimed entry by entry)`,
    )
    .option(
      "--paired-reveals",
      "reveal each cycle with the next cycle's commit (revealSlots 0, protocol.md §2.2): one transaction a node a round, reviews a round later",
    )
    .addHelpText(
      "after",
      `
Every node logs to DATA/node-N.log, the ledger to DATA/ledger.log (with --settlement evm there is no ledger: anvil
runs as a child process, the contract's indexer and the dashboard in this one). The terminal shows, round by
round, which cycle is in which period, the commits and reveals, audits with their votes and resolutions, slashes,
distribution lists and vesting.
Ctrl-C stops every node and process the devnet started.`,
    )
    .action(async (options: DevnetFlags) => runDevnet(options));
}

/** `--rule` and `--paired-reveals`, checked: the task parameters they override, or undefined. */
function paramsOf(options: DevnetFlags): Partial<TaskParams> | undefined {
  const paired = options.pairedReveals === true ? { revealSlots: 0 } : {};
  if (options.rule === undefined) return options.pairedReveals === true ? paired : undefined;
  const rule = DISTRIBUTION_RULES.find((each) => each === options.rule);
  if (rule === undefined)
    throw new CliError("CLI__BAD_OPTION", `--rule: expected ${DISTRIBUTION_RULES.join(", ")}, got ${options.rule}`);
  return { distributionRule: rule, ...paired };
}

/** Checks the numeric options before anything starts. */
function checkNumbers(options: DevnetFlags): void {
  integerOption("--port", options.port, 0, 65_535);
  integerOption("--slot-ms", options.slotMs, 50, 60_000);
  if (options.rounds !== undefined) integerOption("--rounds", options.rounds, 1, 100_000);
}

async function runDevnet(options: DevnetFlags): Promise<void> {
  applyLongLivedFlagsToSelf();
  checkNumbers(options);
  if (options.settlement !== "ledger" && options.settlement !== "evm")
    throw new CliError("CLI__BAD_OPTION", `--settlement: expected ledger or evm, got ${options.settlement}`);
  const params = paramsOf(options);
  if (options.settlement === "evm") return runEvmDevnet(options, params);
  // A Koii task folder runs unmodified through the Koii layer (docs/koii.md).
  if (options.task !== undefined && isKoiiTaskPath(options.task)) {
    if (options.rule !== undefined)
      throw new CliError("CLI__BAD_OPTION", "--rule: a Koii task folder keeps its own rule (docs/koii.md)");
    if (options.pairedReveals === true)
      throw new CliError("CLI__BAD_OPTION", "--paired-reveals: a Koii task folder keeps Koii's windows (docs/koii.md)");
    // Loaded only for a Koii folder: the Koii API and its bundler cost a long-running devnet about 30 MB.
    const { runKoiiDevnet } = await import("./koii.ts");
    return runKoiiDevnet(options.task, {
      nodes: options.nodes,
      cheaters: options.cheaters,
      data: options.data,
      port: options.port,
      slotMs: options.slotMs,
      // Koii round_time values (about 1,500 slots) are rescaled to the devnet preset so rounds pass in seconds.
      roundSlots: "20",
      ...(options.rounds === undefined ? {} : { rounds: options.rounds }),
      taskVar: options.taskVar,
      taskVarFile: options.taskVarFile,
      ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
      nodeProcesses: options.nodeProcesses === true,
    });
  }
  const honest = Number(options.nodes);
  const cheaters = Number(options.cheaters);
  if (!Number.isInteger(honest) || honest < 1 || honest > 32)
    throw new CliError("CLI__BAD_INPUT", "--nodes: expected 1..32");
  if (!Number.isInteger(cheaters) || cheaters < 0 || cheaters > 8)
    throw new CliError("CLI__BAD_INPUT", "--cheaters: expected 0..8");
  const devnet = createDevnet({
    dataDir: resolve(options.data),
    keep: options.keep === true,
    honestNodes: honest,
    cheaters,
    task: options.task ?? DEFAULT_DEVNET_TASK,
    port: Number(options.port),
    slotMs: Number(options.slotMs),
    taskVars: taskVarsOf(options),
    ...(params === undefined ? {} : { params }),
    nodeProcesses: options.nodeProcesses === true,
    write: (text) => process.stdout.write(text),
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping the devnet…\n");
    await devnet.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  try {
    const running = await devnet.start();
    const keeper = createEscrowKeeper({
      client: running.client,
      taskId: running.taskId,
      creatorKeyFile: running.creatorKeyFile,
      write: (line) => process.stdout.write(`${line}\n`),
    });
    void running.ledgerFailed.then((error) => {
      const code = (error as { code?: unknown }).code;
      process.stderr.write(
        `error[${typeof code === "string" ? code : "LEDGER__STORAGE_FAILURE"}]: the devnet's ledger stopped: ${error.message} (see ${running.dataDir}/ledger.log)\n`,
      );
      void stop(3);
    });
    reportNodeExits(
      running.nodes,
      () => stopping,
      (line) => process.stderr.write(line),
    );
    await followChain(
      running.client,
      running.taskId,
      new Map(running.labels),
      options,
      running.startBlock,
      keeper,
      () => stop(0),
    );
  } catch (error) {
    const code = error instanceof CliError ? error.code : "DEVNET__FAILED";
    process.stderr.write(`error[${code}]: ${(error as Error).message}\n`);
    await stop(1);
  }
}

/**
 * At most one line per round: where the money sits for every node (stake, locked rewards, claimable, slashed).
 * A line identical to the previous one (nothing moved, e.g. while the task is paused) is not printed again.
 */
function createRewardsPrinter(client: LedgerClient, taskId: string, labels: Map<string, string>) {
  let previous = "";
  return async (): Promise<void> => {
    try {
      const nodes = await client.listNodes(taskId, { limit: 100 });
      const parts = nodes.items.map(
        (node) =>
          `${labels.get(node.account) ?? node.account.slice(0, 8)}: stake ${formatTokenAmount(BigInt(node.stake))}, locked ${formatTokenAmount(BigInt(node.locked))}, claimable ${formatTokenAmount(BigInt(node.claimable))}${BigInt(node.slashedTotal) > 0n ? `, slashed ${formatTokenAmount(BigInt(node.slashedTotal))}` : ""}`,
      );
      const line = parts.join(" | ");
      if (parts.length === 0 || line === previous) return;
      previous = line;
      process.stdout.write(`  rewards   ${line}\n`);
    } catch {
      // The ledger was busy or restarting: the next round prints it.
    }
  };
}

async function followChain(
  client: LedgerClient,
  taskId: string,
  labels: Map<string, string>,
  options: DevnetFlags,
  startBlock: number,
  keeper: { check(): Promise<void> },
  finish: () => Promise<void>,
): Promise<void> {
  const task = await client.getTask(taskId);
  if (task === undefined) throw new Error(`task ${taskId} not found after creation`);
  const rounds = options.rounds === undefined ? Number.POSITIVE_INFINITY : Number(options.rounds);
  const printer = createEventPrinter({
    task: task.task,
    taskId,
    labels,
    quiet: options.quiet === true,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  printer.start();
  const printRewards = createRewardsPrinter(client, taskId, labels);
  await followRounds(client, printer, rounds, startBlock, (round) => {
    void keeper.check();
    if (round >= 2) void printRewards();
  });
  await finish();
}

/** `gradual devnet --settlement evm`: the story from the indexer's event stream; the dashboard over the indexer. */
async function runEvmDevnet(options: DevnetFlags, params: Partial<TaskParams> | undefined): Promise<void> {
  const { startEvmDevnet } = await import("../devnet/evmDevnet.ts");
  const honest = Number(options.nodes);
  const cheaters = Number(options.cheaters);
  if (!Number.isInteger(honest) || honest < 1 || honest > 32)
    throw new CliError("CLI__BAD_INPUT", "--nodes: expected 1..32");
  if (!Number.isInteger(cheaters) || cheaters < 0 || cheaters > 8)
    throw new CliError("CLI__BAD_INPUT", "--cheaters: expected 0..8");
  let running: Awaited<ReturnType<typeof startEvmDevnet>> | undefined;
  let dashboard: { close(): Promise<void> } | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping the devnet…\n");
    await dashboard?.close();
    await running?.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  try {
    running = await startEvmDevnet({
      dataDir: resolve(options.data),
      nodeProcesses: options.nodeProcesses === true,
      honestNodes: honest,
      cheaters,
      task: options.task ?? DEFAULT_DEVNET_TASK,
      port: Number(options.port),
      // One block a second: a slot per block.
      slotMs: options.slotMs === "250" ? 1000 : Number(options.slotMs),
      taskVars: taskVarsOf(options),
      ...(params === undefined ? {} : { params }),
      write: (text) => process.stdout.write(text),
    });
    try {
      const { builtDashboardDir, startDashboardServer } = await import("@gradual/dashboard");
      const server = await startDashboardServer({
        ledgerUrl: running.ledgerUrl,
        port: 0,
        host: "127.0.0.1",
        distDir: builtDashboardDir({ log: () => {} }),
        relayNodeStatus: true,
      });
      dashboard = server;
      process.stdout.write(`  dashboard   ${server.url}/   (over the indexer)\n\n`);
    } catch (error) {
      process.stdout.write(
        `  dashboard   not started (${(error as Error).message}); run: gradual dashboard --ledger ${running.ledgerUrl}\n\n`,
      );
    }
    const keeper = running.keeper;
    await followChain(
      running.client,
      running.taskId,
      new Map(running.labels),
      options,
      running.startBlock,
      keeper,
      () => stop(0),
    );
  } catch (error) {
    const code = error instanceof CliError ? error.code : "DEVNET__FAILED";
    process.stderr.write(`error[${code}]: ${(error as Error).message}\n`);
    await stop(1);
  }
}
