import { MAX_BLOCK_RANGE, ROUTES } from "@gradual/wire";
import { blockToWire, headerToWire } from "../../block.ts";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";

const ERRORS = { description: "{ code, message, context }" };

export function registerBlockRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;

  table.add({
    route: ROUTES.getHead,
    tag: "blocks",
    summary: "The last durable block's header.",
    responses: { 200: { description: "header" } },
    handler: async () => headerToWire(ledger.head),
  });

  table.add({
    route: ROUTES.getBlock,
    tag: "blocks",
    summary: "A block with its transactions, their results, and the protocol events it caused.",
    responses: { 200: { description: "block" }, 404: ERRORS },
    handler: async (request) => {
      const { number } = request.params as { number: number };
      const block = number > ledger.head.number ? undefined : await ledger.store.getBlock(number);
      if (block === undefined) {
        throw new LedgerError("API__BLOCK_NOT_FOUND", { context: { number, head: ledger.head.number } });
      }
      return blockToWire(block);
    },
  });

  table.add({
    route: ROUTES.getBlocks,
    tag: "blocks",
    summary: `Blocks from..to inclusive (at most ${MAX_BLOCK_RANGE}); blocks past the head are left out.`,
    responses: { 200: { description: "blocks in order" }, 400: ERRORS },
    handler: async (request) => {
      const { from, to } = request.query as { from: number; to?: number };
      const last = Math.min(to ?? from + MAX_BLOCK_RANGE - 1, from + MAX_BLOCK_RANGE - 1, ledger.head.number);
      if (to !== undefined && to < from) {
        throw new LedgerError("API__INVALID_REQUEST", { message: `expected to >= from, got from ${from} to ${to}` });
      }
      const blocks = last < from ? [] : await ledger.store.getBlocks(from, last);
      return { blocks: blocks.map(blockToWire) };
    },
  });
}
