import { getChain } from "@gradual/protocol";
import { Type } from "@sinclair/typebox";
import type { ServerContext } from "../createLedgerServer.ts";
import { buildOpenApiDocument } from "../routeTable.ts";
import { BlockHeaderSchema, ChainInfoSchema } from "../schemas.ts";
import { headerToWire } from "../wireViews.ts";

export function registerChainRoutes({ table, modules }: ServerContext): void {
  const { ledger, producer, metrics } = modules;
  let genesisHash: string | undefined;

  table.add({
    method: "GET",
    url: "/v1/chain",
    tag: "chain",
    summary: "Chain id, head, slot length, devnet flags and supply.",
    responses: { 200: { description: "chain information", schema: ChainInfoSchema } },
    handler: async () => {
      genesisHash ??= (await ledger.store.getBlock(0))?.hash ?? "";
      const chain = getChain(ledger.state);
      return {
        chainId: ledger.chainId,
        genesisHash,
        head: headerToWire(ledger.head),
        slotMs: producer.slotMs,
        manualSlots: producer.manualSlots,
        devnet: ledger.isDevnet,
        faucet: ledger.faucetAccount(),
        mempoolSize: ledger.mempool.size,
        supply: chain.supply.toString(),
        taskCount: chain.taskCount,
      };
    },
  });

  const HealthSchema = Type.Object({
    ok: Type.Boolean(),
    head: BlockHeaderSchema,
    slotLag: Type.Integer(),
    code: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  });
  table.add({
    method: "GET",
    url: "/v1/health",
    tag: "chain",
    summary:
      "Liveness: 200 while the ledger accepts transactions and makes blocks; 503 after a storage failure (LEDGER__STORAGE_FAILURE) or when no block was made for stallSlots slots by the clock (LEDGER__STALLED).",
    responses: {
      200: { description: "healthy", schema: HealthSchema },
      503: { description: "stopped or stalled", schema: HealthSchema },
    },
    handler: async (_request, reply) => {
      const head = headerToWire(ledger.head);
      const slotLag = producer.slotLag();
      if (ledger.failure !== undefined) {
        const reason = ledger.failure.message;
        return reply.code(503).send({ ok: false, head, slotLag, code: "LEDGER__STORAGE_FAILURE", reason });
      }
      const stalled = producer.stallReason();
      if (stalled !== undefined) {
        return reply.code(503).send({ ok: false, head, slotLag, code: "LEDGER__STALLED", reason: stalled });
      }
      return reply.code(200).send({ ok: true, head, slotLag });
    },
  });

  table.add({
    method: "GET",
    url: "/metrics",
    tag: "operations",
    summary:
      "Prometheus text: block height, slot lag, mempool size, transactions accepted and rejected by code, apply and fsync time.",
    responses: { 200: { description: "Prometheus exposition format 0.0.4", contentType: "text/plain" } },
    handler: async (_request, reply) => reply.type("text/plain; version=0.0.4").send(metrics.render()),
  });

  table.add({
    method: "GET",
    url: "/v1/openapi.json",
    tag: "operations",
    summary: "This API's OpenAPI 3.1 document.",
    responses: { 200: { description: "OpenAPI document", contentType: "application/json" } },
    handler: async () =>
      buildOpenApiDocument(table.routes, {
        title: "gradual ledger",
        version: "1",
        description:
          "The settlement ledger of Gradual Consensus. Amounts are decimal strings of base units; errors are { code, message, context }.",
      }),
  });
}
