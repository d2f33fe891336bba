/**
 * Paired reveals (protocol.md §2.2, `revealSlots` 0): a cycle's reveals share the next cycle's commit window, so that
 * a node sends its reveal of cycle c and its commit of cycle c + 1 together (one transaction on a chain), and every
 * later window of the cycle comes a round later. What a coalition would try: revealing after seeing the seed, being
 * audited before its proofs are public, leaving before its last cycle can be challenged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  commitWindow,
  cyclePhaseAt,
  DEVNET_PARAMS,
  findParamsProblems,
  firstAttemptRound,
  getCycle,
  getCycleWindows,
  type Hash,
  type ProtocolEvent,
  proofTriggerWindow,
  proofVoteWindow,
  revealWindow,
  roundOf,
  roundStart,
  sha256Hex,
  type TaskParams,
  TOKEN,
} from "../src/index.ts";
import { accountOf, proofOf, TestChain } from "./harness.ts";

const T = TOKEN;
const PAIRED: Partial<TaskParams> = { revealSlots: 0, warmupRounds: 0, rampRounds: 0, vestingRounds: 2 };
const NODES = ["a", "b", "c", "d"] as const;

function setup(params: Partial<TaskParams>): { chain: TestChain; task: Hash } {
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const name of NODES) balances[name] = 1_000n * T;
  const chain = new TestChain(balances);
  const task = chain.createTask("creator", { distributionRule: "weighted", ...params }, 10_000n * T);
  for (const name of NODES) chain.stakeIn(task, name, 100n * T);
  return { chain, task };
}

function vested(events: readonly ProtocolEvent[], cycle: number): bigint[] {
  return events.flatMap((event) => (event.type === "Vested" && event.cycle === cycle ? [event.amount] : []));
}

describe("paired reveals: the windows (§2.2)", () => {
  const timing = { startSlot: 100, params: { ...DEVNET_PARAMS, revealSlots: 0 } };

  it("reveals cycle c in cycle c + 1's commit window; reviews from round c + 2; pays in round c + 3", () => {
    for (const cycle of [0, 1, 7]) {
      assert.deepEqual(revealWindow(timing, cycle), commitWindow(timing, cycle + 1));
      assert.equal(proofTriggerWindow(timing, cycle).opensAt, roundStart(timing, cycle + 2));
      assert.equal(proofVoteWindow(timing, cycle).closesAt, roundStart(timing, cycle + 2) + 6 + 5);
      assert.equal(firstAttemptRound(timing.params, cycle), cycle + 3);
    }
    const phases = [0, 1, 2, 3, 4].map((round) => cyclePhaseAt(timing, 0, 3, roundStart(timing, round)));
    assert.deepEqual(phases, ["work", "review", "review", "distribution", "complete"]);
    // Unpaired, the same cycle is reviewed in round 1 and paid in round 2.
    const unpaired = { startSlot: 100, params: DEVNET_PARAMS };
    assert.equal(firstAttemptRound(unpaired.params, 0), 2);
    assert.equal(revealWindow(unpaired, 0).opensAt, roundStart(unpaired, 1));
  });

  it("accepts revealSlots 0 and still needs the review windows to fit in a round", () => {
    assert.deepEqual(findParamsProblems({ ...DEVNET_PARAMS, revealSlots: 0 }), []);
    const problems = findParamsProblems({ ...DEVNET_PARAMS, revealSlots: 0, auditSlots: 16, voteSlots: 5 });
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ["revealSlots"],
    );
    assert.deepEqual(
      findParamsProblems({ ...DEVNET_PARAMS, revealSlots: -1 }).map((problem) => problem.field),
      ["revealSlots"],
    );
  });
});

describe("paired reveals: a cycle played through", () => {
  it("pays the same shares as an unpaired task, a round later, with one slot taking each node's reveal and next commit", () => {
    const paid: Record<string, { round: number; amounts: bigint[] }> = {};
    for (const [label, params] of [
      ["unpaired", { ...PAIRED, revealSlots: 4 }],
      ["paired", PAIRED],
    ] as const) {
      const { chain, task } = setup(params);
      const windows = getCycleWindows(chain.task(task), 0);
      chain.advanceTo(windows.commit.opensAt);
      for (const name of NODES) chain.commit(name, task, 0, proofOf(`${name}:0`));
      chain.advanceTo(windows.reveal.opensAt);
      for (const name of NODES) {
        chain.reveal(name, task, 0, proofOf(`${name}:0`));
        // Paired, the next cycle's commit lands in the same slot.
        if (label === "paired") chain.commit(name, task, 1, proofOf(`${name}:1`));
      }
      const events = chain.advanceTo(windows.distribution.opensAt);
      paid[label] = { round: getCycle(chain.state, task, 0)?.completedRound ?? -1, amounts: vested(events, 0) };
    }
    assert.deepEqual(paid.paired?.amounts, paid.unpaired?.amounts);
    assert.deepEqual(paid.paired?.amounts, [25n * T, 25n * T, 25n * T, 25n * T]);
    assert.equal(paid.unpaired?.round, 2);
    assert.equal(paid.paired?.round, 3);
  });

  it("refuses a reveal at the round start, after the seed is fixed, and a trigger before the proofs are public", () => {
    const { chain, task } = setup(PAIRED);
    const windows = getCycleWindows(chain.task(task), 0);
    chain.advanceTo(windows.commit.opensAt);
    for (const name of NODES) chain.commit(name, task, 0, proofOf(`${name}:0`));
    chain.advanceToRound(task, 1);
    const early = chain.send("a", {
      kind: "reveal",
      task,
      cycle: 0,
      proofDigest: proofOf("a:0"),
      salt: sha256Hex("x"),
    });
    assert.equal(early.ok ? "ok" : early.code, "REVEAL__WINDOW_CLOSED", "no reveal window at the start of round 1");
    chain.advanceTo(windows.reveal.opensAt);
    for (const name of ["a", "b", "c"]) chain.reveal(name, task, 0, proofOf(`${name}:0`));
    const trigger = chain.send("a", {
      kind: "triggerAudit",
      task,
      cycle: 0,
      target: accountOf("b"),
      triggerKind: "proof",
      verdict: "invalid",
      attempt: 0,
      reasonDigest: sha256Hex("too early"),
    });
    assert.equal(trigger.ok ? "ok" : trigger.code, "AUDIT__WINDOW_CLOSED", "no trigger while reveals are open");
    // d waits for the seed: at the round start it is fixed and d's reveal is refused.
    const seeded = chain.advanceTo(windows.reveal.closesAt);
    assert.ok(seeded.some((event) => event.type === "SeedFixed" && event.cycle === 0));
    assert.equal(windows.reveal.closesAt, roundStart(chain.task(task), 2));
    const late = chain.send("d", { kind: "reveal", task, cycle: 0, proofDigest: proofOf("d:0"), salt: sha256Hex("y") });
    assert.equal(late.ok ? "ok" : late.code, "REVEAL__WINDOW_CLOSED");
  });

  it("slashes a garbage proof at the proof vote close of round c + 2, before the cycle is paid", () => {
    const { chain, task } = setup(PAIRED);
    const windows = getCycleWindows(chain.task(task), 0);
    chain.playSubmissions(task, 0, Object.fromEntries(NODES.map((name) => [name, proofOf(`${name}:0`)])));
    chain.advanceTo(windows.proofTriggers.opensAt);
    const trigger = chain.triggerProof("a", task, 0, "d");
    for (const name of ["b", "c"]) chain.vote(name, task, 0, trigger, "invalid");
    const events = chain.advanceTo(windows.proofVotes.closesAt);
    const slashed = events.find((event) => event.type === "Slashed");
    assert.equal(slashed?.type === "Slashed" ? slashed.node : null, accountOf("d"));
    assert.ok(windows.proofVotes.closesAt < roundStart(chain.task(task), 3));
    const payment = chain.advanceTo(windows.distribution.opensAt);
    assert.deepEqual(vested(payment, 0).length, 3, "d's invalid proof is not paid");
  });

  it("keeps a node's stake bonded one round longer: its last cycle completes a round later (§3.4, §5.7)", () => {
    const bounds: Record<string, number> = {};
    for (const [label, params] of [
      ["unpaired", { ...PAIRED, revealSlots: 4, unbondingRounds: 2 }],
      ["paired", { ...PAIRED, unbondingRounds: 2 }],
    ] as const) {
      const { chain, task } = setup(params);
      chain.playSubmissions(task, 0, Object.fromEntries(NODES.map((name) => [name, proofOf(`${name}:0`)])));
      chain.ok("a", { kind: "unstake", task });
      let round = roundOf(chain.task(task), chain.slot);
      for (;;) {
        round += 1;
        chain.advanceToRound(task, round);
        const result = chain.send("a", { kind: "withdraw", task });
        if (result.ok) break;
        assert.ok(round < 20, `${label}: withdraw never allowed (${result.code})`);
      }
      bounds[label] = round;
    }
    // Cycle 0 completes by round 2 + allowedFailedDistributions (3 with paired reveals), then vestingRounds (2).
    const allowed = DEVNET_PARAMS.allowedFailedDistributions;
    assert.equal(bounds.unpaired, 3 + allowed + 2);
    assert.equal(bounds.paired, 4 + allowed + 2);
  });
});
