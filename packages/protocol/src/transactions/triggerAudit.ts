import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { addHeld, holdsPay, paidTo } from "../holds.ts";
import {
  cycleClosedAt,
  distributionTriggerWindow,
  distributionVoteWindow,
  isInside,
  proofTriggerWindow,
  proofVoteWindow,
  roundOf,
  roundStart,
  type Window,
} from "../schedule.ts";
import { stateKeys, triggerSlotName } from "../state/keys.ts";
import { cycleRecord, distributionRecord, taskRecord, triggerRecord } from "../state/records.ts";
import { findTask, freshNode, isRejection, refreshRamp } from "../tasks.ts";
import type {
  Account,
  CycleRecord,
  DistributionRecord,
  LateTriggerRef,
  NodeCycleRecord,
  RevealRecord,
  TaskRecord,
  TriggerAuditTx,
  TriggerRecord,
} from "../types.ts";
import { lateWeight, nodeStake, nodeWeight } from "../weight.ts";
import { recordVote } from "./vote.ts";

type Target = {
  readonly window: Window;
  readonly closesAt: number;
  readonly attempt: number;
  readonly late: boolean;
};

/**
 * A proof trigger runs in the cycle's trigger window, or, once the cycle is complete, as a late trigger (§5.7) for
 * as long as the cycle's rewards vest: each late trigger gets a full trigger-plus-vote period of its own.
 */
function proofTarget(
  context: TransitionContext,
  task: TaskRecord,
  cycle: CycleRecord,
  tx: TriggerAuditTx,
): Target | Rejection {
  const reveal = context.draft.get<RevealRecord>(stateKeys.reveal(task.id, tx.cycle, tx.target));
  if (tx.verdict === "valid" && reveal !== undefined) return appealTarget(context, task, cycle, tx, reveal);
  if (reveal === undefined || reveal.status !== "valid") {
    return reject("AUDIT__TARGET_NOT_REVEALED", { task: task.id, cycle: tx.cycle, target: tx.target });
  }
  const late = lateChallengeWindow(task, cycle);
  if (late !== null && isInside(late, context.slot)) {
    const closesAt = context.slot + task.params.auditSlots + task.params.voteSlots;
    return { window: late, closesAt, attempt: 0, late: true };
  }
  return {
    window: proofTriggerWindow(task, tx.cycle),
    closesAt: proofVoteWindow(task, tx.cycle).closesAt,
    attempt: 0,
    late: false,
  };
}

/**
 * §5.8: an appeal (verdict `valid`) runs in the cycle's late-challenge window against a proof found `invalid`, with a
 * trigger-plus-vote period of its own like a late challenge. Its target may file it.
 */
function appealTarget(
  context: TransitionContext,
  task: TaskRecord,
  cycle: CycleRecord,
  tx: TriggerAuditTx,
  reveal: RevealRecord,
): Target | Rejection {
  const late = lateChallengeWindow(task, cycle);
  // Only a proof that a proof trigger found invalid: a distributor's proof that an upheld list trigger took out of
  // the cycle (§6.4) was never judged as a proof, and its slot holds no upheld trigger whose voters could answer.
  const index = context.draft.get<number>(stateKeys.triggerOf(task.id, tx.cycle, "proof", 0, tx.target));
  const judged =
    index === undefined ? undefined : context.draft.get<TriggerRecord>(stateKeys.trigger(task.id, tx.cycle, index));
  if (reveal.status !== "invalid" || late === null || judged?.resolution !== "upheld") {
    return reject("AUDIT__NOT_APPEALABLE", {
      task: task.id,
      cycle: tx.cycle,
      target: tx.target,
      status: reveal.status,
    });
  }
  return {
    window: late,
    closesAt: context.slot + task.params.auditSlots + task.params.voteSlots,
    attempt: 0,
    late: true,
  };
}

/** §5.7: from the slot a cycle completes until the end of round `completedRound + vestingRounds − 1`. */
export function lateChallengeWindow(task: TaskRecord, cycle: CycleRecord): Window | null {
  if (cycle.completedRound === null || task.params.vestingRounds === 0) return null;
  return {
    opensAt: roundStart(task, cycle.completedRound),
    closesAt: roundStart(task, cycle.completedRound + task.params.vestingRounds),
  };
}

function distributionTarget(
  context: TransitionContext,
  task: TaskRecord,
  cycle: CycleRecord,
  tx: TriggerAuditTx,
): Target | Rejection {
  const list = context.draft.get<DistributionRecord>(stateKeys.distribution(task.id, tx.cycle, tx.attempt));
  if (
    tx.attempt !== cycle.attempt ||
    list === undefined ||
    list.status !== "complete" ||
    list.distributor !== tx.target
  ) {
    return reject("AUDIT__NO_DISTRIBUTION", { task: task.id, cycle: tx.cycle, attempt: tx.attempt });
  }
  return {
    window: distributionTriggerWindow(task, cycle.attemptRound),
    closesAt: distributionVoteWindow(task, cycle.attemptRound).closesAt,
    attempt: tx.attempt,
    late: false,
  };
}

/**
 * protocol.md §5.2: an auditor that found a proof (or a distribution list, §6.3) wrong locks `triggerBond` and opens
 * a trigger; its own weight counts as the first `invalid` vote. One trigger per proof or list and verdict: later
 * auditors vote. A verdict of `unavailable` opens an availability challenge (§5.6) instead: no votes, the target
 * answers by publishing its payload on the ledger.
 */
export function applyTriggerAudit(context: TransitionContext, tx: TriggerAuditTx): Rejection | null {
  const { draft, slot } = context;
  const found = findTask(draft, tx.task);
  if (isRejection(found)) return found;
  const task = refreshRamp(draft, found, slot);
  const cycle = draft.cycle(task.id, tx.cycle);
  if (cycle === undefined) return reject("CYCLE__NOT_FOUND", { task: task.id, cycle: tx.cycle });
  // A node may appeal its own proof (§5.8); no other trigger may target its sender.
  if (tx.target === tx.from && tx.verdict !== "valid")
    return reject("AUDIT__SELF_TARGET", { task: task.id, cycle: tx.cycle });
  if (cycle.completedRound !== null && slot >= cycleClosedAt(task, cycle.completedRound)) {
    // Closed for good (§9.3): every trigger window of the cycle is over. Decided from the cycle record alone, before
    // any check that reads its reveals or lists, so the answer does not depend on whether the core pruned them.
    const closed = lateChallengeWindow(task, cycle) ?? proofTriggerWindow(task, tx.cycle);
    return reject("AUDIT__WINDOW_CLOSED", { task: task.id, cycle: tx.cycle, slot, ...closed });
  }
  if (tx.triggerKind === "distribution") {
    if (tx.verdict !== "invalid") return reject("AUDIT__VERDICT_NOT_ALLOWED", { task: task.id, cycle: tx.cycle });
    if (task.params.distributionRule !== "custom") {
      return reject("AUDIT__LIST_CHECKED_BY_LEDGER", {
        task: task.id,
        cycle: tx.cycle,
        rule: task.params.distributionRule,
      });
    }
  }
  const target =
    tx.triggerKind === "proof" ? proofTarget(context, task, cycle, tx) : distributionTarget(context, task, cycle, tx);
  if (isRejection(target)) return target;
  if (!isInside(target.window, slot)) {
    return reject("AUDIT__WINDOW_CLOSED", { task: task.id, cycle: tx.cycle, slot, ...target.window });
  }
  const stored = draft.node(task.id, tx.from);
  if (stored === undefined) return reject("NODE__NOT_STAKED", { task: task.id, node: tx.from });
  const node = freshNode(task, stored);
  const round = roundOf(task, slot);
  // Any positive weight may trigger (§5.2): a node slashed below minimumStake can still contest a liar; the bond
  // is what deters griefing.
  const weight = nodeWeight(node, round, task.params);
  if (weight === 0n) {
    return reject("NODE__NOT_ACTIVE", { task: task.id, node: tx.from, round, activeStake: nodeStake(node) });
  }
  const triggerOfKey = stateKeys.triggerOf(
    task.id,
    tx.cycle,
    triggerSlotName(tx.triggerKind, tx.verdict),
    target.attempt,
    tx.target,
  );
  const existing = draft.get<number>(triggerOfKey);
  const open =
    existing === undefined ? undefined : draft.get<TriggerRecord>(stateKeys.trigger(task.id, tx.cycle, existing));
  if (existing !== undefined && open?.resolution === null) {
    return reject("AUDIT__ALREADY_TRIGGERED", { task: task.id, cycle: tx.cycle, trigger: existing });
  }
  if (tx.verdict === "unavailable" && reveal(context, task.id, tx.target, tx.cycle)?.published === true) {
    // The payload is on the ledger already: it is available by definition.
    return reject("AUDIT__ALREADY_TRIGGERED", { task: task.id, cycle: tx.cycle, trigger: existing ?? 0 });
  }
  const nodeCycleKey = stateKeys.nodeCycle(task.id, tx.cycle, tx.from);
  const nodeCycle = draft.get<NodeCycleRecord>(nodeCycleKey) ?? { triggers: 0 };
  if (nodeCycle.triggers >= task.params.maxTriggersPerNodePerCycle) {
    return reject("AUDIT__TRIGGER_LIMIT", {
      task: task.id,
      cycle: tx.cycle,
      limit: task.params.maxTriggersPerNodePerCycle,
    });
  }
  const bond = task.params.triggerBond;
  const balance = draft.account(tx.from).balance;
  if (balance < bond) return reject("ACCOUNT__INSUFFICIENT_BALANCE", { account: tx.from, balance, needed: bond });

  draft.debit(tx.from, bond);
  draft.move("balances", "bonds", bond);
  // A late challenge of a paid proof keeps the cycle's pay from its target's claims while it is open (§5.7).
  const held = holdsPay({ late: target.late, kind: tx.triggerKind, verdict: tx.verdict })
    ? paidTo(draft, task, cycle, tx.target)
    : 0n;
  addHeld(draft, task.id, tx.target, held);
  const trigger = triggerRecord({
    index: cycle.triggerCount,
    kind: tx.triggerKind,
    verdict: tx.verdict,
    late: target.late,
    attempt: target.attempt,
    target: tx.target,
    triggerer: tx.from,
    reasonDigest: tx.reasonDigest,
    bond,
    slot,
    closesAt: target.closesAt,
    validWeight: 0n,
    invalidWeight: 0n,
    unavailableWeight: 0n,
    voteCount: 0,
    resolution: null,
    slashed: 0n,
    held,
  });
  draft.set(stateKeys.trigger(task.id, tx.cycle, trigger.index), trigger);
  draft.set(triggerOfKey, trigger.index);
  draft.set(nodeCycleKey, { triggers: nodeCycle.triggers + 1 } satisfies NodeCycleRecord);
  if (tx.triggerKind === "distribution") {
    const listKey = stateKeys.distribution(task.id, tx.cycle, target.attempt);
    const list = draft.get<DistributionRecord>(listKey) as DistributionRecord;
    draft.set(listKey, distributionRecord(list, { triggered: true }));
  }
  draft.setCycle(cycleRecord(cycle, { triggerCount: cycle.triggerCount + 1 }));
  if (target.late) {
    const fresh = draft.task(task.id) as TaskRecord;
    const ref: LateTriggerRef = { cycle: tx.cycle, trigger: trigger.index, closesAt: target.closesAt };
    draft.setTask(taskRecord(fresh, { lateTriggers: [...fresh.lateTriggers, ref] }));
  }
  context.events.push({
    type: "AuditTriggered",
    task: task.id,
    cycle: tx.cycle,
    trigger: trigger.index,
    kind: tx.triggerKind,
    verdict: tx.verdict,
    late: target.late,
    attempt: target.attempt,
    target: tx.target,
    triggerer: tx.from,
    bond,
  });
  // The triggerer's weight is its first vote; an appeal's target stands by its proof as every target does (its
  // weight counts on the `valid` side of the decision, §5.5), so its own appeal records no vote.
  const choice = tx.verdict === "invalid" || (tx.verdict === "valid" && tx.from !== tx.target) ? tx.verdict : null;
  if (choice === null) return null;
  // On a late trigger or an appeal that vote weighs no more than the triggerer's reveal in the cycle, and a
  // triggerer without one (it may still raise it: the bond deters griefing) casts none (§5.7, deviation 40).
  const vote = target.late ? lateWeight(weight, reveal(context, task.id, tx.from, tx.cycle)) : weight;
  if (vote > 0n) recordVote(context, task.id, tx.cycle, trigger, tx.from, choice, vote);
  return null;
}

function reveal(context: TransitionContext, task: string, node: Account, cycle: number): RevealRecord | undefined {
  return context.draft.get<RevealRecord>(stateKeys.reveal(task, cycle, node));
}
