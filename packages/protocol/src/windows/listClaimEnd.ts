import type { TransitionContext } from "../context.ts";
import { LIMITS } from "../params.ts";
import { reviewLag, roundOf } from "../schedule.ts";
import { cycleRecord, taskRecord } from "../state/records.ts";
import { payUnlocked } from "../tasks.ts";
import type { TaskRecord } from "../types.ts";

/**
 * protocol.md §6.4: at the start of round r, the claim window of every list accepted in round `r − listClaimRounds`
 * closes (`claimDistribution` is refused from this slot on, `DISTRIBUTION__CLAIM_WINDOW_CLOSED`), and what nobody
 * claimed, the rest of the cycle's reservation, returns to the escrow, or to the creator (credited) once the task is
 * closed. Event `ListClaimWindowClosed`, in cycle order. Runs in every task status, before pruning, which never
 * returns anything.
 *
 * Cycle c's attempt a runs in round c + L + 1 + a (a ≤ allowedFailedDistributions; the review lag L is 1, or 2
 * when reveals are paired, §2.2), and its list is accepted at the vote close, in that round or at the next round's
 * first slot: only cycles c with c + L + 1 ≤ r − listClaimRounds ≤ c + L + 2 + allowedFailedDistributions can close
 * here (bounded work per round start, §9.6; a contract keeps them in a queue).
 */
export function closeListClaims(context: TransitionContext, taskId: string): void {
  const { draft, slot } = context;
  const task = draft.task(taskId) as TaskRecord;
  if (task.params.distributionRule !== "custom") return;
  const acceptedRound = roundOf(task, slot) - LIMITS.listClaimRounds;
  const lag = reviewLag(task.params);
  const first = Math.max(0, acceptedRound - 2 - lag - task.params.allowedFailedDistributions);
  for (let c = first; c <= acceptedRound - 1 - lag; c += 1) {
    const cycle = draft.cycle(taskId, c);
    if (cycle === undefined || cycle.outcome !== "paid" || cycle.completedRound !== acceptedRound) continue;
    const unclaimed = cycle.reserved;
    draft.setCycle(cycleRecord(cycle, { reserved: 0n }));
    const fresh = draft.task(taskId) as TaskRecord;
    if (fresh.status === "closed") {
      payUnlocked(context, taskId, fresh.creator, unclaimed, "reserved", "escrow");
    } else {
      draft.move("reserved", "escrows", unclaimed);
      draft.setTask(taskRecord(fresh, { escrow: fresh.escrow + unclaimed }));
    }
    context.events.push({ type: "ListClaimWindowClosed", task: taskId, cycle: c, unclaimed });
  }
}
