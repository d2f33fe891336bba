import type { TransitionContext } from "./context.ts";
import { type Rejection, reject } from "./errors.ts";
import type { CreditReason } from "./events.ts";
import { BPS } from "./params.ts";
import { cycleClosedAt, proofTriggerWindow, roundOf, type Window } from "./schedule.ts";
import { stateKeys } from "./state/keys.ts";
import { nodeRecord, taskRecord, vestingRecord } from "./state/records.ts";
import type { Draft } from "./state/store.ts";
import type { NodeRecord, SlashLogEntry, StakeLot, TaskRecord, VestingRecord } from "./types.ts";
import { EMPTY_VESTING, slashLocked } from "./vesting.ts";
import { foldNodeLots, foldRamp, removeFromRamp } from "./weight.ts";
import { dropNodeCycles } from "./windows/prune.ts";

/** Shared task and node bookkeeping used by transactions and window ends. */

export function findTask(draft: Draft, id: string): TaskRecord | Rejection<"TASK__NOT_FOUND"> {
  return draft.task(id) ?? reject("TASK__NOT_FOUND", { task: id });
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}

export function requireOpen(task: TaskRecord): Rejection<"TASK__CLOSED"> | null {
  return task.status === "closing" || task.status === "closed"
    ? reject("TASK__CLOSED", { task: task.id, status: task.status })
    : null;
}

/**
 * §9.3: when the cycle is closed for good at `slot` (complete, and at or past `cycleClosedAt`), the span in which its
 * triggers could take votes and publications, from its proof trigger window's start to that slot; otherwise null.
 * It reads the cycle record only, which pruning keeps: a vote or a publication on a closed cycle gets its window code
 * whether or not the cycle's triggers are still in the state.
 */
export function closedCycleWindow(draft: Draft, task: TaskRecord, cycleNumber: number, slot: number): Window | null {
  const cycle = draft.cycle(task.id, cycleNumber);
  if (cycle === undefined || cycle.completedRound === null) return null;
  const closesAt = cycleClosedAt(task, cycle.completedRound);
  return slot >= closesAt ? { opensAt: proofTriggerWindow(task, cycleNumber).opensAt, closesAt } : null;
}

/** Folds the task's ramp aggregate up to the current round and stores it; returns the fresh task record. */
export function refreshRamp(draft: Draft, task: TaskRecord, slot: number): TaskRecord {
  const round = roundOf(task, slot);
  const ramp = foldRamp(task.ramp, round, task.params.rampRounds);
  if (ramp === task.ramp) return task;
  const next = taskRecord(task, { ramp });
  draft.setTask(next);
  return next;
}

/** The node record with its folded lots moved into `rampedStake`, consistent with the task aggregate. */
export function freshNode(task: TaskRecord, node: NodeRecord): NodeRecord {
  return foldNodeLots(node, task.ramp);
}

/** Removes a node from the task's index (swap with the last) and deletes its record. */
export function removeNode(draft: Draft, task: TaskRecord, node: NodeRecord): TaskRecord {
  const last = task.nodeCount - 1;
  if (node.index !== last) {
    const lastAccount = draft.get<string>(stateKeys.nodeAt(task.id, last));
    if (lastAccount !== undefined) {
      const moved = draft.node(task.id, lastAccount);
      if (moved !== undefined) draft.setNode(nodeRecord(moved, { index: node.index }));
      draft.set(stateKeys.nodeAt(task.id, node.index), lastAccount);
    }
  }
  draft.delete(stateKeys.nodeAt(task.id, last));
  draft.delete(stateKeys.node(task.id, node.account));
  dropNodeCycles(draft, task, node.account, draft.chain().slot);
  const next = taskRecord(task, { nodeCount: last });
  draft.setTask(next);
  return next;
}

/**
 * Pays `amount` to `account` from the task (protocol.md §7.1): into its vesting record of the task, already unlocked,
 * for `claim` to take. Window ends pay this way rather than into balances, so a window end touches only its own
 * task's records and a settlement that runs it later (a contract's, on first touch) changes nothing another
 * transaction may spend in between.
 */
export function payUnlocked(
  context: TransitionContext,
  taskId: string,
  account: string,
  amount: bigint,
  from: "bonds" | "burned" | "escrows" | "reserved" | "vesting",
  reason: CreditReason,
): void {
  if (amount === 0n) return;
  const { draft } = context;
  const key = stateKeys.vesting(taskId, account);
  const vesting = draft.get<VestingRecord>(key) ?? EMPTY_VESTING;
  draft.set(key, vestingRecord(vesting, { unlocked: vesting.unlocked + amount }));
  draft.move(from, "vesting", amount);
  context.events.push({ type: "Credited", task: taskId, node: account, amount, reason });
}

export type SlashOutcome = { readonly fromStake: bigint; readonly fromVesting: bigint };

/** Changes the task's share of the `burned` total (the caller moves the money). */
export function addBurned(context: TransitionContext, taskId: string, delta: bigint): void {
  const task = context.draft.task(taskId);
  if (task === undefined) return;
  context.draft.setTask(taskRecord(task, { burned: task.burned + delta }));
}

/**
 * Takes `fractionBps` of a node's stake, unbonding stake and locked rewards and burns it (protocol.md §5.5): not
 * the escrow, so a creator never profits from a slash. The caller pays the whistleblower's share out of what was
 * burned. Returns what was taken.
 */
export function slashNode(
  context: TransitionContext,
  taskId: string,
  account: string,
  fractionBps: number,
  logSeq?: number,
): SlashOutcome {
  const { draft, slot } = context;
  let task = draft.task(taskId);
  if (task === undefined) return { fromStake: 0n, fromVesting: 0n };
  task = refreshRamp(draft, task, slot);
  const round = roundOf(task, slot);
  const fraction = BigInt(fractionBps);
  let fromStake = 0n;
  const stored = draft.node(taskId, account);
  if (stored !== undefined) {
    const node = freshNode(task, stored);
    const scale = (amount: bigint) => (amount * fraction) / BigInt(BPS);
    let ramp = task.ramp;
    const lots: StakeLot[] = [];
    for (const lot of node.lots) {
      const cut = scale(lot.amount);
      ramp = removeFromRamp(ramp, { amount: cut, activationRound: lot.activationRound });
      fromStake += cut;
      if (lot.amount - cut > 0n) lots.push({ amount: lot.amount - cut, activationRound: lot.activationRound });
    }
    const rampedCut = scale(node.rampedStake);
    ramp = removeFromRamp(ramp, { amount: rampedCut, activationRound: ramp.foldedThrough });
    fromStake += rampedCut;
    const unbondingCut = scale(node.unbonding);
    draft.move("stakes", "burned", fromStake);
    draft.move("unbonding", "burned", unbondingCut);
    fromStake += unbondingCut;
    draft.setNode(
      nodeRecord(node, {
        lots,
        rampedStake: node.rampedStake - rampedCut,
        unbonding: node.unbonding - unbondingCut,
        slashedTotal: node.slashedTotal + fromStake,
        slashCount: node.slashCount + 1,
      }),
    );
    task = taskRecord(task, { ramp });
  }
  const vestingKey = stateKeys.vesting(taskId, account);
  const vesting = draft.get<VestingRecord>(vestingKey) ?? EMPTY_VESTING;
  const { record, slashed: fromVesting } = slashLocked(vesting, round, fractionBps);
  if (vesting !== EMPTY_VESTING) draft.set(vestingKey, record);
  draft.move("vesting", "burned", fromVesting);
  // Under the custom rule a list's entries enter vesting only when claimed (§6.4): the slash is logged, and an entry
  // claimed later replays the slashes that came after its list was accepted on its own schedule (§7.2).
  if (task.params.distributionRule === "custom") {
    const logKey = stateKeys.slashLog(taskId, account);
    const log = draft.get<readonly SlashLogEntry[]>(logKey) ?? [];
    // One slash takes the task's next sequence number; the slashes of one appeal share one (§5.8), so that their
    // order, which a contract walks by voter id, is not in the state.
    draft.set(logKey, [...log, { seq: logSeq ?? task.slashCount, round, fractionBps }] satisfies SlashLogEntry[]);
    if (logSeq === undefined) task = taskRecord(task, { slashCount: task.slashCount + 1 });
  }
  draft.setTask(
    taskRecord(task, {
      burned: task.burned + fromStake + fromVesting,
      totalSlashed: task.totalSlashed + fromStake + fromVesting,
    }),
  );
  return { fromStake, fromVesting };
}
