import type { TransitionContext } from "../context.ts";
import { releaseHeld } from "../holds.ts";
import { BPS } from "../params.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { cycleRecord, nodeRecord, revealRecord, taskRecord, triggerRecord } from "../state/records.ts";
import { addBurned, freshNode, payUnlocked, refreshRamp, slashNode } from "../tasks.ts";
import type {
  RevealRecord,
  RevealStatus,
  TaskRecord,
  TriggerRecord,
  TriggerResolution,
  VestingRecord,
  VoteRecord,
} from "../types.ts";
import { clawBack as clawBackPaid, EMPTY_VESTING } from "../vesting.ts";
import { lateWeight, meetsLateQuorum, nodeWeight, removeFromRamp, totalWeight } from "../weight.ts";

/**
 * protocol.md §5.5: the rule that decides a vote. The target cannot vote, but it plainly stands by its proof or
 * list, so its own weight counts on the `valid` side: `D = validWeight + invalidWeight + targetWeight`. With
 * `q = slashQuorumBps` and enough participation (the votes cast, against the active weight without the target):
 * invalid above `q` of D upholds (the target is not paid; it is slashed too if invalid is above `s`, see
 * `slashesTarget`); invalid above `1 − q` of D disputes (the proof or list is not paid, nobody is slashed); anything
 * less rejects. So stealing (getting a wrong proof or list paid) needs more than `q` of the weight on its side,
 * blocking needs more than `1 − q`, and slashing an honest node needs more than `s` of the weight that took part, its
 * own included. `support` is the upholding side's weight: the `invalid` votes, or for an appeal (§5.8) its `valid`
 * votes and the target's weight. A late trigger or an appeal (§5.7, §5.8) is decided after the fact, by the cycle's
 * nodes that are still there, each weighing no more than its reveal did (deviation 40): it is rejected unless `D`
 * exceeds `1 − q` of `reviewWeight`, the weight of the cycle's reveals when its seed was fixed (deviation 39), so
 * that nodes that outlast the others cannot judge them alone, even with stake bought since.
 */
function decideTrigger(
  trigger: TriggerRecord,
  activeWeight: bigint,
  task: TaskRecord,
  targetWeight: bigint,
  support: bigint,
  reviewWeight: bigint,
): TriggerResolution {
  const voted = trigger.validWeight + trigger.invalidWeight + trigger.unavailableWeight;
  // A late decision's participation is its quorum, below (deviation 40): its voters are the cycle's own nodes, of
  // which those still present may be far fewer than `minParticipationBps` of any base.
  const participation =
    voted > 0n && (trigger.late || voted * BigInt(BPS) >= BigInt(task.params.minParticipationBps) * activeWeight);
  if (!participation) return "rejected";
  const decided = voted + targetWeight;
  const quorum = BigInt(task.params.slashQuorumBps);
  if (trigger.late && !meetsLateQuorum(decided, reviewWeight, task.params)) return "rejected";
  if (support * BigInt(BPS) > quorum * decided) return "upheld";
  if (support * BigInt(BPS) > (BigInt(BPS) - quorum) * decided) return "disputed";
  return "rejected";
}

/**
 * protocol.md §5.5: an upheld trigger slashes only when `invalid` exceeds `s = slashSupermajorityBps` of the same
 * `D`. Between `q` and `s` the target is found invalid (unpaid, out of the denominators) but keeps its stake, and no
 * side of the vote loses anything: taking stake needs a margin that a coalition below two thirds of the weight
 * cannot reach even with every lazy node that follows it (2/3 + 30% of the remaining third is 76.7%, below the default 77%).
 * For an appeal (§5.8), `support` is its `valid` side, and the slash falls on the nodes that voted the proof invalid.
 */
function slashesTarget(
  trigger: TriggerRecord,
  task: TaskRecord,
  targetWeight = 0n,
  support = trigger.invalidWeight,
): boolean {
  const decided = trigger.validWeight + trigger.invalidWeight + trigger.unavailableWeight + targetWeight;
  return support * BigInt(BPS) > BigInt(task.params.slashSupermajorityBps) * decided;
}

/**
 * The weights a trigger is decided with at its resolution slot (§5.5): the task with its ramp refreshed, the
 * target's weight, and the active weight without it (the target cannot vote on its own trigger, so it does not
 * count toward participation either; otherwise a node holding more than `1 − minParticipation` of the weight could
 * never be slashed). A late trigger or an appeal is decided in its cycle's frame (§5.7, deviations 39 and 40): the
 * target weighs at most its reveal, the weight that could take part is the cycle's `reviewWeight` without the
 * target's, and that `reviewWeight` is the quorum's base (0 otherwise).
 */
function decidingWeights(context: TransitionContext, taskId: string, cycle: number, trigger: TriggerRecord) {
  const { draft, slot } = context;
  const task = refreshRamp(draft, draft.task(taskId) as TaskRecord, slot);
  const round = roundOf(task, slot);
  const target = draft.node(taskId, trigger.target);
  const now = target === undefined ? 0n : nodeWeight(freshNode(task, target), round, task.params);
  if (!trigger.late) {
    const total = totalWeight(task.ramp, round, task.params.rampRounds);
    return { task, targetWeight: now, activeWeight: total > now ? total - now : 0n, reviewWeight: 0n };
  }
  const targetWeight = lateWeight(now, draft.get<RevealRecord>(stateKeys.reveal(taskId, cycle, trigger.target)));
  const reviewWeight = draft.cycle(taskId, cycle)?.reviewWeight ?? 0n;
  const activeWeight = reviewWeight > targetWeight ? reviewWeight - targetWeight : 0n;
  return { task, targetWeight, activeWeight, reviewWeight };
}

/**
 * Settles an availability challenge (§5.6): `answered` when the target published its payload in time, else
 * `unavailable` at `closesAt`. Either way the challenger's bond comes back and nobody is slashed: downtime is not
 * fraud. An unanswered proof is not paid (and a paid one loses what it has not claimed, §5.7).
 */
export function settleAvailability(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
  resolution: "answered" | "unavailable",
): void {
  const { draft } = context;
  releaseHeld(draft, taskId, trigger);
  payUnlocked(context, taskId, trigger.triggerer, trigger.bond, "bonds", "bond-returned");
  if (resolution === "unavailable") {
    markProof(context, taskId, cycle, trigger.target, "unavailable");
    if (trigger.late) clawBack(context, taskId, cycle, trigger);
  }
  draft.set(stateKeys.trigger(taskId, cycle, trigger.index), triggerRecord(trigger, { resolution }));
  pushResolved(context, taskId, cycle, trigger, resolution, 0n);
}

/** Resolves one trigger at the end of its voting window and moves the money it decides. */
export function resolveTrigger(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
): TriggerResolution {
  if (trigger.verdict === "unavailable") {
    settleAvailability(context, taskId, cycle, trigger, "unavailable");
    return "unavailable";
  }
  if (trigger.verdict === "valid") return resolveAppeal(context, taskId, cycle, trigger);
  const { draft } = context;
  releaseHeld(draft, taskId, trigger);
  const { task, targetWeight, activeWeight, reviewWeight } = decidingWeights(context, taskId, cycle, trigger);
  const resolution = decideTrigger(trigger, activeWeight, task, targetWeight, trigger.invalidWeight, reviewWeight);
  // A late trigger that is upheld takes back what the cycle paid the target and it has not claimed (§5.7), before
  // the slash cuts a share of everything else it holds. A disputed one takes nothing and leaves the proof valid:
  // more than a third of the weight voting it down is no more than a review's dispute, and what the cycle already
  // paid stays until a later challenge upholds it (deviation 37).
  if (trigger.late && resolution === "upheld") clawBack(context, taskId, cycle, trigger);
  const slashes = resolution === "upheld" && slashesTarget(trigger, task, targetWeight);
  let slashed = 0n;
  if (slashes) {
    slashed = slashFor(context, taskId, cycle, trigger.index, trigger.target, trigger.triggerer, {
      bond: trigger.bond,
    });
  } else if (resolution === "rejected") {
    payUnlocked(context, taskId, trigger.target, trigger.bond, "bonds", "bond-won");
    pushBondForfeited(context, taskId, cycle, trigger);
  } else {
    payUnlocked(context, taskId, trigger.triggerer, trigger.bond, "bonds", "bond-returned");
  }
  // A disputed proof is not paid. A slashed distributor is no longer a valid submitter of the cycle, so the next
  // attempt's list may not pay it; a merely disputed list leaves its distributor's proof alone.
  if (resolution === "upheld" || (resolution === "disputed" && trigger.kind === "proof" && !trigger.late)) {
    markProof(context, taskId, cycle, trigger.target, resolution === "upheld" ? "invalid" : "disputed");
  }
  draft.set(stateKeys.trigger(taskId, cycle, trigger.index), triggerRecord(trigger, { resolution, slashed }));
  pushResolved(context, taskId, cycle, trigger, resolution, activeWeight);
  if (resolution === "rejected" || slashes) recordLosingVotes(context, taskId, cycle, trigger, resolution);
  return resolution;
}

/**
 * protocol.md §5.8: an appeal is decided by the rule of §5.5 with the sides swapped: `support` is its `valid` votes
 * plus the target's weight (the target stands by its proof), against `D = V + t` as always. Above `q` the proof is
 * reinstated (`valid` again; what the cycle paid is not re-run); above `s` too, every node that voted `invalid` on
 * the trigger that found the proof invalid (its triggerer included) is slashed, the appellant taking the
 * whistleblower's share of each slash. Above `1 − q` nothing changes and the bond comes back; anything less burns the
 * bond. An appeal's own votes are not penalized.
 */
function resolveAppeal(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
): TriggerResolution {
  const { draft } = context;
  const { task, targetWeight, activeWeight, reviewWeight } = decidingWeights(context, taskId, cycle, trigger);
  const support = trigger.validWeight + targetWeight;
  const resolution = decideTrigger(trigger, activeWeight, task, targetWeight, support, reviewWeight);
  let slashed = 0n;
  if (resolution === "rejected") {
    draft.move("bonds", "burned", trigger.bond);
    addBurned(context, taskId, trigger.bond);
    pushBondForfeited(context, taskId, cycle, trigger);
  } else {
    payUnlocked(context, taskId, trigger.triggerer, trigger.bond, "bonds", "bond-returned");
  }
  if (resolution === "upheld") reinstateProof(context, taskId, cycle, trigger.target);
  pushResolved(context, taskId, cycle, trigger, resolution, activeWeight);
  // The slashes come after the resolution, as a decided trigger's losing-vote penalties do (a contract takes them
  // one step each after it resolves the appeal).
  if (resolution === "upheld" && slashesTarget(trigger, task, targetWeight, support)) {
    slashed = slashWrongVoters(context, taskId, cycle, trigger);
  }
  draft.set(stateKeys.trigger(taskId, cycle, trigger.index), triggerRecord(trigger, { resolution, slashed }));
  return resolution;
}

/**
 * The appealed proof is `valid` again and back in the cycle's counts (`markProof` took it out), so that a later
 * trigger that finds it invalid again takes it out once more; the cycle's payments stay as they were settled (§5.8).
 */
function reinstateProof(context: TransitionContext, task: string, cycle: number, target: string): void {
  const { draft } = context;
  const key = stateKeys.reveal(task, cycle, target);
  const reveal = draft.get<RevealRecord>(key);
  if (reveal === undefined || reveal.status !== "invalid") return;
  draft.set(key, revealRecord(reveal, { status: "valid" }));
  const record = draft.cycle(task, cycle);
  if (record === undefined) return;
  draft.setCycle(
    cycleRecord(record, {
      validCount: record.validCount + 1,
      revealedWeight: record.revealedWeight + reveal.weight,
      shareCount: record.shareCount + 1,
    }),
  );
}

/**
 * Slashes every node that voted `invalid` on the trigger that found the appealed proof invalid (§5.8), in the order
 * they voted; the appellant gets the whistleblower's share of each. Under the `custom` rule the slashes share one
 * sequence number of the slash log (`slashNode`). Returns the total taken.
 */
function slashWrongVoters(context: TransitionContext, taskId: string, cycle: number, appeal: TriggerRecord): bigint {
  const { draft } = context;
  const index = draft.get<number>(stateKeys.triggerOf(taskId, cycle, "proof", 0, appeal.target));
  const appealed = index === undefined ? undefined : draft.get<TriggerRecord>(stateKeys.trigger(taskId, cycle, index));
  if (appealed === undefined) return 0n;
  const task = draft.task(taskId) as TaskRecord;
  const custom = task.params.distributionRule === "custom";
  const seq = task.slashCount;
  let total = 0n;
  for (let at = 0; at < appealed.voteCount; at += 1) {
    const voter = draft.get<string>(stateKeys.voteAt(taskId, cycle, appealed.index, at));
    if (voter === undefined) continue;
    if (draft.get<VoteRecord>(stateKeys.vote(taskId, cycle, appealed.index, voter))?.choice !== "invalid") continue;
    total += slashFor(context, taskId, cycle, appeal.index, voter, appeal.triggerer, {
      logSeq: custom ? seq : undefined,
    });
  }
  if (custom) {
    const fresh = draft.task(taskId) as TaskRecord;
    draft.setTask(taskRecord(fresh, { slashCount: seq + 1 }));
  }
  return total;
}

/**
 * Slashes `node` for trigger `trigger` (`slashNode`, §5.5) and credits `whistleblower` its share of the slash (then
 * `bond`, when given, returned), then logs the slash. Returns what was taken.
 */
function slashFor(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: number,
  node: string,
  whistleblower: string,
  options: { readonly bond?: bigint; readonly logSeq?: number | undefined },
): bigint {
  const { params } = context.draft.task(taskId) as TaskRecord;
  const { fromStake, fromVesting } = slashNode(context, taskId, node, params.slashFractionBps, options.logSeq);
  const slashed = fromStake + fromVesting;
  const toWhistleblower = (slashed * BigInt(params.whistleblowerShareBps)) / BigInt(BPS);
  addBurned(context, taskId, -toWhistleblower);
  payUnlocked(context, taskId, whistleblower, toWhistleblower, "burned", "whistleblower");
  if (options.bond !== undefined) payUnlocked(context, taskId, whistleblower, options.bond, "bonds", "bond-returned");
  context.events.push({
    type: "Slashed",
    task: taskId,
    cycle,
    trigger,
    node,
    fromStake,
    fromVesting,
    toWhistleblower,
    burned: slashed - toWhistleblower,
  });
  return slashed;
}

/** A rejected trigger's bond is lost: won by its target, or for an appeal burned (§5.5, §5.8). */
function pushBondForfeited(context: TransitionContext, taskId: string, cycle: number, trigger: TriggerRecord): void {
  context.events.push({
    type: "BondForfeited",
    task: taskId,
    cycle,
    trigger: trigger.index,
    triggerer: trigger.triggerer,
    target: trigger.target,
    amount: trigger.bond,
  });
}

function pushResolved(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
  resolution: TriggerResolution,
  activeWeight: bigint,
): void {
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
}

/**
 * What the cycle paid the target (the trigger's `held`) goes back to the task (or its creator, if closed), from what
 * the target still holds: released first, then locked (§5.7, deviation 42).
 */
function clawBack(context: TransitionContext, taskId: string, cycle: number, trigger: TriggerRecord): void {
  const { draft } = context;
  if (trigger.held === 0n) return;
  const vestingKey = stateKeys.vesting(taskId, trigger.target);
  const vesting = draft.get<VestingRecord>(vestingKey) ?? EMPTY_VESTING;
  const before = draft.task(taskId) as TaskRecord;
  const { record, amount } = clawBackPaid(vesting, roundOf(before, context.slot), trigger.held);
  draft.set(vestingKey, record);
  if (amount === 0n) return;
  const task = draft.task(taskId) as TaskRecord;
  if (task.status === "closed") {
    payUnlocked(context, taskId, task.creator, amount, "vesting", "clawback");
  } else {
    draft.move("vesting", "escrows", amount);
    draft.setTask(taskRecord(task, { escrow: task.escrow + amount, totalPaid: task.totalPaid - amount }));
  }
  context.events.push({
    type: "RewardClawedBack",
    task: taskId,
    cycle,
    trigger: trigger.index,
    node: trigger.target,
    amount,
  });
}

function markProof(context: TransitionContext, task: string, cycle: number, target: string, status: RevealStatus) {
  const { draft } = context;
  const key = stateKeys.reveal(task, cycle, target);
  const reveal = draft.get<RevealRecord>(key);
  if (reveal === undefined || reveal.status !== "valid") return;
  draft.set(key, revealRecord(reveal, { status }));
  const record = draft.cycle(task, cycle);
  if (record === undefined) return;
  // A proof found invalid by an upheld trigger (two thirds of the weight) leaves the rules' denominators, so honest
  // shares are not diluted by garbage; a disputed or unavailable one stays in (§6.2).
  const invalid = status === "invalid";
  draft.setCycle(
    cycleRecord(record, {
      validCount: record.validCount - 1,
      revealedWeight: invalid ? record.revealedWeight - reveal.weight : record.revealedWeight,
      shareCount: invalid ? record.shareCount - 1 : record.shareCount,
    }),
  );
}

/**
 * protocol.md §5.4: votes on the losing side are counted per node, so an auditor that passes everything becomes
 * visible; `losingVotePenalty` takes a fixed amount of such a node's stake and burns it. Only a decided trigger
 * (rejected, or upheld with a slash) has a losing side.
 */
function recordLosingVotes(
  context: TransitionContext,
  taskId: string,
  cycle: number,
  trigger: TriggerRecord,
  resolution: TriggerResolution,
): void {
  if (resolution !== "upheld" && resolution !== "rejected") return;
  const losing = resolution === "upheld" ? "valid" : "invalid";
  const { draft } = context;
  for (let index = 0; index < trigger.voteCount; index += 1) {
    const voter = draft.get<string>(stateKeys.voteAt(taskId, cycle, trigger.index, index));
    if (voter === undefined) continue;
    const vote = draft.get<VoteRecord>(stateKeys.vote(taskId, cycle, trigger.index, voter));
    if (vote?.choice !== losing) continue;
    const task = draft.task(taskId) as TaskRecord;
    const stored = draft.node(taskId, voter);
    if (stored === undefined) continue;
    const node = freshNode(task, stored);
    const penalty = task.params.losingVotePenalty < node.rampedStake ? task.params.losingVotePenalty : node.rampedStake;
    draft.setNode(nodeRecord(node, { losingVotes: node.losingVotes + 1, rampedStake: node.rampedStake - penalty }));
    if (penalty > 0n) {
      draft.move("stakes", "burned", penalty);
      draft.setTask(
        taskRecord(task, {
          burned: task.burned + penalty,
          ramp: removeFromRamp(task.ramp, { amount: penalty, activationRound: task.ramp.foldedThrough }),
        }),
      );
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
