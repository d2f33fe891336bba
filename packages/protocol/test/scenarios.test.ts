/**
 * Whole cycles played through the public entry points (protocol.md §2-§8), each asserting what moved: vesting
 * payments, slash amounts, bonds, distributor replacement, and the whale defence of §3 (warm-up and trust ramp).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BPS,
  DEVNET_PARAMS,
  type DistributionEntry,
  findParamsProblems,
  getAuditorsOf,
  getCycle,
  getNode,
  getReveal,
  getVesting,
  type Hash,
  listProof,
  listRevealers,
  type ProtocolEvent,
  roundOf,
  sha256Hex,
  type TaskParams,
  TOKEN,
  VESTING_END_SCALE,
} from "../src/index.ts";
import { accountOf, equalSplit, listTx, proofOf, TestChain } from "./harness.ts";

const T = TOKEN;

function setupTask(nodes: Record<string, bigint>, params: Partial<TaskParams> = {}): { chain: TestChain; task: Hash } {
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const [name, stake] of Object.entries(nodes)) balances[name] = stake + 100n * T;
  const chain = new TestChain(balances);
  const task = chain.createTask("creator", params, 10_000n * T);
  for (const [name, stake] of Object.entries(nodes)) chain.stakeIn(task, name, stake);
  return { chain, task };
}

function honestProof(name: string, cycle: number): Hash {
  return proofOf(`${name}:${cycle}`);
}

function honestProofs(names: readonly string[], cycle: number): Record<string, Hash> {
  return Object.fromEntries(names.map((name) => [name, honestProof(name, cycle)]));
}

function vestedIn(events: readonly ProtocolEvent[], cycle: number): Map<string, bigint> {
  const paid = new Map<string, bigint>();
  for (const event of events) {
    if (event.type === "Vested" && event.cycle === cycle)
      paid.set(event.node, (paid.get(event.node) ?? 0n) + event.amount);
  }
  return paid;
}

function only<T extends ProtocolEvent["type"]>(
  events: readonly ProtocolEvent[],
  type: T,
): Extract<ProtocolEvent, { type: T }> {
  const found = events.filter((event): event is Extract<ProtocolEvent, { type: T }> => event.type === type);
  assert.equal(found.length, 1, `expected exactly one ${type} event, got ${found.length}`);
  return found[0] as Extract<ProtocolEvent, { type: T }>;
}

const FOUR = ["a", "b", "c", "d"] as const;
const FIVE = ["a", "b", "c", "d", "e"] as const;

describe("an honest round", () => {
  it("pays every revealer an equal share into vesting, which unlocks linearly and is claimed", () => {
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T });
    // Warm-up 1: stake placed in round 0 is active from round 1, so cycle 1 is the first the nodes can work.
    chain.playSubmissions(task, 1, honestProofs(FOUR, 1));
    assert.deepEqual(listRevealers(chain.state, task, 1).sort(), FOUR.map(accountOf).sort());
    const events = chain.payCycle(task, 1);

    const paid = vestedIn(events, 1);
    assert.equal(paid.size, 4);
    for (const name of FOUR) assert.equal(paid.get(accountOf(name)), 25n * T, `${name} paid 25 tokens`);
    assert.equal(events.filter((event) => event.type === "DistributionSubmitted").length, 0, "no list (§6.2)");
    const completed = events.find((event) => event.type === "CycleCompleted" && event.cycle === 1);
    assert.deepEqual(completed, {
      type: "CycleCompleted",
      task,
      cycle: 1,
      outcome: "paid",
      paid: 100n * T,
      returned: 0n,
    });
    assert.equal(events.filter((event) => event.type === "Slashed").length, 0);

    // Paid by the rule at the start of round 3; vestingRounds 4: a quarter unlocks per round, all from round 7.
    const vesting = getVesting(chain.state, task, accountOf("a"));
    assert.deepEqual(
      [vesting?.unlocked, vesting?.locked, vesting?.lockedRound, vesting?.endAt],
      [0n, 25n * T, 3, 7 * VESTING_END_SCALE],
      "the share locked in the pool from round 3 to round 7",
    );
    const claim = chain.send("a", { kind: "claim", task });
    assert.equal(claim.ok ? "ok" : claim.code, "CLAIM__NOTHING_CLAIMABLE", "nothing unlocked in the payment round");

    chain.advanceToRound(task, 5);
    const before = chain.balance("a");
    chain.ok("a", { kind: "claim", task });
    assert.equal(chain.balance("a") - before, (25n * T * 2n) / 4n, "half unlocked after two of four rounds");
    chain.advanceToRound(task, 7);
    chain.ok("a", { kind: "claim", task });
    assert.equal(chain.balance("a") - before, 25n * T, "everything claimed once fully vested");
    assert.equal(chain.vesting(task, "a"), 0n);
    for (const name of FOUR) assert.equal(chain.stake(task, name), 100n * T, `${name}'s stake untouched`);
  });
});

describe("a garbage submission", () => {
  it("is triggered by an assigned auditor, upheld, and slashed from stake and locked rewards", () => {
    const names = ["a", "b", "c", "d", "g"] as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, g: 100n * T });
    // Cycle 1 is honest: g earns 20 tokens that vest over rounds 3..7 (paid by the rule as round 3 starts, §6.2).
    chain.playSubmissions(task, 1, honestProofs(names, 1));
    chain.payCycle(task, 1);
    assert.equal(chain.vesting(task, "g"), 20n * T);

    // Cycle 3 (review in round 4): g reveals garbage.
    chain.playSubmissions(task, 3, { ...honestProofs(FOUR, 3), g: proofOf("garbage") });
    const auditors = getAuditorsOf(chain.state, task, 3, accountOf("g"));
    assert.equal(auditors.length, DEVNET_PARAMS.auditsPerNode, "g's proof has auditsPerNode auditors");
    assert.ok(!auditors.includes(accountOf("g")), "never its own auditor");
    const whistleblower = chain.nameOf(auditors[0] as string);
    const whistleblowerBalance = chain.funds(task, whistleblower);
    const gStake = chain.stake(task, "g");
    const gVesting = getVesting(chain.state, task, accountOf("g"));
    assert.ok(gVesting !== undefined);

    const windows = chain.windows(task, 3);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const trigger = chain.triggerProof(whistleblower, task, 3, "g");
    assert.equal(chain.funds(task, whistleblower), whistleblowerBalance - DEVNET_PARAMS.triggerBond, "bond locked");
    for (const name of FOUR) if (name !== whistleblower) chain.vote(name, task, 3, trigger, "invalid");
    const refused = chain.send("g", { kind: "vote", task, cycle: 3, trigger, choice: "valid" });
    assert.equal(refused.ok ? "ok" : refused.code, "VOTE__OWN_TRIGGER");
    const events = chain.advanceTo(windows.proofVotes.closesAt);

    const resolved = only(events, "TriggerResolved");
    assert.equal(resolved.resolution, "upheld");
    assert.equal(resolved.target, accountOf("g"));
    const slashed = only(events, "Slashed");
    const fraction = BigInt(DEVNET_PARAMS.slashFractionBps);
    assert.equal(slashed.fromStake, (gStake * fraction) / BigInt(BPS), "slashFraction of the stake");
    // Paid in round 3, slashed in round 4: a quarter (5 tokens) unlocked and untouched, half of 15 cut.
    assert.equal(slashed.fromVesting, (15n * T * fraction) / BigInt(BPS));
    const total = slashed.fromStake + slashed.fromVesting;
    const share = (total * BigInt(DEVNET_PARAMS.whistleblowerShareBps)) / BigInt(BPS);
    assert.equal(slashed.toWhistleblower, share);
    assert.equal(slashed.burned, total - share);
    assert.equal(
      chain.funds(task, whistleblower),
      whistleblowerBalance + share,
      "bond back plus the whistleblower share",
    );
    assert.equal(chain.stake(task, "g"), gStake - slashed.fromStake);
    assert.equal(chain.vesting(task, "g"), 20n * T - slashed.fromVesting);
    const after = getVesting(chain.state, task, accountOf("g"));
    assert.ok(after !== undefined);
    assert.equal(after.unlocked, 5n * T, "the unlocked quarter is set aside, not cut");
    assert.equal(chain.task(task).totalSlashed, total);
    assert.equal(getReveal(chain.state, task, 3, accountOf("g"))?.status, "invalid");

    // g is not paid for cycle 3, and the honest four share the bounty: a proof upheld invalid leaves the weighted
    // rule's denominator (§6.2), so garbage does not dilute honest pay. The rule pays the cycle itself: no list.
    chain.advanceTo(windows.distribution.opensAt);
    assert.equal(getCycle(chain.state, task, 3)?.outcome, "paid");
    assert.equal(getCycle(chain.state, task, 3)?.distributor, null);
    const sneaky = chain.send("a", listTx(task, 3, 0, [{ recipient: accountOf("g"), amount: 1n }]));
    assert.equal(sneaky.ok ? "ok" : sneaky.code, "DISTRIBUTION__PAID_BY_RULE");
    const payout = chain.payCycle(task, 3);
    const paid = vestedIn(payout, 3);
    assert.equal(paid.size, 4);
    assert.equal(paid.get(accountOf("g")), undefined);
    for (const name of FOUR) assert.equal(paid.get(accountOf(name)), 25n * T);
  });
});

describe("a false trigger", () => {
  it("is rejected and its bond goes to the target, whose stake and payment are untouched", () => {
    const names = ["a", "b", "c", "d", "f"] as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, f: 100n * T });
    chain.playSubmissions(task, 1, honestProofs(names, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const griefer = chain.funds(task, "f");
    const target = chain.funds(task, "a");
    const trigger = chain.triggerProof("f", task, 1, "a", "griefing");
    for (const name of ["b", "c", "d"]) chain.vote(name, task, 1, trigger, "valid");
    const events = chain.advanceTo(windows.proofVotes.closesAt);

    const resolved = only(events, "TriggerResolved");
    assert.equal(resolved.resolution, "rejected");
    assert.equal(resolved.invalidWeight * 3n, resolved.validWeight, "only the griefer's own weight said invalid");
    const forfeited = only(events, "BondForfeited");
    assert.equal(forfeited.amount, DEVNET_PARAMS.triggerBond);
    assert.equal(chain.funds(task, "f"), griefer - DEVNET_PARAMS.triggerBond, "the griefer lost its bond");
    assert.equal(chain.funds(task, "a"), target + DEVNET_PARAMS.triggerBond, "the target received it");
    assert.equal(events.filter((event) => event.type === "Slashed").length, 0);
    assert.equal(chain.stake(task, "a"), 100n * T);
    assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.status, "valid");
    assert.equal(getNode(chain.state, task, accountOf("f"))?.losingVotes, 1, "the griefer's vote lost");

    const paid = vestedIn(chain.payCycle(task, 1), 1);
    assert.equal(paid.get(accountOf("a")), 20n * T, "the target is still paid");
  });
});

describe("a lying distributor", () => {
  it("is triggered, slashed and replaced by another node whose honest list is paid (custom rule)", () => {
    const custom = { distributionRule: "custom" } as const;
    // Five equal nodes: the four others are 80% of the weight, over the 77% a slash needs (§5.5).
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, e: 100n * T }, custom);
    chain.playSubmissions(task, 1, honestProofs(FIVE, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.distribution.opensAt);
    // The race's winner among the five (§6.1): its list stands against any other poster's.
    const liar = chain.distributorOf(task, 1);
    assert.ok(liar !== null);
    // The liar pays the whole bounty to itself: the ledger cannot tell, the auditors can.
    const lie = [{ recipient: accountOf(liar), amount: 100n * T }];
    assert.ok(chain.submitList(liar, task, 1, 0, lie).ok);
    // Nobody can replace it: every other poster loses the race to it.
    const honestList = equalSplit(chain.state, task, 1);
    for (const name of FIVE.filter((other) => other !== liar)) {
      const late = chain.submitList(name, task, 1, 0, honestList);
      assert.equal(late.ok ? "ok" : late.code, "DISTRIBUTION__NOT_BETTER", name);
    }
    const liarStake = chain.stake(task, liar);
    const others = FIVE.filter((name) => name !== liar);
    chain.advanceTo(windows.distributionTriggers.opensAt);
    const [first, ...rest] = others as [string, ...string[]];
    const trigger = chain.triggerList(first, task, 1);
    for (const name of rest) chain.vote(name, task, 1, trigger, "invalid");
    const unavailable = chain.send(first, { kind: "vote", task, cycle: 1, trigger, choice: "unavailable" });
    assert.equal(unavailable.ok ? "ok" : unavailable.code, "VOTE__UNAVAILABLE_NOT_ALLOWED", "a list is on the ledger");
    const flip = chain.send(rest[0] as string, { kind: "vote", task, cycle: 1, trigger, choice: "valid" });
    assert.equal(flip.ok ? "ok" : flip.code, "VOTE__EQUIVOCATION");
    assert.equal(getNode(chain.state, task, accountOf(rest[0] as string))?.equivocations, 1, "recorded, not counted");
    const events = chain.advanceTo(windows.distributionVotes.closesAt);

    assert.equal(only(events, "TriggerResolved").resolution, "upheld");
    const slashed = only(events, "Slashed");
    assert.equal(slashed.node, accountOf(liar));
    assert.equal(slashed.fromStake, (liarStake * BigInt(DEVNET_PARAMS.slashFractionBps)) / BigInt(BPS));
    assert.equal(chain.stake(task, liar), liarStake - slashed.fromStake, "the liar's stake is reduced");
    const rejected = only(events, "DistributionRejected");
    assert.deepEqual([rejected.attempt, rejected.reason, rejected.distributor], [0, "upheld", accountOf(liar)]);
    assert.equal(vestedIn(events, 1).size, 0, "the lying list pays nothing");
    const cycle = getCycle(chain.state, task, 1);
    assert.deepEqual(cycle?.failedDistributors, [accountOf(liar)]);
    assert.equal(cycle?.attempt, 1);

    // Attempt 1 runs in the next round with someone else.
    const payout = chain.payCycle(task, 1);
    const retry = chain.eventsOf("DistributionSubmitted").filter((event) => event.cycle === 1 && event.attempt === 1);
    assert.equal(retry.length, 1);
    assert.notEqual(retry[0]?.distributor, accountOf(liar), "attempt 1's list is another node's");
    const again = chain.submitList(liar, task, 1, 1, lie);
    assert.ok(!again.ok, "a failed distributor may not post again in the cycle");
    // A slashed distributor is no longer a valid submitter of the cycle: the honest four share the bounty.
    assert.equal(getReveal(chain.state, task, 1, accountOf(liar))?.status, "invalid");
    const paid = vestedIn(payout, 1);
    assert.equal(paid.size, 4);
    assert.equal(paid.get(accountOf(liar)), undefined, "the liar is not paid");
    for (const name of others) assert.equal(paid.get(accountOf(name)), (100n * T) / 4n);
    assert.equal(only(payout, "DistributionAccepted").attempt, 1);
  });

  it("a window where nobody posts fails the attempt, with no mark and no slash; the next attempt pays (custom rule)", () => {
    const custom = { distributionRule: "custom" } as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T }, custom);
    chain.playSubmissions(task, 1, honestProofs(FOUR, 1));
    const windows = chain.windows(task, 1);
    const events = chain.advanceTo(windows.distribution.closesAt);
    const rejected = only(events, "DistributionRejected");
    assert.deepEqual([rejected.reason, rejected.distributor], ["missing", null]);
    for (const name of FOUR) assert.equal(getNode(chain.state, task, accountOf(name))?.missedDuties, 0);
    assert.deepEqual(getCycle(chain.state, task, 1)?.failedDistributors, [], "nobody was drawn, nobody failed");
    const payout = chain.payCycle(task, 1);
    assert.equal(vestedIn(payout, 1).size, 4);
    assert.equal(chain.eventsOf("Slashed").length, 0);
  });

  it("a better-drawn poster replaces the list in force; a worse one is refused (custom rule)", () => {
    const custom = { distributionRule: "custom" } as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T }, custom);
    chain.playSubmissions(task, 1, honestProofs(FOUR, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.distribution.opensAt);
    const winner = chain.distributorOf(task, 1) as string;
    const list = equalSplit(chain.state, task, 1);
    const losers = FOUR.filter((name) => name !== winner);
    const first = chain.submitList(losers[0] as string, task, 1, 0, list);
    assert.ok(first.ok, "the first list stands while it is the only one");
    const better = chain.submitList(winner, task, 1, 0, list);
    assert.ok(better.ok);
    const submitted = only(better.events, "DistributionSubmitted");
    assert.deepEqual([submitted.distributor, submitted.replaced], [accountOf(winner), accountOf(losers[0] as string)]);
    for (const name of losers) {
      const worse = chain.submitList(name, task, 1, 0, list);
      assert.equal(worse.ok ? "ok" : worse.code, "DISTRIBUTION__NOT_BETTER", name);
    }
    assert.equal(getCycle(chain.state, task, 1)?.distributor, accountOf(winner));
    const over = chain.send(winner, { ...listTx(task, 1, 0, list), total: 101n * T });
    assert.equal(over.ok ? "ok" : over.code, "DISTRIBUTION__OVER_BOUNTY");
    const tooMany = chain.send(winner, { ...listTx(task, 1, 0, list), entryCount: 5 });
    assert.equal(tooMany.ok ? "ok" : tooMany.code, "DISTRIBUTION__TOO_MANY_ENTRIES");
    chain.advanceTo(windows.distribution.closesAt);
    const closed = chain.submitList(winner, task, 1, 0, list);
    assert.equal(closed.ok ? "ok" : closed.code, "DISTRIBUTION__WINDOW_CLOSED");
  });
});

describe("claiming an entry of an accepted list (custom rule, protocol.md §6.4)", () => {
  function acceptedCycle() {
    const custom = { distributionRule: "custom" } as const;
    const setup = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T }, custom);
    const { chain, task } = setup;
    chain.playSubmissions(task, 1, honestProofs(FOUR, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.distribution.opensAt);
    const list = equalSplit(chain.state, task, 1);
    chain.submitList(chain.distributorOf(task, 1) as string, task, 1, 0, list);
    const events = chain.advanceTo(windows.distributionVotes.closesAt);
    return { ...setup, list, events };
  }
  const claimOf = (list: readonly DistributionEntry[], index: number, task: Hash) => ({
    kind: "claimDistribution" as const,
    task,
    cycle: 1,
    recipient: (list[index] as DistributionEntry).recipient,
    amount: (list[index] as DistributionEntry).amount,
    index,
    proof: listProof(list, index),
  });

  it("moves the entry into vesting from the acceptance round, once, for anyone who sends the proof", () => {
    const { chain, task, list, events } = acceptedCycle();
    const completed = only(events, "CycleCompleted");
    assert.deepEqual([completed.outcome, completed.paid, completed.returned], ["paid", 100n * T, 0n]);
    assert.equal(getCycle(chain.state, task, 1)?.reserved, 100n * T, "the total waits in the cycle for its claims");
    assert.equal(vestedIn(events, 1).size, 0, "nothing vests before a claim");
    const recipient = chain.nameOf(list[0]?.recipient as string);
    const sender = FOUR.find((name) => name !== recipient) as string;
    const claimed = chain.send(sender, claimOf(list, 0, task));
    assert.ok(claimed.ok, "anyone may send a recipient's claim");
    const vested = only(claimed.events, "Vested");
    const accepted = getCycle(chain.state, task, 1)?.completedRound as number;
    assert.deepEqual(
      [vested.node, vested.amount, vested.endRound],
      [list[0]?.recipient, 25n * T, accepted + DEVNET_PARAMS.vestingRounds],
    );
    const pool = getVesting(chain.state, task, list[0]?.recipient as string);
    // What the entry's own schedule from the acceptance has released is unlocked; the rest keeps its end.
    assert.equal((pool?.unlocked ?? 0n) + (pool?.locked ?? 0n), 25n * T);
    assert.ok((pool?.locked ?? 0n) > 0n, "claimed before the entry's schedule ended: part of it still locked");
    assert.equal(
      pool?.endAt,
      (accepted + DEVNET_PARAMS.vestingRounds) * VESTING_END_SCALE,
      "the pool ends with the list's schedule",
    );
    assert.equal(getCycle(chain.state, task, 1)?.reserved, 75n * T);
    const twice = chain.send(recipient, claimOf(list, 0, task));
    assert.equal(twice.ok ? "ok" : twice.code, "DISTRIBUTION__ALREADY_CLAIMED");
  });

  it("refuses a wrong amount, index or proof, and a cycle without an accepted list", () => {
    const { chain, task, list } = acceptedCycle();
    const name = chain.nameOf(list[1]?.recipient as string);
    const good = claimOf(list, 1, task);
    for (const bad of [
      { ...good, amount: good.amount + 1n },
      { ...good, index: 0 },
      { ...good, proof: good.proof.slice(1) },
      { ...good, proof: [...good.proof].reverse() },
    ]) {
      const result = chain.send(name, bad);
      assert.equal(result.ok ? "ok" : result.code, "DISTRIBUTION__BAD_PROOF");
    }
    const none = chain.send(name, { ...good, cycle: 2 });
    assert.equal(none.ok ? "ok" : none.code, "DISTRIBUTION__NO_LIST");
  });

  it("replays the recipient's slashes since the acceptance on a tranche claimed later", () => {
    const { chain, task, list } = acceptedCycle();
    const index = 2;
    const target = chain.nameOf(list[index]?.recipient as string);
    // Cycle 4 (after cycle 1's list was accepted in round 3): the target reveals garbage and the three others
    // uphold a trigger against it and slash it.
    chain.playSubmissions(task, 4, { ...honestProofs(FOUR, 4), [target]: proofOf(`garbage:${target}`) });
    const windows = chain.windows(task, 4);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const others = FOUR.filter((name) => name !== target);
    const trigger = chain.triggerProof(others[0] as string, task, 4, target);
    for (const name of others.slice(1)) chain.vote(name, task, 4, trigger, "invalid");
    const resolved = chain.advanceTo(windows.proofVotes.closesAt);
    const slash = resolved.find((event) => event.type === "Slashed");
    assert.ok(slash !== undefined, "the target was slashed after cycle 1's list was accepted");
    const slashRound = roundOf(chain.task(task), chain.slot - 1);
    const claimed = chain.send(target, claimOf(list, index, task));
    assert.ok(claimed.ok);
    // As if the tranche had been held since the acceptance: the slash cut the part still locked then, and what was
    // left vests from the slash to the tranche's original end.
    const accepted = getCycle(chain.state, task, 1)?.completedRound as number;
    const end = accepted + DEVNET_PARAMS.vestingRounds;
    const amount = 25n * T;
    const freed = (amount * BigInt(slashRound - accepted)) / BigInt(end - accepted);
    const cut = ((amount - freed) * BigInt(DEVNET_PARAMS.slashFractionBps)) / BigInt(BPS);
    assert.ok(freed > 0n && cut > 0n, "the slash came after part of the tranche had unlocked");
    const vesting = getVesting(chain.state, task, accountOf(target));
    assert.equal(vesting?.totalSlashed, cut);
    // Freed by the slash's round, plus what the rest has released since on its way to the tranche's end.
    assert.ok((vesting?.unlocked ?? 0n) >= freed);
    assert.equal((vesting?.unlocked ?? 0n) + (vesting?.locked ?? 0n), amount - cut);
    assert.equal(vesting?.locked === 0n ? end * VESTING_END_SCALE : vesting?.endAt, end * VESTING_END_SCALE);
    assert.equal(
      only(claimed.events, "Vested").amount,
      amount - cut,
      "what entered the vesting: the entry less the cut",
    );
    assert.equal(vesting?.totalVested, amount, "the entry's full amount counts as vested, the cut as slashed");
  });
});

describe("a node that committed and did not reveal", () => {
  it("is not paid for the cycle and keeps its balance and stake", () => {
    const names = ["a", "b", "c", "d", "n"] as const;
    const { chain, task } = setupTask(
      { a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, n: 100n * T },
      { distributionRule: "custom" },
    );
    const balance = chain.balance("n");
    chain.playSubmissions(task, 1, honestProofs(names, 1), [...FOUR]);
    assert.equal(getCycle(chain.state, task, 1)?.commitCount, 5);
    assert.equal(getCycle(chain.state, task, 1)?.revealCount, 4);
    assert.ok(!listRevealers(chain.state, task, 1).includes(accountOf("n")));
    const late = chain.send("n", {
      kind: "reveal",
      task,
      cycle: 1,
      proofDigest: honestProof("n", 1),
      salt: "0".repeat(64),
    });
    assert.equal(late.ok ? "ok" : late.code, "REVEAL__WINDOW_CLOSED");

    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.distribution.opensAt);
    const distributor = chain.distributorOf(task, 1) as string;
    assert.notEqual(distributor, "n");
    const withN = [...FOUR, "n"].map((name) => ({ recipient: accountOf(name), amount: 20n * T }));
    withN.sort((x, y) => (x.recipient < y.recipient ? -1 : 1));
    const tooLong = chain.submitList(distributor, task, 1, 0, withN);
    assert.equal(tooLong.ok ? "ok" : tooLong.code, "DISTRIBUTION__TOO_MANY_ENTRIES", "5 entries, 4 valid submitters");
    // A list paying n instead of d goes unnoticed by the ledger (auditors would catch it), but n cannot claim from it.
    withN.splice(
      withN.findIndex((entry) => entry.recipient === accountOf("d")),
      1,
    );
    assert.ok(chain.submitList(distributor, task, 1, 0, withN).ok);
    chain.advanceTo(windows.distributionVotes.closesAt);
    const index = withN.findIndex((entry) => entry.recipient === accountOf("n"));
    const refused = chain.send("n", {
      kind: "claimDistribution",
      task,
      cycle: 1,
      recipient: accountOf("n"),
      amount: 20n * T,
      index,
      proof: listProof(withN, index),
    });
    assert.equal(refused.ok ? "ok" : refused.code, "DISTRIBUTION__NOT_A_SUBMITTER");
    const list = equalSplit(chain.state, task, 1);
    assert.ok(!list.some((entry) => entry.recipient === accountOf("n")), "not in an honest list");
    const payout = chain.claimList(task, 1, withN);
    const paid = vestedIn(payout, 1);
    assert.equal(paid.size, 3, "the three listed submitters claim theirs");
    assert.equal(paid.get(accountOf("n")), undefined);
    assert.equal(chain.balance("n"), balance, "balance untouched");
    assert.equal(chain.stake(task, "n"), 100n * T, "not slashed");
    assert.equal(chain.vesting(task, "n"), 0n);
    assert.equal(getNode(chain.state, task, accountOf("n"))?.slashCount, 0);
    assert.equal(chain.eventsOf("Slashed").length, 0);
  });
});

describe("a proof its auditors could not fetch (availability challenge, protocol.md §5.6)", () => {
  it("unanswered: unpaid, nobody slashed, the bond returned; votes cannot decide availability", () => {
    const names = ["a", "b", "c", "d", "o"] as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, o: 100n * T });
    chain.playSubmissions(task, 1, honestProofs(names, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const balance = chain.funds(task, "a");
    const trigger = chain.triggerAvailability("a", task, 1, "o");
    const vote = chain.send("b", { kind: "vote", task, cycle: 1, trigger, choice: "invalid" });
    assert.equal(vote.ok ? "ok" : vote.code, "VOTE__AVAILABILITY_CHALLENGE");
    const events = chain.advanceTo(windows.proofVotes.closesAt);
    assert.equal(only(events, "TriggerResolved").resolution, "unavailable");
    assert.equal(events.filter((event) => event.type === "Slashed" || event.type === "BondForfeited").length, 0);
    assert.equal(chain.funds(task, "a"), balance, "bond returned");
    assert.equal(chain.stake(task, "o"), 100n * T);
    assert.equal(getReveal(chain.state, task, 1, accountOf("o"))?.status, "unavailable");
    const paid = vestedIn(chain.payCycle(task, 1), 1);
    assert.equal(paid.size, 4);
    assert.equal(paid.get(accountOf("o")), undefined);
  });

  it("answered by publishing the payload: the proof stays valid and is paid; a wrong payload is refused", () => {
    const names = ["a", "b", "c", "d", "o"] as const;
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, d: 100n * T, o: 100n * T });
    chain.playSubmissions(task, 1, honestProofs(names, 1));
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const trigger = chain.triggerAvailability("a", task, 1, "o");
    const wrong = chain.publish("o", task, 1, trigger, "something else");
    assert.equal(wrong.ok ? "ok" : wrong.code, "PUBLISH__DIGEST_MISMATCH");
    const stranger = chain.publish("b", task, 1, trigger, "o:1");
    assert.equal(stranger.ok ? "ok" : stranger.code, "PUBLISH__NO_CHALLENGE");
    const answered = chain.publish("o", task, 1, trigger, "o:1");
    assert.ok(answered.ok);
    assert.equal(only(answered.events, "TriggerResolved").resolution, "answered");
    assert.equal(getReveal(chain.state, task, 1, accountOf("o"))?.published, true);
    const again = chain.send("b", {
      kind: "triggerAudit",
      task,
      cycle: 1,
      target: accountOf("o"),
      triggerKind: "proof",
      verdict: "unavailable",
      attempt: 0,
      reasonDigest: sha256Hex("x"),
    });
    assert.equal(again.ok ? "ok" : again.code, "AUDIT__ALREADY_TRIGGERED", "a published payload is available");
    chain.advanceTo(windows.proofVotes.closesAt);
    const paid = vestedIn(chain.payCycle(task, 1), 1);
    assert.equal(paid.size, 5, "the challenged node is paid like the others");
  });
});

// The whale (protocol.md §3, §12): a stake bought just now must not outvote established honest nodes. -------------

type WhaleOutcome = {
  /** Per attack round: the refusal code, or the trigger's resolution. */
  readonly results: readonly string[];
  readonly victimStake: bigint;
  readonly victimStakeBefore: bigint;
  readonly whaleBalanceLost: bigint;
  readonly victimBondsReceived: bigint;
  readonly slashedVictim: boolean;
  readonly weights: readonly (readonly [invalid: bigint, valid: bigint])[];
};

/**
 * Honest nodes a, b, c work every cycle from cycle 2. The whale stakes at the start of round r = 3 and in each round
 * r..r+2 triggers a's valid proof of the cycle under review (its own weight counts as `invalid`); b and c vote
 * `valid`; a, the target, cannot vote.
 */
function whaleAttack(params: Partial<TaskParams>, honestStake: bigint, whaleStake: bigint): WhaleOutcome {
  const honest = ["a", "b", "c"] as const;
  const chain = new TestChain({
    creator: 100_000n * T,
    a: honestStake + 100n * T,
    b: honestStake + 100n * T,
    c: honestStake + 100n * T,
    whale: whaleStake + 100n * T,
  });
  const task = chain.createTask("creator", params, 10_000n * T);
  for (const name of honest) chain.stakeIn(task, name, honestStake);
  const r = 3;
  const commit = (cycle: number) => {
    chain.advanceTo(chain.windows(task, cycle).commit.opensAt);
    for (const name of honest) chain.commit(name, task, cycle, honestProof(name, cycle));
  };
  commit(r - 1);
  const victimStakeBefore = chain.stake(task, "a");
  // Bonds only: what came back or was forfeited is credited into vesting's unlocked part (Credited events), beside
  // the released rewards the pool also moves there (deviation 42).
  const whaleBalance = chain.balance("whale") - whaleStake;
  const whaleCredited = chain.credited(task, "whale");
  const victimCredited = chain.credited(task, "a");
  const results: string[] = [];
  const weights: (readonly [bigint, bigint])[] = [];
  for (let round = r; round <= r + 2; round += 1) {
    const cycle = round - 1;
    const windows = chain.windows(task, cycle);
    chain.advanceTo(windows.reveal.opensAt);
    if (round === r) chain.stakeIn(task, "whale", whaleStake);
    for (const name of honest) chain.reveal(name, task, cycle, honestProof(name, cycle));
    chain.advanceTo(windows.proofTriggers.opensAt);
    const attack = chain.send("whale", {
      kind: "triggerAudit",
      task,
      cycle,
      target: accountOf("a"),
      triggerKind: "proof",
      verdict: "invalid",
      attempt: 0,
      reasonDigest: proofOf("whale says no"),
    });
    if (!attack.ok) {
      results.push(attack.code);
    } else {
      const trigger = attack.events.find((event) => event.type === "AuditTriggered");
      assert.ok(trigger?.type === "AuditTriggered");
      chain.vote("b", task, cycle, trigger.trigger, "valid");
      chain.vote("c", task, cycle, trigger.trigger, "valid");
      const events = chain.advanceTo(windows.proofVotes.closesAt);
      const resolved = only(events, "TriggerResolved");
      results.push(resolved.resolution);
      weights.push([resolved.invalidWeight, resolved.validWeight]);
    }
    commit(round);
  }
  return {
    results,
    victimStakeBefore,
    victimStake: chain.stake(task, "a"),
    whaleBalanceLost: whaleBalance - chain.balance("whale") - (chain.credited(task, "whale") - whaleCredited),
    victimBondsReceived: chain.credited(task, "a") - victimCredited,
    slashedVictim: chain.eventsOf("Slashed").some((event) => event.node === accountOf("a")),
    weights,
  };
}

describe("a whale that just staked", () => {
  it("with 49% of the stake cannot slash an honest node in its first rounds (warm-up, then the ramp)", () => {
    assert.equal(DEVNET_PARAMS.warmupRounds, 1);
    assert.equal(DEVNET_PARAMS.rampRounds, 3);
    const honest = 170n * T;
    const whale = 490n * T; // 490 / (490 + 3 * 170) = 49%
    const outcome = whaleAttack({}, honest, whale);
    // Warm-up: no weight. Ramp age 1: a third of its stake, 24% of the voted weight: rejected. Age 2: 49% of the voted
    // weight, more than 1 − slashQuorum (a third): enough to dispute the proof (unpaid this cycle, nobody slashed,
    // and the whale gains nothing: the share returns to the escrow), far from the two thirds a slash needs.
    assert.deepEqual(outcome.results, ["NODE__NOT_ACTIVE", "rejected", "disputed"]);
    // Its first active round weighs a third of its stake, the second two thirds; b and c weigh in full.
    assert.deepEqual(outcome.weights, [
      [whale / 3n, 2n * honest],
      [(whale * 2n) / 3n, 2n * honest],
    ]);
    assert.equal(outcome.slashedVictim, false);
    assert.equal(outcome.victimStake, outcome.victimStakeBefore, "the honest node keeps its stake");
    assert.equal(outcome.whaleBalanceLost, DEVNET_PARAMS.triggerBond, "one bond lost, the disputed one returned");
    assert.equal(outcome.victimBondsReceived, DEVNET_PARAMS.triggerBond, "paid to the target");
  });

  it("without warm-up and ramp, a 67% whale gets the honest proof unpaid but cannot slash it", () => {
    const outcome = whaleAttack({ warmupRounds: 0, rampRounds: 0, slashSupermajorityBps: 7_700 }, 110n * T, 670n * T);
    assert.deepEqual(outcome.results, ["upheld", "upheld", "upheld"]);
    assert.equal(outcome.slashedVictim, false, "67% is under the 77% supermajority a slash needs");
    assert.equal(outcome.victimStake, outcome.victimStakeBefore);
  });

  it("contrast: without warm-up and ramp, an 85% whale slashes the same honest node at once", () => {
    const outcome = whaleAttack({ warmupRounds: 0, rampRounds: 0 }, 110n * T, 1_870n * T);
    assert.deepEqual(outcome.results, ["upheld", "upheld", "upheld"]);
    assert.equal(outcome.slashedVictim, true);
    const keep = BigInt(BPS - DEVNET_PARAMS.slashFractionBps);
    let expected = outcome.victimStakeBefore;
    for (let round = 0; round < 3; round += 1) expected = (expected * keep) / BigInt(BPS);
    assert.equal(outcome.victimStake, expected, "half the stake is lost at each upheld trigger");
  });
});

describe("leaving does not dodge a pending trigger (protocol.md deviation 14)", () => {
  it("tasks must keep stake bonded for the whole pipeline: unbondingRounds below 2 is refused", () => {
    for (const unbondingRounds of [0, 1]) {
      const problems = findParamsProblems({ ...DEVNET_PARAMS, unbondingRounds });
      assert.equal(problems[0]?.field, "unbondingRounds");
    }
    assert.deepEqual(findParamsProblems({ ...DEVNET_PARAMS, unbondingRounds: 2 }), []);
  });

  it("a node that revealed garbage and unstaked at once is still slashed (at the minimum unbondingRounds)", () => {
    const { chain, task } = setupTask({ a: 100n * T, b: 100n * T, c: 100n * T, g: 100n * T }, { unbondingRounds: 2 });
    chain.playSubmissions(task, 1, { ...honestProofs(["a", "b", "c"], 1), g: proofOf("garbage") });
    const before = chain.balance("g") + chain.stake(task, "g");
    chain.send("g", { kind: "unstake", task });
    const refused = chain.send("g", { kind: "withdraw", task });
    assert.equal(refused.ok ? "ok" : refused.code, "WITHDRAW__STILL_BONDED");
    const windows = chain.windows(task, 1);
    chain.advanceTo(windows.proofTriggers.opensAt);
    const trigger = chain.triggerProof("a", task, 1, "g");
    for (const name of ["b", "c"]) chain.vote(name, task, 1, trigger, "invalid");
    const events = chain.advanceTo(windows.proofVotes.closesAt);
    assert.equal(only(events, "TriggerResolved").resolution, "upheld");
    const expected = (100n * T * BigInt(DEVNET_PARAMS.slashFractionBps)) / BigInt(BPS);
    assert.equal(only(events, "Slashed").fromStake, expected, "slashFraction of the stake it is unbonding");
    assert.equal(chain.balance("g") + chain.stake(task, "g"), before - expected);
  });
});
