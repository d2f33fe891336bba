import { ProtocolError } from "./gradualError.ts";
import { stateKeys } from "./state/keys.ts";
import { accountRecord, chainRecord } from "./state/records.ts";
import { Draft, type State, ZERO_TOTALS } from "./state/store.ts";
import type { Account } from "./types.ts";

export type GenesisParameters = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
};

const CHAIN_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** The state at slot 0: the chain record, the funded accounts, and a supply equal to their sum (§11.1). */
export function createGenesisState(parameters: GenesisParameters): State {
  if (!CHAIN_ID.test(parameters.chainId) || /^\d+n$/.test(parameters.chainId)) {
    throw new ProtocolError(
      `createGenesisState: expected a chain id like "gradual-devnet", got ${JSON.stringify(parameters.chainId)}`,
    );
  }
  const draft = new Draft({ root: null });
  draft.set(stateKeys.totals(), ZERO_TOTALS);
  let supply = 0n;
  const seen = new Set<string>();
  for (const { account, balance } of parameters.accounts) {
    if (!HEX64.test(account)) throw new ProtocolError(`createGenesisState: expected a 64-hex account, got ${account}`);
    if (typeof balance !== "bigint" || balance < 0n) {
      throw new ProtocolError(
        `createGenesisState: expected a non-negative bigint balance for ${account}, got ${String(balance)}`,
      );
    }
    if (seen.has(account)) throw new ProtocolError(`createGenesisState: account ${account} listed twice`);
    seen.add(account);
    draft.setAccount(account, accountRecord({ balance, nonce: 0 }));
    draft.mint("balances", balance);
    supply += balance;
  }
  const chain = chainRecord({ chainId: parameters.chainId, slot: 0, supply, taskCount: 0 });
  draft.set(stateKeys.chain(), chain);
  return draft.finish();
}
