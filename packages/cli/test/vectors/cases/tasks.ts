import { Draft, getChain, keys, LIMITS, sha256Hex } from "@gradual/protocol";
import { taskWithNodes, type VectorCase } from "../scenarios.ts";

/** Task life cycle (protocol.md §8): createTask, fundTask, closeTask. */
export const TASK_CASES: readonly VectorCase[] = [
  {
    path: "createTask/accepted",
    description:
      "alice creates a task with 5000 of funding in slot 9: the task id is the transaction hash, round 0 starts at slot 10 and reserves the first bounty (1000) from the escrow.",
    build(b) {
      b.advanceTo(9);
      b.begin();
      b.createTask();
      b.advanceTo(10);
    },
  },
  {
    path: "createTask/rejected-invalid-params",
    description:
      "revealSlots 5 + auditSlots 4 + voteSlots 2 = 11 does not fit a round of 10 slots: TASK__INVALID_PARAMS, included, no task.",
    build(b) {
      b.advanceTo(9);
      b.begin();
      b.createTask({ revealSlots: 5, auditSlots: 4 }, 5_000n, "alice", { expect: "TASK__INVALID_PARAMS" });
    },
  },
  {
    path: "createTask/rejected-below-first-bounty",
    description: "Funding of 999 does not cover one round's bounty of 1000: TASK__BELOW_FIRST_BOUNTY.",
    build(b) {
      b.advanceTo(9);
      b.begin();
      b.createTask({}, 999n, "alice", { expect: "TASK__BELOW_FIRST_BOUNTY" });
    },
  },
  {
    path: "createTask/rejected-limit-reached",
    description: `SYNTHETIC pre-state: the chain record's taskCount was set to LIMITS.maxTasks (${LIMITS.maxTasks}) without the task records, because the rule reads only the count and ${LIMITS.maxTasks} real tasks would not fit a readable vector. A new task: TASK__LIMIT_REACHED.`,
    build(b) {
      b.advanceTo(9);
      const draft = new Draft(b.state);
      draft.set(keys.chain(), { ...getChain(b.state), taskCount: LIMITS.maxTasks });
      b.replaceState(draft.finish());
      b.begin();
      b.createTask({}, 5_000n, "alice", { expect: "TASK__LIMIT_REACHED" });
    },
  },
  {
    path: "fundTask/accepted",
    description: "bob adds 500 to alice's task during round 0: his balance falls, the escrow rises.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(12);
      b.begin();
      b.send("bob", { kind: "fundTask", task: b.task, amount: 500n });
    },
  },
  {
    path: "fundTask/rejected-task-not-found",
    description: "Funding a task id that does not exist: TASK__NOT_FOUND, included, no money moves.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.begin();
      b.send("bob", { kind: "fundTask", task: sha256Hex("no such task"), amount: 500n }, { expect: "TASK__NOT_FOUND" });
    },
  },
  {
    path: "fundTask/rejected-task-closed",
    description: "alice closed her task in slot 11; bob funds it in slot 12: TASK__CLOSED (status closing).",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(11);
      b.send("alice", { kind: "closeTask", task: b.task });
      b.advanceTo(12);
      b.begin();
      b.send("bob", { kind: "fundTask", task: b.task, amount: 500n }, { expect: "TASK__CLOSED" });
    },
  },
  {
    path: "closeTask/accepted-closing",
    description:
      "alice closes her task while cycle 0 is open: status closing, the escrow stays; at round 1 (slot 20) no new cycle starts.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(12);
      b.begin();
      b.send("alice", { kind: "closeTask", task: b.task });
      b.advanceTo(20);
    },
  },
  {
    path: "closeTask/accepted-closed-at-once",
    description:
      "alice closes her task in the slot she created it, before round 0: no cycle is open, so it is closed at once and the whole escrow (5000) returns to her.",
    build(b) {
      b.advanceTo(9);
      b.createTask();
      b.begin();
      b.send("alice", { kind: "closeTask", task: b.task });
    },
  },
  {
    path: "closeTask/rejected-not-creator",
    description: "bob tries to close alice's task: TASK__NOT_CREATOR, included, the task stays active.",
    build(b) {
      taskWithNodes(b, {}, 5_000n, {});
      b.advanceTo(12);
      b.begin();
      b.send("bob", { kind: "closeTask", task: b.task }, { expect: "TASK__NOT_CREATOR" });
    },
  },
];
