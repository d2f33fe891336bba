import { ProtocolError } from "./gradualError.ts";
import { readRecord, type State, ZERO_TOTALS } from "./state/store.ts";
import { trieForEach } from "./state/trie.ts";
import type {
  AccountRecord,
  ChainRecord,
  CycleRecord,
  NodeRecord,
  TaskRecord,
  TotalsRecord,
  TriggerRecord,
  VestingRecord,
} from "./types.ts";
import { vestingBalance } from "./vesting.ts";
import { nodeStake } from "./weight.ts";

/**
 * protocol.md §11.1, conservation: balances + stakes + unbonding + escrows + reserved + vesting + bonds + burned
 * = supply.
 * `checkTotals` is O(1) (the running totals); `checkConservation` recomputes every bucket from every record.
 */
export function checkTotals(state: State): void {
  const chain = readRecord<ChainRecord>(state, "chain");
  const totals = readRecord<TotalsRecord>(state, "totals");
  if (chain === undefined || totals === undefined) throw new ProtocolError("state has no chain or totals record");
  const sum = Object.values(totals).reduce((left: bigint, right: bigint) => left + right, 0n);
  if (sum !== chain.supply) {
    throw new ProtocolError(
      `conservation broken at slot ${chain.slot}: totals sum to ${sum}, supply is ${chain.supply}`,
    );
  }
}

export function recomputeTotals(state: State): TotalsRecord {
  const totals: { -readonly [K in keyof TotalsRecord]: bigint } = { ...ZERO_TOTALS };
  // A callback walk: no array per record, no generator per trie level.
  trieForEach(state.root, (key, value) => addToTotals(totals, key, value, 1n));
  return totals;
}

/**
 * Adds (`sign` 1n) or removes (-1n) one record's share of the totals, as `recomputeTotals` counts it: what keeps a
 * recount up to date from the records that changed (the simulator's per-round check). Prefix tests rather than a
 * slice per key: `kind/` starts the key exactly when its kind is `kind`.
 */
export function addToTotals(
  totals: { -readonly [K in keyof TotalsRecord]: bigint },
  key: string,
  value: unknown,
  sign: bigint,
): void {
  if (value === undefined) return;
  if (key.startsWith("account/")) totals.balances += sign * (value as AccountRecord).balance;
  else if (key.startsWith("node/")) {
    totals.stakes += sign * nodeStake(value as NodeRecord);
    totals.unbonding += sign * (value as NodeRecord).unbonding;
  } else if (key.startsWith("task/")) {
    totals.escrows += sign * (value as TaskRecord).escrow;
    totals.burned += sign * (value as TaskRecord).burned;
  } else if (key.startsWith("cycle/")) totals.reserved += sign * (value as CycleRecord).reserved;
  else if (key.startsWith("vesting/")) totals.vesting += sign * vestingBalance(value as VestingRecord);
  else if (key.startsWith("trigger/") && (value as TriggerRecord).resolution === null)
    totals.bonds += sign * (value as TriggerRecord).bond;
}

export function checkConservation(state: State): void {
  checkTotals(state);
  const stored = readRecord<TotalsRecord>(state, "totals") as TotalsRecord;
  const recomputed = recomputeTotals(state);
  for (const bucket of Object.keys(recomputed) as (keyof TotalsRecord)[]) {
    if (stored[bucket] !== recomputed[bucket]) {
      throw new ProtocolError(
        `conservation broken: running total ${bucket} is ${stored[bucket]}, the records hold ${recomputed[bucket]}`,
      );
    }
  }
}
