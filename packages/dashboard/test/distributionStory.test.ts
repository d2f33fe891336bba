import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVNET_PARAMS, encodeList, getCycleWindows, listBlobHash, listRoot, type TaskRecord } from "@gradual/protocol";
import type { BlockWire, CycleView, DistributionRecordWire, TriggerRecordWire } from "@gradual/wire";
import {
  attemptStories,
  cycleWindowRows,
  distributionKind,
  listClaims,
  listEntriesOf,
  listPosts,
  listStatusLabel,
  listWindowRanges,
  rulePayment,
} from "../src/model/distributionStory.ts";

// protocol.md §2.4: the devnet preset, a task created in slot 99, so round r is [100 + 20r, 120 + 20r); attempt a of
// cycle 0 runs in round 2 + a, its list window [140 + 20a, 144 + 20a).
const TASK = "ab".repeat(32);
const OTHER_TASK = "cd".repeat(32);
const A = "0a".repeat(32);
const B = "0b".repeat(32);
const C = "0c".repeat(32);
const ROOT = "11".repeat(32);
const BLOB = "22".repeat(32);
const custom = { startSlot: 100, params: { ...DEVNET_PARAMS, distributionRule: "custom" as const } };
const weighted = { startSlot: 100, params: { ...DEVNET_PARAMS, distributionRule: "weighted" as const } };

type CycleOverrides = Partial<CycleView["record"]> & {
  readonly distributions?: readonly DistributionRecordWire[];
  readonly triggers?: readonly TriggerRecordWire[];
  readonly slot?: number;
  readonly pruned?: boolean;
};

function cycleView(overrides: CycleOverrides = {}): CycleView {
  const { distributions = [], triggers = [], slot = 150, pruned = false, ...record } = overrides;
  const attemptRound = record.attemptRound ?? 2 + (record.attempt ?? 0);
  const windows = getCycleWindows(custom as unknown as TaskRecord, 0, attemptRound);
  return {
    task: TASK,
    cycle: 0,
    phase: "distribution",
    windows,
    openWindows: [],
    record: {
      task: TASK,
      cycle: 0,
      reserved: "100",
      commitCount: 3,
      revealCount: 3,
      validCount: 3,
      revealedWeight: "300",
      shareCount: 3,
      saltAccumulator: ROOT,
      seed: ROOT,
      reviewWeight: "300",
      triggerCount: triggers.length,
      attempt: 0,
      attemptRound,
      distributor: null,
      failedDistributors: [],
      paid: "0",
      ruleBase: "0",
      ruleWeight: "0",
      ruleShares: 0,
      outcome: null,
      completedRound: null,
      ...record,
    },
    triggers: [...triggers],
    distributions: [...distributions],
    pruned,
    slot,
    nextSlot: slot + 1,
  };
}

function list(overrides: Partial<DistributionRecordWire> = {}): DistributionRecordWire {
  return {
    attempt: 0,
    distributor: B,
    slot: 142,
    entryCount: 3,
    total: "90",
    listRoot: ROOT,
    listBlob: BLOB,
    raceTime: "5",
    raceWeight: "100",
    status: "complete",
    triggered: false,
    slashSeq: null,
    ...overrides,
  };
}

function listTrigger(resolution: TriggerRecordWire["resolution"], attempt = 0): TriggerRecordWire {
  return {
    index: 0,
    kind: "distribution",
    verdict: "invalid",
    late: false,
    attempt,
    target: B,
    triggerer: C,
    reasonDigest: ROOT,
    bond: "1",
    slot: 145,
    closesAt: 155,
    validWeight: "0",
    invalidWeight: "300",
    unavailableWeight: "0",
    voteCount: 3,
    resolution,
    slashed: "0",
    held: "0",
  };
}

const NO_HASH = "00".repeat(32);
function block(slot: number, txs: BlockWire["txs"], events: BlockWire["events"] = []): BlockWire {
  return {
    number: slot,
    slot,
    prevHash: NO_HASH,
    txsRoot: NO_HASH,
    stateRoot: NO_HASH,
    hash: NO_HASH,
    txCount: txs.length,
    producedAtMs: 0,
    txs,
    events,
  };
}

function post(hash: string, from: string, ok: true | string, attempt = 0, task = TASK): BlockWire["txs"][number] {
  return {
    hash,
    signature: "",
    tx: {
      kind: "submitDistribution",
      chainId: "devnet",
      from,
      nonce: 1,
      task,
      cycle: 0,
      attempt,
      listRoot: ROOT,
      listBlob: BLOB,
      total: "90",
      entryCount: 3,
    } as BlockWire["txs"][number]["tx"],
    result: ok === true ? { ok: true } : { ok: false, code: ok, message: "", context: {} },
  };
}

function submitted(tx: string, distributor: string, replaced: string | null): BlockWire["events"][number] {
  return {
    tx,
    event: {
      type: "DistributionSubmitted",
      task: TASK,
      cycle: 0,
      attempt: 0,
      distributor,
      replaced,
      entries: 3,
      total: "90",
      listRoot: ROOT,
      listBlob: BLOB,
    },
  };
}

const STALE = /drawn|missed duty|distributor was|new distributor/i;

describe("distributionStory: weighted and equal pay by rule (§6.2)", () => {
  it("the cycle page's windows table has no list rows, only the payment slot at the start of round c+2", () => {
    const view = cycleView();
    const rows = cycleWindowRows(distributionKind(weighted), view);
    assert.deepEqual(
      rows.map((row) => [row.key, row.opensAt, row.closesAt]),
      [
        ["commit", 115, 120],
        ["reveal", 120, 124],
        ["proofTriggers", 124, 130],
        ["proofVotes", 124, 135],
        ["rulePayment", 140, 141],
      ],
    );
    for (const row of rows) assert.doesNotMatch(row.what, STALE);
  });

  it("custom tasks keep the list, list audit and list vote rows, marked with their attempt on a retry", () => {
    const rows = cycleWindowRows("custom", cycleView({ attempt: 1 }));
    assert.deepEqual(
      rows.slice(4).map((row) => [row.key, row.opensAt, row.closesAt, row.attempt]),
      [
        ["distribution", 160, 164, 1],
        ["distributionTriggers", 164, 170, 1],
        ["distributionVotes", 164, 175, 1],
      ],
    );
    assert.match(rows[4]?.what ?? "", /wins the race/);
    // While the rule is unknown nothing is guessed.
    assert.deepEqual(
      cycleWindowRows("unknown", cycleView()).map((row) => row.key),
      ["commit", "reveal", "proofTriggers", "proofVotes"],
    );
  });

  it("describes the payment before and after the slot, and without submitters", () => {
    const before = rulePayment(cycleView({ attemptRound: 2 }), "weighted");
    assert.equal(before.state, "upcoming");
    assert.equal(before.slot, 140);
    assert.match(before.text, /At slot 140, the first of round 2/);
    const paid = rulePayment(cycleView({ outcome: "paid", paid: "99" }), "equal");
    assert.equal(paid.state, "paid");
    assert.match(paid.text, /Paid by the equal rule at slot 140/);
    assert.match(paid.text, /No list, no distributor/);
    assert.equal(rulePayment(cycleView({ outcome: "no-submitters" }), "weighted").state, "none");
  });
});

describe("distributionStory: custom lists, the posting race (§6.1-§6.5)", () => {
  it("an attempt with no post says nobody posted in time and the next attempt opens next round", () => {
    const stories = attemptStories(cycleView({ attempt: 1, attemptRound: 3, slot: 150 }), custom);
    assert.deepEqual(
      stories.map((story) => [story.attempt, story.round, story.state]),
      [
        [0, 2, "missing"],
        [1, 3, "upcoming"],
      ],
    );
    assert.match(stories[0]?.text ?? "", /nobody posted a list in time; the next attempt opened in round 3/);
    for (const story of stories) assert.doesNotMatch(story.text, STALE);
  });

  it("the last attempt without a list ends the cycle as distribution-failed", () => {
    const stories = attemptStories(
      cycleView({ attempt: 2, attemptRound: 4, outcome: "distribution-failed", slot: 190 }),
      custom,
    );
    assert.deepEqual(
      stories.map((story) => story.state),
      ["missing", "missing", "missing"],
    );
    assert.match(stories[2]?.text ?? "", /nobody posted a list in time; no attempt was left/);
  });

  it("an open window without a post, and a list leading the race while the window is open", () => {
    const open = attemptStories(cycleView({ slot: 141 }), custom);
    assert.equal(open[0]?.state, "open");
    assert.match(open[0]?.text ?? "", /nobody has posted yet/);
    const leading = attemptStories(cycleView({ slot: 142, distributor: B, distributions: [list()] }), custom);
    assert.equal(leading[0]?.state, "posted");
    assert.match(leading[0]?.text ?? "", /leads the race/);
    const audited = attemptStories(cycleView({ slot: 146, distributor: B, distributions: [list()] }), custom);
    assert.match(audited[0]?.text ?? "", /unless a list audit rejects it by slot 154/);
    assert.equal(listStatusLabel("complete"), "posted");
  });

  it("an accepted list, and a rejected one followed by a retry", () => {
    const accepted = attemptStories(
      cycleView({ outcome: "paid", paid: "90", distributions: [list({ status: "accepted", slashSeq: 0 })] }),
      custom,
    );
    assert.equal(accepted[0]?.state, "accepted");
    assert.match(accepted[0]?.text ?? "", /claimed one by one/);
    const retried = attemptStories(
      cycleView({
        attempt: 1,
        attemptRound: 3,
        slot: 161,
        failedDistributors: [B],
        distributions: [list({ status: "rejected", triggered: true })],
        triggers: [listTrigger("upheld")],
      }),
      custom,
    );
    assert.deepEqual(
      retried.map((story) => story.state),
      ["rejected", "open"],
    );
    assert.match(retried[0]?.text ?? "", /upheld \(its poster was slashed\)/);
    assert.equal(retried[0]?.trigger?.resolution, "upheld");
  });

  it("a cycle without valid submitters has no attempt, and a pruned cycle none left to tell", () => {
    assert.deepEqual(attemptStories(cycleView({ outcome: "no-submitters", validCount: 0 }), custom), []);
    // Pruning deleted the list records (§9.3): an attempt without one is not "open" or "missing".
    assert.deepEqual(attemptStories(cycleView({ outcome: "paid", paid: "90", slot: 600, pruned: true }), custom), []);
  });

  it("reads the race from the list window's blocks: who posted, who replaced whom, who was refused", () => {
    const blocks = [
      block(142, [post("p2", B, true)], [submitted("p2", B, A)]),
      block(141, [post("p1", A, true), post("x", A, true, 0, OTHER_TASK)], [submitted("p1", A, null)]),
      block(143, [post("p3", C, "DISTRIBUTION__NOT_BETTER"), post("p4", C, true, 1)]),
      // The same block read twice (overlapping ranges) counts once.
      block(142, [post("p2", B, true)], [submitted("p2", B, A)]),
    ];
    const posts = listPosts(blocks, TASK, 0, 0);
    assert.deepEqual(
      posts.map((item) => [item.slot, item.poster, item.refused, item.replaced, item.replacedBy]),
      [
        [141, A, null, null, { poster: B, slot: 142 }],
        [142, B, null, A, null],
        [143, C, "DISTRIBUTION__NOT_BETTER", null, null],
      ],
    );
  });

  it("reads a list window in ranges the blocks route serves, up to the head", () => {
    assert.deepEqual(listWindowRanges({ opensAt: 140, closesAt: 144 }, 500, 100), [[140, 143]]);
    assert.deepEqual(listWindowRanges({ opensAt: 140, closesAt: 144 }, 141, 100), [[140, 141]]);
    assert.deepEqual(listWindowRanges({ opensAt: 140, closesAt: 350 }, 500, 100), [
      [140, 239],
      [240, 339],
      [340, 349],
    ]);
    assert.deepEqual(listWindowRanges({ opensAt: 140, closesAt: 144 }, 130, 100), []);
  });

  it("sums the claims of an accepted list from what the cycle still holds", () => {
    const accepted = list({ status: "accepted", total: "90" });
    const claims = listClaims(cycleView({ outcome: "paid", reserved: "30" }), accepted, custom);
    assert.deepEqual([claims.total, claims.claimed, claims.unclaimed], [90n, 60n, 30n]);
    assert.match(claims.text, /stay claimable for listClaimRounds rounds/);
    const all = listClaims(cycleView({ outcome: "paid", reserved: "0" }), accepted, custom);
    assert.deepEqual([all.claimed, all.unclaimed], [90n, 0n]);
    assert.match(all.text, /whole total has been claimed/);
    const pruned = listClaims(cycleView({ outcome: "paid", reserved: "0", pruned: true }), accepted, custom);
    assert.equal(pruned.claimed, null);
    assert.match(pruned.text, /returned to the escrow/);
    // Accepted in round 2: the claim window closes at the start of round 2 + listClaimRounds (slot 460), pruned or not.
    const open = listClaims(
      cycleView({ outcome: "paid", reserved: "30", completedRound: 2, slot: 459 }),
      accepted,
      custom,
    );
    assert.equal(open.unclaimed, 30n);
    const closed = listClaims(
      cycleView({ outcome: "paid", reserved: "0", completedRound: 2, slot: 460 }),
      accepted,
      custom,
    );
    assert.deepEqual([closed.claimed, closed.unclaimed], [null, null]);
    assert.match(closed.text, /claim window closed/);
  });

  it("reads a list blob's entries and checks them against the posted root", () => {
    const entries = [
      { recipient: A, amount: 40n },
      { recipient: B, amount: 50n },
    ];
    const bytes = encodeList(entries);
    assert.equal(listBlobHash(entries).length, 64);
    assert.deepEqual(listEntriesOf(bytes, listRoot(entries)), { kind: "entries", entries, matchesRoot: true });
    const other = listEntriesOf(bytes, ROOT);
    assert.equal(other.kind === "entries" && other.matchesRoot, false);
    assert.deepEqual(listEntriesOf(new TextEncoder().encode("not a list"), ROOT), { kind: "unreadable" });
  });
});
