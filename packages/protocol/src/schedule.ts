import { LIMITS, type TaskParams } from "./params.ts";

/**
 * Round and window arithmetic (protocol.md §1, §2, §4-§6). Every window is a half-open slot range `[opensAt,
 * closesAt)`: a transaction in slot s is inside when opensAt <= s < closesAt, and the window's end is processed by
 * `advanceSlot(closesAt)` before any transaction of that slot.
 */

export type Window = { readonly opensAt: number; readonly closesAt: number };

type Timing = { readonly startSlot: number; readonly params: TaskParams };

export function roundOf(
  task: { readonly startSlot: number; readonly params: Pick<TaskParams, "roundSlots"> },
  slot: number,
): number {
  return Math.floor((slot - task.startSlot) / task.params.roundSlots);
}

export function roundStart(task: Timing, round: number): number {
  return task.startSlot + round * task.params.roundSlots;
}

export function isInside(window: Window, slot: number): boolean {
  return slot >= window.opensAt && slot < window.closesAt;
}

/** Last `commitSlots` of round c (the Work Period). */
export function commitWindow(task: Timing, cycle: number): Window {
  const closesAt = roundStart(task, cycle + 1);
  return { opensAt: closesAt - task.params.commitSlots, closesAt };
}

/**
 * Whether a task pairs its reveals with its commits (protocol.md §2.2, `revealSlots` 0): a cycle's reveals share the
 * next cycle's commit window, so that a node can send both in one transaction, and every later window of the cycle
 * comes a round later.
 */
export function pairsReveals(params: TaskParams): boolean {
  return params.revealSlots === 0;
}

/**
 * Rounds between a cycle's round and the one where its review windows open: 1, or 2 when reveals are paired (§2.2).
 */
export function reviewLag(params: Pick<TaskParams, "revealSlots">): number {
  return params.revealSlots === 0 ? 2 : 1;
}

/** The round of a cycle's first distribution attempt (§2.1): c + 2, or c + 3 when reveals are paired. */
export function firstAttemptRound(params: Pick<TaskParams, "revealSlots">, cycle: number): number {
  return cycle + 1 + reviewLag(params);
}

/**
 * First `revealSlots` of round c+1 (the Review Period); when reveals are paired (`revealSlots` 0), the commit window
 * of cycle c+1 (the last `commitSlots` of round c+1).
 */
export function revealWindow(task: Timing, cycle: number): Window {
  if (task.params.revealSlots === 0) return commitWindow(task, cycle + 1);
  const opensAt = roundStart(task, cycle + 1);
  return { opensAt, closesAt: opensAt + task.params.revealSlots };
}

/** Triggers against proofs of cycle c: right after the reveal window. */
export function proofTriggerWindow(task: Timing, cycle: number): Window {
  const opensAt = revealWindow(task, cycle).closesAt;
  return { opensAt, closesAt: opensAt + task.params.auditSlots };
}

/** Votes on proof triggers: from the trigger window's start until `voteSlots` after it closes. */
export function proofVoteWindow(task: Timing, cycle: number): Window {
  const trigger = proofTriggerWindow(task, cycle);
  return { opensAt: trigger.opensAt, closesAt: trigger.closesAt + task.params.voteSlots };
}

/** The list of attempt a is submitted in the first `distributionSlots` of its round. */
export function distributionWindow(task: Timing, attemptRound: number): Window {
  const opensAt = roundStart(task, attemptRound);
  return { opensAt, closesAt: opensAt + task.params.distributionSlots };
}

export function distributionTriggerWindow(task: Timing, attemptRound: number): Window {
  const opensAt = distributionWindow(task, attemptRound).closesAt;
  return { opensAt, closesAt: opensAt + task.params.distributionAuditSlots };
}

export function distributionVoteWindow(task: Timing, attemptRound: number): Window {
  const trigger = distributionTriggerWindow(task, attemptRound);
  return { opensAt: trigger.opensAt, closesAt: trigger.closesAt + task.params.voteSlots };
}

/**
 * §9.3: the slot from which a cycle that completed in `completedRound` is closed for good. Its late-challenge window
 * (§5.7) is over, and so is the vote period of the last late trigger it could have had (raised in the window's last
 * slot): from this slot on, a trigger, a vote or a publication on the cycle is refused with its window code before
 * any check that reads the cycle's reveals, triggers or lists. Read from the cycle record alone, so the answer is the
 * same whether or not the core has pruned the cycle (which it may do from here on, never before).
 */
export function cycleClosedAt(task: Timing, completedRound: number): number {
  return roundStart(task, completedRound + task.params.vestingRounds) + task.params.auditSlots + task.params.voteSlots;
}

/**
 * §6.4: the slot at which the claim window of a list accepted in `completedRound` closes, `listClaimRounds` rounds
 * after the acceptance: `claimDistribution` is refused from then on, and what nobody claimed returns to the escrow at
 * that round start.
 */
export function listClaimClosesAt(task: Timing, completedRound: number): number {
  return roundStart(task, completedRound + LIMITS.listClaimRounds);
}

export type CyclePhase = "work" | "review" | "distribution" | "complete";

/** Which period a cycle is in at a slot (protocol.md §2). */
export function cyclePhaseAt(task: Timing, cycle: number, attemptRound: number, slot: number): CyclePhase {
  const round = roundOf(task, slot);
  if (round <= cycle) return "work";
  if (round <= cycle + reviewLag(task.params)) return "review";
  if (round <= attemptRound) return "distribution";
  return "complete";
}
