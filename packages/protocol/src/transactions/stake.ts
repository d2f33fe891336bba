import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { LIMITS } from "../params.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { nodeRecord } from "../state/records.ts";
import { findTask, freshNode, isRejection, refreshRamp, requireOpen } from "../tasks.ts";
import type { NodeRecord, StakeTx } from "../types.ts";
import { addToRamp, nodeStake } from "../weight.ts";

/**
 * protocol.md §3.2: registers a node or adds to its stake. Each addition is its own lot with its own warm-up and
 * ramp, so topping up an old small stake with a large one buys no instant weight.
 */
export function applyStake(context: TransitionContext, tx: StakeTx): Rejection | null {
  const { draft, slot } = context;
  const found = findTask(draft, tx.task);
  if (isRejection(found)) return found;
  const closed = requireOpen(found);
  if (closed !== null) return closed;
  const task = refreshRamp(draft, found, slot);
  const stored = draft.node(task.id, tx.from);
  if (stored !== undefined && stored.unbonding > 0n) {
    return reject("STAKE__UNBONDING", { task: task.id, untilRound: stored.unbondingUntilRound });
  }
  if (stored === undefined && task.nodeCount >= task.params.maxNodes) {
    return reject("TASK__FULL", { task: task.id, maxNodes: task.params.maxNodes });
  }
  const existing = stored === undefined ? 0n : nodeStake(stored);
  if (existing + tx.amount < task.params.minimumStake) {
    return reject("STAKE__BELOW_MINIMUM", {
      task: task.id,
      stake: existing + tx.amount,
      minimumStake: task.params.minimumStake,
    });
  }
  const balance = draft.account(tx.from).balance;
  if (balance < tx.amount)
    return reject("ACCOUNT__INSUFFICIENT_BALANCE", { account: tx.from, balance, needed: tx.amount });

  const lot = { amount: tx.amount, activationRound: roundOf(task, slot) + task.params.warmupRounds };
  // A lot that will still ramp counts against the bound; one already past the folded rounds joins rampedStake.
  const ramping = stored === undefined ? 0 : freshNode(task, stored).lots.length;
  if (lot.activationRound > task.ramp.foldedThrough && ramping >= LIMITS.maxRampingLots) {
    return reject("STAKE__TOO_MANY_LOTS", { task: task.id, lots: ramping, max: LIMITS.maxRampingLots });
  }
  draft.debit(tx.from, tx.amount);
  draft.move("balances", "stakes", tx.amount);
  const base: NodeRecord =
    stored === undefined
      ? nodeRecord({
          task: task.id,
          account: tx.from,
          index: task.nodeCount,
          url: tx.nodeUrl,
          lots: [],
          rampedStake: 0n,
          unbonding: 0n,
          unbondingUntilRound: 0,
          slashedTotal: 0n,
          slashCount: 0,
          missedDuties: 0,
          losingVotes: 0,
          equivocations: 0,
          lastRevealCycle: -1,
        })
      : freshNode(task, stored);
  const node: NodeRecord =
    lot.activationRound <= task.ramp.foldedThrough
      ? nodeRecord(base, { url: tx.nodeUrl, rampedStake: base.rampedStake + lot.amount })
      : nodeRecord(base, { url: tx.nodeUrl, lots: [...base.lots, lot] });
  draft.setNode(node);
  if (stored === undefined) draft.set(stateKeys.nodeAt(task.id, task.nodeCount), tx.from);
  draft.updateTask(task, {
    ramp: addToRamp(task.ramp, lot),
    nodeCount: stored === undefined ? task.nodeCount + 1 : task.nodeCount,
  });
  context.events.push({
    type: "Staked",
    task: task.id,
    node: tx.from,
    amount: tx.amount,
    activationRound: lot.activationRound,
  });
  return null;
}
