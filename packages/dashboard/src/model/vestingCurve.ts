import {
  addPayment,
  claimAll,
  claimableAt,
  lockedAt,
  slashLocked,
  type VestingRecord,
  vestingEndRound,
} from "@gradual/protocol";

/**
 * The node page's vesting chart (protocol.md §7): what a node can claim at each round and what is still locked
 * (and so still slashable). The curve uses the protocol's own vesting arithmetic (one pool per account, §7.1); the
 * ledger serves a node's claimable and locked amounts, not its pool's schedule, so `replayVesting` rebuilds it from
 * the ledger's events and `reconcileUnlocked` checks it against those amounts.
 */

export type VestingCurve = {
  readonly rounds: readonly number[];
  /** Claimable at the start of each round if the node claims nothing more before then (0 before a past claim). */
  readonly claimable: readonly bigint[];
  /** Still locked at each round. */
  readonly locked: readonly bigint[];
  /** The round from which nothing is locked any more (the pool's end), or undefined when nothing is locked. */
  readonly fullyVestedRound: number | undefined;
};

/** Claimable and locked amounts for every round in [fromRound, toRound]. */
export function vestingCurve(record: VestingRecord, fromRound: number, toRound: number): VestingCurve {
  const rounds: number[] = [];
  const claimable: bigint[] = [];
  const locked: bigint[] = [];
  for (let round = fromRound; round <= toRound; round += 1) {
    rounds.push(round);
    // Before a claim the record no longer knows what was claimable then: never show a negative amount.
    const value = claimableAt(record, round);
    claimable.push(value > 0n ? value : 0n);
    locked.push(lockedAt(record, round));
  }
  return { rounds, claimable, locked, fullyVestedRound: record.locked === 0n ? undefined : vestingEndRound(record) };
}

/**
 * The chart's range: from the current round to the round the pool is all released (at least four rounds), which is
 * what a node can expect to claim if it waits.
 */
export function vestingRange(record: VestingRecord, currentRound: number): { fromRound: number; toRound: number } {
  return { fromRound: Math.max(0, currentRound), toRound: Math.max(currentRound + 4, vestingEndRound(record)) };
}

/** The vesting-related events of one node in one task, with the round each landed in. */
export type VestingEvent =
  | {
      readonly type: "Vested";
      readonly round: number;
      readonly cycle: number;
      readonly amount: bigint;
      readonly endRound: number;
    }
  | { readonly type: "Claimed"; readonly round: number; readonly amount: bigint }
  | { readonly type: "Slashed"; readonly round: number; readonly fromVesting: bigint };

export const EMPTY_VESTING: VestingRecord = {
  unlocked: 0n,
  locked: 0n,
  lockedRound: 0,
  endAt: 0,
  held: 0n,
  totalVested: 0n,
  totalClaimed: 0n,
  totalSlashed: 0n,
  totalClawedBack: 0n,
};

export function replayVesting(
  events: readonly VestingEvent[],
  params: { readonly vestingRounds: number; readonly slashFractionBps: number },
): VestingRecord {
  let record = EMPTY_VESTING;
  for (const event of events) {
    if (event.type === "Vested") {
      // A rule share joined the pool in the round it was paid, which its end names.
      record = addPayment(record, event.amount, event.endRound - params.vestingRounds, params.vestingRounds);
    } else if (event.type === "Claimed") {
      record = claimAll(record, event.round).record;
    } else if (event.fromVesting > 0n) {
      record = slashLocked(record, event.round, params.slashFractionBps).record;
    }
  }
  return record;
}

/**
 * Sets `unlocked` so that the record's claimable amount at `round` equals what the ledger reports. Returns
 * whether the rebuilt pool also matches the ledger's locked amount (if not, the history was incomplete).
 */
export function reconcileUnlocked(
  record: VestingRecord,
  round: number,
  ledger: { readonly claimable: bigint; readonly locked: bigint },
): { readonly record: VestingRecord; readonly exact: boolean } {
  const fromPool = claimableAt({ ...record, unlocked: 0n }, round);
  const unlocked = ledger.claimable > fromPool ? ledger.claimable - fromPool : 0n;
  const reconciled = { ...record, unlocked };
  const exact = lockedAt(reconciled, round) === ledger.locked && claimableAt(reconciled, round) === ledger.claimable;
  return { record: reconciled, exact };
}
