/**
 * ledger-indexer: each cycle, every node indexes the ledger's blocks of the previous round and proves the index
 * with a Merkle root; auditors rebuild the index from the ledger and compare roots. See README.md.
 */
import { canonicalStringify } from "@gradual/protocol";
import { defineTask, equalSplit, type JsonValue, type RouteResponse, type TaskContext } from "@gradual/sdk";
import { type BlockIndex, buildIndex, cycleSlotRange, isIndexProof, proofOfIndex } from "./indexer.ts";
import { readBlocks, readTaskSchedule } from "./ledgerApi.ts";

const indexKey = (cycle: number) => `index/${String(cycle).padStart(10, "0")}`;
const HEX64 = /^[0-9a-f]{64}$/;

function integerSetting(config: TaskContext["config"], name: string, fallback: number, min: number, max: number) {
  const raw = config[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`config.${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Reads the cycle's blocks from the ledger and indexes them. Throws when the ledger cannot answer. */
export async function indexCycle(ctx: Pick<TaskContext, "ledger" | "taskId" | "config">, cycle: number) {
  const maxBlocks = integerSetting(ctx.config, "maxBlocksPerCycle", 10_000, 1, 1_000_000);
  const schedule = await readTaskSchedule(ctx.ledger, ctx.taskId);
  const { fromSlot, toSlot } = cycleSlotRange(schedule, cycle);
  if (toSlot - fromSlot + 1 > maxBlocks) {
    throw new RangeError(`cycle ${cycle} spans ${toSlot - fromSlot + 1} blocks, over maxBlocksPerCycle ${maxBlocks}`);
  }
  return buildIndex(cycle, fromSlot, toSlot, await readBlocks(ctx.ledger, fromSlot, toSlot));
}

async function pruneOldCycles(ctx: TaskContext): Promise<void> {
  const retained = integerSetting(ctx.config, "retainCycles", 64, 1, 1_000);
  const keys = await ctx.store.keys("index/");
  for (const key of keys.slice(0, Math.max(0, keys.length - retained))) await ctx.store.delete(key);
}

function json(status: number, body: JsonValue): RouteResponse {
  return { status, headers: { "content-type": "application/json" }, body };
}

export default defineTask({
  async task(ctx) {
    const index = await indexCycle(ctx, ctx.cycle);
    await ctx.store.set(indexKey(ctx.cycle), index as unknown as JsonValue);
    await pruneOldCycles(ctx);
    ctx.log.info("indexed", { cycle: ctx.cycle, fromSlot: index.fromSlot, toSlot: index.toSlot, root: index.root });
  },

  async submission(ctx) {
    const index = await ctx.store.get<JsonValue>(indexKey(ctx.cycle));
    if (index === undefined) throw new Error(`no index stored for cycle ${ctx.cycle}: task() did not finish`);
    return proofOfIndex(index as unknown as BlockIndex) as unknown as JsonValue;
  },

  async audit(ctx, proof, _submitter) {
    let claimed: unknown;
    try {
      claimed = proof.json();
    } catch {
      return false;
    }
    if (!isIndexProof(claimed) || claimed.cycle !== ctx.cycle) return false;
    if (canonicalStringify(claimed) !== proof.text()) return false;
    // The auditor's own ledger read: if it fails, audit throws and the node does not accuse anyone.
    const expected = proofOfIndex(await indexCycle(ctx, ctx.cycle));
    return canonicalStringify(expected) === canonicalStringify(claimed);
  },

  distribution(_ctx, submitters, bounty) {
    return equalSplit(submitters, bounty);
  },

  routes(router) {
    router.get("/index/:cycle", async (request, ctx) => {
      const raw = request.params.cycle ?? "";
      if (!/^(0|[1-9][0-9]{0,9})$/.test(raw)) return json(400, { error: `expected a cycle number, got ${raw}` });
      const index = await ctx.store.get(indexKey(Number(raw)));
      return index === undefined ? json(404, { error: `cycle ${raw} is not indexed here` }) : json(200, index);
    });
    router.get("/account/:account", async (request, ctx) => {
      const account = (request.params.account ?? "").toLowerCase();
      if (!HEX64.test(account)) return json(400, { error: "expected an account as 64 hex characters" });
      const cycles: JsonValue[] = [];
      for (const key of await ctx.store.keys("index/")) {
        const index = await ctx.store.get<JsonValue>(key);
        const txs = (index as unknown as BlockIndex | undefined)?.accounts[account];
        if (index !== undefined && txs !== undefined) {
          cycles.push({ cycle: (index as unknown as BlockIndex).cycle, txs: [...txs] });
        }
      }
      return json(200, { account, cycles });
    });
  },
});
