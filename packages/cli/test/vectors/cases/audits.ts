import { accountOf } from "../builder.ts";
import {
  othersThan,
  paidCycleZero,
  proofFoundInvalid,
  submitHonestList,
  taskWithNodes,
  toDistribution,
  transferBody,
  type VectorCase,
  workCycle,
} from "../scenarios.ts";

/** Triggers and votes (protocol.md §5, §6.3). In each case bob (300), carol (200) and dave (100) revealed cycle 0. */
export const AUDIT_CASES: readonly VectorCase[] = [
  {
    path: "triggerAudit/accepted-proof",
    description:
      "bob triggers an audit of dave's cycle 0 proof in slot 22: his bond (10) is locked, trigger 0 closes at slot 27, and his weight (300) is its first invalid vote.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"));
    },
  },
  {
    path: "triggerAudit/accepted-distribution",
    description:
      "The selected distributor posted a list for cycle 0 in slot 30; another node triggers an audit of that list in slot 32 (list trigger window [32, 35)); the list is marked triggered.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      b.advanceTo(32);
      b.begin();
      b.trigger(othersThan(distributor)[0] ?? "bob", 0, accountOf(distributor), { kind: "distribution" });
    },
  },
  {
    path: "triggerAudit/rejected-window-closed",
    description:
      "bob triggers against dave's proof in slot 25; proof triggers are accepted in [22, 25): AUDIT__WINDOW_CLOSED, no bond taken.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(25);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"), { expect: "AUDIT__WINDOW_CLOSED" });
    },
  },
  {
    path: "triggerAudit/rejected-target-not-revealed",
    description: "bob triggers against erin, who has no revealed proof in cycle 0: AUDIT__TARGET_NOT_REVEALED.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("bob", 0, accountOf("erin"), { expect: "AUDIT__TARGET_NOT_REVEALED" });
    },
  },
  {
    path: "triggerAudit/rejected-self-target",
    description: "bob triggers an audit of his own proof: AUDIT__SELF_TARGET.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("bob", 0, accountOf("bob"), { expect: "AUDIT__SELF_TARGET" });
    },
  },
  {
    path: "triggerAudit/rejected-already-triggered",
    description:
      "bob triggered against dave's proof; carol triggers the same proof: AUDIT__ALREADY_TRIGGERED (context: trigger 0), she should vote on it instead.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.trigger("carol", 0, accountOf("dave"), { expect: "AUDIT__ALREADY_TRIGGERED" });
    },
  },
  {
    path: "triggerAudit/rejected-trigger-limit",
    description:
      "With maxTriggersPerNodePerCycle 1, bob triggers against dave, then against carol: AUDIT__TRIGGER_LIMIT, his second bond is not taken.",
    build(b) {
      taskWithNodes(b, { maxTriggersPerNodePerCycle: 1 });
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"));
      b.trigger("bob", 0, accountOf("carol"), { expect: "AUDIT__TRIGGER_LIMIT" });
    },
  },
  {
    path: "triggerAudit/rejected-no-distribution",
    description:
      "In slot 30 nobody has posted a list for cycle 0 yet; a list trigger against the node that would win the race is AUDIT__NO_DISTRIBUTION.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.trigger(othersThan(distributor)[0] ?? "bob", 0, accountOf(distributor), {
        kind: "distribution",
        expect: "AUDIT__NO_DISTRIBUTION",
      });
    },
  },
  {
    path: "triggerAudit/accepted-availability-challenge",
    description:
      "dave opens an availability challenge against bob's cycle 0 proof in slot 22 (verdict unavailable): his bond (10) is locked and trigger 0 closes at slot 27 like a proof trigger, but no vote is recorded (not even dave's own): bob answers by publishing his payload.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
    },
  },
  {
    path: "triggerAudit/accepted-late",
    description:
      "Cycle 0 was paid at slot 37 (round 2), so its proofs can be challenged late until the end of round 3 (vestingRounds 2): bob triggers against dave's cycle 0 proof in slot 40. The trigger is late, its vote window is its own (closes at 40 + auditSlots + voteSlots = 45), and the task lists it in lateTriggers.",
    build(b) {
      paidCycleZero(b, 40);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"));
    },
  },
  {
    path: "triggerAudit/rejected-late-window-closed",
    description:
      "Cycle 0's list was accepted at slot 37 (round 2); its late challenge window ended with round 3 (slot 50), though the cycle is kept while its entries stay claimable (§6.4). bob triggers against dave's cycle 0 proof in slot 50: AUDIT__WINDOW_CLOSED.",
    build(b) {
      paidCycleZero(b, 50);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"), { expect: "AUDIT__WINDOW_CLOSED" });
    },
  },
  {
    path: "triggerAudit/accepted-appeal",
    description:
      "A weighted task (bob 300, carol 100, dave 150). bob's trigger against dave's cycle 0 proof was upheld below the slash supermajority (400 of 550), so the proof is invalid; cycle 0 paid itself at slot 30. In slot 40, inside the late-challenge window, dave appeals his own proof (verdict valid, §5.8): his bond is locked, trigger 1 is late and closes at 45, and it records no vote (dave's weight counts as the target's, on the valid side).",
    build(b) {
      proofFoundInvalid(b);
      b.advanceTo(40);
      b.begin();
      b.trigger("dave", 0, accountOf("dave"), { verdict: "valid" });
    },
  },
  {
    path: "triggerAudit/rejected-not-appealable",
    description:
      "Cycle 0 was paid at slot 37; in slot 40 carol appeals bob's proof, which is valid: AUDIT__NOT_APPEALABLE (only a proof found invalid can be appealed, §5.8). An appeal of an invalid proof before its cycle completes is refused the same way.",
    build(b) {
      paidCycleZero(b, 40);
      b.begin();
      b.trigger("carol", 0, accountOf("bob"), { verdict: "valid", expect: "AUDIT__NOT_APPEALABLE" });
    },
  },
  {
    path: "triggerAudit/rejected-verdict-not-allowed",
    description:
      "The distributor of cycle 0 posted its list; another node opens a list trigger with verdict unavailable: AUDIT__VERDICT_NOT_ALLOWED (a list is on the ledger, it cannot be unavailable).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      b.advanceTo(32);
      b.begin();
      b.trigger(othersThan(distributor)[0] ?? "bob", 0, accountOf(distributor), {
        kind: "distribution",
        verdict: "unavailable",
        expect: "AUDIT__VERDICT_NOT_ALLOWED",
      });
    },
  },
  {
    path: "triggerAudit/rejected-list-checked-by-ledger",
    description:
      "In a task with distributionRule weighted, cycle 0 paid itself by the rule at the start of round 2; in slot 32 bob triggers a distribution audit against carol: AUDIT__LIST_CHECKED_BY_LEDGER (the ledger computes every amount itself, so there is no list to contest).",
    build(b) {
      taskWithNodes(b, { distributionRule: "weighted" });
      workCycle(b, 0);
      b.advanceTo(32);
      b.begin();
      b.trigger("bob", 0, accountOf("carol"), {
        kind: "distribution",
        expect: "AUDIT__LIST_CHECKED_BY_LEDGER",
      });
    },
  },
  {
    path: "vote/accepted",
    description:
      "bob triggered against dave's proof; carol votes invalid in slot 23: her weight (200) is added to the trigger's running invalid tally.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.begin();
      b.vote("carol", 0, 0, "invalid");
    },
  },
  {
    path: "vote/accepted-ramped-weight",
    description:
      "With rampRounds 4, stake activated in round 0 weighs 2/4 in round 1: bob's trigger counts 150 of his 300 and carol's vote 100 of her 200 (protocol.md §3.3 trust ramp).",
    build(b) {
      taskWithNodes(b, { rampRounds: 4 });
      workCycle(b, 0);
      b.advanceTo(22);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.vote("carol", 0, 0, "invalid");
    },
  },
  {
    path: "vote/rejected-trigger-not-found",
    description: "carol votes on trigger 3 of cycle 0, which has one trigger: VOTE__TRIGGER_NOT_FOUND.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.vote("carol", 0, 3, "invalid", { expect: "VOTE__TRIGGER_NOT_FOUND" });
    },
  },
  {
    path: "vote/rejected-window-closed",
    description:
      "The trigger against dave resolved at slot 27 (end of its vote window); carol votes in slot 27: VOTE__WINDOW_CLOSED.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(27);
      b.begin();
      b.vote("carol", 0, 0, "invalid", { expect: "VOTE__WINDOW_CLOSED" });
    },
  },
  {
    path: "vote/rejected-duplicate",
    description: "carol votes invalid twice on the same trigger: the second is VOTE__DUPLICATE and counts nothing.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.vote("carol", 0, 0, "invalid");
      b.vote("carol", 0, 0, "invalid", { expect: "VOTE__DUPLICATE" });
    },
  },
  {
    path: "vote/rejected-equivocation",
    description:
      "carol votes invalid, then valid on the same trigger: VOTE__EQUIVOCATION, included; the second vote is not counted, her node's equivocations becomes 1 and an Equivocated event is emitted.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.vote("carol", 0, 0, "invalid");
      b.vote("carol", 0, 0, "valid", { expect: "VOTE__EQUIVOCATION" });
    },
  },
  {
    path: "vote/rejected-own-trigger",
    description: "dave votes valid on the trigger against his own proof: VOTE__OWN_TRIGGER.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.begin();
      b.vote("dave", 0, 0, "valid", { expect: "VOTE__OWN_TRIGGER" });
    },
  },
  {
    path: "vote/rejected-no-weight",
    description:
      "erin staked in round 1 (slot 20) and is still warming up (active from round 2); her vote in slot 23 is VOTE__NO_WEIGHT.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.send("alice", transferBody("erin", 1_000n));
      b.stake("erin", 500n);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.begin();
      b.vote("erin", 0, 0, "invalid", { expect: "VOTE__NO_WEIGHT" });
    },
  },
  {
    path: "vote/rejected-unavailable-not-allowed",
    description:
      "bob triggered against dave's proof (verdict invalid); carol votes 'unavailable' on it: VOTE__UNAVAILABLE_NOT_ALLOWED. A vote is valid or invalid; a proof that cannot be fetched is an availability challenge, settled on the ledger.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(23);
      b.begin();
      b.vote("carol", 0, 0, "unavailable", { expect: "VOTE__UNAVAILABLE_NOT_ALLOWED" });
    },
  },
  {
    path: "vote/rejected-unavailable-on-list",
    description:
      "A list trigger is open against the distributor of cycle 0; a vote 'unavailable' on it is VOTE__UNAVAILABLE_NOT_ALLOWED too (lists are on the ledger).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      const [first, second] = othersThan(distributor);
      b.advanceTo(32);
      b.trigger(first ?? "bob", 0, accountOf(distributor), { kind: "distribution" });
      b.begin();
      b.vote(second ?? "carol", 0, 0, "unavailable", { expect: "VOTE__UNAVAILABLE_NOT_ALLOWED" });
    },
  },
  {
    path: "vote/rejected-availability-challenge",
    description:
      "dave opened an availability challenge against bob's proof (verdict unavailable); carol votes invalid on it: VOTE__AVAILABILITY_CHALLENGE. Availability is settled by bob publishing his payload, not by votes, so no coalition can call a live proof unavailable.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(22);
      b.trigger("dave", 0, accountOf("bob"), { verdict: "unavailable" });
      b.advanceTo(23);
      b.begin();
      b.vote("carol", 0, 0, "invalid", { expect: "VOTE__AVAILABILITY_CHALLENGE" });
    },
  },
];
