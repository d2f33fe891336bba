/** Slow rewards (protocol.md §7): linear unlock, claims, and slashes that only cut what is still locked. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  addTranche,
  BPS,
  claimableAt,
  hasClaimable,
  lockedAt,
  trancheUnlocked,
  type VestingRecord,
  vestingBalance,
} from "../src/index.ts";
import { claimAll, EMPTY_VESTING, slashLocked } from "../src/vesting.ts";

type Payment = { readonly cycle: number; readonly amount: bigint; readonly round: number };

/** A node is paid at most once per cycle, so tranches have distinct cycles. */
const paymentsArb = fc.uniqueArray(
  fc.record({
    cycle: fc.nat(50),
    amount: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    round: fc.nat(30),
  }),
  { maxLength: 6, selector: (payment) => payment.cycle },
);

function recordOf(payments: readonly Payment[], vestingRounds: number): VestingRecord {
  let record = EMPTY_VESTING;
  for (const payment of payments) {
    record = addTranche(record, payment.cycle, payment.amount, payment.round, vestingRounds);
  }
  return record;
}

const total = (payments: readonly Payment[]) => payments.reduce((sum, payment) => sum + payment.amount, 0n);

describe("vesting", () => {
  it("unlocks a tranche linearly from its start round to its end round, floored", () => {
    const tranche = { cycle: 1, amount: 1000n, startRound: 10, endRound: 14, claimed: 0n };
    const unlocked = [8, 10, 11, 12, 13, 14, 20].map((round) => trancheUnlocked(tranche, round));
    assert.deepEqual(unlocked, [0n, 0n, 250n, 500n, 750n, 1000n, 1000n]);
    const odd = { ...tranche, amount: 10n, endRound: 13 };
    assert.deepEqual(
      [10, 11, 12, 13].map((round) => trancheUnlocked(odd, round)),
      [0n, 3n, 6n, 10n],
    );
  });

  it("never unlocks less as rounds pass, and unlocks everything at the end", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.nat(20),
        fc.integer({ min: 1, max: 50 }),
        (amount, start, span) => {
          const tranche = { cycle: 0, amount, startRound: start, endRound: start + span, claimed: 0n };
          let previous = 0n;
          for (let round = start - 1; round <= start + span + 1; round += 1) {
            const unlocked = trancheUnlocked(tranche, round);
            assert.ok(unlocked >= previous && unlocked <= amount);
            previous = unlocked;
          }
          assert.equal(previous, amount);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("with vestingRounds 0 makes a payment claimable at once", () => {
    const record = addTranche(EMPTY_VESTING, 3, 500n, 7, 0);
    assert.equal(record.unlocked, 500n);
    assert.deepEqual(record.tranches, []);
    assert.equal(claimableAt(record, 7), 500n);
    assert.equal(record.totalVested, 500n);
  });

  it("claimAll pays what is unlocked, once; claims over time add up to everything paid in", () => {
    fc.assert(
      fc.property(paymentsArb, fc.nat(6), fc.array(fc.nat(5), { maxLength: 8 }), (payments, vestingRounds, steps) => {
        let record = recordOf(payments, vestingRounds);
        assert.equal(vestingBalance(record), total(payments));
        let claimed = 0n;
        let round = 0;
        for (const step of steps) {
          round += step;
          const claimable = claimableAt(record, round);
          const result = claimAll(record, round);
          assert.equal(result.amount, claimable);
          assert.equal(vestingBalance(result.record), vestingBalance(record) - claimable, "claims leave vesting");
          assert.equal(claimableAt(result.record, round), 0n, "nothing left to claim in the same round");
          assert.equal(lockedAt(result.record, round), lockedAt(record, round), "locked parts stay locked");
          claimed += result.amount;
          record = result.record;
        }
        const last = claimAll(record, 1_000);
        assert.equal(claimed + last.amount, total(payments));
        assert.equal(vestingBalance(last.record), 0n);
        assert.deepEqual(last.record.tranches, [], "finished tranches are dropped");
        assert.equal(last.record.totalClaimed, total(payments));
      }),
      { numRuns: 300 },
    );
  });

  it("slashLocked conserves value and never touches unlocked amounts", () => {
    fc.assert(
      fc.property(
        paymentsArb,
        fc.integer({ min: 1, max: 6 }),
        fc.nat(40),
        fc.integer({ min: 0, max: BPS }),
        fc.nat(40),
        (payments, vestingRounds, claimRound, fractionBps, slashOffset) => {
          const record = claimAll(recordOf(payments, vestingRounds), claimRound).record;
          const round = claimRound + slashOffset;
          const { record: after, slashed } = slashLocked(record, round, fractionBps);
          assert.equal(vestingBalance(after) + slashed, vestingBalance(record), "slashed + kept = before");
          assert.equal(claimableAt(after, round), claimableAt(record, round), "unlocked and unclaimed untouched");
          assert.equal(lockedAt(after, round), lockedAt(record, round) - slashed);
          let expected = 0n;
          for (const tranche of record.tranches) {
            expected += ((tranche.amount - trancheUnlocked(tranche, round)) * BigInt(fractionBps)) / BigInt(BPS);
          }
          assert.equal(slashed, expected, "each tranche loses fractionBps of its locked part, floored");
          assert.equal(after.totalSlashed, record.totalSlashed + slashed);
          for (const tranche of after.tranches) {
            const original = record.tranches.find((candidate) => candidate.cycle === tranche.cycle);
            assert.ok(original !== undefined && tranche.endRound === original.endRound, "same end round");
          }
          // Whatever is left still unlocks fully by the original end rounds.
          const end = Math.max(round, ...record.tranches.map((tranche) => tranche.endRound));
          assert.equal(claimableAt(after, end), vestingBalance(after));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("slashLocked with fraction 0 takes nothing, with 100% takes every locked unit", () => {
    const record = recordOf(
      [
        { cycle: 1, amount: 1000n, round: 0 },
        { cycle: 2, amount: 400n, round: 2 },
      ],
      4,
    );
    // Round 3: tranche 1 has 750 unlocked of 1000, tranche 2 has 100 unlocked of 400.
    assert.equal(slashLocked(record, 3, 0).slashed, 0n);
    const full = slashLocked(record, 3, BPS);
    assert.equal(full.slashed, 250n + 300n);
    assert.equal(full.record.unlocked, 850n);
    assert.deepEqual(full.record.tranches, []);
    const half = slashLocked(record, 3, 5_000);
    assert.equal(half.slashed, 125n + 150n);
    assert.deepEqual(
      half.record.tranches.map((tranche) => [tranche.amount, tranche.startRound, tranche.endRound]),
      [
        [125n, 3, 4],
        [150n, 3, 6],
      ],
    );
  });

  it("hasClaimable agrees with claimableAt > 0 and asks the freeze only about tranches with something to claim", () => {
    fc.assert(
      fc.property(
        paymentsArb,
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.nat(40), { maxLength: 3 }),
        fc.nat(40),
        fc.array(fc.nat(50)),
        fc.boolean(),
        (payments, vestingRounds, claimRounds, round, frozenCycles, slashed) => {
          let record = recordOf(payments, vestingRounds);
          if (slashed) record = slashLocked(record, 5, 3_000).record;
          for (const claimRound of claimRounds) record = claimAll(record, claimRound).record;
          const frozenSet = new Set(frozenCycles);
          const asked: number[] = [];
          const frozen = (cycle: number) => {
            asked.push(cycle);
            return frozenSet.has(cycle);
          };
          assert.equal(
            hasClaimable(record, round, frozen),
            claimableAt(record, round, (cycle) => frozenSet.has(cycle)) > 0n,
          );
          const shares = record.tranches.map((tranche) => trancheUnlocked(tranche, round) - tranche.claimed);
          if (shares.every((share) => share >= 0n)) {
            const owing = new Set(
              record.tranches.filter((_, index) => (shares[index] as bigint) > 0n).map((t) => t.cycle),
            );
            for (const cycle of asked)
              assert.ok(owing.has(cycle), `asked about cycle ${cycle}, which has nothing to claim`);
          }
        },
      ),
    );
  });
});
