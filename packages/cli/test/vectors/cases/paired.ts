import { sha256Hex, type TaskParams } from "@gradual/protocol";
import { accountOf, type VectorBuilder } from "../builder.ts";
import { commitAll, NODE_NAMES, taskWithNodes, toDistribution, type VectorCase } from "../scenarios.ts";

/**
 * Paired reveals (protocol.md §2.2, `revealSlots` 0): a cycle's reveals share the next cycle's commit window, so the
 * windows of cycle c are: commits in [17, 20) + 10c, reveals in [27, 30) + 10c (with the commits of cycle c + 1), the
 * seed fixed at 30 + 10c, proof triggers in [30, 33) + 10c, votes until 35 + 10c, attempt 0's list in round c + 3:
 * [40, 42) + 10c, list triggers in [42, 45) + 10c, settlement at 47 + 10c.
 */
const PAIRED = { revealSlots: 0 } as const;

/** Every node commits cycle 0, then reveals it with its commit of cycle 1 in slot 27; ends in slot 27. */
function pairedCycleZero(b: VectorBuilder, params: Partial<TaskParams> = {}): void {
  taskWithNodes(b, { ...PAIRED, ...params });
  commitAll(b, 0);
  b.advanceTo(27);
  for (const name of NODE_NAMES) b.commitAndReveal(name, 1);
}

export const PAIRED_CASES: readonly VectorCase[] = [
  {
    path: "commitAndReveal/accepted",
    description:
      "In slot 27 bob sends commitAndReveal for cycle 1: his reveal of cycle 0 (index 0, the salt folded into the accumulator) and his commit of cycle 1, in that order, events Revealed then Committed.",
    build(b) {
      taskWithNodes(b, PAIRED);
      commitAll(b, 0);
      b.advanceTo(27);
      b.begin();
      b.commitAndReveal("bob", 1);
    },
  },
  {
    path: "commitAndReveal/rejected-reveal-part",
    description:
      "bob's commitAndReveal opens his cycle 0 commitment with another salt: REVEAL__MISMATCH, and his commit of cycle 1 does not stand either (only the nonce moves).",
    build(b) {
      taskWithNodes(b, PAIRED);
      commitAll(b, 0);
      b.advanceTo(27);
      b.begin();
      b.commitAndReveal("bob", 1, { salt: sha256Hex("a different salt"), expect: "REVEAL__MISMATCH" });
    },
  },
  {
    path: "commitAndReveal/rejected-commit-part",
    description:
      "bob committed cycle 1 already and sends commitAndReveal for it: COMMIT__DUPLICATE, and his reveal of cycle 0, which was valid, is rolled back with it (revealCount stays 0).",
    build(b) {
      taskWithNodes(b, PAIRED);
      commitAll(b, 0);
      b.advanceTo(27);
      b.commit("bob", 1);
      b.begin();
      b.commitAndReveal("bob", 1, { expect: "COMMIT__DUPLICATE" });
    },
  },
  {
    path: "commitAndReveal/rejected-unpaired-task",
    description:
      "A task with its own reveal window (revealSlots 2): in slot 27, cycle 1's commit window, bob's commitAndReveal for cycle 1 is refused with REVEAL__WINDOW_CLOSED, its reveal part being checked first: cycle 0's reveals were due in [20, 22). Only a paired task opens both windows in one slot.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(27);
      b.begin();
      b.commitAndReveal("bob", 1, { expect: "REVEAL__WINDOW_CLOSED" });
    },
  },
  {
    path: "commitAndReveal/rejected-cycle-zero",
    description: "commitAndReveal for cycle 0 has no cycle before it to reveal: CYCLE__NOT_FOUND (cycle -1).",
    build(b) {
      taskWithNodes(b, PAIRED);
      b.advanceTo(17);
      b.begin();
      b.commitAndReveal("bob", 0, { expect: "CYCLE__NOT_FOUND" });
    },
  },
  {
    path: "createTask/accepted-paired-reveals",
    description:
      "alice creates a task with revealSlots 0 in slot 9: reveals are paired with the next cycle's commits (§2.2), and the review windows need only auditSlots + voteSlots (5) within roundSlots (10).",
    build(b) {
      b.advanceTo(9);
      b.begin();
      b.createTask(PAIRED);
    },
  },
  {
    path: "reveal/rejected-paired-at-round-start",
    description:
      "With paired reveals there is no reveal window at the start of round 1: bob's reveal of cycle 0 in slot 20 is refused with REVEAL__WINDOW_CLOSED (its window is [27, 30), cycle 1's commit window).",
    build(b) {
      taskWithNodes(b, PAIRED);
      commitAll(b, 0);
      b.advanceTo(20);
      b.begin();
      b.reveal("bob", 0, { expect: "REVEAL__WINDOW_CLOSED" });
    },
  },
  {
    path: "reveal/accepted-paired-with-next-commit",
    description:
      "In slot 27, the first slot of cycle 1's commit window, bob reveals his cycle 0 proof (index 0) and commits to his cycle 1 proof as two transactions, then carol does the same: the two windows are one.",
    build(b) {
      taskWithNodes(b, PAIRED);
      commitAll(b, 0);
      b.advanceTo(27);
      b.begin();
      b.reveal("bob", 0);
      b.commit("bob", 1);
      b.reveal("carol", 0);
      b.commit("carol", 1);
    },
  },
  {
    path: "windows/paired-seed-at-round-two",
    description:
      "Every node revealed cycle 0 in slot 27; dave's late reveal in slot 30 is refused (REVEAL__WINDOW_CLOSED): at slot 30, the start of round 2, the reveal window has closed and seed(0) is fixed with revealCount 3, before cycle 2 starts in the same slot.",
    build(b) {
      pairedCycleZero(b);
      b.advanceTo(29);
      b.begin();
      b.advanceTo(30);
      b.reveal("dave", 0, { expect: "REVEAL__WINDOW_CLOSED" });
    },
  },
  {
    path: "triggerAudit/rejected-paired-before-seed",
    description:
      "bob triggers against dave's cycle 0 proof in slot 29, while the reveal window is still open: AUDIT__WINDOW_CLOSED (the proof trigger window is [30, 33)).",
    build(b) {
      pairedCycleZero(b);
      b.advanceTo(29);
      b.begin();
      b.trigger("bob", 0, accountOf("dave"), { expect: "AUDIT__WINDOW_CLOSED" });
    },
  },
  {
    path: "windows/paired-audit-upheld",
    description:
      "bob (300) triggers against dave's cycle 0 proof in slot 30 and carol (200) votes invalid in slot 31: the proof vote window closes at slot 35 (a round later than without paired reveals), where the trigger is upheld with 500 of 600 and dave is slashed 50% of his stake (bob gets his bond back and 10% of the slash).",
    build(b) {
      pairedCycleZero(b);
      b.advanceTo(30);
      b.trigger("bob", 0, accountOf("dave"));
      b.advanceTo(31);
      b.vote("carol", 0, 0, "invalid");
      b.advanceTo(34);
      b.begin();
      b.advanceTo(35);
    },
  },
  {
    path: "windows/paired-weighted-paid-at-round-three",
    description:
      "A weighted task: cycle 0's proofs were revealed in slot 27 and nobody triggered; the cycle is paid by its rule at slot 40, the first slot of round 3 (c + 3 with paired reveals), each node in proportion to its weight (500 / 333 / 166 of 1,000, the rest stays in the cycle).",
    build(b) {
      pairedCycleZero(b, { distributionRule: "weighted" });
      b.advanceTo(39);
      b.begin();
      b.advanceTo(40);
    },
  },
  {
    path: "submitDistribution/accepted-paired-round-three",
    description:
      "Custom rule: cycle 0's attempt 0 opens to posters at slot 40, the first slot of round 3 (c + 3 with paired reveals); the race's winner posts the honest list there and it is complete.",
    build(b) {
      pairedCycleZero(b);
      const distributor = toDistribution(b, 0);
      b.begin();
      b.submitList(distributor, 0, b.honestList(0));
    },
  },
];
