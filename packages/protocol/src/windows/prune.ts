import type { TransitionContext } from "../context.ts";
import { LIMITS } from "../params.ts";
import { roundOf, roundStart } from "../schedule.ts";
import { forgetCycleKeys, type KeyLike, stateKeys, triggerSlotName } from "../state/keys.ts";
import type { Draft } from "../state/store.ts";
import { payUnlocked } from "../tasks.ts";
import { lateChallengeWindow } from "../transactions/triggerAudit.ts";
import type { CycleRecord, LateTriggerRef, TaskRecord, TriggerRecord } from "../types.ts";

/** At most this many cycle numbers are looked at per task per round start (§9.6: bounded work per slot). */
const PRUNE_STEPS_PER_ROUND = 4;

/**
 * protocol.md §9.3, pruning: once nothing can change a cycle any more (it is complete, its late-challenge window
 * (§5.7) has closed and no late trigger against it is open), its commits, reveals, triggers, votes, published
 * payloads and lists are deleted. The cycle record stays as the cycle's summary. Cycles are pruned in order;
 * `task.prunedThrough` is the last cycle number done (rounds where the task was paused have no cycle).
 */
export function pruneCycles(
  context: TransitionContext,
  taskId: string,
  lateTriggersAtSlotStart: readonly LateTriggerRef[],
): void {
  const { draft, slot } = context;
  let task = draft.task(taskId) as TaskRecord;
  const round = roundOf(task, slot);
  let next = task.prunedThrough + 1;
  for (let step = 0; step < PRUNE_STEPS_PER_ROUND && next < round; step += 1) {
    const cycle = draft.cycle(taskId, next);
    if (cycle !== undefined) {
      if (!settledForGood(task, cycle, slot, lateTriggersAtSlotStart)) break;
      pruneCycle(draft, task, cycle);
      const unclaimed = returnUnclaimed(context, draft.task(taskId) as TaskRecord, cycle);
      forgetCycleKeys(taskId, next);
      context.events.push({ type: "CyclePruned", task: taskId, cycle: next, unclaimed });
    }
    next += 1;
  }
  if (next - 1 !== task.prunedThrough) {
    task = draft.task(taskId) as TaskRecord;
    draft.setTask({ ...task, prunedThrough: next - 1 });
  }
}

function settledForGood(
  task: TaskRecord,
  cycle: CycleRecord,
  slot: number,
  lateTriggers: readonly LateTriggerRef[],
): boolean {
  if (cycle.outcome === null) return false;
  const late = lateChallengeWindow(task, cycle);
  if (late !== null && slot < late.closesAt) return false;
  // An accepted custom list's entries stay claimable for listClaimRounds at least (§6.4).
  if (task.params.distributionRule === "custom" && cycle.outcome === "paid" && cycle.completedRound !== null) {
    if (slot < roundStart(task, cycle.completedRound + LIMITS.listClaimRounds)) return false;
  }
  return !lateTriggers.some((ref) => ref.cycle === cycle.cycle);
}

function drop(draft: Draft, key: KeyLike): void {
  if (draft.get(key) !== undefined) draft.delete(key);
}

function pruneCycle(draft: Draft, task: TaskRecord, cycle: CycleRecord): void {
  const c = cycle.cycle;
  for (let index = 0; index < cycle.revealCount; index += 1) {
    const account = draft.get<string>(stateKeys.revealAt(task.id, c, index));
    draft.delete(stateKeys.revealAt(task.id, c, index));
    if (account === undefined) continue;
    drop(draft, stateKeys.reveal(task.id, c, account));
    drop(draft, stateKeys.commit(task.id, c, account));
    drop(draft, stateKeys.listClaim(task.id, c, account));
  }
  // Commits that were never revealed belong to nodes still staked (a node that withdraws takes its commits with it:
  // `dropNodeCycles`). `nodeCycle` records exist only for nodes that raised a trigger: the trigger loop finds them.
  for (let index = 0; index < task.nodeCount; index += 1) {
    const account = draft.get<string>(stateKeys.nodeAt(task.id, index));
    if (account !== undefined) drop(draft, stateKeys.commit(task.id, c, account));
  }
  for (let index = 0; index < cycle.triggerCount; index += 1) {
    const trigger = draft.get<TriggerRecord>(stateKeys.trigger(task.id, c, index));
    if (trigger === undefined) continue;
    for (let vote = 0; vote < trigger.voteCount; vote += 1) {
      const voter = draft.get<string>(stateKeys.voteAt(task.id, c, index, vote));
      drop(draft, stateKeys.voteAt(task.id, c, index, vote));
      if (voter !== undefined) drop(draft, stateKeys.vote(task.id, c, index, voter));
    }
    drop(
      draft,
      stateKeys.triggerOf(task.id, c, triggerSlotName(trigger.kind, trigger.verdict), trigger.attempt, trigger.target),
    );
    drop(draft, stateKeys.published(task.id, c, trigger.target));
    drop(draft, stateKeys.nodeCycle(task.id, c, trigger.triggerer));
    draft.delete(stateKeys.trigger(task.id, c, index));
  }
  for (let attempt = 0; attempt <= cycle.attempt; attempt += 1) {
    drop(draft, stateKeys.distribution(task.id, c, attempt));
  }
}

/**
 * A pruned custom-rule cycle's list can no longer be claimed from (its reveals are gone): what its recipients left
 * unclaimed returns to the escrow, or to the creator once the task is closed (§6.4). A rule-paid cycle's rounding
 * dust stays (§6.2).
 */
function returnUnclaimed(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): bigint {
  const { draft } = context;
  if (task.params.distributionRule !== "custom" || cycle.reserved === 0n) return 0n;
  const amount = cycle.reserved;
  draft.setCycle({ ...cycle, reserved: 0n });
  if (task.status === "closed") {
    payUnlocked(context, task.id, task.creator, amount, "reserved", "escrow");
  } else {
    draft.move("reserved", "escrows", amount);
    draft.setTask({ ...task, escrow: task.escrow + amount });
  }
  return amount;
}

/**
 * When a node's record is deleted (`withdraw`), its commits of cycles not yet pruned go with it, since pruning finds
 * a cycle's non-revealing committers through the node index. Bounded by the cycles a task keeps.
 */
export function dropNodeCycles(draft: Draft, task: TaskRecord, account: string, slot: number): void {
  const last = roundOf(task, slot);
  const first = Math.max(task.prunedThrough + 1, last - task.params.vestingRounds - 16);
  for (let c = first; c <= last; c += 1) drop(draft, stateKeys.commit(task.id, c, account));
}
