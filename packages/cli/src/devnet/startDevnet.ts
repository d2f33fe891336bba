import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createLedgerClient,
  GENESIS_FORMAT,
  generateKeyPair,
  type KeyPair,
  type LedgerClient,
  loadKeyFile,
  saveKeyFile,
} from "@gradual/ledger/client";
import { findParamsProblems, formatTokenAmount, type Hash, type TaskParams, TOKEN } from "@gradual/protocol";
import { publishTask } from "../commands/task.ts";
import { CliError } from "../output.ts";
import { loadTaskConfig, type TaskConfig } from "../taskConfig.ts";
import { writeTaskVarFile } from "../taskVars.ts";
import { bundleApart } from "./bundleApart.ts";
import { type DevnetLedger, startDevnetLedger } from "./devnetLedger.ts";
import { type GradualProcess, type Running, spawnGradual, spawnGradualThread, stopProcess } from "./processes.ts";
import { startTaskSite, type TaskSite } from "./taskSite.ts";

/**
 * A local devnet (`gradual devnet`, the end-to-end tests and the node benchmark): a ledger in this process, a creator
 * who publishes a task, honest nodes and cheaters, each node a `gradual node` process; everything logs to DATA/*.log.
 */

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The task a devnet runs without --task: examples/web-scraper of this repository, or, in an installed CLI (packed by
 * scripts/pack.mjs), the copy its tarball carries.
 */
export const DEFAULT_DEVNET_TASK =
  [resolve(HERE, "../../../../examples/web-scraper"), resolve(HERE, "../../examples/web-scraper")].find((candidate) =>
    existsSync(resolve(candidate, "task.yml")),
  ) ?? resolve(HERE, "../../examples/web-scraper");

export type StartDevnetOptions = {
  /** Data directory: keys, genesis, the ledger's and each node's data and logs. */
  readonly dataDir: string;
  /** Keep a previous run's data (keys, genesis, chain) instead of wiping the directory. */
  readonly keep?: boolean;
  /** Honest nodes (default 5). */
  readonly honestNodes?: number;
  /** Nodes started with `--misbehave` (default 1); they come after the honest ones. */
  readonly cheaters?: number;
  /** The cheaters' fault (default `garbage:3`: a garbage proof every third cycle). */
  readonly misbehave?: string;
  /** Task folder holding task.yml (default examples/web-scraper). */
  readonly task?: string;
  /** Overrides of the task's parameters (e.g. shorter rounds for tests). */
  readonly params?: Partial<TaskParams>;
  /** Ledger port (0 picks a free one). */
  readonly port?: number;
  readonly slotMs?: number;
  /** Extra arguments for every `gradual node` (e.g. `--no-auto-claim`, `--call-timeout-ms 2000`). */
  readonly nodeArgs?: readonly string[];
  /**
   * Each node in a `gradual node` process of its own (as an operator runs one), instead of a worker thread of the
   * devnet's process (the default: about 40 MB less per node). A kill is then a real SIGKILL of the node's process.
   */
  readonly nodeProcesses?: boolean;
  /** Task variables every node gets (over task.yml's `config`), passed in DATA/task-vars.env, mode 0600. */
  readonly taskVars?: Readonly<Record<string, string>>;
  /** Progress lines for a terminal (the devnet command prints them); silent by default. */
  readonly write?: (text: string) => void;
};

export type DevnetNode = {
  readonly label: string;
  /** 1-based, as in the key file name node-N.json. */
  readonly number: number;
  readonly account: string;
  readonly cheating: boolean;
  readonly keyFile: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** The node's URL (the same after a restart: it keeps its port). */
  url: string;
  /**
   * The running node: a worker thread of the devnet's process, or a process of its own with `nodeProcesses`;
   * replaced by `restartNode`.
   */
  process: Running;
};

export type Devnet = {
  readonly dataDir: string;
  readonly ledgerUrl: string;
  readonly ledgerDataDir: string;
  /** Resolves with the error when the ledger (run in this process) stopped by itself: a storage failure. */
  readonly ledgerFailed: Promise<Error>;
  readonly client: LedgerClient;
  readonly taskId: Hash;
  readonly config: TaskConfig;
  readonly creatorKeyFile: string;
  readonly nodes: readonly DevnetNode[];
  /** Account -> label (creator, node-1, node-6 (cheater), ...). */
  readonly labels: ReadonlyMap<string, string>;
  /** The ledger's head before the task was published (where the devnet's story starts). */
  readonly startBlock: number;
  /** Starts a node again with its key, data directory and port (after a crash or a kill). */
  restartNode(node: DevnetNode): Promise<void>;
  /** Stops every process the devnet started and the task's demo site; idempotent. */
  stop(): Promise<void>;
};

export type DevnetController = {
  start(): Promise<Devnet>;
  /** Stops whatever has been started so far (also in the middle of `start`). */
  stop(): Promise<void>;
};

/**
 * Says once, through `write`, when a node stops by itself (a crash, an exhausted heap; not while `stopping()`): the
 * other nodes and the ledger go on without it.
 */
export function reportNodeExits(
  nodes: readonly Pick<DevnetNode, "label" | "logFile" | "process">[],
  stopping: () => boolean,
  write: (line: string) => void,
): void {
  for (const node of nodes)
    node.process.once("exit", (code, signal) => {
      if (stopping()) return;
      write(
        `warning: ${node.label} stopped (${signal ?? `exit code ${code}`}); the devnet goes on without it (see ${node.logFile})\n`,
      );
    });
}

/** Starts a devnet and returns once every node serves; stops what it started if any step fails. */
export async function startDevnet(options: StartDevnetOptions): Promise<Devnet> {
  const controller = createDevnet(options);
  try {
    return await controller.start();
  } catch (error) {
    await controller.stop();
    throw error;
  }
}

/** Refuses early, with what to do, when the ledger's port is taken (another devnet or ledger is running). */
async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const problem = await new Promise<string | undefined>((done) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => done(undefined)));
  });
  if (problem === "EADDRINUSE")
    throw new CliError(
      "DEVNET__PORT_IN_USE",
      `port ${port} is already in use (another devnet or ledger?): stop it, or pick another port with --port, e.g. npm start -- --port ${port + 1}`,
    );
}

function checkCount(name: string, value: number, max: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new CliError("CLI__BAD_INPUT", `${name}: expected ${min}..${max}, got ${value}`);
  return value;
}

export function writeGenesis(
  path: string,
  chainId: string,
  funded: readonly { account: string; balance: bigint }[],
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

/** A key file's key pair, created on first use (a kept devnet reuses its keys, which its genesis funded). */
export function loadOrCreateKey(path: string): KeyPair {
  if (existsSync(path)) return loadKeyFile(path);
  const keyPair = generateKeyPair();
  saveKeyFile(path, keyPair);
  return keyPair;
}

/** Spawns `gradual node` and resolves its URL once it serves the task. */
export function spawnNode(name: string, args: readonly string[], logFile: string): GradualProcess<ChildProcess> {
  return spawnGradual(name, ["node", ...args], logFile, NODE_URL);
}

/**
 * Starts a devnet's `gradual node`: a worker thread of this process (`spawnGradualThread`), or with `nodeProcesses` a
 * process of its own; resolves its URL once it serves.
 */
export function launchNode(
  nodeProcesses: boolean | undefined,
  name: string,
  args: readonly string[],
  logFile: string,
): GradualProcess {
  return nodeProcesses === true
    ? spawnNode(name, args, logFile)
    : spawnGradualThread(name, ["node", ...args], logFile, NODE_URL);
}

/** The line a node prints once it serves its task. */
const NODE_URL = /serving task \S+ at (\S+)/;

function taskConfigOf(options: StartDevnetOptions): TaskConfig {
  const config = loadTaskConfig(options.task ?? DEFAULT_DEVNET_TASK);
  if (options.params === undefined) return config;
  const params = { ...config.params, ...options.params };
  const problem = findParamsProblems(params)[0];
  if (problem !== undefined) throw new CliError("CLI__BAD_INPUT", `params.${problem.field}: ${problem.reason}`);
  return { ...config, params };
}

type Keys = { creator: KeyPair; faucet: KeyPair; nodes: KeyPair[]; keyDir: string };

function prepareKeys(dataDir: string, nodeCount: number): Keys {
  const keyDir = join(dataDir, "keys");
  mkdirSync(keyDir, { recursive: true });
  return {
    creator: loadOrCreateKey(join(keyDir, "creator.json")),
    faucet: loadOrCreateKey(join(keyDir, "faucet.json")),
    nodes: Array.from({ length: nodeCount }, (_, index) => loadOrCreateKey(join(keyDir, `node-${index + 1}.json`))),
    keyDir,
  };
}

type DevnetParts = {
  readonly options: StartDevnetOptions;
  readonly write: (text: string) => void;
  /** Registers a spawned process for `stop`; throws if the devnet is already stopping. */
  readonly track: (child: GradualProcess) => GradualProcess;
  /** Registers the task's demo site for `stop`. */
  readonly trackSite: (site: TaskSite) => void;
  /** Registers the ledger for `stop` (closed after the nodes); throws if the devnet is already stopping. */
  readonly trackLedger: (ledger: DevnetLedger) => DevnetLedger;
};

/** The devnet's processes, started step by step by `start`, stopped by `stop` at any point. */
export function createDevnet(options: StartDevnetOptions): DevnetController {
  const children: Running[] = [];
  let site: { close: () => Promise<void> } | undefined;
  let ledger: DevnetLedger | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(children.map((child) => stopProcess(child)));
      await ledger?.close();
      await site?.close();
    })();
    return stopping;
  };
  const parts: DevnetParts = {
    options,
    write: options.write ?? (() => {}),
    track: (child) => {
      children.push(child.process);
      if (stopping !== undefined) {
        void stop().then(() => stopProcess(child.process));
        throw new Error("the devnet is stopping");
      }
      return child;
    },
    trackSite: (started) => {
      site = started;
    },
    trackLedger: (started) => {
      if (stopping !== undefined) {
        void started.close();
        throw new Error("the devnet is stopping");
      }
      ledger = started;
      return started;
    },
  };
  const start = async (): Promise<Devnet> => {
    const started = await startChain(parts);
    if (stopping !== undefined) throw new Error("the devnet is stopping");
    const nodes = await startNodes(parts, started);
    return { ...started.devnet, nodes, restartNode: (node) => restartNode(parts, started, node), stop };
  };
  return { start, stop };
}

type Chain = {
  readonly devnet: Omit<Devnet, "nodes" | "restartNode" | "stop">;
  readonly keys: Keys;
  readonly honest: number;
  readonly stake: string;
  readonly labels: Map<string, string>;
};

/** Keys, genesis, the ledger process, the task's demo site and the published task. */
async function startChain(parts: DevnetParts): Promise<Chain> {
  const { options, write } = parts;
  const honest = checkCount("--nodes", options.honestNodes ?? 5, 32, 1);
  const cheaters = checkCount("--cheaters", options.cheaters ?? 1, 8, 0);
  const slotMs = options.slotMs ?? 250;
  const data = resolve(options.dataDir);
  if (!options.keep) rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const varFile = taskVarFileOf(options);
  if (varFile !== undefined) writeTaskVarFile(varFile, options.taskVars ?? {});
  let config = taskConfigOf(options);
  const keys = prepareKeys(data, honest + cheaters);
  const genesisPath = join(data, "genesis.json");
  if (!existsSync(genesisPath)) {
    const funded = [
      { account: keys.creator.publicKey, balance: 1_000_000n * TOKEN },
      ...keys.nodes.map((keyPair) => ({ account: keyPair.publicKey, balance: 10_000n * TOKEN })),
    ];
    writeGenesis(genesisPath, "gradual-devnet", funded, keys.faucet);
  }
  const ledgerDataDir = join(data, "ledger");
  const port = options.port ?? 8899;
  await assertPortFree(port);
  write("starting the ledger…\n");
  const ledger = parts.trackLedger(
    await startDevnetLedger({ dataDir: ledgerDataDir, genesisPath, port, slotMs, logFile: join(data, "ledger.log") }),
  );
  const ledgerUrl = ledger.url;
  const client = createLedgerClient({ url: ledgerUrl, timeoutMs: 60_000 });
  write(
    `\ngradual devnet\n  dashboard   ${ledgerUrl}/   ← open this to watch the pipeline, audits and money move\n  ledger API  ${ledgerUrl}/v1/…   (every route: ${ledgerUrl}/v1/openapi.json; /v1/health, /v1/tasks)\n`,
  );
  const site = await startTaskSite(config);
  if (site !== undefined) {
    parts.trackSite(site);
    config = site.config;
    write(`  demo site   ${site.url}  (what ${config.name} scrapes)\n`);
  }
  const startBlock = (await client.getHead()).number;
  const creatorKeyFile = join(keys.keyDir, "creator.json");
  write(`  publishing  ${config.name} (bundling, uploading, createTask)…\n`);
  const taskId = await publishTask(client, config, creatorKeyFile, () => {}, bundleApart);
  write(
    `  task        ${config.name} ${taskId}\n               bounty ${formatTokenAmount(config.params.bountyPerRound)}/round, escrow ${formatTokenAmount(config.funding)}, rounds of ${config.params.roundSlots} slots × ${slotMs} ms, ${config.params.distributionRule} rule\n`,
  );
  const labels = new Map<string, string>([[keys.creator.publicKey, "creator"]]);
  const stake = formatTokenAmount(config.params.minimumStake * 10n);
  const devnet = {
    dataDir: data,
    ledgerUrl,
    ledgerDataDir,
    ledgerFailed: ledger.failed,
    client,
    taskId,
    config,
    creatorKeyFile,
    labels,
    startBlock,
  };
  return { devnet, keys, honest, stake, labels };
}

/** One `gradual node` per node key (a thread, or a process); resolves once every node serves the task. */
async function startNodes(parts: DevnetParts, chain: Chain): Promise<DevnetNode[]> {
  const { dataDir: data, taskId, ledgerUrl } = chain.devnet;
  const nodes: DevnetNode[] = [];
  const spawned: GradualProcess[] = [];
  for (const [index, keyPair] of chain.keys.nodes.entries()) {
    const cheating = index >= chain.honest;
    const label = `node-${index + 1}${cheating ? " (cheater)" : ""}`;
    chain.labels.set(keyPair.publicKey, label);
    const keyFile = join(chain.keys.keyDir, `node-${index + 1}.json`);
    // Per task: a kept devnet publishes a new task, and a node's memory of another task's cycles must not carry over.
    const dataDir = join(data, `node-${index + 1}`, taskId.slice(0, 16));
    const logFile = join(data, `node-${index + 1}.log`);
    const node = { label, number: index + 1, account: keyPair.publicKey, cheating, keyFile, dataDir, logFile };
    const child = parts.track(
      launchNode(
        parts.options.nodeProcesses,
        label,
        nodeArgs(node, ledgerUrl, taskId, "0", chain.stake, parts.options),
        logFile,
      ),
    );
    spawned.push(child);
    nodes.push({ ...node, url: "", process: child.process });
  }
  parts.write(`  starting    ${spawned.length} nodes (each downloads the task bundle and stakes)…\n`);
  let ready = 0;
  const urls = await Promise.all(
    spawned.map((child) =>
      child.url.then((url) => {
        ready += 1;
        parts.write(`              ${ready}/${spawned.length} nodes serving\n`);
        return url;
      }),
    ),
  );
  for (const [index, node] of nodes.entries()) {
    node.url = urls[index] as string;
    parts.write(`  ${node.label.padEnd(20)} ${node.url}   (/health, /metrics, /proofs/DIGEST)\n`);
  }
  parts.write(`  logs        ${data}/*.log     keys ${chain.keys.keyDir}\n\n`);
  return nodes;
}

/** Starts a node again with its key, data directory and port (so the URL it staked with stays right). */
async function restartNode(parts: DevnetParts, chain: Chain, node: DevnetNode): Promise<void> {
  const { taskId, ledgerUrl } = chain.devnet;
  const port = new URL(node.url).port;
  const args = nodeArgs(node, ledgerUrl, taskId, port, chain.stake, parts.options);
  const child = parts.track(launchNode(parts.options.nodeProcesses, node.label, args, node.logFile));
  node.process = child.process;
  node.url = await child.url;
}

/** DATA/task-vars.env when the devnet has task variables to hand its nodes, else undefined. */
function taskVarFileOf(options: StartDevnetOptions): string | undefined {
  if (options.taskVars === undefined || Object.keys(options.taskVars).length === 0) return undefined;
  return join(resolve(options.dataDir), "task-vars.env");
}

function nodeArgs(
  node: Pick<DevnetNode, "keyFile" | "dataDir" | "cheating" | "label">,
  ledgerUrl: string,
  taskId: string,
  port: string,
  stake: string,
  options: StartDevnetOptions,
): string[] {
  const args = ["--key", node.keyFile, "--ledger", ledgerUrl, "--task", taskId, "--port", port];
  // A devnet block holds a handful of transactions: the replica verifies them on its main thread, and no node
  // carries a verifier thread (a V8 isolate, about 10 MB) for them.
  args.push("--verifier-workers", "0");
  args.push("--data", node.dataDir, "--stake", stake, "--name", node.label, ...(options.nodeArgs ?? []));
  const varFile = taskVarFileOf(options);
  if (varFile !== undefined) args.push("--task-var-file", varFile);
  if (node.cheating) args.push("--misbehave", options.misbehave ?? "garbage:3");
  return args;
}
