import type { TransitionContext } from "../context.ts";
import { drawByWeight, EMPTY_ACCUMULATOR, type RaceEntry } from "../random.ts";
import { stateKeys } from "../state/keys.ts";
import { freshNode, refreshRamp } from "../tasks.ts";
import type { CycleRecord, RevealRecord, TaskRecord } from "../types.ts";
import { nodeWeight } from "../weight.ts";
import { completeCycle } from "./cycleEnd.ts";

/**
 * Start of round r (protocol.md §2, §8.1): cycle r starts and reserves `bountyPerRound` from the escrow, or the
 * task pauses when the escrow cannot cover it.
 */
export function startCycle(context: TransitionContext, task: TaskRecord, round: number): void {
  const { draft } = context;
  if (task.status === "closing" || task.status === "closed") return;
  const bounty = task.params.bountyPerRound;
  if (task.escrow < bounty) {
    if (task.status === "active") {
      draft.setTask({ ...task, status: "paused" });
      context.events.push({ type: "TaskPaused", task: task.id, round, escrow: task.escrow });
    }
    return;
  }
  if (task.status === "paused") context.events.push({ type: "TaskResumed", task: task.id, round });
  draft.move("escrows", "reserved", bounty);
  draft.setTask({ ...task, status: "active", escrow: task.escrow - bounty, openCycles: [...task.openCycles, round] });
  const cycle: CycleRecord = {
    task: task.id,
    cycle: round,
    reserved: bounty,
    commitCount: 0,
    revealCount: 0,
    validCount: 0,
    revealedWeight: 0n,
    shareCount: 0,
    saltAccumulator: EMPTY_ACCUMULATOR,
    seed: null,
    triggerCount: 0,
    attempt: 0,
    attemptRound: round + 2,
    distributor: null,
    failedDistributors: [],
    paid: 0n,
    outcome: null,
    completedRound: null,
  };
  draft.setCycle(cycle);
  context.events.push({ type: "CycleStarted", task: task.id, cycle: round, reserved: bounty });
}

/**
 * Draws the distributor of the cycle's current attempt (protocol.md §6.1): an exponential race over the valid,
 * unslashed submitters weighted by their ramped stake, excluding those that already failed this cycle. If every
 * candidate weighs nothing, all count equally, so the draw picks someone while a valid submitter remains.
 */
export function selectDistributor(
  context: TransitionContext,
  task: TaskRecord,
  cycle: CycleRecord,
  round: number,
): void {
  const { draft } = context;
  const fresh = refreshRamp(draft, task, context.slot);
  const candidates: RaceEntry[] = [];
  for (let index = 0; index < cycle.revealCount; index += 1) {
    const account = draft.get<string>(stateKeys.revealAt(task.id, cycle.cycle, index));
    if (account === undefined || cycle.failedDistributors.includes(account)) continue;
    const reveal = draft.get<RevealRecord>(stateKeys.reveal(task.id, cycle.cycle, account));
    if (reveal?.status !== "valid") continue;
    const node = draft.node(task.id, account);
    const weight = node === undefined ? 0n : nodeWeight(freshNode(fresh, node), round, fresh.params);
    candidates.push({ node: account, weight });
  }
  if (candidates.length === 0) {
    completeCycle(context, cycle, cycle.validCount === 0 ? "no-submitters" : "distribution-failed");
    return;
  }
  const weighted = candidates.some((candidate) => candidate.weight > 0n)
    ? candidates
    : candidates.map((candidate) => ({ node: candidate.node, weight: 1n }));
  const distributor = drawByWeight(cycle.seed ?? fresh.seedHead, cycle.attempt, weighted);
  draft.setCycle({ ...cycle, distributor });
  if (distributor !== null) {
    context.events.push({
      type: "DistributorSelected",
      task: task.id,
      cycle: cycle.cycle,
      attempt: cycle.attempt,
      distributor,
      round,
    });
  }
}
