import { BPS } from "./params.ts";
import { vestingRecord } from "./state/records.ts";
import type { SlashLogEntry, VestingRecord, VestingTranche } from "./types.ts";

/**
 * Slow rewards (protocol.md §7, deviation 42). An account's payments in a task go into one pool that releases
 * linearly to its end round; what has not been released stays slashable (§5.5, §7.2). Each payment moves the end to
 * the amount-weighted mean of the pool's end and its own, so it adds exactly its own lock (`amount · (end − round)`
 * token-rounds, as a tranche of its own would) and the pool is all released at most `vestingRounds` after the last
 * payment. Every operation is O(1), whatever `vestingRounds` is.
 */

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

/** One payment's own linear schedule (a list entry's, while its replayed slashes are worked out: `listTranche`). */
export function trancheUnlocked(tranche: VestingTranche, round: number): bigint {
  if (round >= tranche.endRound) return tranche.amount;
  if (round <= tranche.startRound) return 0n;
  const span = BigInt(tranche.endRound - tranche.startRound);
  return (tranche.amount * BigInt(round - tranche.startRound)) / span;
}

/**
 * The pool's end is kept in 1/65,536 of a round (`endAt`): an end in whole rounds, rounded at each payment, would
 * drift by up to a round a payment and settle `vestingRounds` rounds ahead, locking twice what the payments' own
 * schedules lock (deviation 42).
 */
export const VESTING_END_SCALE = 65_536;
const SCALE = BigInt(VESTING_END_SCALE);

/**
 * The pool released to `round`: what stays locked is `⌊locked · (endAt − round·S) / (endAt − lockedRound·S)⌋` (none
 * from the end on; S = VESTING_END_SCALE), the rest moves to `unlocked`. Nothing happens at or before `lockedRound`.
 */
export function releaseTo(record: VestingRecord, round: number): VestingRecord {
  if (record.locked === 0n || round <= record.lockedRound) return record;
  const now = BigInt(round) * SCALE;
  const end = BigInt(record.endAt);
  const remaining = now >= end ? 0n : (record.locked * (end - now)) / (end - BigInt(record.lockedRound) * SCALE);
  return vestingRecord(record, {
    unlocked: record.unlocked + record.locked - remaining,
    ...lockedPart(remaining, round, record.endAt),
  });
}

/** The pool's fields for `locked` left as of `round` (the round and the end 0 when nothing is). */
function lockedPart(
  locked: bigint,
  round: number,
  endAt: number,
): Pick<VestingRecord, "locked" | "lockedRound" | "endAt"> {
  return locked === 0n ? { locked, lockedRound: 0, endAt: 0 } : { locked, lockedRound: round, endAt };
}

/**
 * Adds `amount` that would vest on its own until round `end` (> `round`) to a pool already released to `round`: the
 * pool's end becomes the amount-weighted mean of its own and `end`, rounded up to 1/65,536 of a round:
 * `round·S + ⌈(locked · (endAt − round·S) + amount · (end − round)·S) / (locked + amount)⌉`.
 */
function addLocked(record: VestingRecord, round: number, amount: bigint, end: number): VestingRecord {
  if (record.locked === 0n) {
    return vestingRecord(record, { locked: amount, lockedRound: round, endAt: end * VESTING_END_SCALE });
  }
  const now = BigInt(round) * SCALE;
  const total = record.locked + amount;
  const weighted = record.locked * (BigInt(record.endAt) - now) + amount * BigInt(end - round) * SCALE;
  const span = (weighted + total - 1n) / total;
  return vestingRecord(record, { locked: total, lockedRound: round, endAt: Number(now + span) });
}

/**
 * A payment of `amount` at `round` that vests over `vestingRounds` (a rule share, §6.2): unlocked at once when
 * `vestingRounds` is 0.
 */
export function addPayment(record: VestingRecord, amount: bigint, round: number, vestingRounds: number): VestingRecord {
  const totalVested = record.totalVested + amount;
  if (vestingRounds === 0 || amount === 0n) {
    return vestingRecord(record, { unlocked: record.unlocked + amount, totalVested });
  }
  const released = releaseTo(record, round);
  return vestingRecord(addLocked(released, round, amount, round + vestingRounds), { totalVested });
}

/**
 * A list entry claimed at `round` (§6.4): what its replayed schedule has unlocked by now (`listTranche`'s unlocked part
 * and its tranche's) is unlocked, the rest joins the pool with the tranche's own end. `vested` and `slashed` go to the
 * totals.
 */
export function addListEntry(
  record: VestingRecord,
  round: number,
  entry: { readonly unlocked: bigint; readonly tranche: VestingTranche | null },
  amount: bigint,
  slashed: bigint,
): VestingRecord {
  const released = releaseTo(record, round);
  const freed = entry.tranche === null ? 0n : trancheUnlocked(entry.tranche, round);
  const rest = entry.tranche === null ? 0n : entry.tranche.amount - freed;
  const opened = vestingRecord(released, {
    unlocked: released.unlocked + entry.unlocked + freed,
    totalVested: released.totalVested + amount,
    totalSlashed: released.totalSlashed + slashed,
  });
  return rest > 0n && entry.tranche !== null ? addLocked(opened, round, rest, entry.tranche.endRound) : opened;
}

/** What a claim at `round` keeps back: the part of `held` (open late challenges) the locked pool does not cover. */
function keptBack(released: VestingRecord): bigint {
  const short = released.held - released.locked;
  if (short <= 0n) return 0n;
  return short < released.unlocked ? short : released.unlocked;
}

/** What a claim at `round` would pay (protocol.md §7.1). */
export function claimableAt(record: VestingRecord, round: number): bigint {
  const released = releaseTo(record, round);
  return released.unlocked - keptBack(released);
}

/** Whether `claimableAt(record, round)` is above zero. */
export function hasClaimable(record: VestingRecord, round: number): boolean {
  return claimableAt(record, round) > 0n;
}

/** Everything still held for the account, unlocked or not (the record's share of the `vesting` total). */
export function vestingBalance(record: VestingRecord): bigint {
  return record.unlocked + record.locked;
}

/** What is still locked at `round`. */
export function lockedAt(record: VestingRecord, round: number): bigint {
  return releaseTo(record, round).locked;
}

/** The first round from which nothing of the pool is locked (0 when nothing is). */
export function vestingEndRound(record: VestingRecord): number {
  return Math.ceil(record.endAt / VESTING_END_SCALE);
}

/** Pays out what is released and not kept back for an open late challenge (§7.1). */
export function claimAll(record: VestingRecord, round: number): { record: VestingRecord; amount: bigint } {
  const released = releaseTo(record, round);
  const kept = keptBack(released);
  const amount = released.unlocked - kept;
  return {
    record: vestingRecord(released, { unlocked: kept, totalClaimed: released.totalClaimed + amount }),
    amount,
  };
}

/**
 * The tranche an entry of a list claimed now would be (protocol.md §6.4, §7.2): vesting from the round its list was
 * accepted, with every later slash of the recipient replayed on it as `slashLocked` would have cut it then. Gives
 * what went to unlocked along the way, the tranche still vesting (null when nothing is left) and the total cut.
 */
export function listTranche(
  cycle: number,
  amount: bigint,
  acceptedRound: number,
  vestingRounds: number,
  slashes: readonly SlashLogEntry[],
): { unlocked: bigint; tranche: VestingTranche | null; slashed: bigint } {
  if (vestingRounds === 0) return { unlocked: amount, tranche: null, slashed: 0n };
  let tranche: VestingTranche | null = {
    cycle,
    amount,
    startRound: acceptedRound,
    endRound: acceptedRound + vestingRounds,
    claimed: 0n,
  };
  let unlocked = 0n;
  let slashed = 0n;
  for (const slash of slashes) {
    if (tranche === null) break;
    const one = slashTranche(tranche, slash.round, slash.fractionBps);
    unlocked += one.unlocked;
    slashed += one.slashed;
    tranche = one.tranche;
  }
  return { unlocked, tranche, slashed };
}

/**
 * One replayed slash on a list entry's tranche (§7.2): its unlocked part set aside, `fractionBps` of the rest cut, and
 * what stays vests from `round` to the tranche's end.
 */
function slashTranche(
  tranche: VestingTranche,
  round: number,
  fractionBps: number,
): { unlocked: bigint; tranche: VestingTranche | null; slashed: bigint } {
  const freed = trancheUnlocked(tranche, round);
  const locked = tranche.amount - freed;
  const slashed = (locked * BigInt(fractionBps)) / BigInt(BPS);
  const left = locked - slashed;
  const next =
    left > 0n
      ? { cycle: tranche.cycle, amount: left, startRound: round, endRound: tranche.endRound, claimed: 0n }
      : null;
  return { unlocked: freed - tranche.claimed, tranche: next, slashed };
}

/** Cuts `fractionBps` of the pool's locked part at `round` (§7.2): its end stays, nothing released is touched. */
export function slashLocked(
  record: VestingRecord,
  round: number,
  fractionBps: number,
): { record: VestingRecord; slashed: bigint } {
  const released = releaseTo(record, round);
  const slashed = (released.locked * BigInt(fractionBps)) / BigInt(BPS);
  if (slashed === 0n) return { record: released, slashed };
  return {
    record: vestingRecord(released, {
      ...lockedPart(released.locked - slashed, round, released.endAt),
      totalSlashed: released.totalSlashed + slashed,
    }),
    slashed,
  };
}

/**
 * Takes back what a cycle paid (`paid`, the late trigger's `held`) from what the account still holds at `round`:
 * released first, then locked (protocol.md §5.7). What it claimed before the challenge is gone.
 */
export function clawBack(
  record: VestingRecord,
  round: number,
  paid: bigint,
): { record: VestingRecord; amount: bigint } {
  if (paid === 0n) return { record, amount: 0n };
  const released = releaseTo(record, round);
  const fromUnlocked = paid < released.unlocked ? paid : released.unlocked;
  const left = paid - fromUnlocked;
  const fromLocked = left < released.locked ? left : released.locked;
  const amount = fromUnlocked + fromLocked;
  if (amount === 0n) return { record: released, amount };
  return {
    record: vestingRecord(released, {
      unlocked: released.unlocked - fromUnlocked,
      ...lockedPart(released.locked - fromLocked, round, released.endAt),
      totalClawedBack: released.totalClawedBack + amount,
    }),
    amount,
  };
}
