import { BPS, type TaskParams } from "./params.ts";
import { nodeRecord } from "./state/records.ts";
import type { NodeRecord, RampAggregate, RevealRecord, StakeLot } from "./types.ts";

/**
 * Gradual trust (protocol.md §3). A lot of stake is active from its activation round (the round `warmupRounds`
 * after it landed). In its k-th active round (k = 1, 2, ...) it weighs `amount * min(k, rampRounds) / rampRounds`,
 * floored; with `rampRounds = 0` it weighs in full at once (Koii's rule).
 */

export function lotWeight(lot: StakeLot, round: number, rampRounds: number): bigint {
  if (round < lot.activationRound) return 0n;
  if (rampRounds === 0) return lot.amount;
  const age = round - lot.activationRound + 1;
  if (age >= rampRounds) return lot.amount;
  return (lot.amount * BigInt(age)) / BigInt(rampRounds);
}

export function nodeStake(node: NodeRecord): bigint {
  let total = node.rampedStake;
  for (const lot of node.lots) total += lot.amount;
  return total;
}

/** Stake already past its warm-up at `round` (it may still be ramping). */
export function nodeActiveStake(node: NodeRecord, round: number): bigint {
  let total = node.rampedStake;
  for (const lot of node.lots) if (lot.activationRound <= round) total += lot.amount;
  return total;
}

export function nodeWeight(node: NodeRecord, round: number, params: TaskParams): bigint {
  let total = node.rampedStake;
  for (const lot of node.lots) total += lotWeight(lot, round, params.rampRounds);
  return total;
}

/** The round from which a lot activated at `activationRound` weighs in full. */
function fullyRampedFrom(activationRound: number, rampRounds: number): number {
  return activationRound + Math.max(rampRounds, 1) - 1;
}

/** Folds every bucket that weighs in full at `round` into `fullStake`. Idempotent and monotone in `round`. */
export function foldRamp(ramp: RampAggregate, round: number, rampRounds: number): RampAggregate {
  let fullStake = ramp.fullStake;
  let foldedThrough = ramp.foldedThrough;
  let cut = 0;
  for (const [activation, stake] of ramp.buckets) {
    if (fullyRampedFrom(activation, rampRounds) > round) break;
    fullStake += stake;
    foldedThrough = Math.max(foldedThrough, activation);
    cut += 1;
  }
  if (cut === 0) return ramp;
  return { fullStake, foldedThrough, buckets: ramp.buckets.slice(cut) };
}

/** Total weight of every active node at `round`, floored once (so it is at least the sum of node weights). */
export function totalWeight(ramp: RampAggregate, round: number, rampRounds: number): bigint {
  let total = ramp.fullStake;
  for (const [activation, stake] of ramp.buckets) {
    total += lotWeight({ amount: stake, activationRound: activation }, round, rampRounds);
  }
  return total;
}

export function addToRamp(ramp: RampAggregate, lot: StakeLot): RampAggregate {
  if (lot.activationRound <= ramp.foldedThrough) return { ...ramp, fullStake: ramp.fullStake + lot.amount };
  const buckets = [...ramp.buckets];
  const at = buckets.findIndex(([round]) => round >= lot.activationRound);
  if (at >= 0 && buckets[at]?.[0] === lot.activationRound) {
    const [round, stake] = buckets[at] as readonly [number, bigint];
    buckets[at] = [round, stake + lot.amount];
  } else if (at >= 0) {
    buckets.splice(at, 0, [lot.activationRound, lot.amount]);
  } else {
    buckets.push([lot.activationRound, lot.amount]);
  }
  return { ...ramp, buckets };
}

export function removeFromRamp(ramp: RampAggregate, lot: StakeLot): RampAggregate {
  if (lot.amount === 0n) return ramp;
  if (lot.activationRound <= ramp.foldedThrough) return { ...ramp, fullStake: ramp.fullStake - lot.amount };
  const buckets = ramp.buckets
    .map(([round, stake]): readonly [number, bigint] =>
      round === lot.activationRound ? [round, stake - lot.amount] : [round, stake],
    )
    .filter(([, stake]) => stake !== 0n);
  return { ...ramp, buckets };
}

/**
 * Moves a node's lots that the task aggregate has folded into `rampedStake`, so both sides agree where every
 * amount sits. Call after `foldRamp` on the task.
 */
export function foldNodeLots(node: NodeRecord, ramp: RampAggregate): NodeRecord {
  let rampedStake = node.rampedStake;
  const lots: StakeLot[] = [];
  for (const lot of node.lots) {
    if (lot.activationRound <= ramp.foldedThrough) rampedStake += lot.amount;
    else lots.push(lot);
  }
  if (lots.length === node.lots.length) return node;
  return nodeRecord(node, { rampedStake, lots });
}

/**
 * The quorum of a late decision (protocol.md §5.7, deviation 39): whether `weight` deciding a late trigger or an
 * appeal of a cycle exceeds `1 − slashQuorumBps` of the cycle's `reviewWeight`.
 */
export function meetsLateQuorum(weight: bigint, reviewWeight: bigint, params: TaskParams): boolean {
  return weight * BigInt(BPS) > BigInt(BPS - params.slashQuorumBps) * reviewWeight;
}

/**
 * A node's weight on a late decision of a cycle (protocol.md §5.7, deviation 40): its weight now, at most the weight
 * its reveal in the cycle carried; none without a reveal. Weight bought after the cycle decides nothing of it.
 */
export function lateWeight(now: bigint, reveal: RevealRecord | undefined): bigint {
  if (reveal === undefined) return 0n;
  return now < reveal.weight ? now : reveal.weight;
}
