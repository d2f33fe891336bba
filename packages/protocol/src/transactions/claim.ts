import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { findTask, isRejection } from "../tasks.ts";
import type { ClaimTx, VestingRecord } from "../types.ts";
import { claimAll } from "../vesting.ts";

/**
 * protocol.md §7.1: pays out what the account's vesting in this task has released, less what open late challenges
 * keep back (deviation 42).
 */
export function applyClaim(context: TransitionContext, tx: ClaimTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const key = stateKeys.vesting(task.id, tx.from);
  const vesting = draft.get<VestingRecord>(key);
  if (vesting === undefined) return reject("CLAIM__NOTHING_CLAIMABLE", { task: task.id });
  const { record, amount } = claimAll(vesting, roundOf(task, slot));
  if (amount === 0n) return reject("CLAIM__NOTHING_CLAIMABLE", { task: task.id });
  draft.set(key, record);
  draft.move("vesting", "balances", amount);
  draft.credit(tx.from, amount);
  context.events.push({ type: "Claimed", task: task.id, node: tx.from, amount });
  return null;
}
