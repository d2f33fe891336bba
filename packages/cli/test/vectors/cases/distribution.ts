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
 * Distribution lists and claims (protocol.md §6, §7). bob (300), carol (200) and dave (100) revealed cycle 0; its
 * distributor is drawn at slot 30 and posts in [30, 32). The honest list pays each valid submitter 333.
 */
export const DISTRIBUTION_CASES: readonly VectorCase[] = [
  {
    path: "submitDistribution/accepted",
    description:
      "The distributor drawn for cycle 0 posts the honest list (3 entries, 333 each) in one chunk in slot 30: the list record is complete with its digest.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0));
    },
  },
  {
    path: "submitDistribution/accepted-chunked",
    description:
      "The distributor posts the list in 2 chunks (1 entry, then 2): after chunk 0 the list is receiving, after chunk 1 complete; the digest chains both chunks.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      const list = b.honestList(0);
      b.begin();
      b.submitList(distributor, 0, list.slice(0, 1), { chunk: 0, chunkCount: 2 });
      b.submitList(distributor, 0, list.slice(1), { chunk: 1, chunkCount: 2 });
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
    path: "submitDistribution/rejected-not-selected",
    description:
      "A node that was not drawn posts a list for cycle 0: DISTRIBUTION__NOT_SELECTED (context: the distributor).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(othersThan(distributor)[0] ?? "bob", 0, b.honestList(0), { expect: "DISTRIBUTION__NOT_SELECTED" });
    },
  },
  {
    path: "submitDistribution/rejected-wrong-attempt",
    description: "The distributor of attempt 0 posts its list as attempt 1: DISTRIBUTION__WRONG_ATTEMPT.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0), { attempt: 1, expect: "DISTRIBUTION__WRONG_ATTEMPT" });
    },
  },
  {
    path: "submitDistribution/rejected-chunk-out-of-order",
    description: "The distributor sends chunk 1 of 2 first: DISTRIBUTION__CHUNK_OUT_OF_ORDER (expected chunk 0).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0).slice(1), {
        chunk: 1,
        chunkCount: 2,
        expect: "DISTRIBUTION__CHUNK_OUT_OF_ORDER",
      });
    },
  },
  {
    path: "submitDistribution/rejected-not-sorted",
    description:
      "The honest entries in descending recipient order: DISTRIBUTION__NOT_SORTED (strictly ascending required).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0).reverse(), { expect: "DISTRIBUTION__NOT_SORTED" });
    },
  },
  {
    path: "submitDistribution/rejected-not-a-submitter",
    description:
      "The list also pays erin, who revealed nothing in cycle 0 (entries still ascending): DISTRIBUTION__NOT_A_SUBMITTER (context: erin).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      const distributor = toDistribution(b, 0);
      const entries = [...b.honestList(0).map((entry) => ({ ...entry, amount: 250n }))];
      entries.push({ recipient: accountOf("erin"), amount: 250n });
      entries.sort((left, right) => (left.recipient < right.recipient ? -1 : 1));
      b.begin();
      b.submitList(distributor, 0, entries, { expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
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
    path: "submitDistribution/rejected-slashed-distributor",
    description:
      "erin (400) staked with the three nodes but does not submit. The distributor of cycle 0 attempt 0 was slashed at slot 37 for a list paying itself everything (the two other submitters and erin voted invalid: more than two thirds of the weight, the distributor's own included). At slot 40 the new distributor posts a list for attempt 1 that still pays the slashed node: DISTRIBUTION__NOT_A_SUBMITTER, because a cycle pays only valid, unslashed submitters (§6.2, §11.2).",
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
      const next = b.distributorOf(0);
      const entries = NODE_NAMES.map((name) => ({ recipient: accountOf(name), amount: 333n })).sort((left, right) =>
        left.recipient < right.recipient ? -1 : 1,
      );
      b.begin();
      b.submitList(next, 0, entries, { note: "pays the slashed distributor", expect: "DISTRIBUTION__NOT_A_SUBMITTER" });
    },
  },
  {
    path: "submitDistribution/accepted-zero-amount",
    description:
      "In a task with distributionRule custom, the distributor's list pays dave 0 and the two others 333 each: a zero amount is allowed in an entry (a ledger-computed rule lists every valid submitter, even one whose share floors to 0); it creates no vesting tranche when the list is paid.",
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
      "In a task with distributionRule weighted, cycle 0 paid itself at the start of round 2 (no distributor was drawn); in slot 30 bob posts a list paying himself: DISTRIBUTION__PAID_BY_RULE (context: the rule). Lists exist only under the custom rule (protocol.md §6.2).",
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
    path: "claim/accepted",
    description:
      "bob's 333 for cycle 0 vest over rounds [2, 4); in round 3 (slot 40) he claims half (166) and his tranche records what he claimed.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(40);
      b.begin();
      b.claim("bob");
    },
  },
  {
    path: "claim/rejected-nothing-claimable",
    description:
      "bob's tranche was accepted at slot 37 (round 2) and nothing has unlocked yet in its first round: CLAIM__NOTHING_CLAIMABLE.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      submitHonestList(b, 0);
      b.advanceTo(37);
      b.begin();
      b.claim("bob", { expect: "CLAIM__NOTHING_CLAIMABLE" });
    },
  },
];
