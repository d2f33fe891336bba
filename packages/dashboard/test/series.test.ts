import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CycleOutcome, DEVNET_PARAMS, type TriggerKind, type TriggerResolution } from "@gradual/protocol";
import { type CycleView, type TaskView, type TriggerRecordWire as TriggerRecord, toWire } from "@gradual/wire";
import { moneyTotals } from "../src/model/money.ts";
import { cycleSeries } from "../src/model/series.ts";

const HASH = "a".repeat(64);

function trigger(resolution: TriggerResolution | null, kind: TriggerKind = "proof"): TriggerRecord {
  return {
    index: 0,
    kind,
    verdict: "invalid",
    late: false,
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
    held: "0",
  };
}

function cycle(
  number: number,
  reveals: number,
  triggers: TriggerRecord[],
  paid: string,
  outcome: CycleOutcome | null,
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
      // As the protocol keeps it: each upheld or unanswered proof trigger takes a reveal off the valid ones.
      validCount:
        reveals -
        triggers.filter(
          (item) => item.kind === "proof" && (item.resolution === "upheld" || item.resolution === "unavailable"),
        ).length,
      revealedWeight: "0",
      shareCount: reveals,
      saltAccumulator: HASH,
      seed: null,
      reviewWeight: "0",
      triggerCount: triggers.length,
      attempt: 0,
      attemptRound: number + 2,
      distributor: null,
      failedDistributors: [],
      paid,
      ruleBase: "0",
      ruleWeight: "0",
      ruleShares: 0,
      outcome,
      completedRound: outcome === null ? null : number + 2,
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

  it("takes a pruned cycle's slashes from the event history, or leaves them unknown, never 0", () => {
    const pruned = (number: number, triggerCount: number): CycleView => {
      const view = cycle(number, 3, [], "100", "paid");
      return { ...view, pruned: true, record: { ...view.record, triggerCount } };
    };
    const views = [pruned(3, 1), pruned(4, 0), pruned(5, 2)];
    // The trigger records are gone: the record still counts them.
    assert.deepEqual(cycleSeries(views, 3).triggers, [1, 0, 2]);
    assert.deepEqual(cycleSeries(views, 3).slashes, [null, 0, null]);
    const seen = new Map([[3, 1]]);
    assert.deepEqual(cycleSeries(views, 3, (number) => (number === 5 ? null : (seen.get(number) ?? 0))).slashes, [
      1,
      0,
      null,
    ]);
  });
});

describe("moneyTotals", () => {
  it("sums the task records (and takes vesting from the nodes' views)", () => {
    const view: TaskView = {
      task: {
        id: HASH,
        creator: HASH,
        name: "t",
        bundleHash: HASH,
        metadataHash: null,
        params: toWire(DEVNET_PARAMS),
        createdSlot: 0,
        startSlot: 1,
        index: 0,
        status: "active",
        escrow: "500",
        nodeCount: 2,
        openCycles: [3],
        seedHead: HASH,
        seedCycle: 2,
        ramp: { fullStake: "200", foldedThrough: 2, buckets: [[3, "50"]] },
        totalPaid: "70",
        totalSlashed: "9",
        burned: "0",
        lateTriggers: [],
        prunedThrough: -1,
        slashCount: 0,
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
    assert.deepEqual(moneyTotals([view], 33n), { staked: 250n, escrowed: 600n, paid: 70n, vesting: 33n, slashed: 9n });
    assert.equal(moneyTotals([view], undefined).vesting, undefined, "unknown when the nodes were not summed");
  });
});
