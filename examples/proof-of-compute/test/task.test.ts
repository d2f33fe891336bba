import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToHex, canonicalStringify } from "@gradual/protocol";
import {
  atCycle,
  createFakeContext,
  createMemoryStore,
  createRouteTable,
  proofOf,
  runWork,
  submitter,
} from "../../test-support/fakeContext.ts";
import {
  checkSolution,
  leadingZeroBits,
  MAX_DIFFICULTY_BITS,
  puzzleDigest,
  puzzleSeed,
  solvePuzzle,
} from "../puzzle.ts";
import proofOfCompute, { type ComputeProof, DEFAULT_DIFFICULTY_BITS, difficultyOf, weightedSplit } from "../task.ts";

const CONFIG = { difficultyBits: "10" };
const node = (name: string, cycle = 4, config: Record<string, string> = CONFIG) =>
  createFakeContext({ nodeName: name, cycle, config });

describe("proof-of-compute puzzle", { timeout: 10_000 }, () => {
  it("counts leading zero bits", () => {
    assert.equal(leadingZeroBits(new Uint8Array([0, 0, 0x10, 0xff])), 19);
    assert.equal(leadingZeroBits(new Uint8Array([0x80])), 0);
    assert.equal(leadingZeroBits(new Uint8Array([0x01])), 7);
    assert.equal(leadingZeroBits(new Uint8Array(4)), 32);
  });

  it("solves with the first nonce that works, and checks it with one hash", async () => {
    const seed = puzzleSeed("7a".repeat(32), 1, "ab".repeat(32));
    const solution = await solvePuzzle(seed, 12);
    assert.equal(solution.attempts, solution.nonce + 1);
    assert.ok(leadingZeroBits(puzzleDigest(seed, solution.nonce)) >= 12);
    for (let nonce = 0; nonce < solution.nonce; nonce += 1) {
      assert.ok(leadingZeroBits(puzzleDigest(seed, nonce)) < 12);
    }
    assert.equal(checkSolution(seed, 12, solution.nonce, solution.digest), true);
    assert.equal(checkSolution(seed, 12, solution.nonce + 1, solution.digest), false);
    assert.equal(checkSolution(seed, 12, solution.nonce, bytesToHex(puzzleDigest(seed, solution.nonce + 1))), false);
    assert.equal(checkSolution(seed, 12, -1, solution.digest), false);
    assert.equal(checkSolution(seed, 12, solution.nonce, "zz"), false);
    assert.throws(() => checkSolution(seed, MAX_DIFFICULTY_BITS + 1, 0, solution.digest), RangeError);
  });

  it("binds the seed to task, cycle and node", () => {
    const base = bytesToHex(puzzleSeed("7a".repeat(32), 1, "ab".repeat(32)));
    assert.equal(bytesToHex(puzzleSeed("7a".repeat(32), 1, "ab".repeat(32))), base);
    assert.notEqual(bytesToHex(puzzleSeed("7b".repeat(32), 1, "ab".repeat(32))), base);
    assert.notEqual(bytesToHex(puzzleSeed("7a".repeat(32), 2, "ab".repeat(32))), base);
    assert.notEqual(bytesToHex(puzzleSeed("7a".repeat(32), 1, "ac".repeat(32))), base);
  });

  it("pauses during a long search and gives up after 64 times the expected work", async () => {
    let pauses = 0;
    const seed = puzzleSeed("7a".repeat(32), 1, "ab".repeat(32));
    const solution = await solvePuzzle(
      seed,
      10,
      async () => {
        pauses += 1;
      },
      16,
    );
    assert.equal(pauses, Math.floor(solution.attempts / 16));
    // Difficulty 0 is solved by nonce 0; difficulty 32 would give up, so only check the bound is enforced.
    assert.equal((await solvePuzzle(seed, 0)).nonce, 0);
    await assert.rejects(solvePuzzle(seed, 33), RangeError);
  });
});

describe("proof-of-compute task", { timeout: 10_000 }, () => {
  it("(a) an honest proof passes another honest node's audit", async () => {
    const alice = node("alice");
    const proof = await runWork(proofOfCompute, alice);
    const claimed = proof.json<ComputeProof>();
    assert.equal(claimed.cycle, 4);
    assert.equal(proof.text(), canonicalStringify(claimed));
    assert.equal(await proofOfCompute.audit(atCycle(node("bob"), 4), proof, alice.node), true);
    assert.ok(alice.logs.some((entry) => entry.message === "solved"));
  });

  it("works at the default difficulty within a bounded time", async () => {
    assert.equal(difficultyOf({}), DEFAULT_DIFFICULTY_BITS);
    const alice = node("alice", 1, {});
    const proof = await runWork(proofOfCompute, alice);
    assert.equal(await proofOfCompute.audit(node("bob", 1, {}), proof, alice.node), true);
  });

  it("(b) copied, replayed, forged and garbage proofs fail the audit", async () => {
    const alice = node("alice");
    const bob = node("bob");
    const honest = (await runWork(proofOfCompute, alice)).json<ComputeProof>();
    const text = canonicalStringify(honest);
    // Mallory copies Alice's proof: it does not solve Mallory's own puzzle.
    assert.equal(await proofOfCompute.audit(bob, proofOf(text), node("mallory").node), false);
    // Alice replays an old cycle's proof.
    const old = (await runWork(proofOfCompute, node("alice", 3))).json<ComputeProof>();
    assert.equal(await proofOfCompute.audit(bob, proofOf(canonicalStringify(old)), alice.node), false);
    assert.equal(await proofOfCompute.audit(bob, proofOf(canonicalStringify({ ...old, cycle: 4 })), alice.node), false);
    const forgeries: Record<string, unknown> = {
      "another nonce": { ...honest, nonce: honest.nonce + 1 },
      "a zero digest": { ...honest, digest: "00".repeat(32) },
      "a negative nonce": { ...honest, nonce: -1 },
      "a fractional nonce": { ...honest, nonce: 1.5 },
      "a string nonce": { ...honest, nonce: String(honest.nonce) },
      "an extra field": { ...honest, difficulty: 1 },
      "a missing digest": { cycle: 4, nonce: honest.nonce },
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      assert.equal(await proofOfCompute.audit(bob, proofOf(JSON.stringify(forged)), alice.node), false, name);
    }
    for (const garbage of ["", "{}", "null", "[1,2]", JSON.stringify(honest, null, 2), "x".repeat(1_000)]) {
      assert.equal(await proofOfCompute.audit(bob, proofOf(garbage), alice.node), false, garbage.slice(0, 10));
    }
    // An auditor demanding more work than was done rejects an easy solution (when it does not happen to qualify).
    const strict = node("bob", 4, { difficultyBits: "24" });
    const expected = leadingZeroBits(Buffer.from(honest.digest, "hex")) >= 24;
    assert.equal(await proofOfCompute.audit(strict, proofOf(text), alice.node), expected);
  });

  it("refuses bad configuration and a submission without work", async () => {
    assert.throws(() => difficultyOf({ difficultyBits: "0" }), RangeError);
    assert.throws(() => difficultyOf({ difficultyBits: "40" }), RangeError);
    assert.throws(() => difficultyOf({ difficultyBits: "ten" }), RangeError);
    await assert.rejects(Promise.resolve(proofOfCompute.submission(node("alice"))), /task\(\) did not finish/);
  });

  it("serves stored solutions and keeps only recent cycles", async () => {
    const store = createMemoryStore();
    const alice = createFakeContext({ nodeName: "alice", store, config: { difficultyBits: "4" } });
    for (let cycle = 0; cycle < 66; cycle += 1) await proofOfCompute.task(atCycle(alice, cycle));
    assert.equal((await store.keys("solution/")).length, 64);
    const routes = createRouteTable(proofOfCompute);
    const found = await routes.request(alice, "GET", "/solution/65");
    assert.equal(found.status, undefined);
    assert.equal((found.body as { cycle: number; difficultyBits: number }).cycle, 65);
    assert.equal((found.body as { difficultyBits: number }).difficultyBits, 4);
    assert.equal((await routes.request(alice, "GET", "/solution/0")).status, 404);
    assert.equal((await routes.request(alice, "GET", "/solution/-1")).status, 400);
  });

  it("(c) splits the bounty by weight, deterministically, paying it all", async () => {
    const a = "aa".repeat(32);
    const b = "bb".repeat(32);
    const c = "cc".repeat(32);
    const submitters = [submitter(c, 1n), submitter(a, 2n), submitter(b, 0n), submitter(a, 9n)];
    const split = await proofOfCompute.distribution(node("alice"), submitters, 100n);
    assert.deepEqual(split, await proofOfCompute.distribution(node("bob"), [...submitters].reverse(), 100n));
    assert.deepEqual(split, [
      { recipient: a, amount: 90n },
      { recipient: c, amount: 10n },
    ]);
    assert.deepEqual(weightedSplit([submitter(b, 0n), submitter(a, 0n)], 3n), [
      { recipient: a, amount: 2n },
      { recipient: b, amount: 1n },
    ]);
    assert.deepEqual(weightedSplit([], 5n), []);
    for (let bounty = 0n; bounty < 50n; bounty += 7n) {
      const entries = weightedSplit([submitter(a, 3n), submitter(b, 5n), submitter(c, 11n)], bounty);
      assert.equal(
        entries.reduce((sum, entry) => sum + entry.amount, 0n),
        bounty,
      );
      assert.deepEqual(entries, weightedSplit([submitter(c, 11n), submitter(a, 3n), submitter(b, 5n)], bounty));
    }
    assert.throws(() => weightedSplit([submitter(a, -1n)], 5n), TypeError);
  });
});
