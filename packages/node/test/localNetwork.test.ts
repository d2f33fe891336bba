import assert from "node:assert/strict";
import { test } from "node:test";
import { defineTask, type JsonValue } from "@gradual/sdk";
import { runLocalNetwork } from "../src/local/localNetwork.ts";
import { withGarbageEvery } from "../src/runtime/faults.ts";
import { createInProcessTaskRunner } from "../src/sandbox/inProcessRunner.ts";

type TaskWire = { task: { id: string; startSlot: number; params: { roundSlots: number; bountyPerRound: string } } };
type CyclesWire = { cycles: { cycle: number; record: { cycle: number; reserved: string; seed: string | null } }[] };
type BlockWire = {
  number: number;
  slot: number;
  hash: string;
  txs: { hash: string; tx: { kind: string; from: string }; result: { ok: boolean } }[];
};

/**
 * `gradual task test` gives task code a ledger reader (ctx.ledger) over the local network: GET /tasks/{id} and
 * GET /blocks?from&to in the ledger's wire form, which is what the example tasks read.
 */
test("ctx.ledger in the local network serves the task view and its blocks", async () => {
  const seen: JsonValue[] = [];
  const reader = defineTask({
    async task(ctx) {
      const view = await ctx.ledger.get<TaskWire & CyclesWire>(`/tasks/${ctx.taskId}`);
      const viaV1 = await ctx.ledger.get<TaskWire>(`/v1/tasks/${ctx.taskId}`);
      const { blocks } = await ctx.ledger.get<{ blocks: BlockWire[] }>("/blocks?from=0&to=400");
      const record = view.cycles.find((entry) => entry.cycle === ctx.cycle)?.record;
      seen.push({
        cycle: ctx.cycle,
        id: view.task.id,
        sameViaV1: viaV1.task.id === view.task.id,
        roundSlots: view.task.params.roundSlots,
        bounty: view.task.params.bountyPerRound,
        reserved: record?.reserved ?? null,
        blockCount: blocks.length,
        firstBlock: blocks[0]?.number ?? -1,
        lastBlock: blocks.at(-1)?.number ?? -1,
        kinds: [...new Set(blocks.flatMap((block) => block.txs.map((entry) => entry.tx.kind)))].sort(),
        hashes: blocks.map((block) => block.hash),
        consecutive: blocks.every((block, index) => block.number === index && block.slot === index),
      });
    },
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: () => true,
  });
  // Six rounds of work: by the last cycles the chain is past 100 blocks, so one request returns a capped page.
  const result = await runLocalNetwork({
    nodes: 2,
    rounds: 6,
    seed: "local-ledger-reader",
    createRunner: async (host, limits) => createInProcessTaskRunner(reader, host, limits),
  });
  assert.deepEqual(
    result.calls.filter((call) => !call.ok),
    [],
  );
  const calls = seen as {
    cycle: number;
    id: string;
    sameViaV1: boolean;
    roundSlots: number;
    bounty: string;
    reserved: string | null;
    blockCount: number;
    firstBlock: number;
    lastBlock: number;
    kinds: string[];
    hashes: string[];
    consecutive: boolean;
  }[];
  assert.ok(calls.length >= 8, `every node worked every cycle (${calls.length} calls)`);
  for (const call of calls) {
    assert.equal(call.id, result.taskId);
    assert.equal(call.sameViaV1, true, "paths work with and without the /v1 prefix");
    assert.equal(call.roundSlots, 20);
    assert.match(call.bounty, /^[0-9]+$/, "amounts are decimal strings, as on the wire");
    assert.equal(call.reserved, call.bounty, "the working cycle is open and reserved the bounty");
    assert.equal(call.firstBlock, 0, "block 0 is genesis");
    assert.equal(call.lastBlock, call.blockCount - 1);
    assert.ok(call.blockCount <= 100, "at most 100 blocks per request, as on the ledger");
    assert.equal(call.consecutive, true, "block n holds slot n");
    assert.ok(call.kinds.includes("createTask") && call.kinds.includes("stake"));
    assert.equal(new Set(call.hashes).size, call.hashes.length, "every block has its own hash");
    for (const hash of call.hashes) assert.match(hash, /^[0-9a-f]{64}$/);
  }
  assert.equal(Math.max(...calls.map((call) => call.blockCount)), 100, "a long range is capped at 100 blocks");
  assert.ok(calls.some((call) => call.kinds.includes("commit") && call.kinds.includes("reveal")));
  // The same block has the same hash whoever reads it and whenever.
  const byBlock = new Map<number, string>();
  for (const call of calls) {
    for (const [number, hash] of call.hashes.entries()) {
      assert.equal(byBlock.get(number) ?? hash, hash);
      byBlock.set(number, hash);
    }
  }
});

/**
 * The same reader answers the ledger's state routes (the ones Koii's namespace wrapper reads in `gradual koii test`)
 * and GET /chain, in the wire form of a real ledger's replies.
 */
test("ctx.ledger in the local network serves the state routes and /chain", async () => {
  const seen: JsonValue[] = [];
  const reader = defineTask({
    async task(ctx) {
      const base = `/tasks/${ctx.taskId}`;
      const nodes = await ctx.ledger.get<{ items: { account: string; stake: string }[]; total: number }>(
        `${base}/nodes?limit=1`,
      );
      const own = await ctx.ledger.get<{ account: string; stake: string }>(`${base}/nodes/${ctx.node}`);
      const cycle = await ctx.ledger.get<{ cycle: number; phase: string }>(`/v1${base}/cycles/${ctx.cycle}`);
      const chain = await ctx.ledger.get<{
        chainId: string;
        slotMs: number;
        head: { slot: number };
        taskCount: number;
      }>("/chain");
      const view = await ctx.ledger.get<{ slot: number }>(base);
      seen.push({
        page: nodes.items.length,
        total: nodes.total,
        own: own.account === ctx.node,
        stake: own.stake,
        cycle: cycle.cycle === ctx.cycle,
        phase: cycle.phase,
        chain: chain.chainId,
        slotMs: chain.slotMs,
        head: chain.head.slot === view.slot,
        taskCount: chain.taskCount,
      });
    },
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: () => true,
  });
  const result = await runLocalNetwork({
    nodes: 2,
    rounds: 1,
    slotMs: 250,
    createRunner: async (host, limits) => createInProcessTaskRunner(reader, host, limits),
  });
  assert.deepEqual(
    result.calls.filter((call) => !call.ok),
    [],
  );
  assert.equal(seen.length, 2);
  for (const call of seen) {
    assert.deepEqual(call, {
      page: 1,
      total: 2,
      own: true,
      stake: "100000000000",
      cycle: true,
      phase: "work",
      chain: "gradual-local",
      slotMs: 250,
      head: true,
      taskCount: 1,
    });
  }
});

/**
 * With `serveHttp`, each node's routes are served on 127.0.0.1 at the URL it staked with, so a task reads its peers
 * as on a devnet: the node list from ctx.ledger, then each peer's route by its URL.
 */
test("serveHttp: a task reads its peers' routes at the URLs the ledger lists", async () => {
  const read: string[] = [];
  const peerReader = defineTask({
    routes: (router) => router.get("/whoami", (_request, ctx) => ({ body: { node: ctx.node } })),
    async task(ctx) {
      const { items } = await ctx.ledger.get<{ items: { account: string; url: string }[] }>(
        `/tasks/${ctx.taskId}/nodes`,
      );
      for (const peer of items.filter((item) => item.account !== ctx.node)) {
        const reply = await ctx.fetch(`${peer.url}/tasks/${ctx.taskId}/whoami`);
        const { node } = (await reply.json()) as { node: string };
        read.push(`${ctx.node}->${node === peer.account ? "peer" : node}`);
      }
    },
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: () => true,
  });
  const result = await runLocalNetwork({
    nodes: 3,
    rounds: 1,
    serveHttp: true,
    createRunner: async (host, limits) => createInProcessTaskRunner(peerReader, host, limits),
  });
  assert.deepEqual(
    result.calls.filter((call) => !call.ok),
    [],
  );
  assert.deepEqual(read.sort(), result.accounts.flatMap((account) => [`${account}->peer`, `${account}->peer`]).sort());
});

test("ctx.ledger in the local network refuses routes it does not serve", async () => {
  let message = "";
  const reader = defineTask({
    async task(ctx) {
      try {
        await ctx.ledger.get("/accounts/00");
      } catch (error) {
        message = (error as Error).message;
      }
    },
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: () => true,
  });
  await runLocalNetwork({
    nodes: 2,
    rounds: 1,
    createRunner: async (host, limits) => createInProcessTaskRunner(reader, host, limits),
  });
  assert.match(
    message,
    /the local ledger serves only GET \/v1\/chain, \/v1\/blocks\?from&to, \/v1\/tasks, \/v1\/tasks\/:task,/,
  );
});

/**
 * What `gradual task test` prints: exactly the rounds of work asked for (then one settling header), nodes named
 * from 1 as on the devnet, list amounts in tokens, and the audit outcome and slash of a node whose proof is wrong.
 */
test("the local network reports the rounds asked for, node-1.., tokens, upheld audits and slashes", async () => {
  const honest = defineTask({
    task: async () => {},
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: (_ctx, proof) => proof.json<{ garbage?: boolean }>().garbage !== true,
  });
  const lines: string[] = [];
  const result = await runLocalNetwork({
    // Five nodes: the four honest ones are 80% of the decided weight, over the 77% a slash needs (protocol.md §5.5).
    nodes: 5,
    rounds: 3,
    seed: "local-report",
    createRunner: async (host, limits, index) => {
      const runner = await createInProcessTaskRunner(honest, host, limits);
      return index === 4 ? withGarbageEvery(runner, 1) : runner;
    },
    onReport: (line) => lines.push(line),
  });
  const headers = lines.filter((line) => /^round \d+$/.test(line));
  assert.equal(headers.length, 3, `three round headers, got ${JSON.stringify(headers)}`);
  assert.equal(lines.filter((line) => line.startsWith("after round")).length, 1);
  assert.ok(lines.some((line) => line.includes("node-1 cycle")));
  assert.ok(!lines.some((line) => /\bnode 0\b|node-0/.test(line)), "no node is numbered from 0");
  assert.ok(
    lines.some((line) =>
      /cycle \d+: ✘ audit upheld: #\d+ against node-5: invalid [\d.]+, valid [\d.]+ of [\d.]+ active weight/.test(line),
    ),
    "the upheld audit is reported",
  );
  assert.ok(
    lines.some((line) => /cycle \d+: ✘ slashed: node-5 lost [\d.]+ of stake/.test(line)),
    "the slash is reported",
  );
  // The task's rule is `weighted`: its cycles pay themselves, with no list (§6.2).
  const paid = lines.filter((line) => line.includes("cycle complete: paid"));
  assert.ok(paid.length >= 1, "a cycle was paid");
  for (const line of paid) assert.match(line, /✔ cycle complete: paid \d+(\.\d+)? into vesting/);
  assert.ok(!lines.some((line) => line.includes("list accepted")), "no list under the weighted rule");
  assert.ok(!lines.some((line) => /\d{10,}/.test(line)), "no amount in base units");
  const worked = new Set(result.calls.filter((call) => call.call === "task+submission").map((call) => call.cycle));
  assert.equal(worked.size, 3, `work in three cycles, got ${[...worked].join(",")}`);
});

test("a failed audit call is a failed call of the run, as a failed work call is", async () => {
  const throwing = defineTask({
    task: async () => {},
    submission: (ctx) => ({ cycle: ctx.cycle }),
    audit: () => {
      throw new Error("audit broke");
    },
  });
  const lines: string[] = [];
  const result = await runLocalNetwork({
    nodes: 2,
    rounds: 1,
    createRunner: async (host, limits) => createInProcessTaskRunner(throwing, host, limits),
    onReport: (line) => lines.push(line),
  });
  const audits = result.calls.filter((call) => call.call === "audit");
  assert.ok(audits.length >= 2, `audits: ${JSON.stringify(result.calls)}`);
  for (const audit of audits) {
    assert.equal(audit.ok, false);
    assert.match(audit.detail, /^node-[12]: TASK__\w+: .*audit broke/);
  }
  assert.ok(lines.some((line) => /node-[12] cycle \d+: audit of node-[12] FAILED \(TASK__\w+\)/.test(line)));
});
