import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createLedgerClient, generateKeyPair, type LedgerClient, resolveLedgerUrl } from "@gradual/ledger/client";
import { writeBundleFile } from "@gradual/node/bundle";
import {
  formatTokenAmount,
  getNodeView,
  getVesting,
  type Hash,
  parseTokenAmount,
  vestingBalance,
} from "@gradual/protocol";
import { bundleTask } from "@gradual/sdk/bundle";
import type { Command } from "commander";
import { startTaskSite } from "../devnet/taskSite.ts";
import { isKoiiTaskPath } from "../koii/detect.ts";
import { CliError, printJson, refusalError } from "../output.ts";
import { loadTaskConfig, type TaskConfig } from "../taskConfig.ts";
import { callLedger } from "./account.ts";
import { addEvmFlags, type EvmFlags, type EvmSender, evmSender, sendWithEvmKey } from "./evmSend.ts";
import { loadKeyOrFail, readKeyType } from "./keys.ts";
import { registerTaskDev } from "./taskDev.ts";
import { gradualInstallation, scaffoldTask } from "./taskInit.ts";

const HEX64 = /^[0-9a-f]{64}$/;

function taskIdOrFail(value: string): Hash {
  if (!HEX64.test(value))
    throw new CliError(
      "CLI__BAD_INPUT",
      `expected a task id of 64 lowercase hex characters, got ${JSON.stringify(value)}`,
    );
  return value;
}

function amountOrFail(flag: string, value: string): bigint {
  try {
    const amount = parseTokenAmount(value);
    if (amount === 0n) throw new TypeError("expected more than 0");
    return amount;
  } catch (error) {
    throw new CliError("CLI__BAD_INPUT", `${flag}: ${(error as Error).message}`);
  }
}

type LedgerFlags = { ledger?: string; json?: boolean };

export function clientFor(options: LedgerFlags): { client: LedgerClient; url: string } {
  const url = resolveLedgerUrl(options.ledger);
  return { client: createLedgerClient({ url, timeoutMs: 60_000 }), url };
}

/** Publishes a task: bundle, metadata blob (name and config values), then createTask; returns the task id. */
export async function publishTask(
  client: LedgerClient,
  config: TaskConfig,
  keyFile: string,
  log: (line: string) => void,
  bundler: (
    entry: string,
  ) => Promise<{ readonly code: Uint8Array; readonly hash: string; readonly bytes: number }> = bundleTask,
  evm?: EvmFlags & { readonly url: string },
): Promise<Hash> {
  const sender =
    evm !== undefined && readKeyType(keyFile) === "evm"
      ? await evmSender(keyFile, evm, { client, url: evm.url })
      : undefined;
  // The indexer's blob store takes unsigned uploads: an EVM creator's uploads carry a throwaway key's headers.
  const keyPair = sender === undefined ? loadKeyOrFail(keyFile) : generateKeyPair();
  log(`bundling ${config.entry}`);
  const bundle = await bundler(config.entry);
  const stored = await client.uploadBlob(bundle.code, keyPair);
  log(`uploaded bundle ${stored.hash} (${bundle.bytes} bytes)`);
  const metadata = new TextEncoder().encode(
    JSON.stringify({
      format: "gradual-task-metadata/v1",
      name: config.name,
      preset: config.preset,
      config: config.config,
      limits: config.limits,
    }),
  );
  const metadataHash = (await client.uploadBlob(metadata, keyPair)).hash;
  const body = {
    kind: "createTask",
    name: config.name,
    bundleHash: bundle.hash,
    metadataHash,
    params: config.params,
    funding: config.funding,
  } as const;
  if (sender !== undefined) return createOnContract(client, sender, body, log);
  const result = await client.send(keyPair, body, { timeoutMs: 30_000 });
  if (result.status !== "included")
    throw new CliError("TASK__NOT_INCLUDED", `createTask ${result.hash} was not included in time`);
  if (!result.result.ok) throw refusalError(result.result);
  // A task's id is the hash of the transaction that created it (protocol.md §1).
  return result.hash as Hash;
}

/**
 * createTask as a contract call: the contract names the task after its creator and the chain's task count when it
 * landed (`evmTaskId`), so the id is found among the counts from before the call to the indexer's count after it.
 */
async function createOnContract(
  client: LedgerClient,
  sender: EvmSender,
  body: Record<string, unknown>,
  log: (line: string) => void,
): Promise<Hash> {
  const before = (await client.getChain()).taskCount;
  const hash = await sender.send(body, "createTask");
  log(`createTask included on the chain (${hash}); waiting for the indexer`);
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const after = (await client.getChain()).taskCount;
    for (let count = before; count < after; count += 1) {
      const id = sender.taskIdOf(sender.account, count);
      const view = await client.getTask(id);
      if (view !== undefined && view.task.creator === sender.account && view.task.name === body.name) return id;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CliError(
    "TASK__NOT_INCLUDED",
    `createTask ${hash} landed, but the indexer at --ledger never showed the task`,
  );
}

export function register(program: Command): void {
  const task = program.command("task").description("Write, test, publish and manage tasks");

  task
    .command("init")
    .argument("<name>", "folder to create (also the task's name)")
    .description(
      "Scaffold a standalone task project (package.json, tsconfig, task.ts, task.yml, a test, a README) that passes its own tests",
    )
    .addHelpText(
      "after",
      `
The project's package.json links @gradual/sdk and @gradual/cli of this installation (file: dependencies: nothing
is published to a registry) and has the scripts test, dev, build and typecheck.

Example:
  gradual task init my-task && cd my-task && npm install && npm test`,
    )
    .action((name: string) => {
      const directory = resolve(name);
      if (existsSync(directory)) throw new CliError("CLI__EXISTS", `${directory} already exists`);
      scaffoldTask(directory, name.split(/[\\/]/).pop() ?? name, gradualInstallation());
      process.stdout.write(
        `created ${directory}\nnext: cd ${name} && npm install && npm test   (or, without installing: gradual task test ${name})\n`,
      );
    });

  task
    .command("build")
    .argument("[dir]", "task folder (holding task.yml)", ".")
    .description("Bundle a task into the one ESM file a ledger stores and nodes run; print its hash")
    .option("--out <file>", "where to write the bundle (default: DIR/dist/<name>.mjs)")
    .option("--json", "print { file, hash, bytes } as JSON")
    .addHelpText(
      "after",
      `
The bundle is what \`gradual task create\` uploads: the entry of task.yml with @gradual/sdk and every other
dependency inlined, Node builtins left as imports. The same sources give the same bytes and hash on every machine.

Example:
  gradual task build my-task`,
    )
    .action(async (dir: string, options: { out?: string; json?: boolean }) => {
      const loaded = loadTaskConfig(dir);
      const bundle = await bundleTask(loaded.entry);
      const file = resolve(
        options.out ?? resolve(loaded.directory, "dist", `${loaded.name.replace(/[^A-Za-z0-9._-]/g, "-")}.mjs`),
      );
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bundle.code);
      if (options.json) printJson({ file, hash: bundle.hash, bytes: bundle.bytes });
      else process.stdout.write(`bundle ${bundle.hash} (${bundle.bytes} bytes) -> ${file}\n`);
    });

  task
    .command("test")
    .argument("[dir]", "task folder (holding task.yml)", ".")
    .description("Run a task through several rounds with several sandboxed nodes on an in-memory ledger")
    .option("--nodes <n>", "number of nodes", "3")
    .option("--rounds <n>", "rounds of work, counted from the end of the stakes' warm-up", "4")
    .option("--json", "print the calls and outcome as JSON (amounts in base units, as strings)")
    .addHelpText(
      "after",
      `
Each node runs the task's real code in its own sandbox (a process with memory and time limits), commits and
reveals its proof and audits the others. Under the weighted and equal rules each cycle pays itself by rule at the
start of round c+2, with no list; under the custom rule valid submitters race to post the list's Merkle root (the
best-scored poster's list stands), the others check it, and each entry is claimed into vesting. The report shows,
round by round, what task+submission, audit and distribution returned on every node (node-1, node-2, ... as on
the devnet), the audits upheld and the slashes, and what each cycle paid, in tokens. After the last round asked
for, the nodes do no new work; the last cycles are reviewed and paid.
Exits 1 when a call failed or no cycle was paid.

Example:
  gradual task test my-task --nodes 4 --rounds 3`,
    )
    .action(async (dir: string, options: { nodes: string; rounds: string; json?: boolean }) => {
      const loaded = loadTaskConfig(dir);
      const nodes = Number(options.nodes);
      const rounds = Number(options.rounds);
      if (!Number.isInteger(nodes) || nodes < 2 || nodes > 50)
        throw new CliError("CLI__BAD_INPUT", "--nodes: expected 2..50");
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100)
        throw new CliError("CLI__BAD_INPUT", "--rounds: expected 1..100");
      const say = (line: string) => {
        if (!options.json) process.stdout.write(`${line}\n`);
      };
      // The task's demo site, when its folder ships one (web-scraper), as the devnet does.
      const site = await startTaskSite(loaded);
      if (site !== undefined) say(`demo site ${site.url} (what ${loaded.name} scrapes)`);
      try {
        await runTaskTest(site?.config ?? loaded, nodes, rounds, options.json === true, say);
      } finally {
        await site?.close();
      }
    });

  registerTaskDev(task);

  const create = task
    .command("create")
    .description("Bundle a task, upload it to the ledger and create it with its parameters and funding")
    .requiredOption("--config <file>", "task.yml (or a folder holding one)")
    .requiredOption(
      "--key <file>",
      "key file of the creator (pays the funding): ed25519, or evm for the Gradual contract",
    )
    .option(
      "--ledger <url>",
      "ledger URL, or the indexer's with an EVM key (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)",
    )
    .option("--json", "print the task id and hashes as JSON");
  addEvmFlags(create).action(async (options: { config: string; key: string } & LedgerFlags & EvmFlags) => {
    const { client, url } = clientFor(options);
    const log = (line: string) => {
      if (!options.json) process.stderr.write(`${line}\n`);
    };
    // A Koii task folder (config-task.yml) is accepted as is (docs/koii.md).
    const koiiModule = isKoiiTaskPath(options.config) ? await import("../koii/publish.ts") : undefined;
    const koii = await koiiModule?.loadKoiiTask(options.config);
    const config = koii?.config ?? loadTaskConfig(options.config);
    const taskId = await callLedger(url, () =>
      koiiModule === undefined || koii === undefined
        ? publishTask(client, config, options.key, log, bundleTask, { ...options, url })
        : koiiModule.publishKoiiTask(client, koii, options.key, log),
    );
    if (options.json) {
      // The hashes the ledger recorded (the bundle's and the metadata's), as a script checks them later.
      const created = await callLedger(url, () => client.getTask(taskId));
      printJson({
        task: taskId,
        name: config.name,
        funding: config.funding.toString(),
        bundleHash: created?.task.bundleHash ?? null,
        metadataHash: created?.task.metadataHash ?? null,
      });
    } else
      process.stdout.write(
        `created task ${taskId} (${config.name}), funded with ${formatTokenAmount(config.funding)} tokens\n`,
      );
  });

  task
    .command("list")
    .description("List the ledger's tasks")
    .option("--ledger <url>", "ledger URL")
    .option("--json", "print JSON")
    .action(async (options: LedgerFlags) => {
      const { client, url } = clientFor(options);
      const list = await callLedger(url, () => client.listTasks({ limit: 1_000 }));
      const views = await Promise.all(list.tasks.map((id) => callLedger(url, () => client.getTask(id))));
      if (options.json) return printJson(views);
      const tasks = views.flatMap((view) => (view === undefined ? [] : [view.task]));
      if (tasks.length === 0)
        process.stdout.write("no tasks yet (create one with: gradual task create --config task.yml --key KEY)\n");
      for (const item of tasks) {
        process.stdout.write(
          `${item.id}  ${item.name.padEnd(20)} ${item.status.padEnd(8)} nodes ${item.nodeCount}  escrow ${formatTokenAmount(BigInt(item.escrow))}\n`,
        );
      }
    });

  task
    .command("status")
    .argument("<task>", "task id")
    .description("Show a task's parameters, escrow, nodes and the window each live cycle is in")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--json", "print { task, nodes } as JSON (amounts in base units, as strings)")
    .addHelpText("after", "\nExamples:\n  gradual task status 3f2a...e9\n  gradual task status 3f2a...e9 --json")
    .action(async (id: string, options: LedgerFlags) => {
      const { client, url } = clientFor(options);
      const taskId = taskIdOrFail(id);
      const view = await callLedger(url, () => client.getTask(taskId));
      if (view === undefined) throw new CliError("TASK__NOT_FOUND", `no task ${id} on the ledger at ${url}`);
      const nodes = await callLedger(url, () => client.listNodes(taskId, { limit: 1_000 }));
      if (options.json) return printJson({ ...view, nodes: nodes.items });
      process.stdout.write(`${formatTaskStatus(view, nodes.items, url).join("\n")}\n`);
    });

  for (const [name, kind, describe] of [
    ["fund", "fundTask", "Add tokens to a task's escrow"],
    [
      "close",
      "closeTask",
      "Close a task you created: no new cycles; once open cycles complete the escrow is yours to claim (gradual claim)",
    ],
  ] as const) {
    const command = task
      .command(name)
      .argument("<task>", "task id")
      .description(describe)
      .requiredOption("--key <file>", "key file of the sender")
      .option("--ledger <url>", "ledger URL")
      .option("--json", "print the ledger's answer as JSON");
    if (kind === "fundTask") command.requiredOption("--amount <tokens>", "amount in tokens");
    addEvmFlags(command).action(
      async (id: string, options: { key: string; amount?: string } & LedgerFlags & EvmFlags) => {
        const taskId = taskIdOrFail(id);
        const body =
          kind === "fundTask"
            ? { kind, task: taskId, amount: amountOrFail("--amount", options.amount ?? "") }
            : { kind, task: taskId };
        await sendAndReport(options, body, `${name} ${taskId}`);
      },
    );
  }
}

type TaskStatusView = NonNullable<Awaited<ReturnType<LedgerClient["getTask"]>>>;
type NodeStatusRow = Awaited<ReturnType<LedgerClient["listNodes"]>>["items"][number];

/** `gradual task status` for a person: amounts in tokens, one line per node and per live cycle. */
function formatTaskStatus(view: TaskStatusView, nodes: readonly NodeStatusRow[], url: string): string[] {
  const { task } = view;
  const tokens = (amount: string | number | undefined) => {
    const text = formatTokenAmount(BigInt(amount ?? 0));
    return `${text} ${text === "1" ? "token" : "tokens"}`;
  };
  const minimum = BigInt(task.params.minimumStake ?? 0);
  // Each cycle reserves its bounty from the escrow when it starts (§8.1): the escrow shown is what is left after them.
  const reserved = view.cycles.reduce((sum, cycle) => sum + BigInt(cycle.record.reserved), 0n).toString();
  const lines = [
    `task      ${task.id} (${task.name})`,
    `ledger    ${url} (slot ${view.slot}, round ${view.round})`,
    `status    ${task.status}${task.status === "paused" ? " (escrow does not cover a round: gradual task fund ID --amount N)" : ""}`,
    `creator   ${task.creator}`,
    `escrow    ${tokens(task.escrow)} (bounty ${tokens(task.params.bountyPerRound)} per round; the open cycles hold ${tokens(reserved)} more, reserved for their pay)`,
    `paid      ${tokens(task.totalPaid)}; slashed ${tokens(task.totalSlashed)}`,
    `stake     minimum ${tokens(task.params.minimumStake)}; active weight ${tokens(view.activeWeight)}`,
    `nodes     ${task.nodeCount}`,
  ];
  for (const node of nodes) {
    const active = BigInt(node.stake) >= minimum && BigInt(node.stake) > 0n;
    lines.push(
      `  ${node.account}  ${active ? "active       " : "below minimum"} stake ${tokens(node.stake)}, weight ${tokens(node.weight)}, locked ${tokens(node.locked)}, claimable ${tokens(node.claimable)}, slashed ${tokens(node.slashedTotal)} (${node.slashCount}x)  ${node.url}`,
    );
  }
  for (const cycle of view.cycles)
    lines.push(`cycle ${cycle.cycle}   ${cyclePhaseLabel(cycle, view.round, task.params.revealSlots === 0)}`);
  return lines;
}

/**
 * A live cycle's phase as the devnet names it: with paired reveals (revealSlots 0, §2.2) the round after a cycle's
 * work is not yet its review but its reveals, sent with the next cycle's commits.
 */
export function cyclePhaseLabel(
  cycle: { readonly cycle: number; readonly phase: string; readonly openWindows: readonly string[] },
  round: number,
  paired: boolean,
): string {
  const open = cycle.openWindows.length > 0 ? ` (open: ${cycle.openWindows.join(", ")})` : "";
  if (paired && cycle.phase === "review" && round === cycle.cycle + 1) return `revealing with the commits${open}`;
  return `${cycle.phase}${open}`;
}

/** `gradual task test`: several sandboxed nodes on an in-memory ledger; throws unless a cycle was paid. */
async function runTaskTest(
  config: TaskConfig,
  nodes: number,
  rounds: number,
  json: boolean,
  say: (line: string) => void,
): Promise<void> {
  // The node runtime (sandbox, local network) loads here, not with every command that publishes a task (devnet).
  const { createSandboxedTaskRunner, describeTaskLimits, localNodeName, runLocalNetwork } = await import(
    "@gradual/node"
  );
  say(`bundling ${config.entry}`);
  const bundle = await bundleTask(config.entry);
  const bundlePath = await writeBundleFile(bundle.code);
  say(`running ${nodes} nodes for ${rounds} rounds (bundle ${bundle.hash.slice(0, 12)}, ${bundle.bytes} bytes)`);
  const result = await runLocalNetwork({
    nodes,
    rounds,
    params: { ...config.params, maxNodes: Math.max(config.params.maxNodes, nodes) },
    config: config.config,
    limits: config.limits,
    // Each node's routes and revealed proofs at the URL it staked with, as on a devnet.
    serveHttp: true,
    createRunner: (host, limits) => createSandboxedTaskRunner({ bundlePath, host, limits }),
    onReport: say,
    onLimits: (limits) => say(describeTaskLimits(limits)),
  });
  const paid = result.events.filter((event) => event.type === "CycleCompleted" && event.outcome === "paid").length;
  const failed = result.calls.filter((call) => !call.ok);
  const summary = result.accounts.map((account, index) => {
    const view = getNodeView(result.state, result.taskId, account);
    const record = getVesting(result.state, result.taskId, account);
    const vesting = record === undefined ? 0n : vestingBalance(record);
    return {
      node: localNodeName(index),
      account,
      stake: view?.stake ?? 0n,
      /** Everything the task's lists paid the node, claimed or not. */
      earned: record?.totalVested ?? 0n,
      /** Claimed to the node's balance. */
      claimed: record?.totalClaimed ?? 0n,
      /** Still held by the task (locked, or unlocked and not yet claimed). */
      vesting,
      /** Taken back: slashed or clawed back by a late challenge. */
      lost: (record?.totalSlashed ?? 0n) + (record?.totalClawedBack ?? 0n),
    };
  });
  const report = { paidCycles: paid, failedCalls: failed, calls: result.calls, nodes: summary };
  const failure = failed.length > 0 ? `${failed.length} call(s) failed` : paid === 0 ? "no cycle was paid" : undefined;
  // Under --json a failed run is one object: the report with the error beside it (main.ts prints it).
  if (json && failure !== undefined) throw new CliError("TASK_TEST__FAILED", failure, 1, report);
  if (json) printJson(report);
  else {
    say(`\n${paid} cycle(s) paid; ${result.calls.length - failed.length} calls ok, ${failed.length} failed`);
    for (const row of summary)
      say(
        `  ${row.node} ${row.account.slice(0, 12)}… stake ${formatTokenAmount(row.stake)} tokens, earned ${formatTokenAmount(row.earned)} tokens: ${formatTokenAmount(row.claimed)} claimed, ${formatTokenAmount(row.vesting)} still vesting${row.lost > 0n ? `, ${formatTokenAmount(row.lost)} slashed or clawed back` : ""}`,
      );
  }
  if (failure !== undefined) throw new CliError("TASK_TEST__FAILED", failure);
}

/** Signs and submits one transaction, waits for its block and reports the outcome (exit 1 with the code on refusal). */
export async function sendAndReport(
  options: { key: string } & LedgerFlags & EvmFlags,
  body: Parameters<LedgerClient["send"]>[1],
  what: string,
): Promise<void> {
  const { client, url } = clientFor(options);
  if (readKeyType(options.key) === "evm") {
    // An EVM key: the transaction is a call of the Gradual contract (evmSend.ts), read back through the indexer.
    const hash = await sendWithEvmKey(options, { client, url }, body as unknown as Record<string, unknown>, what);
    if (hash !== undefined) process.stdout.write(`${what}: included on the chain (${hash})\n`);
    return;
  }
  const keyPair = loadKeyOrFail(options.key);
  const result = await callLedger(url, () => client.send(keyPair, body, { timeoutMs: 30_000 }));
  // Under --json a refusal is one object: the ledger's answer with the error beside it (main.ts prints it).
  if (result.status === "included" && !result.result.ok && options.json) throw refusalError(result.result, result);
  if (options.json) printJson(result);
  else if (result.status === "pending") process.stdout.write(`${what}: acknowledged, pending (${result.hash})\n`);
  else if (result.result.ok) process.stdout.write(`${what}: included in block ${result.block} (${result.hash})\n`);
  else process.stdout.write(`${what}: refused in block ${result.block}: ${result.result.code}\n`);
  if (result.status === "included" && !result.result.ok) throw refusalError(result.result);
}
