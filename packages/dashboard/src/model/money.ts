import type { NodeView, TaskView } from "@gradual/wire";

/**
 * Where the money sits, for the overview (protocol.md §11.1), summed from what the ledger serves: the task records
 * (stake, escrow, reserved bounties, paid, slashed) and, for vesting, the nodes' views.
 */

export type MoneyTotals = {
  /** Bonded and unbonding stake. */
  readonly staked: bigint;
  /** Task escrows plus the bounties reserved by open cycles. */
  readonly escrowed: bigint;
  /** Paid into vesting since genesis. */
  readonly paid: bigint;
  /** Paid and not yet claimed (undefined when it cannot be known cheaply). */
  readonly vesting: bigint | undefined;
  /** Taken from cheating nodes since genesis. */
  readonly slashed: bigint;
};

export function stakeOfTask(view: TaskView): bigint {
  const ramp = view.task.ramp;
  let total = BigInt(ramp.fullStake);
  for (const [, stake] of ramp.buckets) total += BigInt(stake);
  return total;
}

export function escrowedOfTask(view: TaskView): bigint {
  let total = BigInt(view.task.escrow);
  for (const cycle of view.cycles) total += BigInt(cycle.record.reserved);
  return total;
}

export function moneyTotals(tasks: readonly TaskView[], nodeVesting: bigint | undefined): MoneyTotals {
  let paid = 0n;
  let slashed = 0n;
  let staked = 0n;
  let escrowed = 0n;
  for (const view of tasks) {
    paid += BigInt(view.task.totalPaid);
    slashed += BigInt(view.task.totalSlashed);
    staked += stakeOfTask(view);
    escrowed += escrowedOfTask(view);
  }
  return { staked, escrowed, paid, vesting: nodeVesting, slashed };
}

/** Vesting held by a task's current nodes: what they can claim plus what is still locked. */
export function vestingOfNodes(nodes: readonly NodeView[]): bigint {
  let total = 0n;
  for (const node of nodes) total += BigInt(node.claimable) + BigInt(node.locked);
  return total;
}
