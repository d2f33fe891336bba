import { resolve } from "node:path";
import { generateKeyPair, type KeyPair, resolveLedgerUrl } from "@gradual/ledger/client";
import {
  createSandboxedTaskRunner,
  describeFailure,
  type Misbehaviour,
  NodeStartError,
  parseMisbehaviour,
  type Settlement,
  type StartNodeOptions,
  startNode,
  withMisbehaviour,
} from "@gradual/node";
import { parseTokenAmount } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError } from "../output.ts";
import { collectTaskVar, taskVarsOf } from "../taskVars.ts";
import { loadEvmKeyOrFail, loadKeyOrFail } from "./keys.ts";
import { registerNodeStatus } from "./nodeStatusCommand.ts";

function integer(flag: string, raw: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `in ${minimum}..${maximum}`;
    throw new CliError("CLI__BAD_INPUT", `${flag}: expected an integer ${range}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

type NodeFlags = {
  key?: string;
  ledger?: string;
  task?: string;
  port: string;
  host: string;
  publicUrl?: string;
  data?: string;
  stake?: string;
  autoClaim: boolean;
  claimEvery: string;
  leave?: boolean;
  taskVar: string[];
  taskVarFile?: string;
  memoryMb?: string;
  cpuPercent?: string;
  callTimeoutMs?: string;
  verifierWorkers: string;
  quiet?: boolean;
  misbehave?: string;
  name?: string;
  settlement: string;
  rpc?: string;
  contract?: string;
  indexer?: string;
};

export function register(program: Command): void {
  const node = program
    .command("node")
    // `gradual node status --task ...`: options after `status` are the subcommand's, not the node's.
    .enablePositionalOptions()
    .description("Run a task node: follow and verify the ledger, do the work, prove it, audit others, get paid")
    // Checked in the action, not as required options: commander would also demand them of `gradual node status`.
    .option("--key <file>", "node key file, required (gradual keys new)")
    .option("--task <id>", "task id to serve, required")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--port <n>", "HTTP port for /proofs, /health, /metrics and task routes (0 = any free port)", "7001")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--public-url <url>", "URL other nodes use to reach this one (default http://HOST:PORT)")
    .option("--data <dir>", "data directory (default .data/node-<key prefix>)")
    .option("--stake <tokens>", "stake this much at start when the node has no stake in the task")
    .option(
      "--no-auto-claim",
      "do not claim vested rewards automatically (auto-claims go in a round's quiet slots, between the reveal and commit windows)",
    )
    .option(
      "--leave",
      "leave the task: commit nothing more, reveal what was committed, then unstake (and keep claiming); withdraw later",
    )
    .option(
      "--claim-every <rounds>",
      "auto-claim only in rounds that are a multiple of this (each claim is a transaction: on an EVM chain, a fee)",
      "1",
    )
    .option("--task-var <name=value>", "a task variable (repeatable)", collectTaskVar, [] as string[])
    .option("--task-var-file <file>", "task variables from a .env file (NAME=value lines); --task-var overrides it")
    .option("--memory-mb <n>", "task sandbox heap limit in MB (default: the task's limits, else 128)")
    .option("--cpu-percent <n>", "share of one core the task process may use, 5..800 (default: the task's, else none)")
    .option(
      "--call-timeout-ms <n>",
      "time limit of setup and route calls in ms (default: the task's limits, else 30000; task, audit and distribution follow the round's windows)",
    )
    .option(
      "--verifier-workers <n>",
      "threads that verify the replica's signatures (0 = on the main thread: enough for small tasks, saves about 10 MB)",
      "1",
    )
    .option(
      "--settlement <kind>",
      "where the task settles: ledger (the gradual ledger) or evm (a Gradual contract)",
      "ledger",
    )
    .option(
      "--rpc <url>",
      "with --settlement evm: the EVM JSON-RPC URL (default: $GRADUAL_EVM_RPC or http://127.0.0.1:8545)",
    )
    .option("--contract <address>", "with --settlement evm: the Gradual contract's address")
    .option("--indexer <url>", "with --settlement evm: the contract's indexer (gradual indexer), for reads and blobs")
    .option("--quiet", "log warnings and errors only")
    .option("--name <label>", "a name for people, served in /health and shown by the dashboard (e.g. node-1)")
    .option(
      "--misbehave <fault>",
      "demos and tests only: garbage:N submits a garbage proof every N-th cycle; altered:N its real output with one character changed",
    )
    .addHelpText(
      "after",
      `
The node replays every ledger block through the protocol core and checks each state root (a verifying replica),
runs the task bundle named on the ledger in a sandbox, commits and reveals its proof, serves it at
/proofs/{digest} only after its reveal landed, audits its assigned peers, triggers and votes, posts its list's
Merkle root when it beats the list in force (custom rule), and claims vested rewards. Its own state is in
SQLite under --data: after a crash it resumes without committing twice or voting differently.

With --settlement evm the node settles on a Gradual contract: --key is an EVM key file (gradual keys new --type evm),
the node's account is its account id, every transaction is a contract call sent from it (the node signs nothing
else on the chain), and it reads the chain from --indexer. Audits, votes, proofs, claims and the custom rule's
lists and entry claims are contract calls.

Examples:
  gradual node --key node1.json --task 9c1f...e2 --stake 100 --port 7001
  gradual node --settlement evm --key node1-evm.json --rpc http://127.0.0.1:8545 --contract 0xe7f1...0512 \
    --indexer http://127.0.0.1:8898 --task 9c1f...e2 --stake 100`,
    )
    .action(async (options: NodeFlags) => {
      if (options.key === undefined) throw new CliError("CLI__MISSING_ARGUMENT", "--key FILE is required");
      if (options.task === undefined) throw new CliError("CLI__MISSING_ARGUMENT", "--task ID is required");
      if (!/^[0-9a-f]{64}$/.test(options.task))
        throw new CliError("CLI__BAD_INPUT", "--task: expected a task id of 64 hex characters");
      if (options.settlement !== "ledger" && options.settlement !== "evm")
        throw new CliError(
          "CLI__BAD_OPTION",
          `--settlement: expected ledger or evm, got ${JSON.stringify(options.settlement)}`,
        );
      let settlement: Settlement | undefined;
      let keyPair: KeyPair;
      if (options.settlement === "evm") {
        if (options.contract === undefined || !/^0x[0-9a-fA-F]{40}$/.test(options.contract))
          throw new CliError("CLI__MISSING_ARGUMENT", "--settlement evm needs --contract 0xADDRESS");
        if (options.indexer === undefined)
          throw new CliError("CLI__MISSING_ARGUMENT", "--settlement evm needs --indexer URL (gradual indexer)");
        const evmKey = await loadEvmKeyOrFail(options.key);
        const { createEvmSettlement } = await import("@gradual/evm");
        settlement = await createEvmSettlement({
          rpcUrl: options.rpc ?? process.env.GRADUAL_EVM_RPC ?? "http://127.0.0.1:8545",
          contract: options.contract as `0x${string}`,
          evmKey,
          indexerUrl: options.indexer,
        });
        // The chain authenticates the node's calls; this key only signs what task code asks for (ctx.sign).
        keyPair = { ...generateKeyPair(), publicKey: evmKey.accountId };
      } else keyPair = loadKeyOrFail(options.key);
      const taskVars = taskVarsOf(options);
      let stake: bigint | undefined;
      if (options.stake !== undefined) {
        try {
          stake = parseTokenAmount(options.stake);
        } catch (error) {
          throw new CliError("CLI__BAD_INPUT", `--stake: ${(error as Error).message}`);
        }
      }
      let misbehaviour: Misbehaviour | undefined;
      if (options.misbehave !== undefined) {
        misbehaviour = parseMisbehaviour(options.misbehave);
        if (misbehaviour === undefined)
          throw new CliError(
            "CLI__BAD_INPUT",
            `--misbehave: expected garbage:N or altered:N (N >= 1), got ${JSON.stringify(options.misbehave)}`,
          );
      }
      const dataDir = resolve(options.data ?? `.data/node-${keyPair.publicKey.slice(0, 12)}`);
      const prefix = `[node ${keyPair.publicKey.slice(0, 8)}]`;
      const ledgerUrl = settlement === undefined ? resolveLedgerUrl(options.ledger) : settlement.url;
      const running = await startNodeOrFail(ledgerUrl, {
        ledgerUrl,
        ...(settlement === undefined ? {} : { settlement }),
        keyPair,
        taskId: options.task,
        dataDir,
        ...(options.name === undefined ? {} : { name: options.name }),
        port: Number(options.port),
        host: options.host,
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
        ...(stake === undefined ? {} : { stake }),
        autoClaim: options.autoClaim,
        claimEveryRounds: integer("--claim-every", options.claimEvery, 1, 1_000_000),
        leaving: options.leave === true,
        verifierWorkers: integer("--verifier-workers", options.verifierWorkers, 0),
        taskVars,
        limits: {
          ...(options.memoryMb === undefined ? {} : { memoryMb: integer("--memory-mb", options.memoryMb, 16) }),
          ...(options.cpuPercent === undefined
            ? {}
            : { cpuPercent: integer("--cpu-percent", options.cpuPercent, 5, 800) }),
          ...(options.callTimeoutMs === undefined
            ? {}
            : { callTimeoutMs: integer("--call-timeout-ms", options.callTimeoutMs, 10) }),
        },
        log: (level, message, fields) => {
          if (options.quiet && level === "info") return;
          const details =
            fields === undefined
              ? ""
              : ` ${JSON.stringify(fields, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}`;
          process.stdout.write(`${prefix} ${level} ${message}${details}\n`);
        },
        createRunner: async (bundlePath, host, limits) => {
          const runner = await createSandboxedTaskRunner({ bundlePath, host, limits });
          return misbehaviour === undefined ? runner : withMisbehaviour(runner, misbehaviour);
        },
      });
      process.stdout.write(`${prefix} serving task ${options.task} at ${running.url} (data ${dataDir})\n`);
      const stop = async (signal: string) => {
        process.stdout.write(
          `${prefix} ${signal}: stopping (signed transactions wait in its outbox for the next start)\n`,
        );
        await running.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
    });
  registerNodeStatus(node);
}

/** Starts the node; a down ledger, an unknown task or a taken port become one `error[CODE]` line, not a stack. */
async function startNodeOrFail(ledgerUrl: string, options: StartNodeOptions) {
  try {
    return await startNode(options);
  } catch (error) {
    if (error instanceof NodeStartError) throw new CliError(error.code, error.message);
    if ((error as { code?: string }).code === "EADDRINUSE")
      throw new CliError(
        "NODE__PORT_IN_USE",
        `port ${options.port} is taken (another node?): pass --port N, or --port 0 for any free port`,
      );
    const message = describeFailure(error, ledgerUrl);
    if (message.startsWith("LEDGER__UNREACHABLE: "))
      throw new CliError("LEDGER__UNREACHABLE", message.slice("LEDGER__UNREACHABLE: ".length));
    throw error;
  }
}
