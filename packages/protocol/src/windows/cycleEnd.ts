import type { TransitionContext } from "../context.ts";
import { assert } from "../gradualError.ts";
import { roundOf } from "../schedule.ts";
import { cycleRecord, taskRecord } from "../state/records.ts";
import { payUnlocked } from "../tasks.ts";
import type { CycleOutcome, CycleRecord } from "../types.ts";

/**
 * Ends a cycle: whatever it did not pay returns to the escrow (protocol.md §8.2), except `kept`, the rounding dust of
 * a ledger-computed rule (§6.2), which stays reserved in the cycle.
 */
export function completeCycle(context: TransitionContext, cycle: CycleRecord, outcome: CycleOutcome, kept = 0n): void {
  const { draft } = context;
  const task = draft.task(cycle.task);
  assert(task !== undefined, `cycle ${cycle.cycle} of a missing task ${cycle.task}`);
  assert(kept >= 0n && kept <= cycle.reserved, `cycle ${cycle.cycle} keeps ${kept} of ${cycle.reserved}`);
  const returned = cycle.reserved - kept;
  draft.move("reserved", "escrows", returned);
  draft.setCycle(cycleRecord(cycle, { reserved: kept, outcome, completedRound: roundOf(task, context.slot) }));
  draft.setTask(
    taskRecord(task, {
      escrow: task.escrow + returned,
      openCycles: task.openCycles.filter((open) => open !== cycle.cycle),
    }),
  );
  context.events.push({
    type: "CycleCompleted",
    task: task.id,
    cycle: cycle.cycle,
    outcome,
    paid: cycle.paid,
    returned,
  });
  finishClosing(context, task.id);
}

/** A closing task with no open cycle returns its escrow to the creator and is closed (protocol.md §8.3). */
export function finishClosing(context: TransitionContext, taskId: string): void {
  const { draft } = context;
  const task = draft.task(taskId);
  if (task === undefined || task.status !== "closing" || task.openCycles.length > 0) return;
  payUnlocked(context, taskId, task.creator, task.escrow, "escrows", "escrow");
  draft.setTask(taskRecord(task, { status: "closed", escrow: 0n }));
  context.events.push({ type: "TaskClosed", task: task.id, refunded: task.escrow });
}

/**
 * A failed attempt (rejected or missing list): the distributor is excluded from later draws of this cycle and the
 * next attempt runs in the next round, until `allowedFailedDistributions` retries are used (protocol.md §6.5).
 */
export function failAttempt(context: TransitionContext, cycle: CycleRecord): void {
  const task = context.draft.task(cycle.task);
  assert(task !== undefined, "failAttempt on a missing task");
  const failed =
    cycle.distributor === null ? cycle.failedDistributors : [...cycle.failedDistributors, cycle.distributor];
  const next: CycleRecord = cycleRecord(cycle, { failedDistributors: failed, distributor: null });
  if (cycle.attempt + 1 > task.params.allowedFailedDistributions) {
    completeCycle(context, next, "distribution-failed");
    return;
  }
  context.draft.setCycle(cycleRecord(next, { attempt: cycle.attempt + 1, attemptRound: cycle.attemptRound + 1 }));
}
