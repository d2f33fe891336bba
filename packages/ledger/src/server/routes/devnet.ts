import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import {
  AdminSlotsRequestSchema,
  AdminSlotsResultSchema,
  ErrorBodySchema,
  FaucetRequestSchema,
  SubmitResultSchema,
  WaitQuerySchema,
} from "../schemas.ts";
import { ackToWire, headerToWire } from "../wireViews.ts";

const ERRORS = { description: "{ code, message, context }", schema: ErrorBodySchema };

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
    method: "POST",
    url: "/v1/faucet",
    tag: "devnet",
    summary: "Devnet: transfer tokens from the faucet (limited per request and per minute).",
    querystring: WaitQuerySchema,
    body: FaucetRequestSchema,
    responses: {
      202: { description: "transfer acknowledged", schema: SubmitResultSchema },
      200: { description: "transfer included", schema: SubmitResultSchema },
      429: ERRORS,
    },
    handler: async (request, reply) => {
      const { account, amount } = request.body as { account: string; amount: string };
      const query = request.query as { wait?: "included"; timeoutMs?: number };
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
    method: "POST",
    url: "/v1/admin/slots",
    tag: "devnet",
    summary: "Devnet: produce `count` blocks now (the way slots advance with --manual-slots). Bearer admin token.",
    body: AdminSlotsRequestSchema,
    adminOnly: true,
    authorize: (request) => checkAdmin(request, options.adminToken),
    responses: { 200: { description: "the new head", schema: AdminSlotsResultSchema }, 401: ERRORS },
    handler: async (request) => {
      const { count } = request.body as { count: number };
      const headers = await producer.advance(count);
      return { head: headerToWire(ledger.head), produced: headers.length };
    },
  });
}
