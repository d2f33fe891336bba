import type { TransitionContext } from "../context.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import type {
  CycleRecord,
  DistributionEntry,
  DistributionRecord,
  NodeRecord,
  TaskRecord,
  TriggerRecord,
  VestingRecord,
} from "../types.ts";
import { addTranche, EMPTY_VESTING } from "../vesting.ts";
import { completeCycle, failAttempt } from "./cycleEnd.ts";
import { resolveTrigger } from "./resolveTrigger.ts";

/**
 * End of the distribution window (protocol.md §6.5): a distributor that posted no complete list gets a missed-duty
 * mark (no slash: liveness is not fraud) and the attempt fails.
 */
export function closeDistributionWindow(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const { draft } = context;
  const key = stateKeys.distribution(task.id, cycle.cycle, cycle.attempt);
  const list = draft.get<DistributionRecord>(key);
  if (list?.status === "complete") return;
  const distributor = cycle.distributor as string;
  if (list !== undefined) draft.set(key, { ...list, status: "missing" } satisfies DistributionRecord);
  const node = draft.node(task.id, distributor);
  if (node !== undefined) draft.setNode({ ...node, missedDuties: node.missedDuties + 1 } satisfies NodeRecord);
  context.events.push({
    type: "DistributionRejected",
    task: task.id,
    cycle: cycle.cycle,
    attempt: cycle.attempt,
    distributor,
    reason: "missing",
  });
  failAttempt(context, cycle);
}

/**
 * End of the distribution vote window (protocol.md §6.4-§6.5): an upheld trigger rejects the list (its distributor
 * is slashed by the resolution) and the next attempt follows; otherwise the list is accepted and every entry moves
 * from the cycle's reservation into the recipient's vesting.
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
        draft.set(key, { ...list, status: "rejected" } satisfies DistributionRecord);
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
  payList(context, task, draft.cycle(task.id, cycle.cycle) as CycleRecord, list);
  draft.set(key, { ...list, status: "accepted" } satisfies DistributionRecord);
}

function payList(context: TransitionContext, task: TaskRecord, cycle: CycleRecord, list: DistributionRecord): void {
  const { draft, slot } = context;
  const round = roundOf(task, slot);
  for (let chunk = 0; chunk < list.chunkCount; chunk += 1) {
    const entries = draft.get<readonly DistributionEntry[]>(
      stateKeys.distributionChunk(task.id, cycle.cycle, cycle.attempt, chunk),
    ) as readonly DistributionEntry[];
    for (const entry of entries) {
      if (entry.amount === 0n) continue;
      const vestingKey = stateKeys.vesting(task.id, entry.recipient);
      const vesting = draft.get<VestingRecord>(vestingKey) ?? EMPTY_VESTING;
      draft.set(vestingKey, addTranche(vesting, cycle.cycle, entry.amount, round, task.params.vestingRounds));
      context.events.push({
        type: "Vested",
        task: task.id,
        cycle: cycle.cycle,
        node: entry.recipient,
        amount: entry.amount,
        endRound: round + task.params.vestingRounds,
      });
    }
  }
  draft.move("reserved", "vesting", list.total);
  const fresh = draft.task(task.id) as TaskRecord;
  draft.setTask({ ...fresh, totalPaid: fresh.totalPaid + list.total });
  const paid: CycleRecord = { ...cycle, reserved: cycle.reserved - list.total, paid: list.total };
  context.events.push({
    type: "DistributionAccepted",
    task: task.id,
    cycle: cycle.cycle,
    attempt: cycle.attempt,
    total: list.total,
    entries: list.entryCount,
  });
  completeCycle(context, paid, "paid");
}
