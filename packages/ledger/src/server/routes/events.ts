import type { ServerResponse } from "node:http";
import { type BlockEventData, ROUTES } from "@gradual/wire";
import type { Block, StoredBlock } from "../../block.ts";
import { blockEventsToWire, headerToWire } from "../../block.ts";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";

/** Most past blocks one stream replays before going live. */
const MAX_EVENT_BACKLOG_BLOCKS = 10_000;
/** A subscriber whose unsent data exceeds this is too slow and is disconnected (it can resume by id). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;

/** The event of one block on the stream: its header, its transactions' results and the protocol events. */
function blockEventData(block: Block | StoredBlock): BlockEventData {
  return {
    header: headerToWire(block),
    txs: block.txs.map((tx) => ({ hash: tx.hash, kind: tx.tx.kind, from: tx.tx.from, result: tx.result })),
    events: blockEventsToWire(block),
  };
}

function frame(block: Block | StoredBlock): string {
  return `id: ${block.number}\nevent: block\ndata: ${JSON.stringify(blockEventData(block))}\n\n`;
}

/**
 * Server-sent events at /v1/events: one `block` event per durable block, with the id set to the block number. A
 * client that reconnects with `Last-Event-ID: n` (or `?from=n`) gets every block after n, then the live ones.
 */
export function registerEventRoutes({ table, modules, options, streams }: ServerContext): void {
  const { ledger } = modules;
  let subscribers = 0;
  const perClient = new Map<string, number>();
  modules.metrics.bind({
    blockHeight: () => ledger.head.number,
    slotLag: () => modules.producer.slotLag(),
    mempoolSize: () => ledger.mempool.size,
    subscribers: () => subscribers,
  });

  table.add({
    route: ROUTES.events,
    tag: "events",
    summary:
      "Live stream (text/event-stream) of blocks and protocol events; resume with Last-Event-ID or ?after=N (a block number).",
    responses: {
      200: { description: "event stream: `event: block`, `id: <block number>`", contentType: "text/event-stream" },
      503: { description: "too many subscribers" },
    },
    handler: async (request, reply) => {
      if (subscribers >= options.maxEventSubscribers) {
        throw new LedgerError("LEDGER__SUBSCRIBER_LIMIT", { context: { limit: options.maxEventSubscribers } });
      }
      // Per client address too, so one client cannot take every slot (issue 13).
      const client = request.ip;
      const held = perClient.get(client) ?? 0;
      if (held >= options.maxEventSubscribersPerClient) {
        throw new LedgerError("LEDGER__SUBSCRIBER_LIMIT", {
          message: `this client already holds ${held} event streams (the limit per client)`,
          context: { limit: options.maxEventSubscribersPerClient, perClient: true },
        });
      }
      const header = request.headers["last-event-id"];
      const fromHeader = typeof header === "string" && /^\d+$/.test(header) ? Number(header) : undefined;
      const after = fromHeader ?? (request.query as { after?: number }).after;
      reply.hijack();
      const raw: ServerResponse = reply.raw;
      subscribers += 1;
      perClient.set(client, held + 1);
      streams.add(raw);
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      raw.write("retry: 1000\n\n");
      let live = false;
      let sentThrough = after ?? ledger.head.number;
      const queued: Block[] = [];
      const send = (block: Block | StoredBlock) => {
        if (block.number <= sentThrough || raw.writableEnded) return;
        sentThrough = block.number;
        raw.write(frame(block));
        if (raw.writableLength > MAX_BUFFERED_BYTES) raw.end();
      };
      const unsubscribe = ledger.onBlock((block) => (live ? send(block) : queued.push(block)));
      const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      keepAlive.unref();
      raw.on("close", () => {
        unsubscribe();
        clearInterval(keepAlive);
        streams.delete(raw);
        subscribers -= 1;
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
      });
      try {
        sentThrough = Math.max(sentThrough, ledger.head.number - MAX_EVENT_BACKLOG_BLOCKS);
        while (!raw.writableEnded && sentThrough < ledger.head.number) {
          const last = Math.min(sentThrough + 100, ledger.head.number);
          const blocks = await ledger.store.getBlocks(sentThrough + 1, last);
          if (blocks.length === 0) break;
          for (const block of blocks) send(block);
        }
        for (const block of queued) send(block);
        queued.length = 0;
        live = true;
      } catch (error) {
        modules.logger.warn(`event stream backlog failed: ${String(error)}`);
        raw.end();
      }
    },
  });
}
