import { timingSafeEqual } from "node:crypto";
import { ROUTES, type WaitQuery } from "@gradual/wire";
import type { FastifyRequest } from "fastify";
import { headerToWire } from "../../block.ts";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { ackToWire } from "../wireViews.ts";

const ERRORS = { description: "{ code, message, context }" };

export function checkAdmin(request: FastifyRequest, token: string | undefined): void {
  const header = request.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "");
  const expected = Buffer.from(token ?? "");
  if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new LedgerError("API__UNAUTHORIZED", { message: "expected Authorization: Bearer <DATA/admin-token>" });
  }
}

/** Devnet only (registered only when the genesis has a devnet section): the faucet and manual slots. */
export function registerDevnetRoutes({ table, modules, options }: ServerContext): void {
  const { ledger, producer } = modules;

  table.add({
    route: ROUTES.faucet,
    tag: "devnet",
    summary: "Devnet: transfer tokens from the faucet (limited per request and per minute).",
    validateBody: true,
    responses: {
      202: { description: "transfer acknowledged" },
      200: { description: "transfer included" },
      429: ERRORS,
    },
    handler: async (request, reply) => {
      const { account, amount } = request.body as { account: string; amount: string };
      const query = request.query as WaitQuery;
      let status = await ledger.faucet(account, BigInt(amount));
      if (query.wait === "included" && status.status === "pending") {
        status =
          (await ledger.waitForInclusion(status.hash, Math.min(query.timeoutMs ?? 30_000, options.maxWaitMs))) ??
          status;
      }
      return reply.code(status.status === "included" ? 200 : 202).send(ackToWire(status));
    },
  });

  table.add({
    route: ROUTES.advanceSlots,
    tag: "devnet",
    summary: "Devnet: produce `count` blocks now (the way slots advance with --manual-slots). Bearer admin token.",
    validateBody: true,
    adminOnly: true,
    authorize: (request) => checkAdmin(request, options.adminToken),
    responses: { 200: { description: "the new head" }, 401: ERRORS },
    handler: async (request) => {
      const { count } = request.body as { count: number };
      const headers = await producer.advance(count);
      return { head: headerToWire(ledger.head), produced: headers.length };
    },
  });
}
