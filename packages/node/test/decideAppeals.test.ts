/**
 * Appeals (protocol.md §5.8) from the honest node's side: a node whose own proof was found `invalid` appeals it once
 * the nodes that voted it invalid no longer hold a third of the active weight, at a round's first slot, once per
 * proof; the other nodes vote on the appeal as they judged the proof. While the accusers are still there it waits.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  getCycle,
  getNode,
  getReveal,
  getTask,
  type Hash,
  lateChallengeWindow,
  roundStart,
  TOKEN,
} from "@gradual/protocol";
// The protocol's test chain (source only: tests run with --conditions=source).
import { accountOf, proofOf, TestChain } from "@gradual/protocol/testing";
import { decide, type NodeAction, type NodeMemory, type TransactionBody, type Verdict } from "../src/decide.ts";

const T = TOKEN;

function memory(verdicts: Map<string, Verdict> = new Map()): NodeMemory {
  return { work: new Map(), verdicts, lists: new Map(), done: new Set() };
}

function sent(actions: readonly NodeAction[]): TransactionBody[] {
  return actions.flatMap((action) => (action.type === "send" ? [action.tx] : []));
}

/** `name`'s appeal of its own cycle 1 proof. */
function appealBy(name: string, task: Hash, reasonDigest: Hash): TransactionBody {
  return {
    kind: "triggerAudit",
    task,
    cycle: 1,
    target: accountOf(name),
    triggerKind: "proof",
    verdict: "valid",
    attempt: 0,
    reasonDigest,
  };
}

function appeals(actions: readonly NodeAction[]): TransactionBody[] {
  return sent(actions).filter((tx) => tx.kind === "triggerAudit" && tx.verdict === "valid");
}

/**
 * A weighted task (w1 300, w2 300, a 100, b 100, c 200, no ramp, vesting 6): the coalition w1 and w2 gets a's honest
 * cycle 1 proof upheld invalid (600 of 800 decided: not slashed), and the cycle is paid without it. When the coalition
 * leaves, a, b and c hold 400 of the 1,000 that reviewed the cycle: above the third a late decision needs.
 */
function foundInvalid() {
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const name of ["w1", "w2", "a", "b", "c"]) balances[name] = 500n * T;
  const chain = new TestChain(balances);
  const task = chain.createTask(
    "creator",
    { warmupRounds: 0, rampRounds: 0, vestingRounds: 6, distributionRule: "weighted" },
    10_000n * T,
  );
  for (const [name, stake] of Object.entries({ w1: 300n, w2: 300n, a: 100n, b: 100n, c: 200n })) {
    chain.stakeIn(task, name, stake * T);
  }
  chain.playSubmissions(task, 1, {
    w1: proofOf("w1"),
    w2: proofOf("w2"),
    a: proofOf("a"),
    b: proofOf("b"),
    c: proofOf("c"),
  });
  const windows = chain.windows(task, 1);
  chain.advanceTo(windows.proofTriggers.opensAt);
  // The coalition calls a's honest proof invalid: 600 of 800 (b's 100 valid, a's own 100; c does not vote) is 75%:
  // upheld, not slashed.
  const trigger = chain.triggerProof("w1", task, 1, "a");
  chain.vote("w2", task, 1, trigger, "invalid");
  chain.vote("b", task, 1, trigger, "valid");
  chain.payCycle(task, 1);
  assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.status, "invalid");
  const cycle = getCycle(chain.state, task, 1);
  assert.ok(cycle !== undefined && cycle.completedRound !== null);
  const window = lateChallengeWindow(getTask(chain.state, task) as NonNullable<ReturnType<typeof getTask>>, cycle);
  assert.ok(window !== null);

  return { chain, task, cycle, window };
}

test("a node appeals its own proof found invalid once its accusers have left, and the others vote on the appeal", () => {
  const { chain, task, cycle, window } = foundInvalid();
  const options = { autoClaim: false, chunkEntries: 1_000 };
  const view = (name: string, mine = memory()) => ({
    state: chain.state,
    task,
    me: accountOf(name),
    memory: mine,
    options,
  });
  const timing = getTask(chain.state, task) as NonNullable<ReturnType<typeof getTask>>;
  // The next round's first slot, with the coalition still staked: a waits (it would lose the appeal).
  const round = (cycle.completedRound as number) + 1;
  chain.advanceTo(roundStart(timing, round) - 1);
  assert.deepEqual(appeals(decide(view("a"))), [], "no appeal while the accusers hold the weight");

  // The coalition leaves: its weight is gone at once (its stake stays slashable while unbonding).
  chain.ok("w1", { kind: "unstake", task });
  chain.ok("w2", { kind: "unstake", task });
  // In a slot that is not a round's first, nothing; at the next round's first slot, the appeal.
  chain.advance();
  assert.deepEqual(appeals(decide(view("a"))), [], "asked at a round's first slot only");
  chain.advanceTo(roundStart(timing, round + 1) - 1);
  const appeal = appeals(decide(view("a")));
  assert.deepEqual(appeal, [appealBy("a", task, (appeal[0] as { reasonDigest: Hash }).reasonDigest)]);
  assert.ok(roundStart(timing, round + 1) < window.closesAt);
  chain.advance();
  chain.ok("a", appeal[0] as TransactionBody);
  const index = (getCycle(chain.state, task, 1)?.triggerCount ?? 0) - 1;
  // b judged a's proof valid: it votes valid on the appeal.
  const bVotes = sent(decide(view("b", memory(new Map([[`1/${accountOf("a")}`, "valid"]])))));
  assert.deepEqual(bVotes, [{ kind: "vote", task, cycle: 1, trigger: index, choice: "valid" }]);
  chain.ok("b", bVotes[0] as TransactionBody);
  // c too: the appeal needs more than a third of the 1,000 that reviewed cycle 1 to decide (deviation 39).
  const cVotes = sent(decide(view("c", memory(new Map([[`1/${accountOf("a")}`, "valid"]])))));
  assert.deepEqual(cVotes, [{ kind: "vote", task, cycle: 1, trigger: index, choice: "valid" }]);
  chain.ok("c", cVotes[0] as TransactionBody);
  // a does not appeal the same proof again, whatever the outcome.
  chain.advanceTo(roundStart(timing, round + 2) - 1);
  assert.deepEqual(appeals(decide(view("a"))), []);
  chain.advanceTo(roundStart(timing, round + 2));
  assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.status, "valid", "the appeal reinstated the proof");
  for (const name of ["w1", "w2"]) {
    assert.ok(
      (getNode(chain.state, task, accountOf(name))?.slashedTotal ?? 0n) > 0n,
      `${name}, an accuser, was slashed`,
    );
  }
  assert.equal(getNode(chain.state, task, accountOf("b"))?.slashedTotal, 0n);
});

test("no appeal without the quorum of a late decision: a node that outlasts the others waits, and an appeal sent anyway is rejected", () => {
  const { chain, task, cycle } = foundInvalid();
  const timing = getTask(chain.state, task) as NonNullable<ReturnType<typeof getTask>>;
  assert.equal(cycle.reviewWeight, 1_000n * T, "the active weight when cycle 1's seed was fixed");
  // Everyone else leaves: a's 100 is 10% of the weight that reviewed cycle 1, not above a third (deviation 39).
  for (const name of ["w1", "w2", "b", "c"]) chain.ok(name, { kind: "unstake", task });
  const round = (cycle.completedRound as number) + 1;
  chain.advanceTo(roundStart(timing, round) - 1);
  const view = {
    state: chain.state,
    task,
    me: accountOf("a"),
    memory: memory(),
    options: { autoClaim: false, chunkEntries: 1_000 },
  };
  assert.deepEqual(appeals(decide(view)), [], "the accusers are gone, but the quorum is out of reach");
  // Sent anyway, it is decided by a's weight alone (support 100 of D 100) and rejected for want of the quorum.
  chain.advance();
  chain.ok("a", appealBy("a", task, "00".repeat(32)));
  chain.advanceTo(chain.slot + timing.params.auditSlots + timing.params.voteSlots + 1);
  assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.status, "invalid");
  for (const name of ["w1", "w2"]) assert.equal(getNode(chain.state, task, accountOf(name))?.slashedTotal, 0n);
});
