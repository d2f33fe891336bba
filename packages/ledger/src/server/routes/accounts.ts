import { ROUTES } from "@gradual/wire";
import { accountView } from "../../views.ts";
import type { ServerContext } from "../createLedgerServer.ts";

export function registerAccountRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  table.add({
    route: ROUTES.getAccount,
    tag: "accounts",
    summary:
      "An account at the head: balance, nonce (and the next free one counting the mempool), stakes, vesting and what is claimable.",
    responses: {
      200: { description: "account" },
      400: { description: "bad account" },
    },
    handler: async (request) => {
      const { account } = request.params as { account: string };
      return accountView(ledger.state, account, ledger.mempool.pendingFrom(account));
    },
  });
}
