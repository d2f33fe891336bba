import {
  type Account,
  claimableAt,
  currentRound,
  cyclePhaseAt,
  getAccount,
  getActiveWeight,
  getAuditAssignment,
  getAuditorsOf,
  getChain,
  getCommit,
  getCycle,
  getCycleWindows,
  getDistribution,
  getNodeView,
  getReveal,
  getTask,
  getVesting,
  getVote,
  type Hash,
  isInside,
  keys,
  listTaskIds,
  lockedAt,
  pendingReveals,
  readRecord,
  type State,
  type TaskRecord,
  type TriggerRecord,
  type Window,
} from "@gradual/protocol";
import {
  type AccountView,
  type Assignment,
  type AssignmentList,
  type Commit,
  type CommitList,
  type CycleView,
  type DistributionView,
  type LiveCycle,
  type NodeList,
  type NodeView,
  type Page as PageWire,
  type Reveal,
  type RevealList,
  type TaskList,
  type TaskView,
  toWire,
  type Vote,
  type VoteList,
  type WindowName,
} from "@gradual/wire";

/**
 * Read-only views of a state for the HTTP API, in wire form (bigints as decimal strings), typed by the replies of
 * @gradual/wire's routes. Every list is paged with an offset and a limit so that no request walks more than `limit`
 * records, whatever the size of a task. Pure functions of a state: the CLI's local networks answer task code's
 * ledger reads with the same views.
 */

export type Page = { readonly offset: number; readonly limit: number };

function pageOf<T>(items: T[], offset: number, limit: number, total: number): PageWire<T> {
  const end = offset + limit;
  return { items, offset, total, next: end < total ? end : null };
}

export function accountView(state: State, account: Account, pending: number): AccountView {
  const record = getAccount(state, account);
  const stakes: AccountView["stakes"][number][] = [];
  const vesting: AccountView["vesting"][number][] = [];
  let claimable = 0n;
  for (const taskId of listTaskIds(state)) {
    const node = getNodeView(state, taskId, account);
    if (node !== undefined) {
      stakes.push({
        task: taskId,
        stake: node.stake.toString(),
        weight: node.weight.toString(),
        unbonding: node.record.unbonding.toString(),
        unbondingUntilRound: node.record.unbondingUntilRound,
        slashedTotal: node.record.slashedTotal.toString(),
      });
    }
    const schedule = getVesting(state, taskId, account);
    const task = getTask(state, taskId);
    if (schedule !== undefined && task !== undefined) {
      const round = currentRound(state, task);
      const unlocked = claimableAt(schedule, round);
      claimable += unlocked;
      vesting.push({
        task: taskId,
        claimable: unlocked.toString(),
        locked: lockedAt(schedule, round).toString(),
        totalVested: schedule.totalVested.toString(),
        totalClaimed: schedule.totalClaimed.toString(),
      });
    }
  }
  return {
    account,
    balance: record.balance.toString(),
    nonce: record.nonce,
    pending,
    nextNonce: record.nonce + pending,
    stakes,
    vesting,
    claimable: claimable.toString(),
    slot: getChain(state).slot,
  };
}

export function taskPage(state: State, offset: number, limit: number): TaskList {
  const ids = listTaskIds(state);
  return { tasks: ids.slice(offset, offset + limit), offset, total: ids.length };
}

function liveCycle(state: State, task: TaskRecord, cycle: number): LiveCycle | undefined {
  const record = getCycle(state, task.id, cycle);
  if (record === undefined) return undefined;
  const nextSlot = getChain(state).slot + 1;
  const windows = getCycleWindows(task, cycle, record.attemptRound);
  const openWindows = (Object.entries(windows) as [WindowName, Window][])
    .filter(([, window]) => isInside(window, nextSlot))
    .map(([name]) => name);
  const phase = record.outcome !== null ? "complete" : cyclePhaseAt(task, cycle, record.attemptRound, nextSlot);
  return { cycle, phase, windows, openWindows, record: toWire(record) };
}

export function taskView(state: State, taskId: Hash): TaskView | undefined {
  const task = getTask(state, taskId);
  if (task === undefined) return undefined;
  const slot = getChain(state).slot;
  const cycles = task.openCycles.flatMap((cycle) => liveCycle(state, task, cycle) ?? []);
  return {
    task: toWire(task),
    slot,
    nextSlot: slot + 1,
    round: currentRound(state, task),
    activeWeight: getActiveWeight(state, task).toString(),
    cycles,
  };
}

export function nodeView(state: State, taskId: Hash, account: Account): NodeView | undefined {
  const view = getNodeView(state, taskId, account);
  const task = getTask(state, taskId);
  if (view === undefined || task === undefined) return undefined;
  const { record } = view;
  return {
    task: taskId,
    account,
    index: record.index,
    url: record.url,
    stake: view.stake.toString(),
    weight: view.weight.toString(),
    rampedStake: record.rampedStake.toString(),
    lots: record.lots.map((lot) => ({ amount: lot.amount.toString(), activationRound: lot.activationRound })),
    unbonding: record.unbonding.toString(),
    unbondingUntilRound: record.unbondingUntilRound,
    lastRevealCycle: record.lastRevealCycle,
    slashedTotal: record.slashedTotal.toString(),
    slashCount: record.slashCount,
    missedDuties: record.missedDuties,
    losingVotes: record.losingVotes,
    equivocations: record.equivocations,
    claimable: view.claimable.toString(),
    locked: view.locked.toString(),
    pendingReveal: pendingReveals(state, task, account)[0] ?? null,
  };
}

export function nodeList(state: State, taskId: Hash, { offset, limit }: Page): NodeList {
  const task = getTask(state, taskId);
  const total = task?.nodeCount ?? 0;
  const items: NodeView[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index += 1) {
    const account = readRecord<string>(state, keys.nodeAt(taskId, index));
    const view = account === undefined ? undefined : nodeView(state, taskId, account);
    if (view !== undefined) items.push(view);
  }
  return pageOf(items, offset, limit, total);
}

export function cycleView(state: State, taskId: Hash, cycle: number): CycleView | undefined {
  const task = getTask(state, taskId);
  const live = task === undefined ? undefined : liveCycle(state, task, cycle);
  if (task === undefined || live === undefined) return undefined;
  const record = getCycle(state, taskId, cycle);
  const triggers: TriggerRecord[] = [];
  for (let index = 0; index < (record?.triggerCount ?? 0); index += 1) {
    const trigger = readRecord<TriggerRecord>(state, keys.trigger(taskId, cycle, index));
    if (trigger !== undefined) triggers.push(trigger);
  }
  const distributions = [];
  for (let attempt = 0; attempt <= (record?.attempt ?? -1); attempt += 1) {
    const distribution = getDistribution(state, taskId, cycle, attempt);
    if (distribution !== undefined) distributions.push(distribution);
  }
  const slot = getChain(state).slot;
  return {
    task: taskId,
    ...live,
    triggers: toWire(triggers),
    distributions: toWire(distributions),
    pruned: cycle <= task.prunedThrough,
    slot,
    nextSlot: slot + 1,
  };
}

/** Commits are keyed by node, so the page walks the task's node index. */
export function commitList(state: State, taskId: Hash, cycle: number, { offset, limit }: Page): CommitList {
  const total = getTask(state, taskId)?.nodeCount ?? 0;
  const items: Commit[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index += 1) {
    const node = readRecord<string>(state, keys.nodeAt(taskId, index));
    const commit = node === undefined ? undefined : getCommit(state, taskId, cycle, node);
    if (node !== undefined && commit !== undefined)
      items.push({ node, commitment: commit.commitment, slot: commit.slot });
  }
  return pageOf(items, offset, limit, total);
}

function revealerAt(state: State, taskId: Hash, cycle: number, index: number): string | undefined {
  return readRecord<string>(state, keys.revealAt(taskId, cycle, index));
}

export function revealList(state: State, taskId: Hash, cycle: number, { offset, limit }: Page): RevealList {
  const total = getCycle(state, taskId, cycle)?.revealCount ?? 0;
  const items: Reveal[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index += 1) {
    const node = revealerAt(state, taskId, cycle, index);
    const reveal = node === undefined ? undefined : getReveal(state, taskId, cycle, node);
    if (node !== undefined && reveal !== undefined) items.push({ node, ...reveal, weight: reveal.weight.toString() });
  }
  return pageOf(items, offset, limit, total);
}

export function assignmentOf(state: State, taskId: Hash, cycle: number, auditor: Account): Assignment {
  return {
    auditor,
    targets: getAuditAssignment(state, taskId, cycle, auditor),
    auditedBy: getAuditorsOf(state, taskId, cycle, auditor),
  };
}

/** Who audits whom in a cycle (protocol.md §5.1), by reveal order; empty until the seed is fixed. */
export function assignmentList(state: State, taskId: Hash, cycle: number, { offset, limit }: Page): AssignmentList {
  const record = getCycle(state, taskId, cycle);
  const total = record?.seed == null ? 0 : record.revealCount;
  const items: Assignment[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index += 1) {
    const node = revealerAt(state, taskId, cycle, index);
    if (node !== undefined) items.push(assignmentOf(state, taskId, cycle, node));
  }
  return pageOf(items, offset, limit, total);
}

export function voteList(
  state: State,
  taskId: Hash,
  cycle: number,
  triggerIndex: number,
  { offset, limit }: Page,
): VoteList | undefined {
  const trigger = readRecord<TriggerRecord>(state, keys.trigger(taskId, cycle, triggerIndex));
  if (trigger === undefined) return undefined;
  const items: Vote[] = [];
  for (let index = offset; index < Math.min(trigger.voteCount, offset + limit); index += 1) {
    const voter = readRecord<string>(state, keys.voteAt(taskId, cycle, triggerIndex, index));
    const vote = voter === undefined ? undefined : getVote(state, taskId, cycle, triggerIndex, voter);
    if (voter !== undefined && vote !== undefined) {
      items.push({ voter, choice: vote.choice, weight: vote.weight.toString(), slot: vote.slot });
    }
  }
  return { ...pageOf(items, offset, limit, trigger.voteCount), trigger: toWire(trigger) };
}

export function distributionView(
  state: State,
  taskId: Hash,
  cycle: number,
  attempt: number,
  { offset, limit }: Page,
): DistributionView | undefined {
  const distribution = getDistribution(state, taskId, cycle, attempt);
  if (distribution === undefined) return undefined;
  // The ledger holds a list's root, not its entries (protocol.md §6.2): they are the blob `listBlob`.
  const items: { recipient: string; amount: string }[] = [];
  return { ...pageOf(items, offset, limit, distribution.entryCount), distribution: toWire(distribution) };
}
