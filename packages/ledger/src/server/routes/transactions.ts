import { httpStatusOf } from "@gradual/protocol";
import { ROUTES, type WaitQuery } from "@gradual/wire";
import { MAX_TRANSACTION_BYTES, type SignedEnvelope } from "../../edge.ts";
import { LedgerError } from "../../errors.ts";
import { verifyBytes } from "../../keys.ts";
import type { SubmitOutcome, TxStatus } from "../../ledger.ts";
import type { EnvelopeInput } from "../../verifyEnvelope.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { ackToWire, txStatusToWire } from "../wireViews.ts";
import { checkAdmin } from "./devnet.ts";

const ERRORS = { description: "refused: { code, message, context }" };

/** What a sender signs to drop its own stuck pending transaction (header x-gradual-signature). */
function dropPayload(chainId: string, hash: string): Uint8Array {
  return new TextEncoder().encode(`gradual/drop/v1\n${chainId}\n${hash}`);
}

export function registerTransactionRoutes({ table, modules, options }: ServerContext): void {
  const { ledger } = modules;

  const settle = async (status: TxStatus, query: WaitQuery): Promise<TxStatus> => {
    if (query.wait !== "included" || status.status === "included") return status;
    const timeoutMs = Math.min(query.timeoutMs ?? 30_000, options.maxWaitMs);
    return (await ledger.waitForInclusion(status.hash, timeoutMs)) ?? status;
  };

  table.add({
    route: ROUTES.submit,
    tag: "transactions",
    summary:
      "Submit one signed transaction. 202 once durably logged (it will be included); with ?wait=included, 200 once its block is durable, with the block number and its result.",
    // The body is checked by the edge (its codes), not by fastify.
    // Room for the edge to answer TX__TOO_LARGE itself; bigger bodies get API__BODY_TOO_LARGE.
    bodyLimit: 2 * MAX_TRANSACTION_BYTES,
    responses: {
      200: { description: "included (result.ok false carries the rejection code)" },
      202: { description: "acknowledged: durably logged, pending inclusion" },
      400: ERRORS,
      409: ERRORS,
      413: ERRORS,
      503: ERRORS,
    },
    handler: async (request, reply) => {
      const input: EnvelopeInput =
        request.bodyBytes === undefined
          ? { envelope: request.body as SignedEnvelope }
          : { envelope: request.body as SignedEnvelope, bytes: request.bodyBytes };
      const [outcome] = await ledger.submit([input]);
      if (outcome === undefined) throw new LedgerError("API__INTERNAL");
      if (!outcome.ok) return reply.code(httpStatusOf(outcome.error.code)).send(outcome.error);
      const status = await settle(outcome.status, request.query as WaitQuery);
      return reply.code(status.status === "included" ? 200 : 202).send(ackToWire(status));
    },
  });

  table.add({
    route: ROUTES.submitBatch,
    tag: "transactions",
    summary: `Submit up to ${options.maxBatchTransactions} signed transactions; one result per transaction, in order.`,
    bodyLimit: options.maxBatchBytes,
    responses: { 200: { description: "per-transaction results" }, 400: ERRORS, 413: ERRORS },
    handler: async (request, reply) => {
      const body = request.body as unknown;
      if (
        typeof body !== "object" ||
        body === null ||
        Array.isArray(body) ||
        !Array.isArray((body as { txs?: unknown }).txs)
      ) {
        throw new LedgerError("API__INVALID_REQUEST", {
          message: "expected a body { txs: [ { tx, signature }, ... ] }",
        });
      }
      const extra = Object.keys(body).find((key) => key !== "txs");
      if (extra !== undefined) {
        throw new LedgerError("API__INVALID_REQUEST", {
          message: `the batch body has no field "${extra}"`,
          context: { field: extra },
        });
      }
      const envelopes = (body as { txs: unknown[] }).txs;
      if (envelopes.length > options.maxBatchTransactions) {
        throw new LedgerError("API__BATCH_TOO_LARGE", {
          context: { count: envelopes.length, limit: options.maxBatchTransactions },
        });
      }
      // Only a body larger than one transaction's limit can hold an oversized transaction: measure those alone.
      const measure = (request.bodyBytes ?? 0) > MAX_TRANSACTION_BYTES;
      const inputs: EnvelopeInput[] = envelopes.map((envelope) =>
        measure
          ? { envelope: envelope as SignedEnvelope, bytes: Buffer.byteLength(JSON.stringify(envelope) ?? "") }
          : { envelope: envelope as SignedEnvelope },
      );
      const outcomes = await ledger.submit(inputs);
      const query = request.query as WaitQuery;
      const results = await Promise.all(
        outcomes.map(async (outcome: SubmitOutcome) =>
          outcome.ok ? ackToWire(await settle(outcome.status, query)) : { error: outcome.error },
        ),
      );
      return reply.code(200).send({ results });
    },
  });

  table.add({
    route: ROUTES.dropTx,
    tag: "transactions",
    summary:
      'Drop a stuck pending transaction and the sender\'s later pending ones. Signed by the sender (header x-gradual-signature: ed25519 of "gradual/drop/v1\\n<chainId>\\n<hash>") or Authorization: Bearer <operator token>.',
    responses: {
      200: { description: "dropped" },
      401: ERRORS,
      404: ERRORS,
    },
    handler: async (request) => {
      const { hash } = request.params as { hash: string };
      const entry = ledger.mempool.get(hash);
      if (entry === undefined || !entry.logged) throw new LedgerError("API__TX_NOT_FOUND", { context: { hash } });
      const signature = request.headers["x-gradual-signature"];
      const bySender =
        typeof signature === "string" && verifyBytes(entry.tx.from, dropPayload(ledger.chainId, hash), signature);
      if (!bySender) checkAdmin(request, options.adminToken);
      return { dropped: await ledger.dropPending(hash) };
    },
  });

  table.add({
    route: ROUTES.getTx,
    tag: "transactions",
    summary: "A transaction's status by hash: pending (acknowledged) or included with its block and result.",
    responses: { 200: { description: "the status" }, 404: ERRORS },
    handler: async (request) => {
      const { hash } = request.params as { hash: string };
      const status = await ledger.getTxStatus(hash);
      if (status === undefined) throw new LedgerError("API__TX_NOT_FOUND", { context: { hash } });
      return txStatusToWire(status);
    },
  });
}
