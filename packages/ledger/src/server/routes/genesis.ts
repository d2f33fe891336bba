import { Type } from "@sinclair/typebox";
import type { ServerContext } from "../createLedgerServer.ts";
import { Hex64 } from "../schemas.ts";

/**
 * The chain's genesis (chain id, funded accounts, root of block 0): what a verifying replica, such as a task node,
 * needs to replay the block log from the start. The devnet faucet's secret is never served.
 */
export function registerGenesisRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  let cached: { chainId: string; stateRoot: string; accounts: { account: string; balance: string }[] } | undefined;
  table.add({
    method: "GET",
    url: "/v1/genesis",
    tag: "chain",
    summary: "Chain id, funded accounts (balances as decimal strings) and the state root of block 0.",
    responses: {
      200: {
        description: "genesis",
        schema: Type.Object({
          chainId: Type.String(),
          stateRoot: Hex64,
          accounts: Type.Array(Type.Object({ account: Hex64, balance: Type.String() })),
        }),
      },
    },
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
