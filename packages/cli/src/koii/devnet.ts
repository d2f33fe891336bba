import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createLedgerClient, type LedgerClient } from "@gradual/ledger/client";
import { formatTokenAmount, type Hash, TOKEN } from "@gradual/protocol";
import { type DevnetLedger, startDevnetLedger } from "../devnet/devnetLedger.ts";
import { type Running, stopProcess } from "../devnet/processes.ts";
import { launchNode, loadOrCreateKey, writeGenesis } from "../devnet/startDevnet.ts";
import { writeTaskVarFile } from "../taskVars.ts";
import { type KoiiTask, koiiTaskVars, loadKoiiTask, publishKoiiTask } from "./publish.ts";

/**
 * A devnet for a Koii task folder over 127.0.0.1: a ledger in this process, the task published from
 * its config-task.yml, and `gradual node`s (threads of this process, or processes with `nodeProcesses`; optionally
 * some with `--misbehave`), each running the folder's unmodified code in its sandbox. Built from the devnet's own
 * pieces (startDevnet.ts).
 */

export type StartKoiiDevnetOptions = {
  readonly dataDir: string;
  readonly task: string;
  readonly honestNodes?: number;
  readonly cheaters?: number;
  /** The cheaters' fault (default garbage:3). */
  readonly misbehave?: string;
  /** Slots per round for this devnet (config-task.yml's round rescaled, windows in proportion); default 24, NaN keeps it. */
  readonly roundSlots?: number;
  readonly slotMs?: number;
  readonly port?: number;
  readonly taskVars?: Readonly<Record<string, string>>;
  readonly nodeArgs?: readonly string[];
  /** Each node a `gradual node` process of its own instead of a worker thread of this process (the default). */
  readonly nodeProcesses?: boolean;
  readonly write?: (text: string) => void;
};

export type KoiiDevnetNode = {
  readonly label: string;
  readonly account: string;
  readonly cheating: boolean;
  readonly url: string;
  readonly logFile: string;
  /** A worker thread of this process, or with `nodeProcesses` a process of its own. */
  readonly process: Running;
};

export type KoiiDevnet = {
  readonly ledgerUrl: string;
  readonly client: LedgerClient;
  readonly taskId: Hash;
  readonly task: KoiiTask;
  readonly nodes: readonly KoiiDevnetNode[];
  readonly labels: ReadonlyMap<string, string>;
  /** The ledger's head before the nodes start: the story follows every block after it (their stakes included). */
  readonly startBlock: number;
  stop(): Promise<void>;
};

export async function startKoiiDevnet(options: StartKoiiDevnetOptions): Promise<KoiiDevnet> {
  const write = options.write ?? (() => {});
  const data = resolve(options.dataDir);
  rmSync(data, { recursive: true, force: true });
  const honest = options.honestNodes ?? 3;
  const cheaters = options.cheaters ?? 0;
  const roundSlots = options.roundSlots ?? 24;
  // NaN keeps config-task.yml's round_time.
  const task = await loadKoiiTask(options.task, Number.isNaN(roundSlots) ? {} : { roundSlots });
  const vars = koiiTaskVars(task, options.taskVars ?? {});
  const children: Running[] = [];
  let ledger: DevnetLedger | undefined;
  const stop = async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
    await ledger?.close();
  };
  try {
    const keyDir = join(data, "keys");
    mkdirSync(keyDir, { recursive: true });
    const creator = loadOrCreateKey(join(keyDir, "creator.json"));
    const faucet = loadOrCreateKey(join(keyDir, "faucet.json"));
    const keys = Array.from({ length: honest + cheaters }, (_, index) =>
      loadOrCreateKey(join(keyDir, `node-${index + 1}.json`)),
    );
    // Task variables reach the nodes in a file only this user can read, not on a command line.
    const varFlags: string[] = [];
    if (Object.keys(vars).length > 0) {
      const varFile = join(data, "task-vars.env");
      writeTaskVarFile(varFile, vars);
      varFlags.push("--task-var-file", varFile);
    }
    const genesisPath = join(data, "genesis.json");
    writeGenesis(
      genesisPath,
      "gradual-koii-devnet",
      [
        { account: creator.publicKey, balance: task.config.funding + 1_000n * TOKEN },
        ...keys.map((keyPair) => ({
          account: keyPair.publicKey,
          balance: task.config.params.minimumStake * 10n + 1_000n * TOKEN,
        })),
      ],
      faucet,
    );
    ledger = await startDevnetLedger({
      dataDir: join(data, "ledger"),
      genesisPath,
      port: options.port ?? 0,
      slotMs: options.slotMs ?? 250,
      logFile: join(data, "ledger.log"),
    });
    const ledgerUrl = ledger.url;
    const client = createLedgerClient({ url: ledgerUrl, timeoutMs: 60_000 });
    const taskId = await publishKoiiTask(client, task, join(keyDir, "creator.json"), (line) => write(`  ${line}\n`));
    write(`  Koii task   ${task.config.name} ${taskId}, rounds of ${task.config.params.roundSlots} slots\n`);
    const labels = new Map<string, string>([[creator.publicKey, "creator"]]);
    const startBlock = (await client.getHead()).number;
    const stake = formatTokenAmount(task.config.params.minimumStake * 10n);
    const spawned = keys.map((keyPair, index) => {
      const cheating = index >= honest;
      const label = `node-${index + 1}${cheating ? " (cheater)" : ""}`;
      labels.set(keyPair.publicKey, label);
      const args = [
        "--key",
        join(keyDir, `node-${index + 1}.json`),
        "--ledger",
        ledgerUrl,
        "--task",
        taskId,
        "--port",
        "0",
      ];
      args.push("--data", join(data, `node-${index + 1}`), "--stake", stake, ...varFlags, ...(options.nodeArgs ?? []));
      if (cheating) args.push("--misbehave", options.misbehave ?? "garbage:3");
      const logFile = join(data, `node-${index + 1}.log`);
      const child = launchNode(options.nodeProcesses, label, args, logFile);
      children.push(child.process);
      return { label, account: keyPair.publicKey, cheating, logFile, child };
    });
    const nodes: KoiiDevnetNode[] = [];
    for (const node of spawned) {
      nodes.push({ ...node, url: await node.child.url, process: node.child.process });
      write(`  ${node.label.padEnd(20)} ${nodes.at(-1)?.url}\n`);
    }
    return { ledgerUrl, client, taskId, task, nodes, labels, startBlock, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
