import { BPS } from "./params.ts";
import { type KeyLike, stateKeys } from "./state/keys.ts";
import { vestingRecord } from "./state/records.ts";
import type { Account, SlashLogEntry, TaskRecord, TriggerRecord, VestingRecord, VestingTranche } from "./types.ts";

/**
 * Slow rewards (protocol.md §7). Each accepted payment becomes a tranche that unlocks linearly from its acceptance
 * round over `vestingRounds`; what has not unlocked stays slashable (§5.5).
 */

export const EMPTY_VESTING: VestingRecord = {
  unlocked: 0n,
  tranches: [],
  totalVested: 0n,
  totalClaimed: 0n,
  totalSlashed: 0n,
  totalClawedBack: 0n,
};

export function trancheUnlocked(tranche: VestingTranche, round: number): bigint {
  if (round >= tranche.endRound) return tranche.amount;
  if (round <= tranche.startRound) return 0n;
  const span = BigInt(tranche.endRound - tranche.startRound);
  return (tranche.amount * BigInt(round - tranche.startRound)) / span;
}

/** Whether a tranche (by the cycle that earned it) may not be claimed now: see `frozenByChallenge`. */
export type FrozenTranches = (cycle: number) => boolean;

const NOTHING_FROZEN: FrozenTranches = () => false;

/**
 * protocol.md §7.1: a tranche earned in a cycle where an open trigger (a late challenge, §5.7) targets the node's
 * proof cannot be claimed until the trigger resolves, so a challenged reward is still there to claw back. Only a late
 * trigger can be open on a cycle that has paid (its review's triggers resolved a round before it paid), and every open
 * late trigger is in the task's `lateTriggers`: a cycle none of them names has nothing frozen, and is not looked up
 * (most claims look up nothing).
 */
export function frozenByChallenge(
  get: <T>(key: KeyLike) => T | undefined,
  task: Pick<TaskRecord, "id" | "lateTriggers">,
  node: Account,
): FrozenTranches {
  if (task.lateTriggers.length === 0) return NOTHING_FROZEN;
  const challenged = new Set(task.lateTriggers.map((ref) => ref.cycle));
  const open = (cycle: number, slot: "proof" | "availability") => {
    const index = get<number>(stateKeys.triggerOf(task.id, cycle, slot, 0, node));
    return index !== undefined && get<TriggerRecord>(stateKeys.trigger(task.id, cycle, index))?.resolution === null;
  };
  return (cycle) => challenged.has(cycle) && (open(cycle, "proof") || open(cycle, "availability"));
}

export function claimableAt(record: VestingRecord, round: number, frozen: FrozenTranches = NOTHING_FROZEN): bigint {
  let total = record.unlocked;
  for (const tranche of record.tranches) {
    if (!frozen(tranche.cycle)) total += trancheUnlocked(tranche, round) - tranche.claimed;
  }
  return total;
}

/**
 * Whether `claimableAt(record, round, frozen)` is above zero, asking `frozen` only about tranches that would change
 * the sum (each question costs a reader two reads of the state): none when nothing unlocked since the last claim,
 * usually one otherwise. Same answer as the sum: a tranche whose share is zero adds nothing, frozen or not, and when
 * a share is negative (a claim recorded at a later round than `round`) the sum itself is taken.
 */
export function hasClaimable(record: VestingRecord, round: number, frozen: FrozenTranches = NOTHING_FROZEN): boolean {
  if (record.unlocked < 0n) return claimableAt(record, round, frozen) > 0n;
  let found = record.unlocked > 0n;
  for (const tranche of record.tranches) {
    const unlocked = trancheUnlocked(tranche, round);
    if (unlocked < tranche.claimed) return claimableAt(record, round, frozen) > 0n;
    if (!found && unlocked > tranche.claimed && !frozen(tranche.cycle)) found = true;
  }
  return found;
}

/** Everything still held for the node, unlocked or not (the record's share of the `vesting` total). */
export function vestingBalance(record: VestingRecord): bigint {
  let total = record.unlocked;
  for (const tranche of record.tranches) total += tranche.amount - tranche.claimed;
  return total;
}

export function lockedAt(record: VestingRecord, round: number): bigint {
  let total = 0n;
  for (const tranche of record.tranches) total += tranche.amount - trancheUnlocked(tranche, round);
  return total;
}

export function addTranche(
  record: VestingRecord,
  cycle: number,
  amount: bigint,
  round: number,
  vestingRounds: number,
): VestingRecord {
  const totalVested = record.totalVested + amount;
  if (vestingRounds === 0) return vestingRecord(record, { unlocked: record.unlocked + amount, totalVested });
  const tranche: VestingTranche = { cycle, amount, startRound: round, endRound: round + vestingRounds, claimed: 0n };
  return vestingRecord(record, { tranches: [...record.tranches, tranche], totalVested });
}

/** Pays out everything unlocked and not frozen, and drops tranches that are fully unlocked and claimed. */
export function claimAll(
  record: VestingRecord,
  round: number,
  frozen: FrozenTranches = NOTHING_FROZEN,
): { record: VestingRecord; amount: bigint } {
  // One pass, one freeze lookup per tranche (each costs two reads of the state).
  let amount = record.unlocked;
  const tranches: VestingTranche[] = [];
  for (const tranche of record.tranches) {
    if (frozen(tranche.cycle)) {
      tranches.push(tranche);
      continue;
    }
    const unlocked = trancheUnlocked(tranche, round);
    amount += unlocked - tranche.claimed;
    if (round < tranche.endRound) {
      // Every field written, in the order of the tranche's other literals (one hidden class, see state/records.ts).
      tranches.push({
        cycle: tranche.cycle,
        amount: tranche.amount,
        startRound: tranche.startRound,
        endRound: tranche.endRound,
        claimed: unlocked,
      });
    }
  }
  return {
    record: vestingRecord(record, { unlocked: 0n, tranches, totalClaimed: record.totalClaimed + amount }),
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
    const one = slashLocked(vestingRecord(EMPTY_VESTING, { tranches: [tranche] }), slash.round, slash.fractionBps);
    unlocked += one.record.unlocked;
    slashed += one.slashed;
    tranche = one.record.tranches[0] ?? null;
  }
  return { unlocked, tranche, slashed };
}

/**
 * Cuts `fractionBps` of every tranche's locked part. The unlocked part of each tranche is set aside first, and
 * what stays locked vests from now to the tranche's original end, so nothing already unlocked is touched.
 */
export function slashLocked(
  record: VestingRecord,
  round: number,
  fractionBps: number,
): { record: VestingRecord; slashed: bigint } {
  let unlocked = record.unlocked;
  let slashed = 0n;
  const tranches: VestingTranche[] = [];
  for (const tranche of record.tranches) {
    const freed = trancheUnlocked(tranche, round);
    unlocked += freed - tranche.claimed;
    const locked = tranche.amount - freed;
    const cut = (locked * BigInt(fractionBps)) / BigInt(BPS);
    slashed += cut;
    if (locked - cut > 0n) {
      tranches.push({
        cycle: tranche.cycle,
        amount: locked - cut,
        startRound: round,
        endRound: tranche.endRound,
        claimed: 0n,
      });
    }
  }
  return {
    record: vestingRecord(record, { unlocked, tranches, totalSlashed: record.totalSlashed + slashed }),
    slashed,
  };
}

/**
 * Takes back everything a cycle paid that is still held (locked, or unlocked and unclaimed): a late trigger found
 * the proof behind it wrong or unavailable (protocol.md §5.7). What was already claimed is gone.
 */
export function clawBackCycle(record: VestingRecord, cycle: number): { record: VestingRecord; amount: bigint } {
  let amount = 0n;
  const tranches: VestingTranche[] = [];
  for (const tranche of record.tranches) {
    if (tranche.cycle === cycle) amount += tranche.amount - tranche.claimed;
    else tranches.push(tranche);
  }
  if (amount === 0n) return { record, amount };
  return { record: vestingRecord(record, { tranches, totalClawedBack: record.totalClawedBack + amount }), amount };
}
