import { Type } from "@sinclair/typebox";
import { LedgerError } from "../../errors.ts";
import type { ServerContext } from "../createLedgerServer.ts";
import { BlockHeaderSchema, BlockListSchema, BlockSchema, ErrorBodySchema, Uint } from "../schemas.ts";
import { blockToWire, headerToWire } from "../wireViews.ts";

/** Most blocks one range request returns. */
const MAX_BLOCK_RANGE = 100;

const ERRORS = { description: "{ code, message, context }", schema: ErrorBodySchema };

export function registerBlockRoutes({ table, modules }: ServerContext): void {
  const { ledger } = modules;

  table.add({
    method: "GET",
    url: "/v1/blocks/head",
    tag: "blocks",
    summary: "The last durable block's header.",
    responses: { 200: { description: "header", schema: BlockHeaderSchema } },
    handler: async () => headerToWire(ledger.head),
  });

  table.add({
    method: "GET",
    url: "/v1/blocks/:number",
    tag: "blocks",
    summary: "A block with its transactions, their results, and the protocol events it caused.",
    params: Type.Object({ number: Uint }),
    responses: { 200: { description: "block", schema: BlockSchema }, 404: ERRORS },
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
    method: "GET",
    url: "/v1/blocks",
    tag: "blocks",
    summary: `Blocks from..to inclusive (at most ${MAX_BLOCK_RANGE}); blocks past the head are left out.`,
    querystring: Type.Object({ from: Uint, to: Type.Optional(Uint) }),
    responses: { 200: { description: "blocks in order", schema: BlockListSchema }, 400: ERRORS },
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
