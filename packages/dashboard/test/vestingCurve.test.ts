import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOKEN, VESTING_END_SCALE } from "@gradual/protocol";
import {
  EMPTY_VESTING,
  reconcileUnlocked,
  replayVesting,
  vestingCurve,
  vestingRange,
} from "../src/model/vestingCurve.ts";

const params = { vestingRounds: 4, slashFractionBps: 5_000 };
const tokens = (value: number) => (BigInt(Math.round(value * 1000)) * TOKEN) / 1000n;

describe("vestingCurve", () => {
  it("unlocks a payment linearly (protocol.md §7.1: 30 tokens from round 2 to 6)", () => {
    const record = replayVesting([{ type: "Vested", round: 2, cycle: 0, amount: tokens(30), endRound: 6 }], params);
    const curve = vestingCurve(record, 2, 7);
    assert.deepEqual(curve.rounds, [2, 3, 4, 5, 6, 7]);
    assert.deepEqual(curve.claimable, [0, 7.5, 15, 22.5, 30, 30].map(tokens));
    assert.deepEqual(curve.locked, [30, 22.5, 15, 7.5, 0, 0].map(tokens));
    assert.equal(curve.fullyVestedRound, 6);
  });

  it("replays a claim and a slash of the locked part (protocol.md §7.2)", () => {
    const record = replayVesting(
      [
        { type: "Vested", round: 2, cycle: 0, amount: tokens(30), endRound: 6 },
        { type: "Claimed", round: 3, amount: tokens(7.5) },
        { type: "Slashed", round: 4, fromVesting: tokens(7.5) },
      ],
      params,
    );
    // Unlocked by round 4: 15, of which 7.5 claimed: 7.5 stays claimable. Locked 15, cut 7.5; 7.5 vests 4 -> 6.
    assert.equal(record.unlocked, tokens(7.5));
    assert.deepEqual([record.locked, record.lockedRound, record.endAt], [tokens(7.5), 4, 6 * VESTING_END_SCALE]);
    const curve = vestingCurve(record, 4, 6);
    assert.deepEqual(curve.claimable, [7.5, 11.25, 15].map(tokens));
    assert.deepEqual(curve.locked, [7.5, 3.75, 0].map(tokens));
  });

  it("claimable grows every round while rewards keep coming and nothing is claimed", () => {
    const events = [0, 1, 2, 3, 4].map((cycle) => ({
      type: "Vested" as const,
      round: cycle + 2,
      cycle,
      amount: tokens(25),
      endRound: cycle + 6,
    }));
    const record = replayVesting(events, params);
    const curve = vestingCurve(record, 2, 11);
    for (let index = 1; index < curve.claimable.length; index += 1) {
      assert.ok((curve.claimable[index] ?? 0n) >= (curve.claimable[index - 1] ?? 0n));
    }
    assert.equal(curve.claimable.at(-1), tokens(125));
  });

  it("never shows a negative amount for rounds before a claim", () => {
    const record = replayVesting(
      [
        { type: "Vested", round: 2, cycle: 0, amount: tokens(30), endRound: 6 },
        { type: "Claimed", round: 4, amount: tokens(15) },
      ],
      params,
    );
    const curve = vestingCurve(record, 2, 6);
    assert.ok(curve.claimable.every((value) => value >= 0n));
  });

  it("pays at once with vestingRounds 0", () => {
    const record = replayVesting([{ type: "Vested", round: 3, cycle: 1, amount: tokens(10), endRound: 3 }], {
      vestingRounds: 0,
      slashFractionBps: 5_000,
    });
    assert.equal(vestingCurve(record, 3, 3).claimable[0], tokens(10));
  });

  it("reconciles with the ledger's totals when the history starts late", () => {
    // The node had 5 tokens unlocked from tranches the dashboard never saw.
    const seen = replayVesting([{ type: "Vested", round: 10, cycle: 8, amount: tokens(40), endRound: 14 }], params);
    const { record, exact } = reconcileUnlocked(seen, 12, { claimable: tokens(25), locked: tokens(20) });
    assert.equal(record.unlocked, tokens(5));
    assert.equal(exact, true);
    const wrong = reconcileUnlocked(seen, 12, { claimable: tokens(25), locked: tokens(30) });
    assert.equal(wrong.exact, false);
  });

  it("charts from now to the last unlock, at least four rounds", () => {
    assert.deepEqual(vestingRange(EMPTY_VESTING, 7), { fromRound: 7, toRound: 11 });
    const record = replayVesting([{ type: "Vested", round: 7, cycle: 5, amount: tokens(1), endRound: 20 }], params);
    assert.deepEqual(vestingRange(record, 8), { fromRound: 8, toRound: 20 });
  });
});
