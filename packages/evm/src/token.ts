import type { Abi, Address, Hash, LocalAccount } from "viem";
import { createWalletClient, erc20Abi } from "viem";
import { type Artifact, loadArtifact } from "./compile.ts";
import { assertContractAt } from "./deploy.ts";
import { EvmError } from "./errors.ts";
import { asEvmError, connect, RECEIPT_TIMEOUT_MS, revertErrorName } from "./rpc.ts";

/** The devnet token's two actions: mint (its deployer only) and balance. Amounts are base units (10^-9 token). */

type TokenParameters = {
  readonly rpcUrl: string;
  readonly token: Address;
  readonly chainId?: number;
  readonly loadArtifact?: (name: string) => Artifact;
};

export type MintTestTokenParameters = TokenParameters & {
  /** The TestToken's deployer: the only account that may mint (`EVM__NOT_MINTER` otherwise). */
  readonly account: LocalAccount;
  readonly to: Address;
  readonly amount: bigint;
};

export type MintTestTokenReturnType = {
  readonly transactionHash: Hash;
  readonly blockNumber: bigint;
  /** The recipient's balance after the mint. */
  readonly balance: bigint;
};

/** Any ERC-20's balance (the standard ABI), not only a TestToken's. */
export type TokenBalanceParameters = TokenParameters & { readonly owner: Address };

function testTokenAbi(parameters: TokenParameters): Abi {
  return (parameters.loadArtifact ?? loadArtifact)("TestToken").abi as Abi;
}

export async function mintTestToken(parameters: MintTestTokenParameters): Promise<MintTestTokenReturnType> {
  if (parameters.amount <= 0n) throw new RangeError(`amount: expected a positive amount, got ${parameters.amount}`);
  const connection = await connect(parameters);
  await assertContractAt(connection, parameters.token, "token");
  const abi = testTokenAbi(parameters);
  const { publicClient } = connection;
  const wallet = createWalletClient({
    account: parameters.account,
    chain: connection.chain,
    transport: connection.transport,
  });
  let hash: Hash;
  try {
    const { request } = await publicClient.simulateContract({
      account: parameters.account,
      address: parameters.token,
      abi,
      functionName: "mint",
      args: [parameters.to, parameters.amount],
    });
    hash = await wallet.writeContract(request);
  } catch (error) {
    if (revertErrorName(error) === "TestToken__NotMinter")
      throw new EvmError("EVM__NOT_MINTER", {
        message: `${parameters.account.address} is not the minter of ${parameters.token}: only its deployer may mint`,
        context: { account: parameters.account.address, token: parameters.token },
        cause: error,
      });
    throw asEvmError(error, `minting ${parameters.token}`);
  }
  const receipt = await publicClient
    .waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS })
    .catch((error: unknown) => {
      throw asEvmError(error, `waiting for the mint ${hash}`);
    });
  if (receipt.status !== "success")
    throw new EvmError("EVM__RPC_FAILED", { message: `the mint ${hash} reverted`, context: { transactionHash: hash } });
  const balance = await readBalance(publicClient, parameters.token, parameters.to);
  return { transactionHash: hash, blockNumber: receipt.blockNumber, balance };
}

export async function tokenBalance(parameters: TokenBalanceParameters): Promise<bigint> {
  const connection = await connect(parameters);
  await assertContractAt(connection, parameters.token, "token");
  return readBalance(connection.publicClient, parameters.token, parameters.owner);
}

async function readBalance(
  publicClient: Awaited<ReturnType<typeof connect>>["publicClient"],
  token: Address,
  owner: Address,
): Promise<bigint> {
  try {
    return await publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
  } catch (error) {
    throw asEvmError(error, `balanceOf(${owner}) at ${token}`);
  }
}
