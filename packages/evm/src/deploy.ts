import type { Abi, Address, Hash, Hex, LocalAccount } from "viem";
import { createWalletClient, encodeDeployData, getAddress } from "viem";
import { type Artifact, loadArtifact } from "./compile.ts";
import { EvmError } from "./errors.ts";
import { asEvmError, type Connection, connect, RECEIPT_TIMEOUT_MS } from "./rpc.ts";

/**
 * Deploys the EVM settlement: a devnet `TestToken` unless a token is given, then the modules `GradualAudits(token,
 * genesisTimestamp, slotMs)`, `GradualLists(token, genesisTimestamp, slotMs, audits)` and `GradualTasks(token,
 * genesisTimestamp, slotMs, audits)`, then `Gradual(token, genesisTimestamp, slotMs, audits, lists, tasks)`, which runs them by delegatecall (each under EIP-170's and EIP-3860's
 * limits on its own: no initcode nests another's). Each deployment waits for its receipt and checks that code is at
 * the new address.
 */

/** The fewest and most milliseconds per slot a deployment accepts (the protocol's slots are a second or so). */
export const MIN_SLOT_MS = 100;
export const MAX_SLOT_MS = 3_600_000;

export type DeployContractsParameters = {
  readonly rpcUrl: string;
  /** The deployer; it pays the gas and, for a new TestToken, becomes its minter. */
  readonly account: LocalAccount;
  /** An ERC-20 already on the chain (9 decimals); unset deploys a TestToken. */
  readonly token?: Address;
  readonly slotMs: number;
  /** Slot 0's start, in seconds since the epoch (the unit of `block.timestamp`); default: the latest block's. */
  readonly genesisTimestamp?: bigint;
  /** The chain id the deployer means; the endpoint's must match (`EVM__CHAIN_ID_MISMATCH`). */
  readonly chainId?: number;
  /** The contracts' artifacts; default: the build's (`loadArtifact`). */
  readonly loadArtifact?: (name: string) => Artifact;
  readonly log?: (line: string) => void;
};

export type DeployedContract = {
  readonly address: Address;
  readonly transactionHash: Hash;
  readonly blockNumber: bigint;
};

export type DeployContractsReturnType = {
  readonly chainId: number;
  readonly deployer: Address;
  /** The token the settlement uses; `deployment` is set when this call deployed it (a TestToken). */
  readonly token: { readonly address: Address; readonly deployment?: DeployedContract };
  readonly gradual: DeployedContract;
  /** The modules `gradual` delegates to (clients call `gradual` only). */
  readonly audits: DeployedContract;
  readonly lists: DeployedContract;
  readonly tasks: DeployedContract;
  readonly genesisTimestamp: bigint;
  readonly slotMs: number;
};

export type DeployContractsErrorType = EvmError;

function checkSlotMs(slotMs: number): void {
  if (!Number.isInteger(slotMs) || slotMs < MIN_SLOT_MS || slotMs > MAX_SLOT_MS)
    throw new RangeError(`slotMs: expected an integer from ${MIN_SLOT_MS} to ${MAX_SLOT_MS}, got ${slotMs}`);
}

/** The contract's artifact; `EVM__ARTIFACT_MISSING` (an `EvmError`) when the contracts are not built. */
function artifactOf(load: (name: string) => Artifact, name: string): Artifact {
  try {
    return load(name);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EVM__ARTIFACT_MISSING") throw error;
    throw new EvmError("EVM__ARTIFACT_MISSING", { message: (error as Error).message, cause: error });
  }
}

export async function deployContracts(parameters: DeployContractsParameters): Promise<DeployContractsReturnType> {
  checkSlotMs(parameters.slotMs);
  const load = parameters.loadArtifact ?? ((name: string) => loadArtifact(name));
  const log = parameters.log ?? (() => {});
  const connection = await connect({
    rpcUrl: parameters.rpcUrl,
    ...(parameters.chainId === undefined ? {} : { chainId: parameters.chainId }),
  });
  const { publicClient } = connection;
  const gradualArtifact = artifactOf(load, "Gradual");
  const auditsArtifact = artifactOf(load, "GradualAudits");
  const listsArtifact = artifactOf(load, "GradualLists");
  const tasksArtifact = artifactOf(load, "GradualTasks");
  let token: DeployContractsReturnType["token"];
  if (parameters.token === undefined) {
    const deployment = await deployContract(connection, parameters.account, artifactOf(load, "TestToken"), []);
    log(`TestToken at ${deployment.address} (block ${deployment.blockNumber})`);
    token = { address: deployment.address, deployment };
  } else {
    await assertContractAt(connection, parameters.token, "token");
    token = { address: parameters.token };
  }
  const genesisTimestamp =
    parameters.genesisTimestamp ??
    (
      await publicClient.getBlock({ blockTag: "latest" }).catch((error: unknown) => {
        throw asEvmError(error, "reading the latest block");
      })
    ).timestamp;
  const clock = [token.address, genesisTimestamp, parameters.slotMs] as const;
  const audits = await deployContract(connection, parameters.account, auditsArtifact, clock);
  log(`GradualAudits at ${audits.address} (block ${audits.blockNumber})`);
  const lists = await deployContract(connection, parameters.account, listsArtifact, [...clock, audits.address]);
  log(`GradualLists at ${lists.address} (block ${lists.blockNumber})`);
  const tasks = await deployContract(connection, parameters.account, tasksArtifact, [...clock, audits.address]);
  log(`GradualTasks at ${tasks.address} (block ${tasks.blockNumber})`);
  const gradual = await deployContract(connection, parameters.account, gradualArtifact, [
    ...clock,
    audits.address,
    lists.address,
    tasks.address,
  ]);
  log(`Gradual at ${gradual.address} (block ${gradual.blockNumber})`);
  return {
    chainId: connection.chain.id,
    deployer: parameters.account.address,
    token,
    gradual,
    audits,
    lists,
    tasks,
    genesisTimestamp,
    slotMs: parameters.slotMs,
  };
}

/** `EVM__NOT_A_CONTRACT` unless there is code at the address. */
export async function assertContractAt(connection: Connection, address: Address, what: string): Promise<void> {
  let code: Hex | undefined;
  try {
    code = await connection.publicClient.getCode({ address });
  } catch (error) {
    throw asEvmError(error, `reading the code at ${address}`);
  }
  if (code === undefined || code === "0x")
    throw new EvmError("EVM__NOT_A_CONTRACT", {
      message: `${what}: no contract at ${address} on chain ${connection.chain.id}`,
      context: { address, chainId: connection.chain.id },
    });
}

/**
 * Sends one deployment after checking that the account can pay for it (`EVM__INSUFFICIENT_FUNDS`, with the balance
 * and the cost), waits for its receipt (`EVM__DEPLOY_FAILED` if it reverted) and checks the code is there.
 */
async function deployContract(
  connection: Connection,
  account: LocalAccount,
  artifact: Artifact,
  args: readonly unknown[],
): Promise<DeployedContract> {
  const { publicClient, chain, transport } = connection;
  const abi = artifact.abi as Abi;
  const wallet = createWalletClient({ account, chain, transport });
  await assertCanPay(connection, account.address, artifact, args);
  let hash: Hash;
  try {
    hash = await wallet.deployContract({ abi, bytecode: artifact.bytecode, args: args as unknown[] });
  } catch (error) {
    throw asEvmError(error, `deploying ${artifact.contractName}`);
  }
  const receipt = await publicClient
    .waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS })
    .catch((error: unknown) => {
      throw asEvmError(error, `waiting for the deployment of ${artifact.contractName} (${hash})`);
    });
  if (receipt.status !== "success" || receipt.contractAddress == null)
    throw new EvmError("EVM__DEPLOY_FAILED", {
      message: `the deployment of ${artifact.contractName} reverted (transaction ${hash})`,
      context: { transactionHash: hash, contract: artifact.contractName },
    });
  const address = getAddress(receipt.contractAddress);
  const code = await publicClient.getCode({ address, blockNumber: receipt.blockNumber });
  if (code === undefined || code === "0x")
    throw new EvmError("EVM__DEPLOY_FAILED", {
      message: `no code at ${address} after the deployment of ${artifact.contractName} (transaction ${hash})`,
      context: { transactionHash: hash, contract: artifact.contractName, address },
    });
  return { address, transactionHash: hash, blockNumber: receipt.blockNumber };
}

async function assertCanPay(
  connection: Connection,
  from: Address,
  artifact: Artifact,
  args: readonly unknown[],
): Promise<void> {
  const { publicClient } = connection;
  try {
    const [balance, fees] = await Promise.all([
      publicClient.getBalance({ address: from }),
      publicClient.estimateFeesPerGas(),
    ]);
    const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args: args as unknown[] });
    const gas = await publicClient.estimateGas({ account: from, data });
    const needed = gas * fees.maxFeePerGas;
    if (balance < needed)
      throw new EvmError("EVM__INSUFFICIENT_FUNDS", {
        message: `${from} has ${balance} wei; deploying ${artifact.contractName} may cost up to ${needed} wei (${gas} gas at ${fees.maxFeePerGas} wei)`,
        context: { account: from, balance, needed },
      });
  } catch (error) {
    throw asEvmError(error, `estimating the deployment of ${artifact.contractName}`);
  }
}
