import type { TransitionContext } from "../context.ts";
import { stateKeys } from "../state/keys.ts";
import { cycleRecord, distributionRecord } from "../state/records.ts";
import type { CycleRecord, DistributionRecord, TaskRecord, TriggerRecord } from "../types.ts";
import { completeCycle, failAttempt } from "./cycleEnd.ts";
import { resolveTrigger } from "./resolveTrigger.ts";

/**
 * End of the distribution window (protocol.md §6.5): with no list posted, the attempt fails. Nobody was drawn, so
 * nobody gets a missed-duty mark (deviation 35).
 */
export function closeDistributionWindow(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const list = context.draft.get<DistributionRecord>(stateKeys.distribution(task.id, cycle.cycle, cycle.attempt));
  if (list !== undefined) return;
  context.events.push({
    type: "DistributionRejected",
    task: task.id,
    cycle: cycle.cycle,
    attempt: cycle.attempt,
    distributor: null,
    reason: "missing",
  });
  failAttempt(context, cycle);
}

/**
 * End of the distribution vote window (protocol.md §6.4-§6.5): an upheld trigger rejects the list (its distributor
 * is slashed by the resolution) and the next attempt follows; otherwise the list is accepted. Its total stays
 * reserved in the cycle, which completes as paid: each recipient claims its entry with a Merkle proof
 * (`claimDistribution`, deviation 34), and what nobody claims by the end of its claim window returns to the escrow then
 * (`closeListClaims`).
 */
export function settleDistribution(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const { draft } = context;
  const key = stateKeys.distribution(task.id, cycle.cycle, cycle.attempt);
  const list = draft.get<DistributionRecord>(key);
  if (list?.status !== "complete") return;
  if (list.triggered) {
    const index = draft.get<number>(
      stateKeys.triggerOf(task.id, cycle.cycle, "distribution", cycle.attempt, list.distributor),
    );
    const trigger =
      index === undefined ? undefined : draft.get<TriggerRecord>(stateKeys.trigger(task.id, cycle.cycle, index));
    if (trigger !== undefined && trigger.resolution === null) {
      const resolution = resolveTrigger(context, task.id, cycle.cycle, trigger);
      // Upheld: the list is wrong and its distributor slashed. Disputed: more than 1 − slashQuorum of the voted
      // weight found it wrong, which is enough to stop a payment though not to slash (§6.4).
      if (resolution === "upheld" || resolution === "disputed") {
        draft.set(key, distributionRecord(list, { status: "rejected" }));
        context.events.push({
          type: "DistributionRejected",
          task: task.id,
          cycle: cycle.cycle,
          attempt: cycle.attempt,
          distributor: list.distributor,
          reason: resolution,
        });
        failAttempt(context, draft.cycle(task.id, cycle.cycle) as CycleRecord);
        return;
      }
    }
  }
  const fresh = draft.task(task.id) as TaskRecord;
  draft.set(key, distributionRecord(list, { status: "accepted", slashSeq: fresh.slashCount }));
  context.events.push({
    type: "DistributionAccepted",
    task: task.id,
    cycle: cycle.cycle,
    attempt: cycle.attempt,
    distributor: list.distributor,
    total: list.total,
    entries: list.entryCount,
    listRoot: list.listRoot,
  });
  const paid: CycleRecord = cycleRecord(draft.cycle(task.id, cycle.cycle) as CycleRecord, { paid: list.total });
  completeCycle(context, paid, "paid", list.total);
}
