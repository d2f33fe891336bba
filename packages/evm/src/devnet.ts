/**
 * A local EVM chain set up for a devnet (`gradual devnet --settlement evm`): the TestToken and Gradual deployed,
 * and every account given gas, tokens and an internal balance in the contract (approve + deposit), so that the
 * creator can create and fund a task and the nodes can stake from their first pass.
 */
import { type Abi, type Address, createWalletClient, type Hex, parseEther } from "viem";
import { gradualAbi, loadArtifact } from "./compile.ts";
import { deployContracts } from "./deploy.ts";
import type { EvmKey } from "./keys.ts";
import { asEvmError, connect, RECEIPT_TIMEOUT_MS } from "./rpc.ts";
import { mintTestToken } from "./token.ts";

export type PrepareEvmDevnetParameters = {
  readonly rpcUrl: string;
  /** Deploys the contracts and mints (anvil's first dev account on a devnet). */
  readonly deployer: EvmKey;
  readonly slotMs: number;
  /** Each account's deposit in the contract, in base units (it is minted the same amount). */
  readonly accounts: readonly { readonly key: EvmKey; readonly deposit: bigint }[];
  readonly log?: (line: string) => void;
};

export type EvmDevnetChain = {
  readonly chainId: number;
  readonly contract: Address;
  readonly token: Address;
  readonly deployBlock: bigint;
  readonly genesisTimestamp: bigint;
};

export async function prepareEvmDevnet(parameters: PrepareEvmDevnetParameters): Promise<EvmDevnetChain> {
  const { rpcUrl, deployer, slotMs } = parameters;
  const { chain, publicClient } = await connect({ rpcUrl });
  const latest = await publicClient.getBlock();
  // Slot 0 lies in the past: no call can land in the genesis slot (the core's block 0 holds no transactions).
  const genesisTimestamp = latest.timestamp - BigInt(Math.ceil((2 * slotMs) / 1000));
  const deployed = await deployContracts({ rpcUrl, account: deployer.account, slotMs, genesisTimestamp });
  const contract = deployed.gradual.address;
  const token = deployed.token.address;
  for (const { key, deposit } of parameters.accounts) {
    await publicClient.request({
      method: "anvil_setBalance" as never,
      params: [key.address, `0x${parseEther("100").toString(16)}`] as never,
    });
    await mintAndDeposit({ rpcUrl, deployer, contract, token, key, amount: deposit });
    parameters.log?.(`deposited ${deposit} for ${key.address}`);
  }
  return { chainId: chain.id, contract, token, deployBlock: deployed.gradual.blockNumber, genesisTimestamp };
}

/**
 * Mints `amount` of the devnet's TestToken to `key` (the deployer mints), approves the contract and deposits it:
 * `key`'s internal balance in the contract grows by `amount`. The account needs gas.
 */
export async function mintAndDeposit(parameters: {
  readonly rpcUrl: string;
  readonly deployer: EvmKey;
  readonly contract: Address;
  readonly token: Address;
  readonly key: EvmKey;
  readonly amount: bigint;
}): Promise<void> {
  const { rpcUrl, deployer, contract, token, key, amount } = parameters;
  await mintTestToken({ rpcUrl, account: deployer.account, token, to: key.address, amount });
  await depositToGradual({ rpcUrl, contract, key, amount });
}

/**
 * Moves `amount` of the contract's ERC-20 from `key`'s address into its balance in the Gradual contract (what stakes,
 * funds and fees are paid from): approves the contract for the amount, then calls `deposit`. Returns the balance.
 */
export async function depositToGradual(parameters: {
  readonly rpcUrl: string;
  readonly contract: Address;
  readonly key: EvmKey;
  readonly amount: bigint;
}): Promise<{ readonly balance: bigint; readonly transactionHash: Hex }> {
  const { rpcUrl, contract, key, amount } = parameters;
  const { chain, transport, publicClient } = await connect({ rpcUrl });
  const abi = gradualAbi() as Abi;
  const token = (await publicClient.readContract({ address: contract, abi, functionName: "token" })) as Address;
  const wallet = createWalletClient({ account: key.account, chain, transport });
  try {
    const approve = await wallet.writeContract({
      address: token,
      abi: loadArtifact("TestToken").abi as Abi,
      functionName: "approve",
      args: [contract, amount],
    });
    await publicClient.waitForTransactionReceipt({ hash: approve, timeout: RECEIPT_TIMEOUT_MS });
    const { request } = await publicClient.simulateContract({
      account: key.account,
      address: contract,
      abi,
      functionName: "deposit",
      args: [amount],
    });
    const deposited = await wallet.writeContract(request);
    await publicClient.waitForTransactionReceipt({ hash: deposited, timeout: RECEIPT_TIMEOUT_MS });
    const balance = (await publicClient.readContract({
      address: contract,
      abi,
      functionName: "balanceOf",
      args: [`0x${key.accountId}`],
    })) as bigint;
    return { balance, transactionHash: deposited };
  } catch (error) {
    throw asEvmError(error, `depositing ${amount} into the Gradual contract at ${contract}`);
  }
}

/** Sends one call of the Gradual contract from `key` and waits for it; returns its logs (it must succeed). */
export async function callGradual(
  rpcUrl: string,
  contract: Address,
  key: EvmKey,
  functionName: string,
  args: readonly unknown[],
): Promise<{ readonly logs: readonly { readonly topics: readonly Hex[] }[] }> {
  const { chain, transport, publicClient } = await connect({ rpcUrl });
  const abi = gradualAbi() as Abi;
  const { request } = await publicClient.simulateContract({
    account: key.account,
    address: contract,
    abi,
    functionName,
    args,
  });
  const wallet = createWalletClient({ account: key.account, chain, transport });
  const estimate = await publicClient.estimateContractGas({
    account: key.account,
    address: contract,
    abi,
    functionName,
    args,
  });
  const hash = await wallet.writeContract({ ...request, gas: estimate * 2n + 2_500_000n });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted (${hash})`);
  return { logs: receipt.logs.map((log) => ({ topics: log.topics as Hex[] })) };
}
