import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createLedgerClient,
  formatTokenAmount,
  GENESIS_FORMAT,
  generateKeyPair,
  type KeyPair,
  type LedgerClient,
  saveKeyFile,
} from "@gradual/ledger";
import { TOKEN } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError } from "../output.ts";
import { loadTaskConfig, type TaskConfig } from "../taskConfig.ts";
import { createEventPrinter } from "./devnetPrinter.ts";
import { publishTask } from "./task.ts";

const CLI_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/gradual.js");
const DEFAULT_TASK = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../examples/web-scraper");

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
};

type Child = { readonly name: string; readonly process: ChildProcess; readonly url: Promise<string> };

/** Spawns `gradual <args>`, logs its output to a file, and resolves the URL it announces on stdout. */
function spawnGradual(name: string, args: string[], logFile: string, urlPattern: RegExp): Child {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr?.pipe(log);
  const url = new Promise<string>((resolveUrl, rejectUrl) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      log.write(`${line}\n`);
      const match = urlPattern.exec(line);
      if (match?.[1] !== undefined) resolveUrl(match[1]);
    });
    child.once("exit", (code) =>
      rejectUrl(new Error(`${name} exited with code ${code} before it was ready (see ${logFile})`)),
    );
  });
  url.catch(() => {});
  return { name, process: child, url };
}

function writeGenesis(
  path: string,
  chainId: string,
  funded: { account: string; balance: bigint }[],
  faucet: KeyPair,
): void {
  const genesis = {
    format: GENESIS_FORMAT,
    chainId,
    accounts: [...funded, { account: faucet.publicKey, balance: 1_000_000n * TOKEN }].map(({ account, balance }) => ({
      account,
      balance: balance.toString(),
    })),
    devnet: {
      faucet: { secretKey: faucet.secretKey, maxAmount: (1_000n * TOKEN).toString(), maxRequestsPerMinute: 600 },
    },
  };
  writeFileSync(path, `${JSON.stringify(genesis, null, 2)}\n`);
}

/** Starts the task's demo site when its folder ships one (web-scraper does), and points the task at it. */
async function startTaskSite(
  config: TaskConfig,
): Promise<{ config: TaskConfig; close: () => Promise<void> } | undefined> {
  const sitePath = join(config.directory, "site.ts");
  if (!existsSync(sitePath)) return undefined;
  const module = (await import(pathToFileURL(sitePath).href)) as {
    startDemoSite?: (options?: { port?: number }) => Promise<{ url: string; close(): Promise<void> }>;
  };
  if (module.startDemoSite === undefined) return undefined;
  const site = await module.startDemoSite({ port: 0 });
  return {
    config: { ...config, config: { ...config.config, sitemap: `${site.url}/sitemap.txt` } },
    close: () => site.close(),
  };
}

export function register(program: Command): void {
  program
    .command("devnet")
    .description(
      "Run a local devnet: a ledger, a creator who publishes a task, honest nodes and a cheater, as processes",
    )
    .option("--nodes <n>", "honest nodes", "5")
    .option("--cheaters <n>", "nodes that submit a garbage proof every third cycle", "1")
    .option("--task <dir>", "task folder (holding task.yml)", DEFAULT_TASK)
    .option("--data <dir>", "data directory (wiped at start unless --keep)", ".data/devnet")
    .option("--port <n>", "ledger port", "8899")
    .option("--slot-ms <ms>", "slot length", "250")
    .option("--rounds <n>", "stop after this many rounds (default: run until Ctrl-C)")
    .option("--keep", "keep the data directory of a previous run")
    .option("--quiet", "print only round summaries")
    .addHelpText(
      "after",
      `
Every process logs to DATA/*.log. The terminal shows, round by round, which cycle is in which period, the
commits and reveals, audits with their votes and resolutions, slashes, distribution lists and vesting.
Ctrl-C stops every process the devnet started.`,
    )
    .action(async (options: DevnetFlags) => runDevnet(options));
}

async function runDevnet(options: DevnetFlags): Promise<void> {
  const honest = Number(options.nodes);
  const cheaters = Number(options.cheaters);
  if (!Number.isInteger(honest) || honest < 1 || honest > 32)
    throw new CliError("CLI__BAD_INPUT", "--nodes: expected 1..32");
  if (!Number.isInteger(cheaters) || cheaters < 0 || cheaters > 8)
    throw new CliError("CLI__BAD_INPUT", "--cheaters: expected 0..8");
  const data = resolve(options.data);
  if (!options.keep) rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  let config = loadTaskConfig(options.task ?? DEFAULT_TASK);
  const children: Child[] = [];
  let site: { close: () => Promise<void> } | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping the devnet…\n");
    for (const child of children) child.process.kill("SIGTERM");
    await Promise.all(
      children.map(
        (child) =>
          new Promise((done) => (child.process.exitCode !== null ? done(null) : child.process.once("exit", done))),
      ),
    );
    await site?.close();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  try {
    const creator = generateKeyPair();
    const faucet = generateKeyPair();
    const nodes = Array.from({ length: honest + cheaters }, () => generateKeyPair());
    const keyDir = join(data, "keys");
    mkdirSync(keyDir, { recursive: true });
    saveKeyFile(join(keyDir, "creator.json"), creator);
    nodes.forEach((keyPair, index) => saveKeyFile(join(keyDir, `node-${index + 1}.json`), keyPair));
    const genesisPath = join(data, "genesis.json");
    if (!existsSync(genesisPath)) {
      writeGenesis(
        genesisPath,
        "gradual-devnet",
        [
          { account: creator.publicKey, balance: 1_000_000n * TOKEN },
          ...nodes.map((keyPair) => ({ account: keyPair.publicKey, balance: 10_000n * TOKEN })),
        ],
        faucet,
      );
    }
    const ledger = spawnGradual(
      "ledger",
      [
        "ledger",
        "--data",
        join(data, "ledger"),
        "--genesis",
        genesisPath,
        "--port",
        options.port,
        "--slot-ms",
        options.slotMs,
      ],
      join(data, "ledger.log"),
      /"url":"([^"]+)"/,
    );
    children.push(ledger);
    const ledgerUrl = await ledger.url;
    const client = createLedgerClient({ url: ledgerUrl, timeoutMs: 60_000 });
    process.stdout.write(`\ngradual devnet\n  ledger API  ${ledgerUrl}/v1   (dashboard ${ledgerUrl}/)\n`);
    const withSite = await startTaskSite(config);
    if (withSite !== undefined) {
      config = withSite.config;
      site = withSite;
      process.stdout.write(
        `  demo site   ${config.config.sitemap?.replace(/\/sitemap\.txt$/, "")}  (what ${config.name} scrapes)\n`,
      );
    }
    const startBlock = (await client.getHead()).number;
    const taskId = await publishTask(client, config, join(keyDir, "creator.json"), () => {});
    process.stdout.write(
      `  task        ${config.name} ${taskId}\n               bounty ${formatTokenAmount(config.params.bountyPerRound)}/round, escrow ${formatTokenAmount(config.funding)}, rounds of ${config.params.roundSlots} slots × ${options.slotMs} ms\n`,
    );
    const labels = new Map<string, string>();
    labels.set(creator.publicKey, "creator");
    const stake = (config.params.minimumStake * 10n).toString();
    for (const [index, keyPair] of nodes.entries()) {
      const cheating = index >= honest;
      const label = `node-${index + 1}${cheating ? " (cheater)" : ""}`;
      labels.set(keyPair.publicKey, label);
      const args = [
        "node",
        "--key",
        join(keyDir, `node-${index + 1}.json`),
        "--ledger",
        ledgerUrl,
        "--task",
        taskId,
        "--port",
        "0",
      ];
      args.push("--data", join(data, `node-${index + 1}`), "--stake", formatTokenAmount(BigInt(stake)));
      if (cheating) args.push("--misbehave", "garbage:3");
      children.push(spawnGradual(label, args, join(data, `node-${index + 1}.log`), /serving task \S+ at (\S+)/));
    }
    for (const child of children.slice(1))
      process.stdout.write(`  ${child.name.padEnd(20)} ${await child.url}   (/health, /metrics, /proofs)\n`);
    process.stdout.write(`  logs        ${data}/*.log     keys ${keyDir}\n\n`);
    await followChain(client, taskId, labels, options, startBlock, () => stop(0));
  } catch (error) {
    process.stderr.write(`error[DEVNET__FAILED]: ${(error as Error).message}\n`);
    await stop(1);
  }
}

/** One line per round: where the money sits for every node (stake, locked rewards, claimable, slashed). */
async function printRewards(client: LedgerClient, taskId: string, labels: Map<string, string>): Promise<void> {
  try {
    const nodes = await client.listNodes(taskId, { limit: 100 });
    const parts = nodes.items.map(
      (node) =>
        `${labels.get(node.account) ?? node.account.slice(0, 8)}: stake ${formatTokenAmount(BigInt(node.stake))}, locked ${formatTokenAmount(BigInt(node.locked))}, claimable ${formatTokenAmount(BigInt(node.claimable))}${BigInt(node.slashedTotal) > 0n ? `, slashed ${formatTokenAmount(BigInt(node.slashedTotal))}` : ""}`,
    );
    if (parts.length > 0) process.stdout.write(`  rewards   ${parts.join(" | ")}\n`);
  } catch {
    // The ledger was busy or restarting: the next round prints it.
  }
}

async function followChain(
  client: LedgerClient,
  taskId: string,
  labels: Map<string, string>,
  options: DevnetFlags,
  startBlock: number,
  finish: () => Promise<void>,
): Promise<void> {
  const task = await client.getTask(taskId);
  if (task === undefined) throw new Error(`task ${taskId} not found after creation`);
  const rounds = options.rounds === undefined ? Number.POSITIVE_INFINITY : Number(options.rounds);
  const printer = createEventPrinter({
    task: task.task as unknown as { startSlot: number; params: { roundSlots: number; bountyPerRound: string } },
    taskId,
    labels,
    quiet: options.quiet === true,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  let shownRound = -1;
  await new Promise<void>((done) => {
    const subscription = client.subscribe(
      (data) => {
        const round = printer.block(data);
        if (round !== undefined && round > rounds) {
          subscription.close();
          done();
        } else if (round !== undefined && round > shownRound && round >= 2) {
          shownRound = round;
          void printRewards(client, taskId, labels);
        }
      },
      { after: startBlock },
    );
  });
  await finish();
}
