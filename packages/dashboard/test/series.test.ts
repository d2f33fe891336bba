import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CycleView, TriggerRecord } from "../src/api/types.ts";
import { moneyTotals } from "../src/model/money.ts";
import { cycleSeries } from "../src/model/series.ts";

const HASH = "a".repeat(64);

function trigger(resolution: string | null, kind = "proof"): TriggerRecord {
  return {
    index: 0,
    kind,
    attempt: 0,
    target: HASH,
    triggerer: HASH,
    reasonDigest: HASH,
    bond: "1",
    slot: 1,
    closesAt: 2,
    validWeight: "0",
    invalidWeight: "1",
    unavailableWeight: "0",
    voteCount: 1,
    resolution,
    slashed: "0",
  };
}

function cycle(
  number: number,
  reveals: number,
  triggers: TriggerRecord[],
  paid: string,
  outcome: string | null,
): CycleView {
  const window = { opensAt: 0, closesAt: 1 };
  return {
    task: HASH,
    cycle: number,
    phase: outcome === null ? "review" : "complete",
    windows: {
      commit: window,
      reveal: window,
      proofTriggers: window,
      proofVotes: window,
      distribution: window,
      distributionTriggers: window,
      distributionVotes: window,
    },
    openWindows: [],
    record: {
      task: HASH,
      cycle: number,
      reserved: "0",
      commitCount: reveals,
      revealCount: reveals,
      seed: null,
      triggerCount: triggers.length,
      attempt: 0,
      attemptRound: number + 2,
      distributor: null,
      paid,
      outcome,
    },
    triggers,
    distributions: [],
    pruned: false,
    slot: 0,
    nextSlot: 1,
  };
}

describe("cycleSeries", () => {
  it("turns cycle views into the task view's per-round series", () => {
    const series = cycleSeries(
      [
        cycle(4, 4, [trigger("upheld")], "100000000000", "paid"),
        null,
        cycle(6, 5, [trigger("rejected"), trigger("unavailable")], "0", null),
        cycle(7, 0, [], "0", "no-submitters"),
      ],
      4,
    );
    assert.deepEqual(series.cycles, [4, 5, 6, 7]);
    assert.deepEqual(series.submissions, [4, null, 5, 0]);
    assert.deepEqual(series.validShare, [75, null, 80, null]);
    assert.deepEqual(series.triggers, [1, null, 2, 0]);
    assert.deepEqual(series.slashes, [1, null, 0, 0]);
    assert.deepEqual(series.paid, [100, null, null, 0]);
  });
});

describe("moneyTotals", () => {
  it("prefers the ledger's totals and falls back to task records", () => {
    const view = {
      task: {
        id: HASH,
        creator: HASH,
        name: "t",
        bundleHash: HASH,
        metadataHash: null,
        params: {},
        createdSlot: 0,
        startSlot: 1,
        status: "active",
        escrow: "500",
        nodeCount: 2,
        openCycles: [3],
        totalPaid: "70",
        totalSlashed: "9",
        ramp: { fullStake: "200", foldedThrough: 2, buckets: [[3, "50"]] as [number, string][] },
      },
      slot: 10,
      nextSlot: 11,
      round: 3,
      activeWeight: "200",
      cycles: [
        {
          cycle: 3,
          phase: "work",
          windows: cycle(3, 0, [], "0", null).windows,
          openWindows: [],
          record: { ...cycle(3, 0, [], "0", null).record, reserved: "100" },
        },
      ],
    };
    const fromTasks = moneyTotals(undefined, [view], 33n);
    assert.deepEqual(fromTasks, {
      staked: 250n,
      escrowed: 600n,
      paid: 70n,
      vesting: 33n,
      slashed: 9n,
      source: "task records",
    });
    const chain = {
      chainId: "c",
      genesisHash: HASH,
      head: {
        number: 1,
        slot: 1,
        prevHash: HASH,
        txsRoot: HASH,
        stateRoot: HASH,
        hash: HASH,
        txCount: 0,
        producedAtMs: 0,
      },
      slotMs: 400,
      manualSlots: false,
      devnet: true,
      faucet: null,
      mempoolSize: 0,
      supply: "1",
      taskCount: 1,
      totals: {
        balances: "1",
        stakes: "300",
        unbonding: "20",
        escrows: "400",
        reserved: "100",
        vesting: "44",
        bonds: "1",
      },
    };
    const fromLedger = moneyTotals(chain, [view], undefined);
    assert.deepEqual(fromLedger, {
      staked: 320n,
      escrowed: 500n,
      paid: 70n,
      vesting: 44n,
      slashed: 9n,
      source: "ledger totals",
    });
  });
});
