import { sha256Hex } from "@gradual/protocol";
import { commitAll, taskWithNodes, transferBody, type VectorCase } from "../scenarios.ts";

/** Commit and reveal (protocol.md §4). */
export const SUBMISSION_CASES: readonly VectorCase[] = [
  {
    path: "commit/accepted",
    description:
      "bob commits to his cycle 0 proof in slot 17, the first slot of the commit window (the last 3 slots of round 0).",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(17);
      b.begin();
      b.commit("bob", 0);
    },
  },
  {
    path: "commit/accepted-folds-ramped-lot",
    description:
      "rampRounds 3: the nodes' lots (activation round 0) weigh in full from round 2. Their commits of cycles 0 and 1 keep the lots, still ramping. The round-2 start (slot 30) folds the task's ramp through round 0 (§3.3); bob's commit of cycle 2 in slot 37 then writes back his record with his lot folded into rampedStake (300, no lots), as a stake would (§4.1, deviation 44); carol and dave, who do not commit, keep theirs.",
    build(b) {
      taskWithNodes(b, { rampRounds: 3 });
      commitAll(b, 0);
      commitAll(b, 1);
      b.advanceTo(37);
      b.begin();
      b.commit("bob", 2);
    },
  },
  {
    path: "commit/rejected-cycle-not-found",
    description: "bob commits for cycle 1 in slot 17, before cycle 1 has started (slot 20): CYCLE__NOT_FOUND.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(17);
      b.begin();
      b.commit("bob", 1, { expect: "CYCLE__NOT_FOUND" });
    },
  },
  {
    path: "commit/rejected-window-closed",
    description: "bob commits for cycle 0 in slot 12; the commit window is [17, 20): COMMIT__WINDOW_CLOSED.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.begin();
      b.commit("bob", 0, { expect: "COMMIT__WINDOW_CLOSED" });
    },
  },
  {
    path: "commit/rejected-duplicate",
    description: "bob commits twice in cycle 0: the second is COMMIT__DUPLICATE and the first commitment stays.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(17);
      b.begin();
      b.commit("bob", 0);
      b.commit("bob", 0, { commitment: sha256Hex("another commitment"), expect: "COMMIT__DUPLICATE" });
    },
  },
  {
    path: "commit/rejected-not-active",
    description:
      "erin staked in round 0 (slot 12), so her stake activates in round 1; her commit in round 0's window is NODE__NOT_ACTIVE (warm-up).",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.send("alice", transferBody("erin", 1_000n));
      b.stake("erin", 500n);
      b.advanceTo(17);
      b.begin();
      b.commit("erin", 0, { expect: "NODE__NOT_ACTIVE" });
    },
  },
  {
    path: "reveal/accepted",
    description:
      "bob reveals his cycle 0 proof digest and salt in slot 20: reveal index 0, the salt folds into the cycle's seed accumulator, validCount 1.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(20);
      b.begin();
      b.reveal("bob", 0);
    },
  },
  {
    path: "reveal/rejected-window-closed",
    description:
      "bob reveals in slot 22, after the reveal window [20, 22) closed and the seed was fixed: REVEAL__WINDOW_CLOSED.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(22);
      b.begin();
      b.reveal("bob", 0, { expect: "REVEAL__WINDOW_CLOSED" });
    },
  },
  {
    path: "reveal/rejected-no-commit",
    description: "dave did not commit in cycle 0 and reveals: REVEAL__NO_COMMIT.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0, ["bob", "carol"]);
      b.advanceTo(20);
      b.begin();
      b.reveal("dave", 0, { expect: "REVEAL__NO_COMMIT" });
    },
  },
  {
    path: "reveal/rejected-mismatch",
    description:
      "bob reveals his digest with another salt: the opening does not hash to his commitment, REVEAL__MISMATCH (context: expected and got).",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(20);
      b.begin();
      b.reveal("bob", 0, { salt: sha256Hex("a different salt"), expect: "REVEAL__MISMATCH" });
    },
  },
  {
    path: "reveal/rejected-duplicate",
    description: "bob reveals twice: the second is REVEAL__DUPLICATE and the seed accumulator is unchanged by it.",
    build(b) {
      taskWithNodes(b);
      commitAll(b, 0);
      b.advanceTo(20);
      b.begin();
      b.reveal("bob", 0);
      b.reveal("bob", 0, { expect: "REVEAL__DUPLICATE" });
    },
  },
];
