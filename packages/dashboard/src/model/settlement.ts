/**
 * Where the chain the dashboard reads is settled. On the gradual ledger the read API is the ledger's own; on an EVM
 * chain it is `gradual indexer`'s, which replays the Gradual contract's logs through the core and serves the same
 * API (docs/evm.md). What differs, and is labelled on screen rather than hidden:
 *
 * - accounts are EVM addresses, written as 64 hex characters (the address left-padded with zeros): shown as `0x…`;
 * - a block is the indexer's block of one slot, assembled from the contract's logs (not an EVM block), dated at the
 *   slot's start on the contract's clock;
 * - a transaction is a contract call the indexer replayed; in the signature's place it holds the EVM transaction's
 *   hash and the log's index;
 * - an account's balance is its internal balance in the contract, and its nonce counts the calls replayed.
 */

export type Settlement =
  | { readonly kind: "ledger" }
  | {
      readonly kind: "evm";
      readonly evmChainId: number;
      /** The Gradual contract, 0x-prefixed, lowercase. */
      readonly contract: string;
      readonly slotMs: number;
      /** The indexer stopped at a call the core refuses or computes otherwise (EVM__INDEXER_DIVERGED). */
      readonly diverged: { readonly code: string; readonly message: string } | null;
    };

/** The core chain id the indexer gives an EVM chain: `evm-<chain id>-<the contract's first 8 hex>`. */
export function isEvmChainId(chainId: string): boolean {
  return /^evm-\d+-[0-9a-f]{8}$/.test(chainId);
}

/** `/v1/indexer`'s answer as a settlement, or undefined when it does not describe an EVM chain. */
export function settlementOfIndexer(body: unknown): Settlement | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const info = body as Record<string, unknown>;
  if (info.settlement !== "evm" || typeof info.contract !== "string" || typeof info.evmChainId !== "number")
    return undefined;
  const diverged = info.diverged as { code?: unknown; message?: unknown } | null | undefined;
  return {
    kind: "evm",
    evmChainId: info.evmChainId,
    contract: info.contract.toLowerCase(),
    slotMs: typeof info.slotMs === "number" ? info.slotMs : 0,
    diverged:
      diverged === null || diverged === undefined
        ? null
        : { code: String(diverged.code ?? ""), message: String(diverged.message ?? "") },
  };
}

const PADDED_ADDRESS = /^0{24}([0-9a-f]{40})$/;

/** The EVM address an account id names (`0x` + its last 40 hex), or undefined when it is not a padded address. */
export function evmAddressOf(account: string): string | undefined {
  const match = PADDED_ADDRESS.exec(account);
  return match === null ? undefined : `0x${match[1]}`;
}

/** An account id from an EVM address (`0x` and 40 hex, any case), or undefined. */
export function accountOfEvmAddress(text: string): string | undefined {
  const match = /^0x([0-9a-fA-F]{40})$/.exec(text.trim());
  return match === null ? undefined : `${"0".repeat(24)}${(match[1] as string).toLowerCase()}`;
}

/** "0x928d…a421". */
export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** The EVM transaction hash and log index a replayed call's block entry holds in the signature's place. */
export function evmCallOf(signature: string): { readonly txHash: string; readonly logIndex: number } | undefined {
  if (!/^[0-9a-f]{128}$/.test(signature)) return undefined;
  return { txHash: `0x${signature.slice(0, 64)}`, logIndex: Number.parseInt(signature.slice(64), 16) };
}

/** What serves the read API, for sentences: "the ledger" or "the indexer". */
export function sourceNoun(settlement: Settlement | undefined): string {
  return settlement?.kind === "evm" ? "the indexer" : "the ledger";
}
