import { Type } from "@sinclair/typebox";
import { accountView } from "../../views.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { AccountViewSchema, ErrorBodySchema, Hex64 } from "../schemas.ts";

export function registerAccountRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;
  table.add({
    method: "GET",
    url: "/v1/accounts/:account",
    tag: "accounts",
    summary:
      "An account at the head: balance, nonce (and the next free one counting the mempool), stakes, vesting and what is claimable.",
    params: Type.Object({ account: Hex64 }),
    responses: {
      200: { description: "account", schema: AccountViewSchema },
      400: { description: "bad account", schema: ErrorBodySchema },
    },
    handler: async (request) => {
      const { account } = request.params as { account: string };
      return accountView(ledger.state, account, ledger.mempool.pendingFrom(account));
    },
  });
}
