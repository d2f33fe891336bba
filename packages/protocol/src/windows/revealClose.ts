import type { TransitionContext } from "../context.ts";
import { nextSeed } from "../random.ts";
import { cycleRecord, taskRecord } from "../state/records.ts";
import type { CycleRecord, TaskRecord } from "../types.ts";

/**
 * End of the reveal window (protocol.md §4.4): the cycle seed is fixed from the previous seed and every revealed
 * salt in ledger order. The last revealer can still withhold its reveal: one bit of bias, documented in §4.4. The
 * weight of the cycle's reveals is kept as its `reviewWeight`, the base of the quorum its late triggers and appeals
 * need (§5.7, deviations 39 and 40).
 */
export function fixSeed(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const seed = nextSeed(task.seedHead, cycle.saltAccumulator, cycle.cycle);
  context.draft.setCycle(cycleRecord(cycle, { seed, reviewWeight: cycle.revealedWeight }));
  context.draft.setTask(taskRecord(task, { seedHead: seed, seedCycle: cycle.cycle }));
  context.events.push({
    type: "SeedFixed",
    task: task.id,
    cycle: cycle.cycle,
    seed,
    revealCount: cycle.revealCount,
  });
}
