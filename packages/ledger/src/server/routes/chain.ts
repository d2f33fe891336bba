import { getChain } from "@gradual/protocol";
import { type ChainInfo, type Health, ROUTES } from "@gradual/wire";
import { headerToWire } from "../../block.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { buildOpenApiDocument } from "../routeTable.ts";

export function registerChainRoutes({ table, modules }: ServerContext): void {
  const { ledger, producer, metrics } = modules;
  let genesisHash: string | undefined;

  table.add({
    route: ROUTES.getChain,
    tag: "chain",
    summary: "Chain id, head, slot length, devnet flags and supply.",
    responses: { 200: { description: "chain information" } },
    handler: async (): Promise<ChainInfo> => {
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

  table.add({
    route: ROUTES.getHealth,
    tag: "chain",
    summary:
      "Liveness: 200 while the ledger accepts transactions and makes blocks; 503 after a storage failure (LEDGER__STORAGE_FAILURE) or when no block was made for stallSlots slots by the clock (LEDGER__STALLED).",
    responses: {
      200: { description: "healthy" },
      503: { description: "stopped or stalled" },
    },
    handler: async (_request, reply) => {
      const head = headerToWire(ledger.head);
      const slotLag = producer.slotLag();
      const answer = (status: 200 | 503, body: Health) => reply.code(status).send(body);
      if (ledger.failure !== undefined) {
        const reason = ledger.failure.message;
        return answer(503, { ok: false, head, slotLag, code: "LEDGER__STORAGE_FAILURE", reason });
      }
      const stalled = producer.stallReason();
      if (stalled !== undefined) {
        return answer(503, { ok: false, head, slotLag, code: "LEDGER__STALLED", reason: stalled });
      }
      return answer(200, { ok: true, head, slotLag });
    },
  });

  table.add({
    route: ROUTES.getMetrics,
    tag: "operations",
    summary:
      "Prometheus text: block height, slot lag, mempool size, transactions accepted and rejected by code, apply and fsync time.",
    responses: { 200: { description: "Prometheus exposition format 0.0.4", contentType: "text/plain" } },
    handler: async (_request, reply) => reply.type("text/plain; version=0.0.4").send(metrics.render()),
  });

  table.add({
    route: ROUTES.getOpenApi,
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
