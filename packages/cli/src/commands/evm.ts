import { existsSync } from "node:fs";
import {
  addressOfAccountId,
  type DeployContractsReturnType,
  deployContracts,
  depositToGradual,
  evmAccountId,
  MAX_SLOT_MS,
  MIN_SLOT_MS,
  mintTestToken,
  tokenBalance,
} from "@gradual/evm";
import { formatTokenAmount, parseTokenAmount } from "@gradual/protocol";
import type { Command } from "commander";
import { CliError, printJson } from "../output.ts";
import { loadEvmKeyOrFail } from "./keys.ts";

/**
 * The EVM settlement's tools: `gradual deploy` (the contracts) and `gradual token mint|balance` (the devnet token).
 * They sign with EVM key files (`gradual keys new --type evm`) and talk JSON-RPC to any EVM chain (anvil locally).
 */

type Address = `0x${string}`;
const DEFAULT_RPC = "http://127.0.0.1:8545";
const RPC_HELP = `EVM JSON-RPC URL (default: $GRADUAL_EVM_RPC or ${DEFAULT_RPC}, anvil's)`;

function rpcUrl(option: string | undefined): string {
  return option ?? process.env.GRADUAL_EVM_RPC ?? DEFAULT_RPC;
}

function parseAddress(value: string, option: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new CliError(
      "CLI__BAD_INPUT",
      `${option}: expected a 0x address of 40 hex characters, got ${JSON.stringify(value)}`,
    );
  return value as Address;
}

/** An account given as a 0x address, an account id (the address padded to 64 hex) or an EVM key file. */
async function parseAccount(value: string, option: string): Promise<Address> {
  if (value.startsWith("0x")) return parseAddress(value, option);
  if (/^[0-9a-f]{64}$/.test(value)) {
    const address = addressOfAccountId(value);
    if (address === undefined)
      throw new CliError("CLI__BAD_INPUT", `${option}: ${value} is not an EVM account id (24 zeros, then the address)`);
    return address;
  }
  if (existsSync(value)) return (await loadEvmKeyOrFail(value)).address;
  throw new CliError(
    "CLI__BAD_INPUT",
    `${option}: expected a 0x address, an account id of 64 hex characters or an EVM key file, got ${JSON.stringify(value)}`,
  );
}

function parseInteger(value: string, option: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max)
    throw new CliError(
      "CLI__BAD_OPTION",
      `${option}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  return parsed;
}

function parseAmount(value: string): bigint {
  let amount: bigint;
  try {
    amount = parseTokenAmount(value);
  } catch (error) {
    throw new CliError("CLI__BAD_INPUT", `--amount: ${(error as Error).message}`);
  }
  if (amount === 0n) throw new CliError("CLI__BAD_INPUT", "--amount: expected more than 0");
  return amount;
}

function printDeployment(result: DeployContractsReturnType): void {
  const lines = [`chain ${result.chainId}, deployer ${result.deployer}`];
  const { token, gradual, audits, lists, tasks } = result;
  lines.push(
    token.deployment === undefined
      ? `token      ${token.address} (given)`
      : `TestToken  ${token.address} (block ${token.deployment.blockNumber}, transaction ${token.deployment.transactionHash})`,
  );
  lines.push(`audits     ${audits.address} (block ${audits.blockNumber}, transaction ${audits.transactionHash})`);
  lines.push(`lists      ${lists.address} (block ${lists.blockNumber}, transaction ${lists.transactionHash})`);
  lines.push(`tasks      ${tasks.address} (block ${tasks.blockNumber}, transaction ${tasks.transactionHash})`);
  lines.push(`Gradual    ${gradual.address} (block ${gradual.blockNumber}, transaction ${gradual.transactionHash})`);
  lines.push(`genesis    ${result.genesisTimestamp} (seconds since the epoch), ${result.slotMs} ms per slot`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

type DeployOptions = {
  rpc?: string;
  key: string;
  token?: string;
  slotMs: string;
  genesisTimestamp?: string;
  chainId?: string;
  json?: boolean;
};

function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description(
      "Deploy the EVM settlement: a devnet TestToken (unless --token), the modules GradualAudits, GradualLists and GradualTasks, then the Gradual contract",
    )
    .requiredOption("--key <file>", "EVM key file of the deployer (gradual keys new --type evm); it pays the gas")
    .option("--rpc <url>", RPC_HELP)
    .option("--token <address>", "an ERC-20 already deployed (9 decimals) instead of a new TestToken")
    .option("--slot-ms <ms>", `milliseconds per slot (${MIN_SLOT_MS} to ${MAX_SLOT_MS})`, "1000")
    .option("--genesis-timestamp <seconds>", "slot 0's start in seconds since the epoch (default: the latest block's)")
    .option("--chain-id <id>", "refuse to deploy unless the endpoint serves this chain")
    .option(
      "--json",
      "print { chainId, deployer, token, gradual, audits, lists, tasks, genesisTimestamp, slotMs } as JSON",
    )
    .addHelpText(
      "after",
      `
Waits for each deployment's receipt and checks the code is at its address. A new TestToken's deployer is its
only minter (gradual token mint).

Errors: EVM__RPC_UNREACHABLE (no answer at --rpc), KEYS__NOT_EVM (--key is not an EVM key),
EVM__INSUFFICIENT_FUNDS (the deployer cannot pay for gas), EVM__CHAIN_ID_MISMATCH (--chain-id differs),
EVM__NOT_A_CONTRACT (--token has no code), EVM__DEPLOY_FAILED (a deployment reverted).

Examples:
  gradual keys new deployer --type evm
  gradual deploy --key ~/.gradual/keys/deployer.json --rpc http://127.0.0.1:8545 --slot-ms 1000
  gradual deploy --key deployer.json --token 0x5FbDB2315678afecb367f032d93F642f64180aa3 --chain-id 31337 --json`,
    )
    .action(async (options: DeployOptions) => {
      const slotMs = parseInteger(options.slotMs, "--slot-ms", MIN_SLOT_MS, MAX_SLOT_MS);
      const token = options.token === undefined ? undefined : parseAddress(options.token, "--token");
      const chainId =
        options.chainId === undefined ? undefined : parseInteger(options.chainId, "--chain-id", 1, 2 ** 53 - 1);
      const genesisTimestamp =
        options.genesisTimestamp === undefined
          ? undefined
          : BigInt(parseInteger(options.genesisTimestamp, "--genesis-timestamp", 0, 2 ** 53 - 1));
      const key = await loadEvmKeyOrFail(options.key);
      const result = await deployContracts({
        rpcUrl: rpcUrl(options.rpc),
        account: key.account,
        slotMs,
        ...(token === undefined ? {} : { token }),
        ...(chainId === undefined ? {} : { chainId }),
        ...(genesisTimestamp === undefined ? {} : { genesisTimestamp }),
      });
      if (options.json) printJson(result);
      else printDeployment(result);
    });
}

function registerToken(program: Command): void {
  const token = program
    .command("token")
    .description("The devnet ERC-20 (TestToken): mint as its deployer, read balances (amounts in tokens, 9 decimals)");

  token
    .command("mint")
    .description("Mint TestToken to an account; only the token's deployer may (EVM__NOT_MINTER otherwise)")
    .requiredOption("--key <file>", "EVM key file of the token's deployer")
    .requiredOption("--token <address>", "the TestToken's address (gradual deploy prints it)")
    .requiredOption("--to <account>", "recipient: a 0x address, an account id (64 hex) or an EVM key file")
    .requiredOption("--amount <tokens>", "amount in tokens, up to 9 decimals (1.5 = 1,500,000,000 base units)")
    .option("--rpc <url>", RPC_HELP)
    .option("--json", "print { transactionHash, blockNumber, to, amount, balance } as JSON (amounts in base units)")
    .addHelpText(
      "after",
      "\nExample:\n  gradual token mint --key deployer.json --token 0x5FbD...0aa3 --to node-evm.json --amount 1000",
    )
    .action(
      async (options: { key: string; token: string; to: string; amount: string; rpc?: string; json?: boolean }) => {
        const address = parseAddress(options.token, "--token");
        const amount = parseAmount(options.amount);
        const to = await parseAccount(options.to, "--to");
        const key = await loadEvmKeyOrFail(options.key);
        const minted = await mintTestToken({
          rpcUrl: rpcUrl(options.rpc),
          account: key.account,
          token: address,
          to,
          amount,
        });
        if (options.json) printJson({ ...minted, to, amount });
        else
          process.stdout.write(
            `minted ${formatTokenAmount(amount)} to ${to} in block ${minted.blockNumber}; balance ${formatTokenAmount(minted.balance)}\n`,
          );
      },
    );

  token
    .command("deposit")
    .description(
      "Move tokens from your EVM address into your balance in the Gradual contract (what stakes and task funding are paid from)",
    )
    .requiredOption("--key <file>", "your EVM key file (gradual keys new --type evm)")
    .requiredOption("--contract <address>", "the Gradual contract (gradual deploy prints it)")
    .requiredOption("--amount <tokens>", "amount in tokens, up to 9 decimals")
    .option("--rpc <url>", RPC_HELP)
    .option("--json", "print { transactionHash, amount, balance } as JSON (amounts in base units)")
    .addHelpText(
      "after",
      `
Approves the contract for the amount of its token, then calls deposit. Then, with the same key and --rpc and
--contract: gradual task create, task fund, stake, claim... (--ledger the indexer's URL, gradual indexer).

Example:
  gradual token deposit --key evm.json --contract 0xCf7E...0Fc9 --amount 500`,
    )
    .action(async (options: { key: string; contract: string; amount: string; rpc?: string; json?: boolean }) => {
      const contract = parseAddress(options.contract, "--contract");
      const amount = parseAmount(options.amount);
      const key = await loadEvmKeyOrFail(options.key);
      const deposited = await depositToGradual({ rpcUrl: rpcUrl(options.rpc), contract, key, amount });
      if (options.json) printJson({ ...deposited, amount });
      else
        process.stdout.write(
          `deposited ${formatTokenAmount(amount)} into ${contract}; your balance there ${formatTokenAmount(deposited.balance)}\n`,
        );
    });

  token
    .command("balance")
    .description("Print an account's balance of an ERC-20 (any token with 9 decimals, TestToken or not)")
    .argument("<account>", "a 0x address, an account id (64 hex) or an EVM key file")
    .requiredOption("--token <address>", "the token's address")
    .option("--rpc <url>", RPC_HELP)
    .option("--json", "print { address, accountId, balance } as JSON (balance in base units)")
    .addHelpText("after", "\nExample:\n  gradual token balance node-evm.json --token 0x5FbD...0aa3")
    .action(async (account: string, options: { token: string; rpc?: string; json?: boolean }) => {
      const address = parseAddress(options.token, "--token");
      const owner = await parseAccount(account, "<account>");
      const balance = await tokenBalance({ rpcUrl: rpcUrl(options.rpc), token: address, owner });
      if (options.json) printJson({ address: owner, accountId: evmAccountId(owner), balance });
      else process.stdout.write(`${formatTokenAmount(balance)}\n`);
    });
}

export function register(program: Command): void {
  registerDeploy(program);
  registerToken(program);
}
