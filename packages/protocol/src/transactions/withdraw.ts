import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import type { TaskParams } from "../params.ts";
import { firstAttemptRound, roundOf } from "../schedule.ts";
import { nodeRecord } from "../state/records.ts";
import { findTask, isRejection, removeNode } from "../tasks.ts";
import type { Hash, WithdrawTx } from "../types.ts";
import { nodeStake } from "../weight.ts";

/** protocol.md §3.4: after unbonding, the stake returns to the balance and the node leaves the task's index. */
export function applyWithdraw(context: TransitionContext, tx: WithdrawTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const node = draft.node(task.id, tx.from);
  if (node === undefined || node.unbonding === 0n) return reject("WITHDRAW__NOTHING_UNBONDING", { task: task.id });
  const refused = withdrawRejection(task.id, task.params, node, roundOf(task, slot));
  if (refused !== null) return refused;
  draft.move("unbonding", "balances", node.unbonding);
  draft.credit(tx.from, node.unbonding);
  context.events.push({ type: "Withdrawn", task: task.id, node: tx.from, amount: node.unbonding });
  if (nodeStake(node) === 0n) removeNode(draft, task, node);
  else draft.setNode(nodeRecord(node, { unbonding: 0n }));
  return null;
}

/** The parameters the withdraw rule reads (a task's params, or their wire form). */
export type WithdrawParams = Pick<TaskParams, "revealSlots" | "allowedFailedDistributions" | "vestingRounds">;

/** What of a node record the withdraw rule reads. */
export type WithdrawNode = { readonly unbondingUntilRound: number; readonly lastRevealCycle: number };

/**
 * Why a withdraw in `round` would be refused, or null when it would go through (the node has something unbonding):
 * the unbonding period first, then the late-challenge window of the node's last revealed cycle (§3.4, §5.7). Pure, so
 * that a client can check before it sends.
 */
export function withdrawRejection(
  task: Hash,
  params: WithdrawParams,
  node: WithdrawNode,
  round: number,
): Rejection<"WITHDRAW__STILL_BONDED" | "WITHDRAW__STILL_CHALLENGEABLE"> | null {
  if (round < node.unbondingUntilRound) {
    return reject("WITHDRAW__STILL_BONDED", { task, round, untilRound: node.unbondingUntilRound });
  }
  // Stake stays slashable until the node's last proof can no longer be challenged late and its rewards have
  // vested (§3.4, §5.7): otherwise vesting would only delay a whale's exit, never take anything back.
  const challengeableUntil = challengeableUntilRound(params, node.lastRevealCycle);
  if (round < challengeableUntil) {
    return reject("WITHDRAW__STILL_CHALLENGEABLE", { task, round, untilRound: challengeableUntil });
  }
  return null;
}

/**
 * The first round a withdraw can succeed, and what holds the stake until then: the unbonding period, or the
 * late-challenge window of the node's last revealed cycle (whichever ends later; the unbonding period on a tie).
 */
export function withdrawableFrom(
  params: WithdrawParams,
  node: WithdrawNode,
):
  | { readonly round: number; readonly heldBy: "unbonding" }
  | {
      readonly round: number;
      readonly heldBy: "late-challenge";
      readonly cycle: number;
    } {
  const challengeableUntil = challengeableUntilRound(params, node.lastRevealCycle);
  if (challengeableUntil > node.unbondingUntilRound)
    return { round: challengeableUntil, heldBy: "late-challenge", cycle: node.lastRevealCycle };
  return { round: node.unbondingUntilRound, heldBy: "unbonding" };
}

/**
 * The first round in which no proof of cycle `lastRevealCycle` can be challenged any more: the cycle completes by
 * round `firstAttemptRound(c) + allowedFailedDistributions` at the latest (`c + 2 + …`, or `c + 3 + …` when reveals
 * are paired, §2.2) and stays challengeable for `vestingRounds` after that.
 */
export function challengeableUntilRound(params: WithdrawParams, lastRevealCycle: number): number {
  if (lastRevealCycle < 0) return 0;
  return firstAttemptRound(params, lastRevealCycle) + 1 + params.allowedFailedDistributions + params.vestingRounds;
}
