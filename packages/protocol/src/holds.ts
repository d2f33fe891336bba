import { stateKeys } from "./state/keys.ts";
import { triggerRecord, vestingRecord } from "./state/records.ts";
import type { Draft } from "./state/store.ts";
import type { Account, CycleRecord, RevealRecord, TaskRecord, TriggerRecord, VestingRecord } from "./types.ts";
import { EMPTY_VESTING } from "./vesting.ts";

/**
 * Late challenges and an account's vesting (protocol.md §5.7, §7.1, deviation 42): a late proof or availability
 * trigger keeps what the challenged cycle paid its target (`held`) from the target's claims while it is open, and
 * claws that much back if it is upheld. Vesting is one pool per account, so the amount is the cycle's own payment:
 * the rule share from the cycle's payment figures, or the list entry the target claimed.
 */
export function paidTo(draft: Draft, task: TaskRecord, cycle: CycleRecord, account: Account): bigint {
  if (task.params.distributionRule === "custom") {
    return draft.get<bigint>(stateKeys.listClaim(task.id, cycle.cycle, account)) ?? 0n;
  }
  const reveal = draft.get<RevealRecord>(stateKeys.reveal(task.id, cycle.cycle, account));
  if (reveal?.status !== "valid") return 0n;
  if (task.params.distributionRule === "weighted" && cycle.ruleWeight > 0n) {
    return (cycle.ruleBase * reveal.weight) / cycle.ruleWeight;
  }
  return cycle.ruleShares === 0 ? 0n : cycle.ruleBase / BigInt(cycle.ruleShares);
}

/** Whether a trigger holds its target's pay: a late trigger of a proof, `invalid` or `unavailable` (not an appeal). */
export function holdsPay(trigger: Pick<TriggerRecord, "late" | "kind" | "verdict">): boolean {
  return trigger.late && trigger.kind === "proof" && trigger.verdict !== "valid";
}

/** Adds `amount` to what `account`'s claims keep back in the task. */
export function addHeld(draft: Draft, taskId: string, account: Account, amount: bigint): void {
  if (amount === 0n) return;
  const key = stateKeys.vesting(taskId, account);
  const vesting = draft.get<VestingRecord>(key) ?? EMPTY_VESTING;
  draft.set(key, vestingRecord(vesting, { held: vesting.held + amount }));
}

/** A trigger that held its target's pay resolves: its `held` no longer keeps anything from the target's claims. */
export function releaseHeld(draft: Draft, taskId: string, trigger: TriggerRecord): void {
  if (trigger.held === 0n) return;
  const key = stateKeys.vesting(taskId, trigger.target);
  const vesting = draft.get<VestingRecord>(key) as VestingRecord;
  draft.set(key, vestingRecord(vesting, { held: vesting.held - trigger.held }));
}

/**
 * A list entry of `cycle` claimed for `account` (§6.4) while late challenges of its proof are open: each holds the
 * entry too, as it would have had the entry been claimed before it opened.
 */
export function holdForOpenChallenges(
  draft: Draft,
  taskId: string,
  cycle: number,
  account: Account,
  amount: bigint,
): void {
  if (amount === 0n) return;
  for (const slot of ["proof", "availability"] as const) {
    const index = draft.get<number>(stateKeys.triggerOf(taskId, cycle, slot, 0, account));
    if (index === undefined) continue;
    const key = stateKeys.trigger(taskId, cycle, index);
    const trigger = draft.get<TriggerRecord>(key);
    if (trigger === undefined || trigger.resolution !== null || !holdsPay(trigger)) continue;
    draft.set(key, triggerRecord(trigger, { held: trigger.held + amount }));
    addHeld(draft, taskId, account, amount);
  }
}
