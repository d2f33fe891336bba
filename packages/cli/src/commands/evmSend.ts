import type { LedgerClient } from "@gradual/ledger/client";
import { type Hash, type RegisteredCode, type Transaction, transactionToJson } from "@gradual/protocol";
import { type Command, Option } from "commander";
import { CliError, printJson } from "../output.ts";
import { callLedger } from "./account.ts";
import { loadEvmKeyOrFail } from "./keys.ts";

/**
 * The ledger commands that send a transaction (task create, fund and close; stake, unstake, withdraw, claim) with an
 * EVM key: the transaction becomes a call of the Gradual contract, sent by the EVM `Settlement` the node uses
 * (`createEvmSettlement`: simulated against the block it lands in, a revert reported with the core's code), and read
 * back through the indexer given as `--ledger` (it serves the ledger's read API over the contract).
 */
export type EvmFlags = { readonly rpc?: string; readonly contract?: string };

const RPC_ENV = "GRADUAL_EVM_RPC";
const CONTRACT_ENV = "GRADUAL_EVM_CONTRACT";

/** `--rpc` and `--contract`, for a command run with an EVM key. */
export function addEvmFlags(command: Command): Command {
  return command
    .addOption(new Option("--rpc <url>", `with an EVM key: the chain's JSON-RPC URL (default: $${RPC_ENV})`))
    .addOption(new Option("--contract <address>", `with an EVM key: the Gradual contract (default: $${CONTRACT_ENV})`));
}

export type EvmSender = {
  /** The key's account id (its address, left-padded to 32 bytes). */
  readonly account: string;
  /** Sends the transaction as a contract call; throws the contract's refusal as a CliError with the core's code. */
  send(body: Record<string, unknown>, what: string): Promise<string>;
  /** The id the contract gives the creator's task created when the chain held `taskCount` tasks. */
  taskIdOf(creator: string, taskCount: number): Hash;
};

/** The EVM sender for `keyFile`, or a CLI__BAD_OPTION naming what is missing. */
export async function evmSender(
  keyFile: string,
  flags: EvmFlags,
  ledger: { readonly client: LedgerClient; readonly url: string },
): Promise<EvmSender> {
  const rpc = flags.rpc ?? process.env[RPC_ENV];
  const contract = flags.contract ?? process.env[CONTRACT_ENV];
  if (rpc === undefined || contract === undefined)
    throw new CliError(
      "CLI__BAD_OPTION",
      `${keyFile} is an EVM key: its transactions are calls of the Gradual contract; give --rpc URL and --contract ADDRESS (or $${RPC_ENV} and $${CONTRACT_ENV}), and --ledger the indexer's URL (gradual indexer)`,
    );
  if (!/^0x[0-9a-fA-F]{40}$/.test(contract))
    throw new CliError("CLI__BAD_OPTION", `--contract: expected a 0x address of 40 hex characters, got ${contract}`);
  const evmKey = await loadEvmKeyOrFail(keyFile);
  const { createEvmSettlement } = await import("@gradual/evm");
  const settlement = await createEvmSettlement({
    rpcUrl: rpc,
    contract: contract as `0x${string}`,
    evmKey,
    indexerUrl: ledger.url,
  });
  const { chainId } = await ledger.client.getChain();
  return {
    account: evmKey.accountId,
    taskIdOf: (creator, taskCount) => settlement.taskIdOf?.(creator, taskCount) as Hash,
    async send(body, what) {
      // The chain orders and authenticates the call: the nonce is the chain's, and nothing is signed here.
      const tx = { ...body, chainId, from: evmKey.accountId, nonce: 0 } as unknown as Transaction;
      const outcome = await settlement.submit({ tx: transactionToJson(tx), signature: "" });
      if (!outcome.ok)
        throw new CliError(outcome.code as RegisteredCode, `${what}: the contract refused it: ${outcome.message}`);
      return outcome.hash;
    },
  };
}

/**
 * Sends `body` with the EVM key `options.key` (a command's EVM branch). Under --json it prints the inclusion as the
 * ledger's send result would (`{ status: "included", hash, result: { ok: true } }`) and returns undefined; otherwise
 * it returns the call's transaction hash for the command's own line.
 */
export async function sendWithEvmKey(
  options: { readonly key: string; readonly json?: boolean } & EvmFlags,
  ledger: { readonly client: LedgerClient; readonly url: string },
  body: Record<string, unknown>,
  what: string,
): Promise<string | undefined> {
  const sender = await callLedger(ledger.url, () => evmSender(options.key, options, ledger));
  const hash = await sender.send(body, what);
  if (!options.json) return hash;
  printJson({ status: "included", hash, result: { ok: true } });
  return undefined;
}
