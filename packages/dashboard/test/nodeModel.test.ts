import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeView } from "@gradual/wire";
import type { StoredEvent } from "../src/api/live.ts";
import { nodeHistory, slashSummary } from "../src/model/nodeHistory.ts";
import { nodeStanding } from "../src/model/nodeStatus.ts";

const TASK = "t".repeat(64);
const ME = "a".repeat(64);
const TOKEN = 1_000_000_000n;
let seq = 0;
const stored = (slot: number, event: Record<string, unknown>): StoredEvent => ({
  seq: seq++,
  block: slot,
  slot,
  tx: null,
  event: { task: TASK, ...event } as unknown as StoredEvent["event"],
});

test("a cycle paid before the blocks seen is shown as earlier, not as committed and not yet revealed", () => {
  const history = nodeHistory(
    [
      stored(100, { type: "Vested", cycle: 3, node: ME, amount: (5n * TOKEN).toString(), endRound: 20 }),
      stored(101, { type: "Committed", cycle: 5, node: ME }),
    ],
    TASK,
    ME,
  );
  const paid = history.proofs.find((row) => row.cycle === 3);
  const open = history.proofs.find((row) => row.cycle === 5);
  assert.equal(paid?.beforeHistory, true);
  assert.equal(paid?.status, "valid");
  assert.equal(paid?.paid, 5n * TOKEN);
  assert.equal(open?.beforeHistory, false, "a cycle committed in the window is not earlier");
  assert.equal(open?.status, "committed");
});

test("a proof found invalid, then reinstated by an upheld appeal (§5.8), is shown valid again", () => {
  const PEER = "b".repeat(64);
  const trigger = (index: number, verdict: string, triggerer: string) => ({
    type: "AuditTriggered",
    cycle: 2,
    trigger: index,
    kind: "proof",
    verdict,
    late: index > 0,
    attempt: 0,
    target: ME,
    triggerer,
    bond: TOKEN.toString(),
  });
  const resolved = (index: number, triggerer: string) => ({
    type: "TriggerResolved",
    cycle: 2,
    trigger: index,
    kind: "proof",
    target: ME,
    triggerer,
    resolution: "upheld",
    validWeight: "0",
    invalidWeight: "0",
    unavailableWeight: "0",
    activeWeight: "0",
  });
  const events = [
    stored(20, { type: "Revealed", cycle: 2, node: ME, proofDigest: "d".repeat(64) }),
    stored(22, trigger(0, "invalid", PEER)),
    stored(27, resolved(0, PEER)),
  ];
  const statusOf = (list: StoredEvent[]) => nodeHistory(list, TASK, ME).proofs.find((row) => row.cycle === 2)?.status;
  assert.equal(statusOf(events), "invalid");
  const appealed = [...events, stored(60, trigger(1, "valid", ME)), stored(65, resolved(1, ME))];
  assert.equal(statusOf(appealed), "valid");
});

test("the slash summary adds stake and locked rewards like the event lines, and counts earlier slashes", () => {
  const slashes = [
    stored(10, {
      type: "Slashed",
      cycle: 1,
      node: ME,
      fromStake: (50n * TOKEN).toString(),
      fromVesting: (5n * TOKEN).toString(),
    }),
    stored(20, { type: "Slashed", cycle: 4, node: ME, fromStake: (25n * TOKEN).toString(), fromVesting: "0" }),
  ];
  assert.equal(
    slashSummary(slashes, 2),
    "2 slashes below: 75 tokens from stake + 5 tokens from locked rewards = 80 tokens.",
  );
  assert.match(slashSummary(slashes, 3), /; 1 earlier, before the blocks this page has seen\.$/);
});

test("a node below the task's minimum stake is not shown active", () => {
  const node: NodeView = {
    task: TASK,
    account: ME,
    index: 0,
    url: "http://127.0.0.1:7001",
    stake: (50n * TOKEN).toString(),
    weight: (50n * TOKEN).toString(),
    rampedStake: (50n * TOKEN).toString(),
    lots: [{ amount: (50n * TOKEN).toString(), activationRound: 0 }],
    unbonding: "0",
    unbondingUntilRound: 0,
    lastRevealCycle: -1,
    slashedTotal: (50n * TOKEN).toString(),
    slashCount: 1,
    missedDuties: 0,
    losingVotes: 0,
    equivocations: 0,
    claimable: "0",
    locked: "0",
    pendingReveal: null,
  };
  assert.equal(nodeStanding(node, 10, 10n * TOKEN).label, "active");
  const below = nodeStanding(node, 10, 100n * TOKEN);
  assert.notEqual(below.label, "active");
  assert.match(below.label, /below the minimum stake/);
  assert.equal(below.tone, "bad");
});
