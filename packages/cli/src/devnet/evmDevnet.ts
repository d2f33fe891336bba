import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type Anvil,
  callGradual,
  evmKeyFromPrivateKey,
  generateEvmKey,
  type Indexer,
  type IndexerServer,
  mintAndDeposit,
  paramsToStruct,
  prepareEvmDevnet,
  saveEvmKeyFile,
  startAnvil,
  startIndexer,
  startIndexerServer,
} from "@gradual/evm";
import { createLedgerClient, generateKeyPair, type LedgerClient } from "@gradual/ledger/client";
import { findParamsProblems, formatTokenAmount, type Hash, TOKEN } from "@gradual/protocol";
import { CliError } from "../output.ts";
import { loadTaskConfig } from "../taskConfig.ts";
import { bundleApart } from "./bundleApart.ts";
import { type GradualProcess, stopProcess } from "./processes.ts";
import { DEFAULT_DEVNET_TASK, launchNode, type StartDevnetOptions } from "./startDevnet.ts";
import { startTaskSite, type TaskSite } from "./taskSite.ts";

/**
 * `gradual devnet --settlement evm`: the devnet on an EVM chain. anvil (127.0.0.1, a block a second and one per
 * transaction), the TestToken and Gradual deployed, gas, tokens and a deposit for the creator and every node, the
 * indexer in this process (the ledger's read API and event stream, on --port), the example task published as a
 * contract call, and one
 * `gradual node --settlement evm` process per node, the cheaters (`cheaters`, default 1) last with `--misbehave`
 * (default `garbage:3`), as the ledger devnet. The story is printed from the indexer's event stream.
 */

/** anvil's first dev account: it deploys and mints (anvil gives it 10,000 ETH). */
const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** What the EVM devnet does not have, printed at start. */
export const EVM_DEVNET_GAPS =
  "  on EVM      the contract settles money, tasks, stake, commits, reveals, the seed, audits, votes,\n" +
  "              slashes, rule payments, the custom rule's lists and entry claims, vesting and claims; the\n" +
  "              indexer replays each call through the core and checks what the contract computed. The\n" +
  "              contract keeps its storage (no pruning); no result depends on it.\n";

export type EvmDevnet = {
  readonly dataDir: string;
  readonly ledgerUrl: string;
  readonly client: LedgerClient;
  readonly taskId: Hash;
  readonly labels: ReadonlyMap<string, string>;
  readonly startBlock: number;
  readonly rpcUrl: string;
  readonly contract: string;
  readonly nodes: readonly {
    readonly label: string;
    readonly account: string;
    readonly url: string;
    /** Started with `--misbehave` (the cheaters come after the honest nodes). */
    readonly cheating: boolean;
  }[];
  readonly indexer: Indexer;
  /**
   * Keeps the task funded, as the ledger devnet's escrow keeper: called once a round; when the escrow holds less than
   * 4 bounties (or the task paused), the creator funds 20 more (`fundTask`), minting and depositing TestToken first
   * when its balance in the contract is short. Never throws.
   */
  readonly keeper: { check(): Promise<void> };
  stop(): Promise<void>;
};

export async function startEvmDevnet(options: StartDevnetOptions): Promise<EvmDevnet> {
  const write = options.write ?? (() => {});
  const data = resolve(options.dataDir);
  rmSync(data, { recursive: true, force: true });
  mkdirSync(join(data, "keys"), { recursive: true });
  const slotMs = options.slotMs ?? 1000;
  let anvil: Anvil | undefined;
  let indexer: Indexer | undefined;
  let server: IndexerServer | undefined;
  let site: TaskSite | undefined;
  const children: GradualProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopProcess(child.process)));
    await server?.close();
    await indexer?.stop();
    await site?.close();
    await anvil?.stop();
  };
  try {
    write("starting anvil (127.0.0.1, a block a second and one per transaction)…\n");
    // A block per transaction too: a call lands in the slot it is sent in (with interval mining alone it waited for
    // the next second's block, a slot later, and a node's calls of one slot queued behind each other's receipts).
    anvil = await startAnvil({ blockTime: 1, mixedMining: true });
    let config = loadTaskConfig(options.task ?? DEFAULT_DEVNET_TASK);
    if (options.params !== undefined) config = { ...config, params: { ...config.params, ...options.params } };
    const problem = findParamsProblems(config.params)[0];
    if (problem !== undefined) throw new CliError("CLI__BAD_INPUT", `params.${problem.field}: ${problem.reason}`);
    const creator = generateEvmKey();
    saveEvmKeyFile(join(data, "keys", "creator-evm.json"), creator);
    const honest = options.honestNodes ?? 3;
    const cheaters = options.cheaters ?? 1;
    if (!Number.isInteger(cheaters) || cheaters < 0 || cheaters > 8)
      throw new CliError("CLI__BAD_INPUT", "--cheaters: expected 0..8");
    const nodeCount = honest + cheaters;
    const nodeKeys = Array.from({ length: nodeCount }, (_, index) => {
      const key = generateEvmKey();
      saveEvmKeyFile(join(data, "keys", `node-${index + 1}-evm.json`), key);
      return key;
    });
    write("deploying TestToken and Gradual, minting and depositing for the creator and the nodes…\n");
    const chain = await prepareEvmDevnet({
      rpcUrl: anvil.rpcUrl,
      deployer: evmKeyFromPrivateKey(ANVIL_DEPLOYER_KEY),
      slotMs,
      accounts: [
        { key: creator, deposit: config.funding * 2n },
        ...nodeKeys.map((key) => ({ key, deposit: 10_000n * TOKEN })),
      ],
    });
    const notify = () => server?.notify();
    indexer = await startIndexer({
      rpcUrl: anvil.rpcUrl,
      contract: chain.contract,
      fromBlock: chain.deployBlock,
      dataDir: join(data, "indexer"),
      pollIntervalMs: 200,
      onEvents: notify,
      onProgress: notify,
      onDivergence: (error) => write(`error[${error.code}]: ${error.message}\n`),
    });
    server = await startIndexerServer({
      indexer,
      port: options.port ?? 0,
      blobDir: join(data, "indexer", "blobs"),
      status: () => ({ chainId: indexer?.chainId, slot: indexer?.replay.chain.slot }),
    });
    const url = server.url;
    const client = createLedgerClient({ url, timeoutMs: 60_000 });
    write(
      `\ngradual devnet --settlement evm\n  anvil       ${anvil.rpcUrl} (chain ${chain.chainId})\n  contract    Gradual ${chain.contract}, TestToken ${chain.token}\n  indexer     ${url}/v1/…   (the ledger's read API and event stream over the contract: /v1/chain, /v1/tasks, /v1/events)\n`,
    );
    write(EVM_DEVNET_GAPS);
    site = await startTaskSite(config);
    if (site !== undefined) {
      config = site.config;
      write(`  demo site   ${site.url}  (what ${config.name} scrapes)\n`);
    }
    const startBlock = (await client.getHead()).number;
    write(`  publishing  ${config.name} (bundling, uploading to the indexer, createTask on the contract)…\n`);
    const bundle = await bundleApart(config.entry);
    // The indexer's blob store takes unsigned uploads; this key only fills the ledger client's headers.
    const uploader = generateKeyPair();
    const bundleHash = (await client.uploadBlob(bundle.code, uploader)).hash;
    const metadata = new TextEncoder().encode(
      JSON.stringify({
        format: "gradual-task-metadata/v1",
        name: config.name,
        preset: config.preset,
        config: config.config,
        limits: config.limits,
      }),
    );
    const metadataHash = (await client.uploadBlob(metadata, uploader)).hash;
    const created = await callGradual(anvil.rpcUrl, chain.contract, creator, "createTask", [
      config.name,
      `0x${bundleHash}`,
      `0x${metadataHash}`,
      paramsToStruct(config.params),
      config.funding,
    ]);
    const taskId = (created.logs.find((log) => log.topics.length === 3)?.topics[1] ?? "0x").slice(2) as Hash;
    for (let attempt = 0; (await client.getTask(taskId).catch(() => undefined)) === undefined; attempt += 1) {
      if (attempt > 600) throw new Error(`the indexer never saw task ${taskId}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    write(
      `  task        ${config.name} ${taskId}\n               bounty ${formatTokenAmount(config.params.bountyPerRound)}/round, escrow ${formatTokenAmount(config.funding)}, rounds of ${config.params.roundSlots} slots × ${slotMs} ms, ${config.params.distributionRule} rule\n`,
    );
    const labels = new Map<string, string>([[creator.accountId, "creator"]]);
    const stake = formatTokenAmount(config.params.minimumStake * 10n);
    const nodes: { label: string; account: string; url: string; cheating: boolean }[] = [];
    for (const [index, key] of nodeKeys.entries()) {
      const cheating = index >= honest;
      const label = `node-${index + 1}${cheating ? " (cheater)" : ""}`;
      labels.set(key.accountId, label);
      const args = [
        "--settlement",
        "evm",
        "--key",
        join(data, "keys", `node-${index + 1}-evm.json`),
        "--rpc",
        anvil.rpcUrl,
        "--contract",
        chain.contract,
        "--indexer",
        url,
        "--task",
        taskId,
        "--port",
        "0",
        "--data",
        join(data, `node-${index + 1}`),
        "--stake",
        stake,
        "--name",
        label,
        "--verifier-workers",
        "0",
        ...(options.nodeArgs ?? []),
        ...(cheating ? ["--misbehave", options.misbehave ?? "garbage:3"] : []),
      ];
      children.push(launchNode(options.nodeProcesses, label, args, join(data, `node-${index + 1}.log`)));
      nodes.push({ label, account: key.accountId, url: "", cheating });
    }
    write(`  starting    ${children.length} nodes (each downloads the task bundle from the indexer and stakes)…\n`);
    const urls = await Promise.all(children.map((child) => child.url));
    for (const [index, node] of nodes.entries()) {
      node.url = urls[index] as string;
      write(`  ${node.label.padEnd(20)} ${node.url}   (/health, /metrics, /proofs/DIGEST)\n`);
    }
    write(`  logs        ${data}/*.log     keys ${join(data, "keys")}\n\n`);
    const rpcUrl = anvil.rpcUrl;
    let keeping = false;
    let warned = false;
    const keeper = {
      async check(): Promise<void> {
        if (keeping) return;
        keeping = true;
        try {
          const view = await client.getTask(taskId);
          if (view === undefined || view.task.status === "closing" || view.task.status === "closed") return;
          const bounty = BigInt(view.task.params.bountyPerRound);
          if (BigInt(view.task.escrow) >= bounty * 4n && view.task.status !== "paused") return;
          const amount = bounty * 20n;
          const balance = BigInt((await client.getAccount(creator.accountId)).balance);
          if (balance < amount) {
            const deployer = evmKeyFromPrivateKey(ANVIL_DEPLOYER_KEY);
            await mintAndDeposit({
              rpcUrl,
              deployer,
              contract: chain.contract,
              token: chain.token,
              key: creator,
              amount,
            });
          }
          await callGradual(rpcUrl, chain.contract, creator, "fundTask", [`0x${taskId}`, amount]);
          warned = false;
          write(
            `  escrow    creator topped up the task with ${formatTokenAmount(amount)} tokens on the contract (the devnet keeps it funded)\n`,
          );
        } catch (error) {
          if (!warned)
            write(
              `  escrow    cannot top up the task (${(error as Error).message.split("\n")[0]}); it pauses when the escrow runs out\n`,
            );
          warned = true;
        } finally {
          keeping = false;
        }
      },
    };
    return {
      dataDir: data,
      ledgerUrl: url,
      client,
      taskId,
      labels,
      startBlock,
      rpcUrl: anvil.rpcUrl,
      contract: chain.contract,
      nodes,
      indexer,
      keeper,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
