import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { triggerRecord } from "../state/records.ts";
import { closedCycleWindow, findTask, freshNode, isRejection } from "../tasks.ts";
import type { Account, RevealRecord, TriggerRecord, VoteChoice, VoteRecord, VoteTx } from "../types.ts";
import { lateWeight, nodeWeight } from "../weight.ts";

/** Stores one vote and adds its weight to the trigger's running tally (bounded work per vote, §9.6). */
export function recordVote(
  context: TransitionContext,
  task: string,
  cycle: number,
  trigger: TriggerRecord,
  voter: Account,
  choice: VoteChoice,
  weight: bigint,
): void {
  const { draft, slot } = context;
  const record: VoteRecord = { choice, weight, slot };
  draft.set(stateKeys.vote(task, cycle, trigger.index, voter), record);
  draft.set(stateKeys.voteAt(task, cycle, trigger.index, trigger.voteCount), voter);
  // Only the tally the vote adds to changes: a choice's weight, and the count.
  const changes: { -readonly [Field in keyof TriggerRecord]?: TriggerRecord[Field] } = {
    voteCount: trigger.voteCount + 1,
  };
  if (choice === "valid") changes.validWeight = trigger.validWeight + weight;
  else if (choice === "invalid") changes.invalidWeight = trigger.invalidWeight + weight;
  else changes.unavailableWeight = trigger.unavailableWeight + weight;
  draft.update(stateKeys.trigger(task, cycle, trigger.index), trigger, changes, triggerRecord);
  context.events.push({ type: "Voted", task, cycle, trigger: trigger.index, voter, choice, weight });
}

/**
 * protocol.md §5.3: one vote per node per trigger, `valid` or `invalid`, weighted by the node's ramped stake in the
 * voting round (on a late trigger or an appeal, at most its reveal's weight in the cycle, §5.7). A cycle closed for good (§9.3) takes no vote, whatever the trigger. A second vote with another choice is an equivocation: included, recorded against the node, never counted.
 */
export function applyVote(context: TransitionContext, tx: VoteTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const ref = { task: task.id, cycle: tx.cycle, trigger: tx.trigger };
  // A cycle closed for good (§9.3) is answered from its cycle record, before its triggers are read (pruning).
  const closed = closedCycleWindow(draft, task, tx.cycle, slot);
  if (closed !== null) return reject("VOTE__WINDOW_CLOSED", { ...ref, slot, ...closed });
  const trigger = draft.get<TriggerRecord>(stateKeys.trigger(task.id, tx.cycle, tx.trigger));
  if (trigger === undefined) return reject("VOTE__TRIGGER_NOT_FOUND", ref);
  if (slot < trigger.slot || slot >= trigger.closesAt || trigger.resolution !== null) {
    return reject("VOTE__WINDOW_CLOSED", { ...ref, slot, opensAt: trigger.slot, closesAt: trigger.closesAt });
  }
  if (tx.from === trigger.target) return reject("VOTE__OWN_TRIGGER", ref);
  // Availability is settled on the ledger (§5.6), never by a vote: a coalition cannot call live proofs unavailable.
  if (trigger.verdict === "unavailable") return reject("VOTE__AVAILABILITY_CHALLENGE", ref);
  if (tx.choice === "unavailable") return reject("VOTE__UNAVAILABLE_NOT_ALLOWED", ref);
  const previous = draft.get<VoteRecord>(stateKeys.vote(task.id, tx.cycle, tx.trigger, tx.from));
  if (previous !== undefined) {
    return previous.choice === tx.choice
      ? reject("VOTE__DUPLICATE", ref)
      : reject("VOTE__EQUIVOCATION", { ...ref, first: previous.choice, second: tx.choice });
  }
  const stored = draft.node(task.id, tx.from);
  const round = roundOf(task, slot);
  const now = stored === undefined ? 0n : nodeWeight(freshNode(task, stored), round, task.params);
  // A late trigger or an appeal is decided by the cycle's own nodes, each with no more than it revealed with
  // (§5.7, deviation 40).
  const weight = trigger.late
    ? lateWeight(now, draft.get<RevealRecord>(stateKeys.reveal(task.id, tx.cycle, tx.from)))
    : now;
  if (weight === 0n) return reject("VOTE__NO_WEIGHT", { task: task.id, cycle: tx.cycle, round });
  recordVote(context, task.id, tx.cycle, trigger, tx.from, tx.choice, weight);
  return null;
}
