/**
 * The examples of docs/writing-a-task.md, run for real. Every ```ts example block of the guide must appear here
 * verbatim (the last test checks it), so the guide cannot drift from code that works. The context is a minimal
 * fake built in this file: the sdk sits below the node and cannot use its runners.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  createProof,
  type DistributionEntry,
  defineTask,
  encodeProof,
  equalSplit,
  type JsonValue,
  memoryBlobs,
  type RouteContext,
  type RouteHandler,
  type RouteRequest,
  type Submitter,
  type TaskContext,
  type TaskDefinition,
} from "@gradual/sdk";

const TASK_ID = "7".repeat(64);
const ME = "a".repeat(64);
const PEER = "b".repeat(64);

type Fake = { ctx: TaskContext; store: Map<string, JsonValue>; logs: string[] };

/** A context with an in-memory store; `shared` lets two fake nodes see the same ledger. */
function fakeContext(options: { cycle: number; node?: string; config?: Record<string, string> }): Fake {
  const store = new Map<string, JsonValue>();
  const logs: string[] = [];
  const ctx: TaskContext = {
    taskId: TASK_ID,
    cycle: options.cycle,
    round: options.cycle,
    node: options.node ?? ME,
    sign: async (bytes) => createHash("sha256").update(bytes).digest("hex"),
    signJson: async (text) => createHash("sha256").update(text).digest("hex"),
    blobs: memoryBlobs(),
    store: {
      get: async <T extends JsonValue = JsonValue>(key: string) => store.get(key) as T | undefined,
      set: async (key, value) => void store.set(key, value),
      delete: async (key) => void store.delete(key),
      keys: async (prefix = "", limit = 1_000) =>
        [...store.keys()]
          .filter((key) => key.startsWith(prefix))
          .sort()
          .slice(0, limit),
    },
    log: {
      info: (message) => void logs.push(`info ${message}`),
      warn: (message) => void logs.push(`warn ${message}`),
      error: (message) => void logs.push(`error ${message}`),
    },
    fetch: () => Promise.reject(new Error("no network in these examples")),
    ledger: { get: () => Promise.reject(new Error("no ledger in these examples")) },
    config: options.config ?? {},
  };
  return { ctx, store, logs };
}

/** The routes a task registers, called the way a node would (no cycle; params from the pattern). */
function collectRoutes(definition: TaskDefinition): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();
  definition.routes?.({
    get: (path, handler) => void routes.set(`GET ${path}`, handler),
    post: (path, handler) => void routes.set(`POST ${path}`, handler),
    put: (path, handler) => void routes.set(`PUT ${path}`, handler),
    patch: (path, handler) => void routes.set(`PATCH ${path}`, handler),
    delete: (path, handler) => void routes.set(`DELETE ${path}`, handler),
    options: (path, handler) => void routes.set(`OPTIONS ${path}`, handler),
  });
  return routes;
}

function routeContext(ctx: TaskContext): RouteContext {
  return { ...ctx, cycle: null };
}

const request = (method: string, path: string, body = ""): RouteRequest => ({
  method,
  path,
  query: {},
  headers: {},
  body,
});

// ---------------------------------------------------------------------------------------------------------------
// The example task of the guide: count the primes in the cycle's range of numbers.

/** The numbers a cycle covers: [cycle * size, (cycle + 1) * size). */
function rangeOf(cycle: number, size: number): { from: number; to: number } {
  return { from: cycle * size, to: (cycle + 1) * size };
}

function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

function rangeSize(config: Readonly<Record<string, string>>): number {
  const size = Number(config.rangeSize ?? "1000");
  if (!Number.isSafeInteger(size) || size < 1 || size > 1_000_000) {
    throw new Error(`config.rangeSize must be an integer in 1..1000000, got ${config.rangeSize}`);
  }
  return size;
}

type PrimeProof = { cycle: number; from: number; to: number; count: number };

function parsePrimeProof(text: string): PrimeProof | undefined {
  try {
    const value = JSON.parse(text) as Partial<PrimeProof>;
    const fields = [value.cycle, value.from, value.to, value.count];
    return fields.every((field) => Number.isSafeInteger(field)) ? (value as PrimeProof) : undefined;
  } catch {
    return undefined;
  }
}

const primeCounter = defineTask({
  async setup(ctx) {
    rangeSize(ctx.config); // a bad config shows at start-up, where the operator looks first
    if ((await ctx.store.get("firstRound")) === undefined) await ctx.store.set("firstRound", ctx.round);
  },

  async task(ctx) {
    const { from, to } = rangeOf(ctx.cycle, rangeSize(ctx.config));
    const count = countPrimes(from, to);
    await ctx.store.set(`result/${ctx.cycle}`, { cycle: ctx.cycle, from, to, count });
    ctx.log.info("counted primes", { cycle: ctx.cycle, count });
  },

  async submission(ctx) {
    const result = await ctx.store.get(`result/${ctx.cycle}`);
    if (result === undefined) throw new Error(`no result for cycle ${ctx.cycle}`);
    return result; // JSON: encoded canonically (sorted keys), so equal results give equal bytes
  },

  audit(ctx, proof) {
    const claimed = parsePrimeProof(proof.text());
    if (claimed === undefined) return false; // garbage is invalid, never an exception
    const { from, to } = rangeOf(ctx.cycle, rangeSize(ctx.config));
    if (claimed.cycle !== ctx.cycle || claimed.from !== from || claimed.to !== to) return false;
    return claimed.count === countPrimes(from, to);
  },

  routes(router) {
    router.get("/result/:cycle", async (request, ctx) => {
      const result = await ctx.store.get(`result/${request.params.cycle}`);
      return result === undefined ? { status: 404, body: { error: "no such cycle" } } : { body: result };
    });
  },
});

// ---------------------------------------------------------------------------------------------------------------
// A custom distribution: pay by weight, the remainder to the heaviest submitters.

function payByWeight(submitters: readonly Submitter[], bounty: bigint): DistributionEntry[] {
  const total = submitters.reduce((sum, submitter) => sum + submitter.weight, 0n);
  if (total === 0n) return equalSplit(submitters, bounty);
  const shares = [...submitters]
    .sort((a, b) => (a.account < b.account ? -1 : 1))
    .map((submitter, position) => ({ submitter, position, amount: (bounty * submitter.weight) / total }));
  // Flooring leaves less than one unit per submitter: one unit each to the heaviest, ties in account order.
  const leftover = bounty - shares.reduce((sum, share) => sum + share.amount, 0n);
  const heaviestFirst = [...shares].sort((a, b) => {
    if (a.submitter.weight !== b.submitter.weight) return a.submitter.weight > b.submitter.weight ? -1 : 1;
    return a.position - b.position;
  });
  const bonus = new Set(heaviestFirst.slice(0, Number(leftover)));
  return shares
    .map((share) => ({ recipient: share.submitter.account, amount: share.amount + (bonus.has(share) ? 1n : 0n) }))
    .filter((entry) => entry.amount > 0n);
}

const weightedCounter = defineTask({
  ...primeCounter,
  distribution: (_ctx, submitters, bounty) => payByWeight(submitters, bounty),
});

// ---------------------------------------------------------------------------------------------------------------

const submitter = (account: string, weight: bigint): Submitter => ({
  account,
  weight,
  proofDigest: "0".repeat(64),
});

describe("writing-a-task examples", () => {
  test("the module shape: defineTask checks the functions and freezes the task", () => {
    assert.equal(Object.isFrozen(primeCounter), true);
    assert.throws(() => defineTask({ task() {}, submission: () => "" } as never), /"audit" must be a function/);
    assert.throws(() => defineTask({ ...primeCounter, tsk() {} } as never), /unknown field\(s\) tsk/);
  });

  test("setup checks the config once and is safe to run again", async () => {
    const { ctx, store } = fakeContext({ cycle: 3, config: { rangeSize: "100" } });
    await primeCounter.setup?.(ctx);
    await primeCounter.setup?.({ ...ctx, round: 9 });
    assert.equal(store.get("firstRound"), 3);
    const bad = fakeContext({ cycle: 3, config: { rangeSize: "ten" } });
    await assert.rejects(async () => primeCounter.setup?.(bad.ctx), /config.rangeSize must be an integer/);
  });

  test("task does the cycle's work and keeps the result in the store", async () => {
    const { ctx, store, logs } = fakeContext({ cycle: 1, config: { rangeSize: "100" } });
    await primeCounter.task(ctx);
    assert.deepEqual(store.get("result/1"), { cycle: 1, from: 100, to: 200, count: 21 });
    assert.deepEqual(logs, ["info counted primes"]);
  });

  test("submission becomes canonical bytes: two honest nodes commit the same digest", async () => {
    const mine = fakeContext({ cycle: 0, config: { rangeSize: "100" } });
    const peer = fakeContext({ cycle: 0, node: PEER, config: { rangeSize: "100" } });
    for (const { ctx } of [mine, peer]) await primeCounter.task(ctx);
    const [a, b] = await Promise.all([mine, peer].map(({ ctx }) => primeCounter.submission(ctx)));
    assert.equal(new TextDecoder().decode(encodeProof(a as JsonValue)), '{"count":25,"cycle":0,"from":0,"to":100}');
    assert.equal(createProof(encodeProof(a as JsonValue)).digest, createProof(encodeProof(b as JsonValue)).digest);
    assert.deepEqual(encodeProof("text"), new TextEncoder().encode("text"));
    assert.deepEqual(encodeProof(new Uint8Array([1, 2])), new Uint8Array([1, 2]));
  });

  test("audit accepts an honest proof and rejects wrong, foreign and garbage ones", async () => {
    const peer = fakeContext({ cycle: 2, node: PEER, config: { rangeSize: "100" } });
    await primeCounter.task(peer.ctx);
    const honest = encodeProof((await primeCounter.submission(peer.ctx)) as JsonValue);
    const { ctx } = fakeContext({ cycle: 2, config: { rangeSize: "100" } });
    const definition: TaskDefinition = primeCounter; // as a node sees it: audit(ctx, proof, submitter)
    const verdict = (bytes: Uint8Array) => definition.audit(ctx, createProof(bytes), PEER);
    assert.equal(await verdict(honest), true);
    assert.equal(await verdict(encodeProof({ cycle: 2, from: 200, to: 300, count: 99 })), false);
    assert.equal(await verdict(encodeProof({ cycle: 1, from: 100, to: 200, count: 21 })), false);
    assert.equal(await verdict(new TextEncoder().encode("{not json")), false);
    assert.equal(await verdict(encodeProof({ cycle: "2" })), false);
  });

  test("the default distribution is an equal split with a deterministic remainder", () => {
    const list = equalSplit([submitter(PEER, 1n), submitter("c".repeat(64), 1n), submitter(ME, 1n)], 10n);
    assert.deepEqual(list, [
      { recipient: ME, amount: 4n },
      { recipient: PEER, amount: 3n },
      { recipient: "c".repeat(64), amount: 3n },
    ]);
  });

  test("a custom distribution pays the whole bounty and ignores the submitters' order", async () => {
    const submitters = [submitter(ME, 1n), submitter(PEER, 2n), submitter("c".repeat(64), 4n)];
    const { ctx } = fakeContext({ cycle: 5 });
    const run = (list: readonly Submitter[]) => weightedCounter.distribution?.(ctx, list, 100n);
    const list = await run(submitters);
    assert.deepEqual(list, [
      { recipient: ME, amount: 14n },
      { recipient: PEER, amount: 28n },
      { recipient: "c".repeat(64), amount: 58n },
    ]);
    assert.deepEqual(await run([...submitters].reverse()), list);
  });

  test("routes read the store and answer with JSON", async () => {
    const { ctx } = fakeContext({ cycle: 1, config: { rangeSize: "100" } });
    await primeCounter.task(ctx);
    const handler = collectRoutes(primeCounter).get("GET /result/:cycle");
    assert.ok(handler);
    const found = await handler({ ...request("GET", "/result/1"), params: { cycle: "1" } }, routeContext(ctx));
    assert.deepEqual(found, { body: { cycle: 1, from: 100, to: 200, count: 21 } });
    const missing = await handler({ ...request("GET", "/result/8"), params: { cycle: "8" } }, routeContext(ctx));
    assert.equal(missing.status, 404);
  });

  test("every ```ts example block of docs/writing-a-task.md is code from this file", () => {
    const guide = readFileSync(new URL("../../../docs/writing-a-task.md", import.meta.url), "utf8");
    const source = readFileSync(new URL(import.meta.url), "utf8");
    const blocks = [...guide.matchAll(/```ts example\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    assert.ok(blocks.length >= 6, `expected the guide's examples, found ${blocks.length}`);
    // Blocks are quoted without their indentation in the file (a method of the task object is indented by 2).
    const indented = (block: string, spaces: number) =>
      block
        .trimEnd()
        .split("\n")
        .map((line) => (line.length > 0 ? " ".repeat(spaces) + line : line))
        .join("\n");
    for (const block of blocks) {
      const found = [0, 2, 4].some((spaces) => source.includes(indented(block, spaces)));
      assert.ok(found, `not in examples.test.ts:\n${block}`);
    }
  });
});
