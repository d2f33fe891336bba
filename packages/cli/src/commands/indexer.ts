import { homedir } from "node:os";
import { join } from "node:path";
import { type EvmError, type Indexer, type IndexerProgress, startIndexer, startIndexerServer } from "@gradual/evm";
import type { Command } from "commander";
import { CliError, printJson } from "../output.ts";

/**
 * `gradual indexer`: follows a Gradual contract's logs, replays them through the core and serves the ledger's read
 * API and event stream from the result, so `gradual task status`, the ledger client, nodes' reads and the dashboard
 * work against an EVM chain unchanged.
 */

type Address = `0x${string}`;
const DEFAULT_RPC = "http://127.0.0.1:8545";
const DEFAULT_PORT = 8898;

export function register(program: Command): void {
  program
    .command("indexer")
    .description(
      "Follow a Gradual contract on an EVM chain and serve the ledger's read API (/v1/...) and event stream from it",
    )
    .requiredOption("--contract <address>", "the Gradual contract's address (gradual deploy prints it)")
    .option("--rpc <url>", `EVM JSON-RPC URL (default: $GRADUAL_EVM_RPC or ${DEFAULT_RPC}, anvil's)`)
    .option("--from-block <n>", "first block to read: the contract's deployment block", "0")
    .option("--port <n>", `port to serve on, 127.0.0.1 (0 = any free port)`, String(DEFAULT_PORT))
    .option("--data-dir <dir>", "where the log store lives (default: ~/.gradual/indexer)")
    .option("--confirmations <n>", "blocks to stay behind the head (0 on anvil; more on a chain that reorgs)", "0")
    .option("--json", "print the address, then progress and a divergence, as JSON lines")
    .addHelpText(
      "after",
      `
Serves GET /v1/chain, /v1/blocks, every state read of the ledger, /v1/events (server-sent blocks) and /v1/indexer
(progress, divergence). Point read commands at it with --ledger URL (or GRADUAL_LEDGER), and the dashboard with
gradual dashboard --ledger URL. The state is rebuilt from the stored logs on every start, never read from disk.

A divergence (EVM__INDEXER_DIVERGED: the contract logged a call the core replays differently) is printed with the
log's position; the indexer then serves what it applied before it and applies nothing more.

Example:
  gradual indexer --rpc http://127.0.0.1:8545 --contract 0xe7f1...0512 --from-block 2 --port 8898`,
    )
    .action(
      async (options: {
        contract: string;
        rpc?: string;
        fromBlock: string;
        port: string;
        dataDir?: string;
        confirmations: string;
        json?: boolean;
      }) => {
        if (!/^0x[0-9a-fA-F]{40}$/.test(options.contract))
          throw new CliError(
            "CLI__BAD_INPUT",
            `--contract: expected a 0x address, got ${JSON.stringify(options.contract)}`,
          );
        for (const [name, value] of [
          ["--from-block", options.fromBlock],
          ["--port", options.port],
          ["--confirmations", options.confirmations],
        ] as const) {
          if (!/^\d+$/.test(value)) throw new CliError("CLI__BAD_OPTION", `${name}: expected an integer, got ${value}`);
        }
        if (Number(options.port) > 65_535) throw new CliError("CLI__BAD_OPTION", "--port: expected 0..65535");
        const json = options.json === true;
        const say = (line: string, value: Record<string, unknown>) => {
          if (json) printJson(value);
          else process.stdout.write(`${line}\n`);
        };
        let last: IndexerProgress | undefined;
        let lastPrinted = -1;
        let server: Awaited<ReturnType<typeof startIndexerServer>> | undefined;
        const indexer: Indexer = await startIndexer({
          rpcUrl: options.rpc ?? process.env.GRADUAL_EVM_RPC ?? DEFAULT_RPC,
          contract: options.contract as Address,
          fromBlock: BigInt(options.fromBlock),
          dataDir: options.dataDir ?? join(homedir(), ".gradual", "indexer"),
          confirmations: Number(options.confirmations),
          onEvents: () => server?.notify(),
          onProgress: (progress) => {
            last = progress;
            server?.notify();
            if (progress.slot === lastPrinted) return;
            lastPrinted = progress.slot;
            say(
              `block ${progress.block ?? "-"} of ${progress.head}, slot ${progress.slot}, ${progress.logs} logs applied`,
              { type: "progress", ...progress },
            );
          },
          onDivergence: (error: EvmError) =>
            say(`error[${error.code}]: ${error.message}`, {
              type: "divergence",
              code: error.code,
              message: error.message,
              context: error.context,
            }),
          onError: (error) => process.stderr.write(`indexer: ${error.message}\n`),
        });
        server = await startIndexerServer({
          indexer,
          port: Number(options.port),
          status: () => ({
            chainId: indexer.chainId,
            evmChainId: indexer.evmChainId,
            contract: options.contract.toLowerCase(),
            block: last?.block?.toString() ?? null,
            head: last?.head.toString() ?? null,
            slot: indexer.replay.chain.slot,
            logs: indexer.replay.applied,
            diverged:
              indexer.replay.diverged === undefined
                ? null
                : { code: indexer.replay.diverged.code, message: indexer.replay.diverged.message },
          }),
        });
        say(`indexer ${server.url}  (chain ${indexer.chainId}, contract ${options.contract})`, {
          type: "listening",
          url: server.url,
          chainId: indexer.chainId,
          contract: options.contract,
        });
        const stop = () => {
          void Promise.all([server?.close(), indexer.stop()]).finally(() => process.exit(0));
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    );
}
