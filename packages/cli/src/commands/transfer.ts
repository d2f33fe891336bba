import { createLedgerClient, resolveLedgerUrl } from "@gradual/ledger/client";
import { formatTokenAmount } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError, positiveTokenOption, printJson, refusalError } from "../output.ts";
import { callLedger } from "./account.ts";
import { addEvmFlags, type EvmFlags, sendWithEvmKey } from "./evmSend.ts";
import { loadKeyOrFail, readKeyType } from "./keys.ts";

type TransferOptions = {
  key: string;
  to: string;
  amount: string;
  ledger?: string;
  wait: boolean;
  json?: boolean;
} & EvmFlags;

export function register(program: Command): void {
  const command = program
    .command("transfer")
    .description("Sign a transfer with a key file and submit it to the ledger")
    .requiredOption("--key <file>", "key file of the sender")
    .requiredOption("--to <account>", "recipient account (64 hex)")
    .requiredOption("--amount <tokens>", "amount in tokens, up to 9 decimals (1.5 = 1,500,000,000 base units)")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--no-wait", "return once the ledger has durably logged it, without waiting for its block")
    .option("--json", "print the ledger's answer as JSON")
    .addHelpText(
      "after",
      `
Exits 0 when the transfer is included and applied (or, with --no-wait, acknowledged); exits 1 with the
protocol's code otherwise (for example ACCOUNT__INSUFFICIENT_BALANCE).

With an EVM key the transfer moves balance inside the Gradual contract: give --rpc, --contract and --ledger the
indexer's URL (docs/evm.md).

Example:
  gradual transfer --key alice.json --to 3f2a...e9 --amount 1.5`,
    );
  addEvmFlags(command).action(async (options: TransferOptions) => {
    if (!/^[0-9a-f]{64}$/.test(options.to)) {
      throw new CliError(
        "CLI__BAD_INPUT",
        `--to: expected an account of 64 lowercase hex characters, got ${JSON.stringify(options.to)}`,
      );
    }
    const amount = positiveTokenOption("--amount", options.amount);
    const url = resolveLedgerUrl(options.ledger);
    const client = createLedgerClient({ url, timeoutMs: 60_000 });
    if (readKeyType(options.key) === "evm") {
      const hash = await sendWithEvmKey(
        options,
        { client, url },
        { kind: "transfer", to: options.to, amount },
        "transfer",
      );
      if (hash !== undefined) {
        process.stdout.write(
          `transfer ${hash}: ${formatTokenAmount(amount)} tokens to ${options.to}, included on the chain\n`,
        );
      }
      return;
    }
    const keyPair = loadKeyOrFail(options.key);
    const result = await callLedger(url, () =>
      client.send(
        keyPair,
        { kind: "transfer", to: options.to, amount },
        options.wait ? { timeoutMs: 30_000 } : undefined,
      ),
    );
    // Under --json a refusal is one object: the ledger's answer with the error beside it (main.ts prints it).
    if (result.status === "included" && !result.result.ok && options.json) throw refusalError(result.result, result);
    if (options.json) printJson(result);
    else if (result.status === "pending") {
      process.stdout.write(`transfer ${result.hash}: acknowledged (pending since block ${result.receivedAtBlock})\n`);
    } else if (result.result.ok) {
      process.stdout.write(
        `transfer ${result.hash}: ${formatTokenAmount(amount)} tokens to ${options.to}, included in block ${result.block}\n`,
      );
    } else {
      process.stdout.write(`transfer ${result.hash}: included in block ${result.block} but refused\n`);
    }
    if (result.status === "included" && !result.result.ok) {
      throw refusalError(result.result);
    }
  });
}
