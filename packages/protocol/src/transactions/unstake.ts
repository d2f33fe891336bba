import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { roundOf } from "../schedule.ts";
import { nodeRecord, taskRecord } from "../state/records.ts";
import { findTask, freshNode, isRejection, refreshRamp } from "../tasks.ts";
import type { UnstakeTx } from "../types.ts";
import { nodeStake, removeFromRamp } from "../weight.ts";

/**
 * protocol.md §3.4: the whole stake starts unbonding. It stops voting and earning at once and stays slashable for
 * `unbondingRounds`, so a node cannot escape a trigger on its last proofs by leaving.
 */
export function applyUnstake(context: TransitionContext, tx: UnstakeTx): Rejection | null {
  const { draft, slot } = context;
  const found = findTask(draft, tx.task);
  if (isRejection(found)) return found;
  const task = refreshRamp(draft, found, slot);
  const stored = draft.node(task.id, tx.from);
  if (stored === undefined || nodeStake(stored) === 0n)
    return reject("NODE__NOT_STAKED", { task: task.id, node: tx.from });
  const node = freshNode(task, stored);
  let ramp = task.ramp;
  for (const lot of node.lots) ramp = removeFromRamp(ramp, lot);
  ramp = removeFromRamp(ramp, { amount: node.rampedStake, activationRound: ramp.foldedThrough });
  const amount = nodeStake(node);
  const untilRound = roundOf(task, slot) + task.params.unbondingRounds;
  draft.move("stakes", "unbonding", amount);
  draft.setNode(
    nodeRecord(node, {
      lots: [],
      rampedStake: 0n,
      unbonding: node.unbonding + amount,
      unbondingUntilRound: untilRound,
    }),
  );
  draft.setTask(taskRecord(task, { ramp }));
  context.events.push({ type: "Unstaked", task: task.id, node: tx.from, amount, untilRound });
  return null;
}
