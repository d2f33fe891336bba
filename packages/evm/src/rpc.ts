import {
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  defineChain,
  HttpRequestError,
  http,
  InsufficientFundsError,
  type PublicClient,
  TimeoutError,
  type Transport,
} from "viem";
import { EvmError } from "./errors.ts";

/** How long one JSON-RPC request may take before the endpoint counts as unreachable. */
export const RPC_TIMEOUT_MS = 10_000;
/** How long a sent transaction may wait for its receipt (a chain that mines every few seconds, with a margin). */
export const RECEIPT_TIMEOUT_MS = 120_000;

export type ConnectParameters = {
  readonly rpcUrl: string;
  /** The chain the caller means; a different chain id at the endpoint is `EVM__CHAIN_ID_MISMATCH`. */
  readonly chainId?: number;
};

export type Connection = {
  readonly rpcUrl: string;
  readonly chain: Chain;
  readonly transport: Transport;
  readonly publicClient: PublicClient;
};

/** An http transport to the endpoint: no retries (a dead endpoint fails at once, with its code). */
function transportOf(rpcUrl: string): Transport {
  return http(rpcUrl, { retryCount: 0, timeout: RPC_TIMEOUT_MS });
}

/**
 * Opens a connection to an EVM JSON-RPC endpoint: asks its chain id (`EVM__RPC_UNREACHABLE` when nothing answers),
 * checks it against the one expected (`EVM__CHAIN_ID_MISMATCH`), and describes the chain for viem's clients.
 */
export async function connect(parameters: ConnectParameters): Promise<Connection> {
  const { rpcUrl } = parameters;
  if (!/^https?:\/\//.test(rpcUrl))
    throw new EvmError("EVM__RPC_UNREACHABLE", { message: `expected an http(s) RPC URL, got ${rpcUrl}` });
  const transport = transportOf(rpcUrl);
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (error) {
    throw asEvmError(error, `eth_chainId at ${rpcUrl}`);
  }
  if (parameters.chainId !== undefined && parameters.chainId !== chainId)
    throw new EvmError("EVM__CHAIN_ID_MISMATCH", {
      message: `${rpcUrl} serves chain ${chainId}, not the expected chain ${parameters.chainId}`,
      context: { expected: parameters.chainId, actual: chainId, rpcUrl },
    });
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // viem polls a chain it does not know every 4 s (receipts, new blocks): a CLI call waited seconds for a receipt
  // anvil had at once. Half a second suits a local chain and an L2 alike.
  return { rpcUrl, chain, transport, publicClient: createPublicClient({ chain, transport, pollingInterval: 500 }) };
}

/** The first error of a viem error's chain that is of the given class. */
function find<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  if (!(error instanceof BaseError)) return error instanceof type ? error : undefined;
  const found = error.walk((cause) => cause instanceof type);
  return found instanceof type ? found : undefined;
}

/** True when the endpoint did not answer (connection refused, timeout), as opposed to answering with an error. */
export function isUnreachableError(error: unknown): boolean {
  return find(error, HttpRequestError) !== undefined || find(error, TimeoutError) !== undefined;
}

/** The custom error a contract reverted with (its name), if the revert carried one the ABI knows. */
export function revertErrorName(error: unknown): string | undefined {
  return find(error, ContractFunctionRevertedError)?.data?.errorName;
}

/** The custom error's arguments of a reverted call, as text (`(1, 2)`), or "" when it has none. */
export function revertErrorArgs(error: unknown): string {
  const args = find(error, ContractFunctionRevertedError)?.data?.args;
  return args === undefined || args.length === 0 ? "" : `(${args.map((arg) => String(arg)).join(", ")})`;
}

/**
 * A viem failure as an `EvmError` with a stable code: no answer (`EVM__RPC_UNREACHABLE`), not enough to pay for gas
 * (`EVM__INSUFFICIENT_FUNDS`), anything else the endpoint refused (`EVM__RPC_FAILED`). An `EvmError` passes as it is.
 */
export function asEvmError(error: unknown, doing: string): EvmError {
  if (error instanceof EvmError) return error;
  const short = error instanceof BaseError ? error.shortMessage : String(error);
  if (isUnreachableError(error))
    return new EvmError("EVM__RPC_UNREACHABLE", { message: `${doing}: no answer: ${short}`, cause: error });
  if (find(error, InsufficientFundsError) !== undefined)
    return new EvmError("EVM__INSUFFICIENT_FUNDS", { message: `${doing}: ${short}`, cause: error });
  return new EvmError("EVM__RPC_FAILED", { message: `${doing}: ${short}`, cause: error });
}
