import type { TransitionContext } from "../context.ts";
import { EMPTY_ACCUMULATOR } from "../random.ts";
import { firstAttemptRound } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { cycleRecord, taskRecord } from "../state/records.ts";
import { refreshRamp } from "../tasks.ts";
import type { CycleRecord, RevealRecord, TaskRecord } from "../types.ts";
import { foldRamp } from "../weight.ts";
import { completeCycle } from "./cycleEnd.ts";

/**
 * Start of round r (protocol.md §2, §8.1): cycle r starts and reserves `bountyPerRound` from the escrow, or the
 * task pauses when the escrow cannot cover it.
 */
export function startCycle(context: TransitionContext, task: TaskRecord, round: number): void {
  const { draft } = context;
  if (task.status === "closing" || task.status === "closed") return;
  const bounty = task.params.bountyPerRound;
  if (task.escrow < bounty) {
    if (task.status === "active") {
      draft.setTask(taskRecord(task, { status: "paused" }));
      context.events.push({ type: "TaskPaused", task: task.id, round, escrow: task.escrow });
    }
    return;
  }
  if (task.status === "paused") context.events.push({ type: "TaskResumed", task: task.id, round });
  draft.move("escrows", "reserved", bounty);
  // A cycle's start folds the task's ramp to its round (§3.3, deviation 44): the commits of the cycle then fold their
  // nodes' lots that weigh in full. (A round that starts no cycle has no commits.)
  const ramp = foldRamp(task.ramp, round, task.params.rampRounds);
  draft.setTask(
    taskRecord(task, { status: "active", escrow: task.escrow - bounty, openCycles: [...task.openCycles, round], ramp }),
  );
  const cycle = cycleRecord({
    task: task.id,
    cycle: round,
    reserved: bounty,
    commitCount: 0,
    revealCount: 0,
    validCount: 0,
    revealedWeight: 0n,
    shareCount: 0,
    saltAccumulator: EMPTY_ACCUMULATOR,
    seed: null,
    reviewWeight: 0n,
    triggerCount: 0,
    attempt: 0,
    attemptRound: firstAttemptRound(task.params, round),
    distributor: null,
    failedDistributors: [],
    paid: 0n,
    ruleBase: 0n,
    ruleWeight: 0n,
    ruleShares: 0,
    outcome: null,
    completedRound: null,
  });
  draft.setCycle(cycle);
  context.events.push({ type: "CycleStarted", task: task.id, cycle: round, reserved: bounty });
}

/**
 * The start of an attempt's round under the `custom` rule (protocol.md §6.1, deviation 35): nobody is drawn; any
 * valid submitter that has not failed this cycle may post a list, and the race decides between posters. With no
 * such submitter left, the cycle completes at once. Bounded by the failed distributors, at most
 * `allowedFailedDistributions`.
 */
export function openAttempt(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const { draft } = context;
  // The ramp is folded to the round here, as where a draw used to read the weights (a contract does the same).
  refreshRamp(draft, task, context.slot);
  let failedButValid = 0;
  for (const account of cycle.failedDistributors) {
    if (draft.get<RevealRecord>(stateKeys.reveal(task.id, cycle.cycle, account))?.status === "valid") {
      failedButValid += 1;
    }
  }
  if (cycle.validCount - failedButValid > 0) return;
  completeCycle(context, cycle, cycle.validCount === 0 ? "no-submitters" : "distribution-failed");
}
