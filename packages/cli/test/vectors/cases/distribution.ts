import { accountOf } from "../builder.ts";
import {
  NODE_NAMES,
  NODES,
  othersThan,
  submitHonestList,
  taskWithNodes,
  toDistribution,
  transferBody,
  type VectorCase,
  workCycle,
} from "../scenarios.ts";

/**
 * Distribution lists and their claims (protocol.md §6, §7). bob (300), carol (200) and dave (100) revealed cycle 0;
 * any of them may post a list in the distribution window [30, 32), and the race between posters (§6.1) decides which
 * list stands. The honest list pays each valid submitter 333; it is posted as a Merkle root, and each entry is
 * claimed with its proof once the list is accepted at slot 37 (round 2).
 */
export const DISTRIBUTION_CASES: readonly VectorCase[] = [
  {
    path: "submitDistribution/accepted",
    description:
      "The race's winner for cycle 0 posts the honest list (3 entries, 333 each) in slot 30: one transaction with the list's Merkle root, blob hash, total and size; the cycle names it as the poster in force.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0));
    },
  },
  {
    path: "submitDistribution/accepted-replaced",
    description:
      "A node that loses the race posts the honest list first; in the same slot the race's winner posts a list paying dave 0: its poster beats the first one's, so it replaces it (DistributionSubmitted names the replaced poster).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const winner = toDistribution(b, 0);
      const loser = othersThan(winner)[0] ?? "bob";
      const entries = b
        .honestList(0)
        .map((entry) => (entry.recipient === accountOf("dave") ? { ...entry, amount: 0n } : entry));
      b.begin();
      b.submitList(loser, 0, b.honestList(0));
      b.submitList(winner, 0, entries);
    },
  },
  {
    path: "submitDistribution/accepted-second-attempt",
    description:
      "Nobody posts a list for cycle 0 in attempt 0's window [30, 32): the attempt fails at slot 32 (nobody is slashed or marked) and attempt 1 opens with round 3. In slot 40, the first slot of its list window, the race's winner posts the honest list as attempt 1: accepted.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.advanceTo(40);
      const distributor = b.distributorOf(0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0), { attempt: 1 });
    },
  },
  {
    path: "submitDistribution/rejected-not-better",
    description:
      "The race's winner posted its list; another valid submitter then posts one: DISTRIBUTION__NOT_BETTER (context: the poster in force).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      b.begin();
      b.submitList(othersThan(distributor)[0] ?? "bob", 0, b.honestList(0), { expect: "DISTRIBUTION__NOT_BETTER" });
    },
  },
  {
    path: "submitDistribution/rejected-window-closed",
    description:
      "The distributor posted its list in slot 30 and sends it again in slot 32, after the distribution window [30, 32): DISTRIBUTION__WINDOW_CLOSED.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = submitHonestList(b, 0);
      b.advanceTo(32);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0), { expect: "DISTRIBUTION__WINDOW_CLOSED" });
    },
  },
  {
    path: "submitDistribution/rejected-wrong-attempt",
    description: "The race's winner posts its list as attempt 1 while attempt 0 runs: DISTRIBUTION__WRONG_ATTEMPT.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0), { attempt: 1, expect: "DISTRIBUTION__WRONG_ATTEMPT" });
    },
  },
  {
    path: "submitDistribution/rejected-not-a-submitter",
    description:
      "erin staked but revealed nothing in cycle 0, and posts a list: DISTRIBUTION__NOT_A_SUBMITTER (context: erin). Only a valid submitter of the cycle may post.",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      taskWithNodes(b, {}, 5_000n, { ...NODES, erin: 400n });
      workCycle(b, 0);
      toDistribution(b, 0);
      b.begin();
      b.submitList("erin", 0, b.honestList(0), { expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
    },
  },
  {
    path: "submitDistribution/rejected-over-bounty",
    description: "A list paying 334 + 334 + 333 = 1001 out of a reserved bounty of 1000: DISTRIBUTION__OVER_BOUNTY.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      const entries = b.honestList(0).map((entry, index) => ({ ...entry, amount: index < 2 ? 334n : 333n }));
      b.begin();
      b.submitList(distributor, 0, entries, { expect: "DISTRIBUTION__OVER_BOUNTY" });
    },
  },
  {
    path: "submitDistribution/rejected-too-many-entries",
    description:
      "A list that says it has 4 entries when cycle 0 has 3 valid submitters: DISTRIBUTION__TOO_MANY_ENTRIES (a list pays each valid submitter at most once).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0), { entryCount: 4, expect: "DISTRIBUTION__TOO_MANY_ENTRIES" });
    },
  },
  {
    path: "submitDistribution/rejected-slashed-distributor",
    description:
      "erin (400) staked with the three nodes but does not submit. The distributor of cycle 0 attempt 0 was slashed at slot 37 for a list paying itself everything (the two other submitters and erin voted invalid: more than two thirds of the weight, the distributor's own included). In slot 40 it posts a list for attempt 1: DISTRIBUTION__NOT_A_SUBMITTER, because its proof is no longer valid and it already failed as distributor of the cycle (§6.1, §6.5).",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      taskWithNodes(b, {}, 5_000n, { ...NODES, erin: 400n });
      workCycle(b, 0);
      const cheater = toDistribution(b, 0);
      b.submitList(cheater, 0, [{ recipient: accountOf(cheater), amount: 1_000n }]);
      const [first, second] = othersThan(cheater);
      b.advanceTo(32);
      b.trigger(first ?? "bob", 0, accountOf(cheater), { kind: "distribution" });
      b.advanceTo(33);
      b.vote(second ?? "carol", 0, 0, "invalid");
      b.vote("erin", 0, 0, "invalid");
      b.advanceTo(40);
      const entries = NODE_NAMES.map((name) => ({ recipient: accountOf(name), amount: 333n })).sort((left, right) =>
        left.recipient < right.recipient ? -1 : 1,
      );
      b.begin();
      b.submitList(cheater, 0, entries, { note: "the slashed distributor", expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
    },
  },
  {
    path: "submitDistribution/accepted-zero-amount",
    description:
      "In a task with distributionRule custom, the list pays dave 0 and the two others 333 each: a zero amount is allowed in an entry; it can never be claimed, and what the list does not pay returns to the escrow when the cycle completes.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      const entries = b
        .honestList(0)
        .map((entry) => (entry.recipient === accountOf("dave") ? { ...entry, amount: 0n } : entry));
      b.begin();
      b.submitList(distributor, 0, entries);
    },
  },
  {
    path: "submitDistribution/rejected-paid-by-rule",
    description:
      "In a task with distributionRule weighted, cycle 0 paid itself at the start of round 2 (no list); in slot 30 bob posts a list paying himself: DISTRIBUTION__PAID_BY_RULE (context: the rule). Lists exist only under the custom rule (protocol.md §6.2).",
    build(b) {
      taskWithNodes(b, { distributionRule: "weighted" });
      workCycle(b, 0);
      b.advanceTo(30);
      b.begin();
      b.submitList("bob", 0, [{ recipient: accountOf("bob"), amount: 1_000n }], {
        expect: "DISTRIBUTION__PAID_BY_RULE",
      });
    },
  },
  {
    path: "claimDistribution/accepted",
    description:
      "Cycle 0's honest list was accepted at slot 37 (round 2) and its 999 stay reserved in the cycle. In slot 38 carol sends bob's claim of his entry (333, index and Merkle proof): it moves from the cycle into bob's vesting pool, released linearly over rounds [2, 4) from the acceptance round (deviation 42), and the claim records the 333 that entered his vesting.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(38);
      b.begin();
      b.claimEntry("carol", 0, b.honestList(0), "bob");
    },
  },
  {
    path: "claimDistribution/accepted-slash-replayed",
    description:
      "dave's entry of cycle 0 (333) was accepted at slot 37, and in the same slot the trigger against his cycle 1 proof was upheld at 50%: the slash is logged. dave claims in slot 38: the entry's schedule runs from round 2 as if it had been held since the acceptance, the logged slash is replayed on it (166 burned), and Vested carries the 167 that enter his vesting. Claiming late does not shield a reward from a slash (§6.4, §7.2).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      workCycle(b, 1);
      submitHonestList(b, 0);
      b.advanceTo(32);
      b.trigger("bob", 1, accountOf("dave"));
      b.advanceTo(33);
      b.vote("carol", 1, 0, "invalid");
      b.advanceTo(38);
      b.begin();
      b.claimEntry("dave", 0, b.honestList(0), "dave");
    },
  },
  {
    path: "claimDistribution/rejected-already-claimed",
    description: "bob's entry of cycle 0 was claimed in slot 38; claiming it again: DISTRIBUTION__ALREADY_CLAIMED.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      const list = b.honestList(0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, list, "bob");
      b.begin();
      b.claimEntry("bob", 0, list, "bob", { expect: "DISTRIBUTION__ALREADY_CLAIMED" });
    },
  },
  {
    path: "claimDistribution/rejected-bad-proof",
    description:
      "bob claims 334 with the proof of his 333 entry: the leaf does not lead to the accepted root: DISTRIBUTION__BAD_PROOF.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(38);
      b.begin();
      b.claimEntry("bob", 0, b.honestList(0), "bob", { amount: 334n, expect: "DISTRIBUTION__BAD_PROOF" });
    },
  },
  {
    path: "claimDistribution/rejected-claim-window-closed",
    description:
      "Cycle 0's list was accepted at slot 37 (round 2) and bob claimed his entry at slot 38. Its claim window closed at the start of round 2 + listClaimRounds (slot 190), where the 666 nobody claimed returned to the escrow. In slot 190 carol sends dave's claim of his entry, with a valid proof: DISTRIBUTION__CLAIM_WINDOW_CLOSED, decided from the cycle record alone (the core has pruned the cycle's list by now; a contract keeps it), so nothing is paid twice.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      const list = b.honestList(0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, list, "bob");
      b.advanceTo(190);
      b.begin();
      b.claimEntry("carol", 0, list, "dave", { expect: "DISTRIBUTION__CLAIM_WINDOW_CLOSED" });
    },
  },
  {
    path: "claimDistribution/rejected-no-list",
    description:
      "In slot 34 the list of cycle 0 is posted but not accepted yet (its vote window closes at 37): claiming an entry is DISTRIBUTION__NO_LIST.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(34);
      b.begin();
      b.claimEntry("bob", 0, b.honestList(0), "bob", { expect: "DISTRIBUTION__NO_LIST" });
    },
  },
  {
    path: "claimDistribution/rejected-not-a-submitter",
    description:
      "erin staked but revealed nothing in cycle 0. The posted list paid her instead of dave and nobody contested it, so it was accepted at slot 37; erin's claim of her entry is DISTRIBUTION__NOT_A_SUBMITTER (context: erin): a list pays only valid submitters, whatever it says.",
    build(b) {
      b.send("alice", transferBody("erin", 1_000n));
      taskWithNodes(b, {}, 5_000n, { ...NODES, erin: 400n });
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      const entries = b
        .honestList(0)
        .map((entry) => (entry.recipient === accountOf("dave") ? { ...entry, recipient: accountOf("erin") } : entry))
        .sort((left, right) => (left.recipient < right.recipient ? -1 : 1));
      b.submitList(distributor, 0, entries);
      b.advanceTo(38);
      b.begin();
      b.claimEntry("erin", 0, entries, "erin", { expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
    },
  },
  {
    path: "claim/accepted",
    description:
      "bob's 333 for cycle 0 vest over rounds [2, 4) from the list's acceptance; he claimed his entry in slot 38, and in round 3 (slot 40) he claims 167: half of the pool, floored once on what stays locked (deviation 42).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, b.honestList(0), "bob");
      b.advanceTo(40);
      b.begin();
      b.claim("bob");
    },
  },
  {
    path: "claim/rejected-nothing-claimable",
    description:
      "bob's entry of cycle 0 was claimed in slot 38 (round 2, the round its list was accepted) and nothing has unlocked yet: CLAIM__NOTHING_CLAIMABLE.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(38);
      b.claimEntry("bob", 0, b.honestList(0), "bob");
      b.begin();
      b.claim("bob", { expect: "CLAIM__NOTHING_CLAIMABLE" });
    },
  },
];
