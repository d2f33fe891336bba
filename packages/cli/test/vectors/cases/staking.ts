import { taskWithNodes, transferBody, type VectorCase, workCycle } from "../scenarios.ts";

/** Stake, unbonding and withdrawal (protocol.md §3). */
export const STAKING_CASES: readonly VectorCase[] = [
  {
    path: "stake/accepted",
    description:
      "bob stakes 300 in round 0 (slot 12): a node record with one lot activating in round 1 (warmupRounds 1), the task's node index and ramp aggregate grow.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(12);
      b.begin();
      b.stake("bob", 300n);
    },
  },
  {
    path: "stake/accepted-top-up",
    description:
      "bob, staked 300 since round 0, adds 200 in round 1: his old stake is folded into rampedStake and the top-up is its own lot activating in round 2 (no instant weight).",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(20);
      b.begin();
      b.stake("bob", 200n);
    },
  },
  {
    path: "stake/rejected-below-minimum",
    description: "erin stakes 99 where minimumStake is 100: STAKE__BELOW_MINIMUM, included, no node record.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.send("alice", transferBody("erin", 1_000n));
      b.begin();
      b.stake("erin", 99n, { expect: "STAKE__BELOW_MINIMUM" });
    },
  },
  {
    path: "stake/rejected-unbonding",
    description: "bob unstaked in slot 12 and stakes again in slot 13: STAKE__UNBONDING (withdraw first).",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.send("bob", { kind: "unstake", task: b.task });
      b.advanceTo(13);
      b.begin();
      b.stake("bob", 300n, { expect: "STAKE__UNBONDING" });
    },
  },
  {
    path: "stake/rejected-task-full",
    description: "A task with maxNodes 1 already holds bob; carol stakes: TASK__FULL.",
    build(b) {
      taskWithNodes(b, { maxNodes: 1 }, 5_000n, { bob: 300n });
      b.advanceTo(12);
      b.begin();
      b.stake("carol", 200n, { expect: "TASK__FULL" });
    },
  },
  {
    path: "stake/rejected-too-many-lots",
    description:
      "bob stakes 100, then 1 fifteen times, in round 0: sixteen lots still ramping, the most a node may hold (a contract loops over them). A seventeenth stake in slot 13: STAKE__TOO_MANY_LOTS (context: lots 16, max 16); once lots have ramped fully they fold into rampedStake and free their places.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(12);
      b.stake("bob", 100n);
      for (let lot = 1; lot < 16; lot += 1) b.stake("bob", 1n);
      b.advanceTo(13);
      b.begin();
      b.stake("bob", 1n, { expect: "STAKE__TOO_MANY_LOTS" });
    },
  },
  {
    path: "unstake/accepted",
    description:
      "bob unstakes in round 0: his 300 moves from stake to unbonding until round 2 (unbondingRounds 2) and leaves the ramp aggregate, so he stops weighing at once.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.begin();
      b.send("bob", { kind: "unstake", task: b.task });
    },
  },
  {
    path: "unstake/rejected-not-staked",
    description: "erin, who never staked in the task, unstakes: NODE__NOT_STAKED.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.begin();
      b.send("erin", { kind: "unstake", task: b.task }, { expect: "NODE__NOT_STAKED" });
    },
  },
  {
    path: "withdraw/accepted",
    description:
      "bob unstaked in round 0 and withdraws in round 2 (unbondingRounds 2): 300 returns to his balance and his node record is removed; dave, the last node, takes his index 0.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.send("bob", { kind: "unstake", task: b.task });
      b.advanceTo(30);
      b.begin();
      b.send("bob", { kind: "withdraw", task: b.task });
    },
  },
  {
    path: "withdraw/rejected-still-bonded",
    description: "bob unstaked in round 0 (unbonding until round 2) and withdraws in round 0: WITHDRAW__STILL_BONDED.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(12);
      b.send("bob", { kind: "unstake", task: b.task });
      b.advanceTo(15);
      b.begin();
      b.send("bob", { kind: "withdraw", task: b.task }, { expect: "WITHDRAW__STILL_BONDED" });
    },
  },
  {
    path: "withdraw/rejected-still-challengeable",
    description:
      "bob revealed a proof in cycle 0 and unstaked in round 1 (unbonding until round 3). In round 3 (slot 40) the unbonding is over but his cycle 0 proof can still be challenged late and its rewards are still vesting: withdrawal waits until round lastRevealCycle + 3 + allowedFailedDistributions + vestingRounds = 0 + 3 + 1 + 2 = 6, WITHDRAW__STILL_CHALLENGEABLE (context: untilRound 6).",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.send("bob", { kind: "unstake", task: b.task });
      b.advanceTo(40);
      b.begin();
      b.send("bob", { kind: "withdraw", task: b.task }, { expect: "WITHDRAW__STILL_CHALLENGEABLE" });
    },
  },
  {
    path: "withdraw/accepted-after-challenge-window",
    description:
      "As withdraw/rejected-still-challengeable, but bob withdraws in round 6 (slot 70), when no proof of his can be challenged any more: his 300 unbonding returns to his balance.",
    build(b) {
      taskWithNodes(b);
      workCycle(b, 0);
      b.send("bob", { kind: "unstake", task: b.task });
      b.advanceTo(70);
      b.begin();
      b.send("bob", { kind: "withdraw", task: b.task });
    },
  },
  {
    path: "withdraw/rejected-nothing-unbonding",
    description: "bob withdraws without unstaking first: WITHDRAW__NOTHING_UNBONDING.",
    build(b) {
      taskWithNodes(b);
      b.advanceTo(20);
      b.begin();
      b.send("bob", { kind: "withdraw", task: b.task }, { expect: "WITHDRAW__NOTHING_UNBONDING" });
    },
  },
];
