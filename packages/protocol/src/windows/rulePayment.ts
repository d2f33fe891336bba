import type { TransitionContext } from "../context.ts";
import { roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { cycleRecord, taskRecord } from "../state/records.ts";
import { ruleAmount } from "../transactions/submitDistribution.ts";
import type { CycleRecord, RevealRecord, TaskRecord, VestingRecord } from "../types.ts";
import { addPayment, EMPTY_VESTING } from "../vesting.ts";
import { completeCycle } from "./cycleEnd.ts";

/**
 * The first slot of round c + 2 under a ledger-computed rule (protocol.md §6.2, `weighted` or `equal`), where a
 * distributor would otherwise be drawn: the cycle pays itself, with no distributor and no list. Its proofs were
 * decided when their votes closed in round c + 1, and paying a round later keeps the late-challenge window and the
 * vesting schedule where list payments have them (§5.7). Each valid submitter's share joins its vesting pool (§7.1); the
 * cycle owes `⌊B · V / W⌋` under `weighted` (V the weight of the valid reveals) or `⌊B / N⌋` per valid reveal under
 * `equal`, and returns the rest of its reservation to the escrow. The shares floor one by one, so they may add up to
 * a few base units less than what is owed: that rounding dust stays reserved in the cycle and is never paid. A
 * settlement that pays each share on its first claim (a contract, docs/evm.md) computes the same owed amount, the
 * same shares and the same dust without visiting every submitter.
 */
export function payByRule(context: TransitionContext, task: TaskRecord, cycle: CycleRecord): void {
  const { draft, slot } = context;
  const round = roundOf(task, slot);
  const valid: { account: string; reveal: RevealRecord }[] = [];
  let validWeight = 0n;
  for (let index = 0; index < cycle.revealCount; index += 1) {
    const account = draft.get<string>(stateKeys.revealAt(task.id, cycle.cycle, index));
    if (account === undefined) continue;
    const reveal = draft.get<RevealRecord>(stateKeys.reveal(task.id, cycle.cycle, account));
    if (reveal?.status !== "valid") continue;
    valid.push({ account, reveal });
    validWeight += reveal.weight;
  }
  if (valid.length === 0) {
    completeCycle(context, cycle, "no-submitters");
    return;
  }
  const owed = owedByRule(task, cycle, validWeight, valid.length);
  let paid = 0n;
  valid.sort((left, right) => (left.account < right.account ? -1 : 1));
  for (const { account, reveal } of valid) {
    const amount = ruleAmount(task, cycle, reveal) ?? 0n;
    if (amount === 0n) continue;
    paid += amount;
    const key = stateKeys.vesting(task.id, account);
    const vesting = draft.get<VestingRecord>(key) ?? EMPTY_VESTING;
    draft.set(key, addPayment(vesting, amount, round, task.params.vestingRounds));
    context.events.push({
      type: "Vested",
      task: task.id,
      cycle: cycle.cycle,
      node: account,
      amount,
      endRound: round + task.params.vestingRounds,
    });
  }
  draft.move("reserved", "vesting", paid);
  const fresh = draft.task(task.id) as TaskRecord;
  draft.setTask(taskRecord(fresh, { totalPaid: fresh.totalPaid + paid }));
  // What the shares were computed from, for a late challenge's hold and clawback (§5.7).
  const payment = { ruleBase: cycle.reserved, ruleWeight: cycle.revealedWeight, ruleShares: cycle.shareCount };
  completeCycle(
    context,
    cycleRecord(cycle, { reserved: cycle.reserved - paid, paid, ...payment }),
    "paid",
    owed - paid,
  );
}

/** What a ledger-computed rule owes for a cycle: at least the sum of its floored shares (protocol.md §6.2). */
export function owedByRule(task: TaskRecord, cycle: CycleRecord, validWeight: bigint, validCount: number): bigint {
  if (task.params.distributionRule === "weighted" && cycle.revealedWeight > 0n) {
    return (cycle.reserved * validWeight) / cycle.revealedWeight;
  }
  return cycle.shareCount === 0 ? 0n : (cycle.reserved / BigInt(cycle.shareCount)) * BigInt(validCount);
}
