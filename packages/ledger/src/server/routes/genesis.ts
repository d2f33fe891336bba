import { type GenesisWire, ROUTES } from "@gradual/wire";
import type { ServerContext } from "../createLedgerServer.ts";

/**
 * The chain's genesis (chain id, funded accounts, root of block 0): what a verifying replica, such as a task node,
 * needs to replay the block log from the start. The devnet faucet's secret is never served.
 */
export function registerGenesisRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  let cached: GenesisWire | undefined;
  table.add({
    route: ROUTES.getGenesis,
    tag: "chain",
    summary: "Chain id, funded accounts (balances as decimal strings) and the state root of block 0.",
    responses: { 200: { description: "genesis" } },
    handler: async () => {
      if (cached === undefined) {
        const block = await ledger.store.getBlock(0);
        cached = {
          chainId: ledger.genesis.chainId,
          stateRoot: block?.stateRoot ?? "",
          accounts: ledger.genesis.accounts.map(({ account, balance }) => ({ account, balance: balance.toString() })),
        };
      }
      return cached;
    },
  });
}
