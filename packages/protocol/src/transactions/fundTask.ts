import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { findTask, isRejection, requireOpen } from "../tasks.ts";
import type { FundTaskTx } from "../types.ts";

/** protocol.md §8.1: anyone may add to a task's escrow; a paused task resumes at its next round start. */
export function applyFundTask(context: TransitionContext, tx: FundTaskTx): Rejection | null {
  const { draft } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const closed = requireOpen(task);
  if (closed !== null) return closed;
  const balance = draft.account(tx.from).balance;
  if (balance < tx.amount)
    return reject("ACCOUNT__INSUFFICIENT_BALANCE", { account: tx.from, balance, needed: tx.amount });
  draft.debit(tx.from, tx.amount);
  draft.move("balances", "escrows", tx.amount);
  draft.updateTask(task, { escrow: task.escrow + tx.amount });
  context.events.push({ type: "TaskFunded", task: task.id, from: tx.from, amount: tx.amount });
  return null;
}
