import type { TransitionContext } from "../context.ts";
import { BPS } from "../params.ts";
import { roundOf } from "../schedule.ts";
import { keys } from "../state/keys.ts";
import { freshNode, refreshRamp, slashNode } from "../tasks.ts";
import type { RevealRecord, TaskRecord, TriggerRecord, TriggerResolution, VoteRecord } from "../types.ts";
import { nodeWeight, removeFromRamp, totalWeight } from "../weight.ts";

/**
 * protocol.md §5.5: the rule that decides a trigger. Upheld needs invalid weight above `slashQuorumBps` of the
 * voted weight and voted weight of at least `minParticipationBps` of the active weight; a proof that most voters
 * could not fetch is `unavailable` (downtime is not fraud); anything else is rejected.
 */
export function decideTrigger(trigger: TriggerRecord, activeWeight: bigint, task: TaskRecord): TriggerResolution {
  const voted = trigger.validWeight + trigger.invalidWeight + trigger.unavailableWeight;
  const participation = voted > 0n && voted * BigInt(BPS) >= BigInt(task.params.minParticipationBps) * activeWeight;
  if (!participation) return "rejected";
  if (trigger.invalidWeight * BigInt(BPS) > BigInt(task.params.slashQuorumBps) * voted) return "upheld";
  if (trigger.kind === "proof" && trigger.unavailableWeight * 2n > voted) return "unavailable";
  return "rejected";
}

/** Resolves one trigger at the end of its voting window and moves the money it decides. */
export function resolveTrigger(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
): TriggerResolution {
  const { draft, slot } = context;
  const task = refreshRamp(draft, draft.task(taskId) as TaskRecord, slot);
  const round = roundOf(task, slot);
  const target = draft.node(taskId, trigger.target);
  const targetWeight = target === undefined ? 0n : nodeWeight(freshNode(task, target), round, task.params);
  // The target cannot vote on its own trigger, so its weight does not count toward participation either;
  // otherwise a node holding more than (1 - minParticipation) of the weight could never be slashed.
  const total = totalWeight(task.ramp, round, task.params.rampRounds);
  const activeWeight = total > targetWeight ? total - targetWeight : 0n;
  const resolution = decideTrigger(trigger, activeWeight, task);
  let slashed = 0n;
  if (resolution === "upheld") {
    const { fromStake, fromVesting } = slashNode(context, taskId, trigger.target, task.params.slashFractionBps);
    slashed = fromStake + fromVesting;
    const toWhistleblower = (slashed * BigInt(task.params.whistleblowerShareBps)) / BigInt(BPS);
    const afterSlash = draft.task(taskId) as TaskRecord;
    draft.setTask({ ...afterSlash, escrow: afterSlash.escrow - toWhistleblower });
    draft.move("escrows", "balances", toWhistleblower);
    draft.credit(trigger.triggerer, toWhistleblower + trigger.bond);
    draft.move("bonds", "balances", trigger.bond);
    context.events.push({
      type: "Slashed",
      task: taskId,
      cycle,
      trigger: trigger.index,
      node: trigger.target,
      fromStake,
      fromVesting,
      toWhistleblower,
      toEscrow: slashed - toWhistleblower,
    });
  } else if (resolution === "rejected") {
    draft.credit(trigger.target, trigger.bond);
    draft.move("bonds", "balances", trigger.bond);
    context.events.push({
      type: "BondForfeited",
      task: taskId,
      cycle,
      trigger: trigger.index,
      triggerer: trigger.triggerer,
      target: trigger.target,
      amount: trigger.bond,
    });
  } else {
    draft.credit(trigger.triggerer, trigger.bond);
    draft.move("bonds", "balances", trigger.bond);
  }
  // A slashed distributor is no longer a valid submitter of the cycle: the next attempt's list may not pay it.
  if (resolution !== "rejected" && (trigger.kind === "proof" || resolution === "upheld")) {
    markProof(context, taskId, cycle, trigger.target, resolution);
  }
  draft.set(keys.trigger(taskId, cycle, trigger.index), { ...trigger, resolution, slashed } satisfies TriggerRecord);
  context.events.push({
    type: "TriggerResolved",
    task: taskId,
    cycle,
    trigger: trigger.index,
    kind: trigger.kind,
    target: trigger.target,
    triggerer: trigger.triggerer,
    resolution,
    validWeight: trigger.validWeight,
    invalidWeight: trigger.invalidWeight,
    unavailableWeight: trigger.unavailableWeight,
    activeWeight,
  });
  recordLosingVotes(context, taskId, cycle, trigger, resolution);
  return resolution;
}

function markProof(
  context: TransitionContext,
  task: string,
  cycle: number,
  target: string,
  status: "upheld" | "unavailable",
): void {
  const { draft } = context;
  const key = keys.reveal(task, cycle, target);
  const reveal = draft.get<RevealRecord>(key);
  if (reveal === undefined || reveal.status !== "valid") return;
  draft.set(key, { ...reveal, status: status === "upheld" ? "invalid" : "unavailable" } satisfies RevealRecord);
  const record = draft.cycle(task, cycle);
  if (record !== undefined) draft.setCycle({ ...record, validCount: record.validCount - 1 });
}

/**
 * protocol.md §5.4: votes on the losing side are counted per node, so an auditor that passes everything becomes
 * visible; `losingVotePenalty` (default 0) takes a fixed amount of such a node's stake into the escrow.
 */
function recordLosingVotes(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
  resolution: TriggerResolution,
): void {
  if (resolution === "unavailable") return;
  const losing = resolution === "upheld" ? "valid" : "invalid";
  const { draft } = context;
  for (let index = 0; index < trigger.voteCount; index += 1) {
    const voter = draft.get<string>(keys.voteAt(taskId, cycle, trigger.index, index));
    if (voter === undefined) continue;
    const vote = draft.get<VoteRecord>(keys.vote(taskId, cycle, trigger.index, voter));
    if (vote?.choice !== losing) continue;
    const task = draft.task(taskId) as TaskRecord;
    const stored = draft.node(taskId, voter);
    if (stored === undefined) continue;
    const node = freshNode(task, stored);
    const penalty = task.params.losingVotePenalty < node.rampedStake ? task.params.losingVotePenalty : node.rampedStake;
    draft.setNode({ ...node, losingVotes: node.losingVotes + 1, rampedStake: node.rampedStake - penalty });
    if (penalty > 0n) {
      draft.move("stakes", "escrows", penalty);
      draft.setTask({
        ...task,
        escrow: task.escrow + penalty,
        ramp: removeFromRamp(task.ramp, { amount: penalty, activationRound: task.ramp.foldedThrough }),
      });
      context.events.push({
        type: "LosingVotePenalized",
        task: taskId,
        cycle,
        trigger: trigger.index,
        node: voter,
        amount: penalty,
      });
    }
  }
}
