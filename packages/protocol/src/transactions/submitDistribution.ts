import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { beatsInRace, type RaceScore, raceTime } from "../random.ts";
import { distributionWindow, isInside, roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { cycleRecord, distributionRecord } from "../state/records.ts";
import { findTask, freshNode, isRejection, refreshRamp } from "../tasks.ts";
import type { CycleRecord, DistributionRecord, RevealRecord, SubmitDistributionTx, TaskRecord } from "../types.ts";
import { nodeWeight } from "../weight.ts";

/**
 * What a ledger-computed rule pays one valid submitter (protocol.md §6.2), or null for `custom`. `weighted`: the
 * reservation times the node's weight in the work round over the weight of the cycle's reveals; `equal`: the
 * reservation over their number. Both leave out proofs found invalid by an upheld trigger (which needs two thirds of
 * the weight, §5.5) but keep disputed and unavailable ones, so knocking out others' proofs without a slash never
 * raises anyone's share: their part returns to the escrow.
 */
export function ruleAmount(task: TaskRecord, cycle: CycleRecord, reveal: RevealRecord): bigint | null {
  const rule = task.params.distributionRule;
  if (rule === "custom") return null;
  if (rule === "weighted" && cycle.revealedWeight > 0n) {
    return (cycle.reserved * reveal.weight) / cycle.revealedWeight;
  }
  return cycle.shareCount === 0 ? 0n : cycle.reserved / BigInt(cycle.shareCount);
}

/**
 * protocol.md §6.1-§6.2 (deviations 34, 35): under the `custom` rule, any valid submitter of the cycle that has not
 * failed as its distributor may post a list during the attempt's distribution window: its Merkle root, total, size
 * and blob. It becomes the attempt's list when none is posted yet or when its poster beats the current one in the
 * exponential race (a score that depends only on the seed, the attempt, the poster and its weight), so the list in
 * force at the window's end is the one the eager draw over the posters would pick, checked in O(1). The ledger checks
 * the total against the reservation; the other nodes compare the root with their own list's (§6.3).
 */
export function applySubmitDistribution(context: TransitionContext, tx: SubmitDistributionTx): Rejection | null {
  const { draft, slot } = context;
  const found = findTask(draft, tx.task);
  if (isRejection(found)) return found;
  const ref = { task: found.id, cycle: tx.cycle };
  const rule = found.params.distributionRule;
  if (rule !== "custom") return reject("DISTRIBUTION__PAID_BY_RULE", { ...ref, rule });
  const cycle = draft.cycle(found.id, tx.cycle);
  if (cycle === undefined || cycle.outcome !== null) return reject("CYCLE__NOT_FOUND", ref);
  if (tx.attempt !== cycle.attempt) {
    return reject("DISTRIBUTION__WRONG_ATTEMPT", { ...ref, expected: cycle.attempt, got: tx.attempt });
  }
  const window = distributionWindow(found, cycle.attemptRound);
  if (!isInside(window, slot)) return reject("DISTRIBUTION__WINDOW_CLOSED", { ...ref, slot, ...window });
  const reveal = draft.get<RevealRecord>(stateKeys.reveal(found.id, tx.cycle, tx.from));
  const stored = draft.node(found.id, tx.from);
  if (reveal?.status !== "valid" || stored === undefined || cycle.failedDistributors.includes(tx.from)) {
    return reject("DISTRIBUTION__NOT_A_SUBMITTER", { ...ref, account: tx.from });
  }
  if (tx.total > cycle.reserved) {
    return reject("DISTRIBUTION__OVER_BOUNTY", { ...ref, total: tx.total, bounty: cycle.reserved });
  }
  if (tx.entryCount > cycle.validCount) {
    return reject("DISTRIBUTION__TOO_MANY_ENTRIES", { ...ref, entries: tx.entryCount, validCount: cycle.validCount });
  }
  const task: TaskRecord = refreshRamp(draft, found, slot);
  const weight = nodeWeight(freshNode(task, stored), roundOf(task, slot), task.params);
  const entrant: RaceScore = {
    node: tx.from,
    time: raceTime(cycle.seed ?? task.seedHead, cycle.attempt, tx.from),
    weight,
  };
  const key = stateKeys.distribution(task.id, tx.cycle, tx.attempt);
  const current = draft.get<DistributionRecord>(key);
  if (current !== undefined) {
    const holder: RaceScore = { node: current.distributor, time: current.raceTime, weight: current.raceWeight };
    if (!beatsInRace(entrant, holder)) {
      return reject("DISTRIBUTION__NOT_BETTER", { ...ref, attempt: tx.attempt, distributor: current.distributor });
    }
  }
  draft.set(
    key,
    distributionRecord({
      attempt: tx.attempt,
      distributor: tx.from,
      slot,
      entryCount: tx.entryCount,
      total: tx.total,
      listRoot: tx.listRoot,
      listBlob: tx.listBlob,
      raceTime: entrant.time,
      raceWeight: weight,
      status: "complete",
      triggered: false,
      slashSeq: null,
    }) satisfies DistributionRecord,
  );
  draft.setCycle(cycleRecord(draft.cycle(task.id, tx.cycle) as CycleRecord, { distributor: tx.from }));
  context.events.push({
    type: "DistributionSubmitted",
    task: task.id,
    cycle: tx.cycle,
    attempt: tx.attempt,
    distributor: tx.from,
    replaced: current?.distributor ?? null,
    entries: tx.entryCount,
    total: tx.total,
    listRoot: tx.listRoot,
    listBlob: tx.listBlob,
  });
  return null;
}
