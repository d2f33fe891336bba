import { existsSync } from "node:fs";
import { type AccountView, createLedgerClient, LedgerError, resolveLedgerUrl } from "@gradual/ledger/client";
import { formatTokenAmount } from "@gradual/protocol";
import { WireError } from "@gradual/wire";
import type { Command } from "commander";
import { CliError, describeRefusal, positiveTokenOption, printJson, refusalError } from "../output.ts";
import { accountOfKeyFile } from "./keys.ts";

const ACCOUNT = /^[0-9a-f]{64}$/;

/** Runs a ledger call, turning its failures into CLI errors with the ledger's code. */
export async function callLedger<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LedgerError)
      throw new CliError(error.code, describeRefusal(error.code, error.shortMessage, error.context));
    // The ledger answered something its routes do not describe (another version, a proxy): say which and where.
    if (error instanceof WireError) throw new CliError(error.code, error.shortMessage);
    const cause = (error as { cause?: { code?: string } }).cause;
    if (error instanceof TypeError || cause?.code === "ECONNREFUSED" || (error as Error).name === "TimeoutError") {
      throw new CliError(
        "LEDGER__UNREACHABLE",
        `cannot reach the ledger at ${url} (${cause?.code ?? (error as Error).message})`,
      );
    }
    throw error;
  }
}

async function resolveAccount(keyOrFile: string | undefined): Promise<string> {
  const value = keyOrFile ?? process.env.GRADUAL_KEY;
  if (value === undefined) {
    throw new CliError("CLI__MISSING_ARGUMENT", "expected an account (64 hex) or a key file, or $GRADUAL_KEY");
  }
  if (ACCOUNT.test(value)) return value;
  // Reading signs nothing: an ed25519 or an EVM key file names the account.
  if (existsSync(value)) return accountOfKeyFile(value);
  throw new CliError(
    "CLI__BAD_INPUT",
    `expected an account (64 lowercase hex) or a key file, got ${JSON.stringify(value)}`,
  );
}

function printAccount(view: AccountView, url: string): void {
  const tokens = (amount: string) => formatTokenAmount(BigInt(amount));
  const lines = [
    `account   ${view.account}`,
    `ledger    ${url} (slot ${view.slot})`,
    `balance   ${tokens(view.balance)} tokens`,
    `nonce     ${view.nonce}${view.pending > 0 ? ` (${view.pending} pending, next ${view.nextNonce})` : ""}`,
    `claimable ${tokens(view.claimable)} tokens`,
  ];
  for (const stake of view.stakes) {
    lines.push(
      `stake     task ${stake.task}: ${tokens(stake.stake)} (weight ${tokens(stake.weight)}, unbonding ${tokens(stake.unbonding)})`,
    );
  }
  for (const vesting of view.vesting) {
    lines.push(
      `vesting   task ${vesting.task}: ${tokens(vesting.locked)} locked, ${tokens(vesting.claimable)} claimable`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `gradual faucet`: tokens from a devnet ledger's faucet (POST /v1/faucet), for trying the CLI on one machine. */
function registerFaucet(program: Command): void {
  program
    .command("faucet")
    .description("Devnet: get tokens from the ledger's faucet (a ledger started with --devnet, or gradual devnet)")
    .argument("[key-or-file]", "account (64 hex) or key file to fund (default: $GRADUAL_KEY)")
    .option("--amount <tokens>", "tokens to get (the faucet gives at most 1,000 a request)", "1000")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--json", "print the ledger's answer as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  gradual keys new alice && gradual faucet ~/.gradual/keys/alice.json --amount 500",
    )
    .action(async (keyOrFile: string | undefined, options: { amount: string; ledger?: string; json?: boolean }) => {
      const account = await resolveAccount(keyOrFile);
      const amount = positiveTokenOption("--amount", options.amount);
      const url = resolveLedgerUrl(options.ledger);
      const client = createLedgerClient({ url, timeoutMs: 60_000 });
      const result = await callLedger(url, () => client.faucet(account, amount, { timeoutMs: 30_000 }));
      // Refused: exit 1 under --json too, the ledger's answer printed with the error (main.ts).
      if (result.status === "included" && !result.result.ok) throw refusalError(result.result, result);
      if (options.json) return printJson(result);
      if (result.status === "pending") {
        process.stdout.write(`faucet ${result.hash}: acknowledged (pending since block ${result.receivedAtBlock})\n`);
        return;
      }
      const view = await callLedger(url, () => client.getAccount(account));
      process.stdout.write(
        `faucet: ${formatTokenAmount(amount)} tokens to ${account} in block ${result.block}; balance now ${formatTokenAmount(BigInt(view.balance))} tokens\n`,
      );
    });
}

export function register(program: Command): void {
  registerFaucet(program);
  program
    .command("account")
    .description("Show an account on the ledger: balance, nonce, stakes, vesting, claimable")
    .argument("[key-or-file]", "account (64 hex) or key file (default: $GRADUAL_KEY)")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--json", "print the ledger's account view as JSON (amounts in base units, as strings)")
    .addHelpText(
      "after",
      "\nExamples:\n  gradual account ~/.gradual/keys/alice.json\n  gradual account 3f2a...e9 --ledger http://127.0.0.1:8899 --json",
    )
    .action(async (keyOrFile: string | undefined, options: { ledger?: string; json?: boolean }) => {
      const account = await resolveAccount(keyOrFile);
      const url = resolveLedgerUrl(options.ledger);
      const client = createLedgerClient({ url, timeoutMs: 15_000 });
      const view = await callLedger(url, () => client.getAccount(account));
      if (options.json) printJson(view);
      else printAccount(view, url);
    });
}
