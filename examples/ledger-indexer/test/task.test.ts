import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToHex, canonicalStringify, sha256 } from "@gradual/protocol";
import type { JsonValue } from "@gradual/sdk";
import {
  atCycle,
  createFakeContext,
  createFakeLedger,
  createMemoryStore,
  createRouteTable,
  NO_LEDGER,
  proofOf,
  runWork,
  submitter,
  TEST_TASK_ID,
} from "../../test-support/fakeContext.ts";
import { buildIndex, cycleSlotRange, type IndexProof, indexRoot } from "../indexer.ts";
import type { LedgerBlock } from "../ledgerApi.ts";
import ledgerIndexer, { indexCycle } from "../task.ts";

const ALICE_ACCOUNT = "a1".repeat(32);
const BOB_ACCOUNT = "b0".repeat(32);
const CAROL_ACCOUNT = "c0".repeat(32);
const START_SLOT = 5;
const ROUND_SLOTS = 20;

const hex = (text: string) => bytesToHex(sha256(text));

/** A deterministic chain: transfers, stakes, a failing commit now and then, one audit trigger. */
function makeChain(head: number): LedgerBlock[] {
  return Array.from({ length: head + 1 }, (_, number) => {
    const txs: LedgerBlock["txs"][number][] = [];
    if (number % 3 === 0) {
      txs.push({
        hash: hex(`transfer ${number}`),
        tx: { kind: "transfer", from: ALICE_ACCOUNT, to: BOB_ACCOUNT, amount: "5" },
        result: { ok: true },
      });
    }
    if (number % 5 === 0) {
      txs.push({ hash: hex(`stake ${number}`), tx: { kind: "stake", from: CAROL_ACCOUNT }, result: { ok: true } });
    }
    if (number % 7 === 0) {
      txs.push({
        hash: hex(`commit ${number}`),
        tx: { kind: "commit", from: BOB_ACCOUNT },
        result: { ok: false, code: "COMMIT__WINDOW_CLOSED" },
      });
    }
    if (number === 30) {
      txs.push({
        hash: hex("trigger"),
        tx: { kind: "triggerAudit", from: CAROL_ACCOUNT, target: ALICE_ACCOUNT },
        result: { ok: true },
      });
    }
    return { number, slot: number, hash: hex(`block ${number}`), txs };
  });
}

/** Serves the two routes the indexer reads, at most `pageLimit` blocks per answer like a paging ledger would. */
function fakeLedger(chain: readonly LedgerBlock[], pageLimit = 7) {
  return createFakeLedger((path, query) => {
    if (path === `/tasks/${TEST_TASK_ID}`) {
      return { task: { startSlot: START_SLOT, params: { roundSlots: ROUND_SLOTS } } };
    }
    if (path === "/blocks") {
      const from = Number(query.get("from"));
      const to = Number(query.get("to"));
      const blocks = chain.filter((block) => block.number >= from && block.number <= to).slice(0, pageLimit);
      return { blocks: blocks as unknown as JsonValue };
    }
    return undefined;
  });
}

const CHAIN = makeChain(120);
const node = (name: string, cycle = 2, chain: readonly LedgerBlock[] = CHAIN, config: Record<string, string> = {}) =>
  createFakeContext({ nodeName: name, cycle, ledger: fakeLedger(chain), config });

describe("ledger-indexer task", { timeout: 10_000 }, () => {
  it("indexes the round before the cycle", () => {
    const schedule = { startSlot: START_SLOT, roundSlots: ROUND_SLOTS };
    assert.deepEqual(cycleSlotRange(schedule, 0), { fromSlot: 0, toSlot: 4 });
    assert.deepEqual(cycleSlotRange(schedule, 1), { fromSlot: 5, toSlot: 24 });
    assert.deepEqual(cycleSlotRange(schedule, 2), { fromSlot: 25, toSlot: 44 });
    assert.deepEqual(cycleSlotRange({ startSlot: 0, roundSlots: 20 }, 0), { fromSlot: 0, toSlot: -1 });
  });

  it("builds counts, failures, accounts and a root, reading the blocks page by page", async () => {
    const alice = node("alice");
    const index = await indexCycle(alice, 2);
    assert.deepEqual([index.fromSlot, index.toSlot], [25, 44]);
    assert.deepEqual(index.counts, { commit: 3, stake: 4, transfer: 6, triggerAudit: 1 });
    assert.deepEqual(index.failures, { COMMIT__WINDOW_CLOSED: 3 });
    // Alice sent the transfers of slots 27, 30, ..., 42 and was the target of the trigger in slot 30.
    const transfers = [27, 30, 33, 36, 39, 42].map((slot) => hex(`transfer ${slot}`));
    assert.deepEqual(index.accounts[ALICE_ACCOUNT], [...transfers.slice(0, 2), hex("trigger"), ...transfers.slice(2)]);
    assert.deepEqual(index.accounts[BOB_ACCOUNT]?.length, 6 + 3);
    assert.equal(Object.keys(index.blockHashes).length, 20);
    assert.match(index.root, /^[0-9a-f]{64}$/);
    // 20 blocks at 7 per answer: the adapter kept asking where the ledger stopped.
    const blockRequests = (alice.ledger as ReturnType<typeof fakeLedger>).requests.filter((p) =>
      p.startsWith("/blocks"),
    );
    assert.deepEqual(blockRequests, ["/blocks?from=25&to=44", "/blocks?from=32&to=44", "/blocks?from=39&to=44"]);
  });

  it("commits to every entry: the root changes with any transaction and not with insertion order", () => {
    const blocks = CHAIN.slice(25, 45);
    const index = buildIndex(2, 25, 44, blocks);
    const reordered = {
      ...index,
      accounts: Object.fromEntries(Object.entries(index.accounts).reverse()),
    };
    assert.equal(indexRoot(reordered), index.root);
    const dropped = blocks.map((block, i) => (i === 5 ? { ...block, txs: block.txs.slice(1) } : block));
    assert.notEqual(buildIndex(2, 25, 44, dropped).root, index.root);
    const rehashed = blocks.map((block, i) => (i === 19 ? { ...block, hash: hex("other") } : block));
    assert.notEqual(buildIndex(2, 25, 44, rehashed).root, index.root);
    assert.equal(buildIndex(0, 0, -1, []).root, "00".repeat(32));
  });

  it("(a) an honest proof passes another honest node's audit", async () => {
    const proof = await runWork(ledgerIndexer, node("alice"));
    const claimed = proof.json<IndexProof>();
    assert.deepEqual(Object.keys(claimed).sort(), ["counts", "cycle", "fromSlot", "root", "toSlot"]);
    assert.equal(claimed.cycle, 2);
    assert.equal(await ledgerIndexer.audit(atCycle(node("bob"), 2), proof, node("alice").node), true);
    assert.equal((await runWork(ledgerIndexer, node("bob"))).digest, proof.digest);
    // Cycle 0 of a task that starts at slot 0 indexes nothing, and that too is checkable.
    const genesisLedger = createFakeLedger((path, query) =>
      path === `/tasks/${TEST_TASK_ID}`
        ? { task: { startSlot: 0, params: { roundSlots: "20" } } }
        : path === "/blocks" && query.has("from")
          ? { blocks: [] }
          : undefined,
    );
    const empty = await runWork(ledgerIndexer, createFakeContext({ cycle: 0, ledger: genesisLedger }));
    assert.equal(empty.json<IndexProof>().toSlot, -1);
    assert.equal(
      await ledgerIndexer.audit(createFakeContext({ nodeName: "bob", cycle: 0, ledger: genesisLedger }), empty, "x"),
      true,
    );
  });

  it("(b) forged and garbage proofs fail the audit", async () => {
    const honest = (await runWork(ledgerIndexer, node("alice"))).json<IndexProof>();
    const previous = (await runWork(ledgerIndexer, node("alice", 1))).json<IndexProof>();
    const bob = node("bob");
    const forgeries: Record<string, unknown> = {
      "a made-up root": { ...honest, root: "ab".repeat(32) },
      "an inflated count": { ...honest, counts: { ...honest.counts, transfer: 7 } },
      "a count left out": { ...honest, counts: { commit: 3, stake: 4, transfer: 6 } },
      "a lazy empty index": { ...honest, counts: {}, root: "00".repeat(32) },
      "a shifted range": { ...honest, fromSlot: 26, toSlot: 45 },
      "the wrong cycle": { ...honest, cycle: 3 },
      "last cycle's proof": previous,
      "last cycle's proof relabelled": { ...previous, cycle: 2, fromSlot: 25, toSlot: 44 },
      "an extra field": { ...honest, node: "x" },
      "a zero count": { ...honest, counts: { ...honest.counts, vote: 0 } },
      "a fractional slot": { ...honest, fromSlot: 25.5 },
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      assert.equal(await ledgerIndexer.audit(bob, proofOf(JSON.stringify(forged)), ALICE_ACCOUNT), false, name);
    }
    for (const garbage of ["", "{", "[]", "null", "42", JSON.stringify(honest, null, 1)]) {
      assert.equal(await ledgerIndexer.audit(bob, proofOf(garbage), ALICE_ACCOUNT), false, JSON.stringify(garbage));
    }
    assert.equal(await ledgerIndexer.audit(bob, proofOf(canonicalStringify(honest)), ALICE_ACCOUNT), true);
  });

  it("catches a node that indexed a different chain, and throws when the auditor has no ledger", async () => {
    const forkedChain = CHAIN.map((block) => (block.number === 30 ? { ...block, txs: [] } : block));
    const forked = await runWork(ledgerIndexer, node("mallory", 2, forkedChain));
    assert.equal(await ledgerIndexer.audit(node("bob"), forked, ALICE_ACCOUNT), false);
    const honest = await runWork(ledgerIndexer, node("alice"));
    const blind = createFakeContext({ nodeName: "bob", cycle: 2, ledger: NO_LEDGER });
    await assert.rejects(Promise.resolve(ledgerIndexer.audit(blind, honest, ALICE_ACCOUNT)), /404/);
  });

  it("refuses ranges the ledger has not produced, and rounds over maxBlocksPerCycle", async () => {
    await assert.rejects(indexCycle(node("alice", 2, makeChain(30)), 2), /blocks 31\.\.44 are not available/);
    await assert.rejects(indexCycle(node("alice", 2, CHAIN, { maxBlocksPerCycle: "10" }), 2), /maxBlocksPerCycle 10/);
    const noTask = createFakeContext({
      ledger: createFakeLedger((path) => (path.startsWith("/tasks") ? {} : undefined)),
    });
    await assert.rejects(indexCycle(noTask, 1), /no valid startSlot/);
    await assert.rejects(Promise.resolve(ledgerIndexer.submission(node("alice"))), /task\(\) did not finish/);
  });

  it("serves the stored index and an account's transactions across cycles", async () => {
    const store = createMemoryStore();
    const alice = createFakeContext({
      nodeName: "alice",
      store,
      ledger: fakeLedger(CHAIN),
      config: { retainCycles: "2" },
    });
    for (const cycle of [1, 2, 3]) await ledgerIndexer.task(atCycle(alice, cycle));
    assert.deepEqual(await store.keys("index/"), ["index/0000000002", "index/0000000003"]);
    const routes = createRouteTable(ledgerIndexer);
    assert.deepEqual(routes.patterns, ["GET /index/:cycle", "GET /account/:account"]);

    const found = await routes.request(alice, "GET", "/index/2");
    assert.equal(found.status, 200);
    assert.equal((found.body as { root: string }).root, (await indexCycle(alice, 2)).root);
    assert.equal((await routes.request(alice, "GET", "/index/1")).status, 404);
    assert.equal((await routes.request(alice, "GET", "/index/two")).status, 400);

    const account = await routes.request(alice, "GET", `/account/${ALICE_ACCOUNT.toUpperCase()}`);
    assert.equal(account.status, 200);
    const body = account.body as { account: string; cycles: { cycle: number; txs: string[] }[] };
    assert.equal(body.account, ALICE_ACCOUNT);
    assert.deepEqual(
      body.cycles.map((entry) => entry.cycle),
      [2, 3],
    );
    assert.ok(body.cycles[0]?.txs.includes(hex("trigger")));
    assert.deepEqual((await routes.request(alice, "GET", `/account/${"0f".repeat(32)}`)).body, {
      account: "0f".repeat(32),
      cycles: [],
    });
    assert.equal((await routes.request(alice, "GET", "/account/nobody")).status, 400);
    assert.equal((await routes.request(alice, "GET", "/account/%E0%A4%A")).status, 400);
  });

  it("(c) splits the bounty equally and deterministically, whatever the submitters' order", async () => {
    const submitters = [CAROL_ACCOUNT, ALICE_ACCOUNT, BOB_ACCOUNT].map((account) => submitter(account, 1n));
    const split = await ledgerIndexer.distribution(node("alice"), submitters, 10n);
    assert.deepEqual(split, await ledgerIndexer.distribution(node("bob"), [...submitters].reverse(), 10n));
    assert.deepEqual(split, [
      { recipient: ALICE_ACCOUNT, amount: 4n },
      { recipient: BOB_ACCOUNT, amount: 3n },
      { recipient: CAROL_ACCOUNT, amount: 3n },
    ]);
  });
});
