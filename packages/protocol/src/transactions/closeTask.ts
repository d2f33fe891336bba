import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { taskRecord } from "../state/records.ts";
import { findTask, isRejection, requireOpen } from "../tasks.ts";
import type { CloseTaskTx } from "../types.ts";
import { finishClosing } from "../windows/cycleEnd.ts";

/**
 * protocol.md §8.3: no new cycle starts; once every open cycle completed, the escrow returns to the creator.
 * Stakes are untouched: nodes unstake and withdraw as usual.
 */
export function applyCloseTask(context: TransitionContext, tx: CloseTaskTx): Rejection | null {
  const { draft } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  if (task.creator !== tx.from) return reject("TASK__NOT_CREATOR", { task: task.id, creator: task.creator });
  const closed = requireOpen(task);
  if (closed !== null) return closed;
  draft.setTask(taskRecord(task, { status: "closing" }));
  context.events.push({ type: "TaskClosing", task: task.id });
  finishClosing(context, task.id);
  return null;
}
