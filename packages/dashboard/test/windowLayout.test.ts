import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVNET_PARAMS } from "@gradual/protocol";
import { distributionHint, isPaidByRule, slotFraction, windowLayout } from "../src/model/windowLayout.ts";

// protocol.md §2.4: the devnet preset, a task created in slot 99, so round r is [100 + 20r, 120 + 20r). The
// `custom` rule (Koii's) is the one with list windows (§6.1-§6.5); `weighted` and `equal` pay by rule (§6.2).
const task = { startSlot: 100, params: { ...DEVNET_PARAMS, distributionRule: "custom" as const } };
const weighted = { startSlot: 100, params: { ...DEVNET_PARAMS, distributionRule: "weighted" as const } };
const equal = { startSlot: 100, params: { ...DEVNET_PARAMS, distributionRule: "equal" as const } };
const LIST_WINDOWS = new Set(["distribution", "distributionTriggers", "distributionVotes"]);

describe("windowLayout", () => {
  it("draws the three live cycles of a round one above the other (§2.4, slot 147, custom rule)", () => {
    const layout = windowLayout(task, 147);
    assert.equal(layout.currentRound, 2);
    assert.equal(layout.now.work?.cycle, 2);
    assert.equal(layout.now.review?.cycle, 1);
    assert.deepEqual(
      layout.now.distribution.map((band) => band.cycle),
      [0],
    );
    assert.equal(layout.startingCycle, 2);
    assert.deepEqual(layout.completingCycles, [0]);

    const work = layout.now.work;
    assert.deepEqual(
      work?.windows.map((window) => [window.name, window.opensAt, window.closesAt, window.state]),
      [
        ["work", 140, 155, "open"],
        ["commit", 155, 160, "future"],
      ],
    );
    assert.deepEqual(
      layout.now.review?.windows.map((window) => [
        window.name,
        window.opensAt,
        window.closesAt,
        window.state,
        window.track,
      ]),
      [
        ["reveal", 140, 144, "past", 0],
        ["proofTriggers", 144, 150, "open", 0],
        ["proofVotes", 144, 155, "open", 1],
      ],
    );
    assert.deepEqual(
      layout.now.distribution[0]?.windows.map((window) => [window.name, window.opensAt, window.closesAt]),
      [
        ["distribution", 140, 144],
        ["distributionTriggers", 144, 150],
        ["distributionVotes", 144, 155],
      ],
    );
  });

  it("lays paired reveals in the next cycle's commit window and review and payment a round later (§2.2)", () => {
    const paired = {
      startSlot: 100,
      params: { ...DEVNET_PARAMS, revealSlots: 0, distributionRule: "weighted" as const },
    };
    // Slot 157 of round 2: cycle 2 works and commits, cycle 1 reveals beside it, cycle 0 is reviewed.
    const layout = windowLayout(paired, 157);
    assert.equal(layout.now.work?.cycle, 2);
    assert.equal(layout.now.review?.cycle, 0);
    assert.deepEqual(layout.completingCycles, []);
    const lane = layout.lanes.find((item) => item.cycle === 1);
    const review = lane?.periods.find((band) => band.period === "review");
    assert.deepEqual(
      review?.windows.map((window) => [window.name, window.opensAt, window.closesAt, window.state]),
      [
        ["reveal", 155, 160, "open"],
        ["proofTriggers", 160, 166, "future"],
        ["proofVotes", 160, 171, "future"],
      ],
    );
    assert.deepEqual([review?.opensAt, review?.closesAt, review?.round], [140, 180, 3]);
    const payment = lane?.periods.find((band) => band.period === "distribution");
    assert.deepEqual([payment?.opensAt, payment?.round], [180, 4]);
    // Cycle 0 is paid at the first slot of round 3.
    assert.deepEqual(windowLayout(paired, 161).completingCycles, [0]);
  });

  it("starts one cycle and completes one in every steady round", () => {
    for (let slot = 140; slot < 400; slot += 7) {
      const layout = windowLayout(task, slot);
      const round = layout.currentRound;
      assert.equal(layout.now.work?.cycle, round, `slot ${slot}`);
      assert.equal(layout.now.review?.cycle, round - 1, `slot ${slot}`);
      assert.deepEqual(layout.completingCycles, [round - 2], `slot ${slot}`);
      // Every band of the current round lies inside it.
      for (const band of [layout.now.work, layout.now.review, ...layout.now.distribution]) {
        assert.ok(band !== undefined);
        for (const window of band.windows) {
          assert.ok(
            window.opensAt >= band.opensAt && window.closesAt <= band.closesAt,
            `${window.name} fits round ${band.round}`,
          );
        }
      }
    }
  });

  it("lays lanes out as a staircase: each cycle's periods follow one another a round apart", () => {
    const layout = windowLayout(task, 187, { roundsBefore: 2, roundsAfter: 1 });
    assert.equal(layout.currentRound, 4);
    assert.equal(layout.fromSlot, 140);
    assert.equal(layout.toSlot, 220);
    assert.deepEqual(
      layout.rounds.map((round) => [round.round, round.current]),
      [
        [2, false],
        [3, false],
        [4, true],
        [5, false],
      ],
    );
    const cycles = layout.lanes.map((lane) => lane.cycle);
    assert.deepEqual(cycles, [0, 1, 2, 3, 4, 5]);
    for (const lane of layout.lanes) {
      const [work, review, distribution] = lane.periods;
      assert.equal(work?.round, lane.cycle);
      assert.equal(review?.round, lane.cycle + 1);
      assert.equal(distribution?.round, lane.cycle + 2);
      assert.equal(review?.opensAt, work?.closesAt);
    }
    assert.equal(layout.lanes.find((lane) => lane.cycle === 5)?.status, "upcoming");
    assert.equal(layout.lanes.find((lane) => lane.cycle === 1)?.status, "complete");
    assert.equal(layout.lanes.find((lane) => lane.cycle === 2)?.status, "live");
  });

  it("follows a retried distribution into a later round (§6.5)", () => {
    // Cycle 0's first list failed; attempt 1 runs in round 3 (slots 160-179).
    const layout = windowLayout(task, 165, { knownCycles: [{ cycle: 0, attempt: 1, attemptRound: 3, outcome: null }] });
    const lane = layout.lanes.find((candidate) => candidate.cycle === 0);
    assert.deepEqual(
      lane?.periods.map((band) => [band.period, band.round, band.attempt]),
      [
        ["work", 0, 0],
        ["review", 1, 0],
        ["distribution", 2, 0],
        ["distribution", 3, 1],
      ],
    );
    assert.deepEqual(
      layout.now.distribution.map((band) => [band.cycle, band.attempt]),
      [
        [0, 1],
        [1, 0],
      ],
    );
    assert.equal(lane?.status, "live");
  });

  it("marks a cycle complete once the ledger no longer lists it as open, before its round ends", () => {
    // Cycle 0's list was accepted at slot 155 (§2.4); at slot 158 the ledger's open cycles are 1 and 2.
    const done = windowLayout(task, 158, { openCycles: [1, 2] });
    assert.equal(done.lanes.find((lane) => lane.cycle === 0)?.status, "complete");
    assert.equal(done.lanes.find((lane) => lane.cycle === 1)?.status, "live");
    const open = windowLayout(task, 158, { openCycles: [0, 1, 2] });
    assert.equal(open.lanes.find((lane) => lane.cycle === 0)?.status, "live");
    // A cycle whose distribution round has not come is never taken for complete (a view older than the head).
    const early = windowLayout(task, 158, { openCycles: [0, 1] });
    assert.equal(early.lanes.find((lane) => lane.cycle === 2)?.status, "live");
  });

  it("draws no new cycles for a task that starts none (paused)", () => {
    const layout = windowLayout(task, 205, { lastStartedCycle: 3 });
    assert.equal(layout.currentRound, 5);
    assert.equal(layout.now.work, undefined);
    assert.equal(layout.now.review, undefined);
    assert.deepEqual(
      layout.now.distribution.map((band) => band.cycle),
      [3],
    );
    assert.ok(layout.lanes.every((lane) => lane.cycle <= 3));
  });

  it("before the task starts, shows round 0 ahead and no live cycle", () => {
    const layout = windowLayout(task, 95);
    assert.equal(layout.currentRound, -1);
    assert.equal(layout.now.work, undefined);
    assert.equal(layout.rounds[0]?.round, 0);
    assert.equal(layout.lanes[0]?.status, "upcoming");
  });

  it("places slots on a 0..1 scale, clamped", () => {
    const range = { fromSlot: 100, toSlot: 200 };
    assert.equal(slotFraction(range, 150), 0.5);
    assert.equal(slotFraction(range, 50), 0);
    assert.equal(slotFraction(range, 250), 1);
  });

  describe("weighted and equal tasks pay by rule: no list window, list triggers or list votes (§6.2)", () => {
    for (const ruled of [weighted, equal]) {
      const rule = ruled.params.distributionRule;
      it(`${rule}: the distribution period is the one slot at the start of round c+2`, () => {
        assert.equal(isPaidByRule(ruled), true);
        const layout = windowLayout(ruled, 147);
        assert.equal(layout.paidByRule, true);
        assert.deepEqual(
          layout.now.distribution.map((band) => [
            band.cycle,
            band.round,
            band.opensAt,
            band.closesAt,
            band.state,
            band.windows.map((window) => [window.name, window.opensAt, window.closesAt, window.state]),
          ]),
          [[0, 2, 140, 141, "past", [["rulePayment", 140, 141, "past"]]]],
        );
        assert.deepEqual(layout.completingCycles, [0]);
        assert.match(layout.distributionHint, new RegExp(`paid by the ${rule} rule`));
        assert.doesNotMatch(layout.distributionHint, /posts|drawn|race/);
      });

      it(`${rule}: no lane, now or later, shows a list window, and none retries`, () => {
        // A cycle record with a retry (impossible under this rule) must not bring list windows back.
        const knownCycles = [{ cycle: 0, attempt: 1, attemptRound: 3, outcome: null }];
        for (let slot = 95; slot < 400; slot += 3) {
          const layout = windowLayout(ruled, slot, { knownCycles });
          for (const lane of layout.lanes) {
            const distributions = lane.periods.filter((band) => band.period === "distribution");
            assert.equal(distributions.length, 1, `slot ${slot}, cycle ${lane.cycle}: one payment`);
            assert.equal(distributions[0]?.round, lane.cycle + 2);
            for (const band of lane.periods) {
              for (const window of band.windows) {
                assert.ok(!LIST_WINDOWS.has(window.name), `slot ${slot}: cycle ${lane.cycle} draws ${window.name}`);
                assert.doesNotMatch(window.description, /list|drawn/, `slot ${slot}: ${window.name}`);
              }
            }
          }
        }
      });

      it(`${rule}: a cycle is complete once its payment slot has passed`, () => {
        // Paid at the start of slot 140, before its transactions: with block 140 the head, the cycle is paid.
        const paid = windowLayout(ruled, 140, { roundsBefore: 2 });
        assert.equal(paid.lanes.find((lane) => lane.cycle === 0)?.status, "complete");
        assert.equal(paid.now.distribution[0]?.windows[0]?.state, "past");
        const before = windowLayout(ruled, 139);
        assert.equal(before.lanes.find((lane) => lane.cycle === 0)?.status, "live");
        const coming = before.lanes.find((lane) => lane.cycle === 0)?.periods[2];
        assert.deepEqual([coming?.opensAt, coming?.state], [140, "future"]);
      });
    }
  });

  it("custom: the distribution period describes the posting race, not a drawn distributor (§6.1)", () => {
    assert.equal(isPaidByRule(task), false);
    const layout = windowLayout(task, 141);
    assert.equal(layout.paidByRule, false);
    const list = layout.now.distribution[0]?.windows.find((window) => window.name === "distribution");
    assert.match(list?.description ?? "", /any valid submitter may post/);
    for (const text of [
      distributionHint(task),
      ...(layout.now.distribution[0]?.windows ?? []).map((w) => w.description),
    ]) {
      assert.doesNotMatch(text, /drawn/);
    }
  });
});
