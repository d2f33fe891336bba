import assert from "node:assert/strict";
import { test } from "node:test";
import { TOKEN } from "@gradual/protocol";
import { describeOwnEvent } from "../src/runtime/ownEvents.ts";

const TASK = "1".repeat(64);
const ME = "a".repeat(64);
const PEER = "b".repeat(64);

/** The operator's log: one line per duty and per payment, claim or slash of this node; nothing for its peers'. */
test("own duties, payments and slashes each give one line; a peer's give none", () => {
  const mine = (event: Parameters<typeof describeOwnEvent>[0]) => describeOwnEvent(event, ME, TASK);
  assert.equal(mine({ type: "Committed", task: TASK, cycle: 4, node: ME })?.message, "committed");
  assert.equal(mine({ type: "Committed", task: TASK, cycle: 4, node: PEER }), undefined);
  assert.equal(mine({ type: "Committed", task: "2".repeat(64), cycle: 4, node: ME }), undefined, "another task");
  const paid = mine({ type: "Vested", task: TASK, cycle: 4, node: ME, amount: 25n * TOKEN, endRound: 30 });
  assert.deepEqual(paid, { level: "info", message: "paid (vesting)", fields: { cycle: 4, amount: "25" } });
  const slashed = mine({
    type: "Slashed",
    task: TASK,
    cycle: 5,
    trigger: 0,
    node: ME,
    fromStake: 50n * TOKEN,
    fromVesting: TOKEN / 2n,
    toWhistleblower: TOKEN,
    burned: 0n,
  });
  assert.equal(slashed?.level, "warn");
  assert.deepEqual(slashed?.fields, { cycle: 5, stake: "50", vesting: "0.5" });
  const posted = {
    type: "DistributionSubmitted",
    task: TASK,
    cycle: 3,
    attempt: 0,
    distributor: PEER,
    replaced: null,
    entries: 4,
    total: TOKEN,
    listRoot: "c".repeat(64),
    listBlob: "d".repeat(64),
  } as const;
  assert.equal(mine(posted), undefined, "a peer's list");
  assert.equal(mine({ ...posted, distributor: ME })?.message, "list posted");
  assert.equal(mine({ ...posted, replaced: ME })?.message, "own list replaced: another poster won the race");
  const accepted = {
    type: "DistributionAccepted",
    task: TASK,
    cycle: 3,
    attempt: 0,
    distributor: ME,
    total: TOKEN,
    entries: 4,
    listRoot: "c".repeat(64),
  } as const;
  assert.equal(mine(accepted)?.message, "own list accepted");
  assert.equal(mine({ type: "Claimed", task: TASK, node: ME, amount: TOKEN })?.message, "claimed");
  const triggered = {
    type: "AuditTriggered",
    task: TASK,
    cycle: 2,
    trigger: 3,
    kind: "proof",
    verdict: "invalid",
    late: false,
    attempt: 0,
    target: ME,
    triggerer: PEER,
    bond: TOKEN,
  } as const;
  assert.deepEqual(
    [mine(triggered)?.level, mine(triggered)?.message],
    ["warn", "audit against this node"],
    "a peer's trigger against this node",
  );
  // An appeal (§5.8) of this node's own proof, by itself or by a peer, is no attack on it.
  assert.equal(mine({ ...triggered, verdict: "valid", late: true, triggerer: ME })?.message, "appealed (§5.8)");
  assert.deepEqual(
    [
      mine({ ...triggered, verdict: "valid", late: true })?.level,
      mine({ ...triggered, verdict: "valid", late: true })?.message,
    ],
    ["info", "appeal of this node's proof (§5.8)"],
  );
  assert.equal(
    mine({ type: "Voted", task: TASK, cycle: 2, trigger: 1, voter: ME, choice: "invalid", weight: TOKEN })?.message,
    "voted",
  );
});

test("the node's own unstake and withdrawal, and the task closing and closed, each give one line", () => {
  const mine = (event: Parameters<typeof describeOwnEvent>[0]) => describeOwnEvent(event, ME, TASK);
  assert.deepEqual(mine({ type: "Unstaked", task: TASK, node: ME, amount: 10n * TOKEN, untilRound: 12 }), {
    level: "info",
    message: "unstaked: unbonding",
    fields: { amount: "10", untilRound: 12 },
  });
  assert.equal(mine({ type: "Unstaked", task: TASK, node: PEER, amount: TOKEN, untilRound: 12 }), undefined);
  assert.match(mine({ type: "Withdrawn", task: TASK, node: ME, amount: TOKEN })?.message ?? "", /^withdrawn: /);
  assert.equal(mine({ type: "Withdrawn", task: TASK, node: PEER, amount: TOKEN }), undefined);
  assert.equal(mine({ type: "TaskClosing", task: TASK })?.level, "warn");
  assert.match(mine({ type: "TaskClosed", task: TASK, refunded: 0n })?.message ?? "", /^task closed: /);
});
