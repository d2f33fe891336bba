import type { TransitionContext } from "./context.ts";
import type { ProtocolEvent } from "./events.ts";
import { ProtocolError } from "./gradualError.ts";
import { distributionVoteWindow, distributionWindow, proofVoteWindow, revealWindow, roundOf } from "./schedule.ts";
import { stateKeys } from "./state/keys.ts";
import { chainRecord, taskRecord } from "./state/records.ts";
import { Draft, type State } from "./state/store.ts";
import type { EditSession } from "./state/trie.ts";
import type { CycleRecord, LateTriggerRef, TaskRecord, TriggerRecord } from "./types.ts";
import { closeDistributionWindow, settleDistribution } from "./windows/distributionEnd.ts";
import { closeListClaims } from "./windows/listClaimEnd.ts";
import { pruneCycles } from "./windows/prune.ts";
import { resolveTrigger } from "./windows/resolveTrigger.ts";
import { fixSeed } from "./windows/revealClose.ts";
import { openAttempt, startCycle } from "./windows/roundStart.ts";
import { payByRule } from "./windows/rulePayment.ts";

export type AdvanceSlotResult = { readonly state: State; readonly events: readonly ProtocolEvent[] };

/**
 * Moves the chain to `slot` (protocol.md §9.1) and processes everything that happens at its start, before any
 * transaction of that slot: window ends first (reveal close and seed, trigger resolutions, distribution outcomes),
 * then round starts (distributor draws, new cycles). Slots advance one at a time so no window end is skipped.
 */
export function advanceSlot(state: State, slot: number): AdvanceSlotResult {
  return advanceSlotInSession(state, slot, null);
}

/** `advanceSlot` inside an edit session (see `applyBlock`). */
export function advanceSlotInSession(state: State, slot: number, session: EditSession | null): AdvanceSlotResult {
  const draft = new Draft(state, session);
  const chain = draft.chain();
  if (!Number.isSafeInteger(slot) || slot !== chain.slot + 1) {
    throw new ProtocolError(`advanceSlot: expected slot ${chain.slot + 1}, got ${slot}`);
  }
  draft.set(stateKeys.chain(), chainRecord(chain, { slot }));
  const context: TransitionContext = { draft, slot, events: [] };
  for (let index = 0; index < chain.taskCount; index += 1) {
    const taskId = draft.get<string>(stateKeys.taskAt(index));
    if (taskId !== undefined) processTask(context, taskId);
  }
  return { state: draft.finish(), events: context.events };
}

function processTask(context: TransitionContext, taskId: string): void {
  const { draft, slot } = context;
  const task = draft.task(taskId);
  if (task === undefined || slot < task.startSlot) return;
  if (task.lateTriggers.length > 0) resolveLateTriggers(context, task);
  const roundStarts = (slot - task.startSlot) % task.params.roundSlots === 0;
  // The list claim windows that close at this round start (§6.4), then pruning (§9.3), which moves no money.
  if (roundStarts) {
    closeListClaims(context, taskId);
    pruneCycles(context, taskId);
  }
  if (task.status === "closed") return;
  for (const cycle of task.openCycles) closeWindows(context, taskId, cycle);
  if (!roundStarts) return;
  const round = roundOf(task, slot);
  const current = draft.task(taskId) as TaskRecord;
  for (const cycleNumber of current.openCycles) {
    const cycle = draft.cycle(taskId, cycleNumber) as CycleRecord;
    if (cycle.outcome !== null || cycle.distributor !== null || cycle.attemptRound !== round) continue;
    const fresh = draft.task(taskId) as TaskRecord;
    // A ledger-computed rule pays the cycle itself where a list would be posted (§6.2).
    if (fresh.params.distributionRule === "custom") openAttempt(context, fresh, cycle);
    else payByRule(context, fresh, cycle);
  }
  startCycle(context, draft.task(taskId) as TaskRecord, round);
}

/** Late triggers (§5.7) resolve at their own `closesAt`; they are kept in closing order, so only the front is due. */
function resolveLateTriggers(context: TransitionContext, task: TaskRecord): void {
  const { draft, slot } = context;
  let due = 0;
  while (due < task.lateTriggers.length && (task.lateTriggers[due] as LateTriggerRef).closesAt <= slot) due += 1;
  if (due === 0) return;
  const resolving = task.lateTriggers.slice(0, due);
  draft.setTask(taskRecord(task, { lateTriggers: task.lateTriggers.slice(due) }));
  for (const ref of resolving) {
    const trigger = draft.get<TriggerRecord>(stateKeys.trigger(task.id, ref.cycle, ref.trigger));
    if (trigger !== undefined && trigger.resolution === null) resolveTrigger(context, task.id, ref.cycle, trigger);
  }
}

function closeWindows(context: TransitionContext, taskId: string, cycleNumber: number): void {
  const { draft, slot } = context;
  const reload = () => ({
    task: draft.task(taskId) as TaskRecord,
    cycle: draft.cycle(taskId, cycleNumber) as CycleRecord,
  });
  let { task, cycle } = reload();
  if (cycle.outcome !== null) return;
  if (slot === revealWindow(task, cycleNumber).closesAt) {
    fixSeed(context, task, cycle);
    ({ task, cycle } = reload());
  }
  if (slot === proofVoteWindow(task, cycleNumber).closesAt) {
    for (let index = 0; index < cycle.triggerCount; index += 1) {
      const trigger = draft.get<TriggerRecord>(stateKeys.trigger(taskId, cycleNumber, index));
      if (trigger?.kind === "proof" && trigger.resolution === null)
        resolveTrigger(context, taskId, cycleNumber, trigger);
    }
    ({ task, cycle } = reload());
  }
  // The custom rule's list windows (§6.1-§6.5); a rule-paid cycle has completed by then.
  if (task.params.distributionRule !== "custom" || cycle.outcome !== null) return;
  if (slot === distributionWindow(task, cycle.attemptRound).closesAt) {
    closeDistributionWindow(context, task, cycle);
    ({ task, cycle } = reload());
    if (cycle.outcome !== null) return;
  }
  if (slot === distributionVoteWindow(task, cycle.attemptRound).closesAt) settleDistribution(context, task, cycle);
}
