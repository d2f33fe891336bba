import type { TransitionContext } from "../context.ts";
import { cycleClosedAt, listClaimClosesAt, reviewLag, roundOf } from "../schedule.ts";
import { forgetCycleKeys, type KeyLike, stateKeys, triggerSlotName } from "../state/keys.ts";
import { taskRecord } from "../state/records.ts";
import type { Draft } from "../state/store.ts";
import type { CycleRecord, TaskRecord, TriggerRecord } from "../types.ts";

/** At most this many cycle numbers are looked at per task per round start (§9.6: bounded work per slot). */
const PRUNE_STEPS_PER_ROUND = 4;

/**
 * protocol.md §9.3, pruning: once a cycle is closed for good (`cycleClosedAt`: complete, its late-challenge window
 * (§5.7) and the vote period of its last possible late trigger over) and, for an accepted custom list, its claim
 * window closed too (§6.4: `closeListClaims` returned the unclaimed rest at that round start, before this), its
 * commits, reveals, triggers, votes, published payloads and lists are deleted. The cycle record stays as the cycle's
 * summary. Pruning moves no money and no transaction reads what it deletes (each checks the closed cycle first), so
 * it is invisible to transactions. Cycles are pruned in order; `task.prunedThrough` is the last cycle number done
 * (rounds where the task was paused have no cycle).
 */
export function pruneCycles(context: TransitionContext, taskId: string): void {
  const { draft, slot } = context;
  let task = draft.task(taskId) as TaskRecord;
  const round = roundOf(task, slot);
  let next = task.prunedThrough + 1;
  for (let step = 0; step < PRUNE_STEPS_PER_ROUND && next < round; step += 1) {
    const cycle = draft.cycle(taskId, next);
    if (cycle !== undefined) {
      if (!settledForGood(task, cycle, slot)) break;
      pruneCycle(draft, task, cycle);
      forgetCycleKeys(taskId, next);
      context.events.push({ type: "CyclePruned", task: taskId, cycle: next });
    }
    next += 1;
  }
  if (next - 1 !== task.prunedThrough) {
    task = draft.task(taskId) as TaskRecord;
    draft.setTask(taskRecord(task, { prunedThrough: next - 1 }));
  }
}

function settledForGood(task: TaskRecord, cycle: CycleRecord, slot: number): boolean {
  if (cycle.completedRound === null) return false;
  // Every late trigger of the cycle resolved before this slot (it closes within auditSlots + voteSlots of a slot
  // inside the late-challenge window), so none is open.
  if (slot < cycleClosedAt(task, cycle.completedRound)) return false;
  // An accepted custom list's entries stay claimable until its claim window closes (§6.4).
  if (task.params.distributionRule === "custom" && cycle.outcome === "paid") {
    if (slot < listClaimClosesAt(task, cycle.completedRound)) return false;
  }
  return true;
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
 * When a node's record is deleted (`withdraw`), its commits of cycles not yet pruned go with it, since pruning finds
 * a cycle's non-revealing committers through the node index. Bounded by the cycles a task keeps.
 */
export function dropNodeCycles(draft: Draft, task: TaskRecord, account: string, slot: number): void {
  const last = roundOf(task, slot);
  // One round further back when reveals are paired (§2.2): every window of a cycle comes a round later.
  const first = Math.max(task.prunedThrough + 1, last - task.params.vestingRounds - 15 - reviewLag(task.params));
  for (let c = first; c <= last; c += 1) drop(draft, stateKeys.commit(task.id, c, account));
}
