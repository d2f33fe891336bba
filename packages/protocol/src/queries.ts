import { auditorIndicesOf, auditTargetIndices, SeededPermutation } from "./random.ts";
import {
  commitWindow,
  distributionTriggerWindow,
  distributionVoteWindow,
  distributionWindow,
  firstAttemptRound,
  proofTriggerWindow,
  proofVoteWindow,
  revealWindow,
  roundOf,
  type Window,
} from "./schedule.ts";
import { stateKeys } from "./state/keys.ts";
import { readRecord, type State } from "./state/store.ts";
import { ruleAmount } from "./transactions/submitDistribution.ts";
import type {
  Account,
  AccountRecord,
  ChainRecord,
  CommitRecord,
  CycleRecord,
  DistributionEntry,
  DistributionRecord,
  Hash,
  NodeRecord,
  RevealRecord,
  TaskRecord,
  TotalsRecord,
  TriggerRecord,
  VestingRecord,
  VoteRecord,
} from "./types.ts";
import { claimableAt, lockedAt } from "./vesting.ts";
import { foldNodeLots, foldRamp, nodeStake, nodeWeight, totalWeight } from "./weight.ts";

/** Read-only views of a state, shared by the ledger API, the node and the simulator. */

export function getChain(state: State): ChainRecord {
  return readRecord<ChainRecord>(state, stateKeys.chain()) as ChainRecord;
}

export function getTotals(state: State): TotalsRecord {
  return readRecord<TotalsRecord>(state, stateKeys.totals()) as TotalsRecord;
}

export function getAccount(state: State, account: Account): AccountRecord {
  return readRecord<AccountRecord>(state, stateKeys.account(account)) ?? { balance: 0n, nonce: 0 };
}

export function getTask(state: State, task: Hash): TaskRecord | undefined {
  return readRecord<TaskRecord>(state, stateKeys.task(task));
}

export function listTaskIds(state: State): Hash[] {
  const chain = getChain(state);
  const ids: Hash[] = [];
  for (let index = 0; index < chain.taskCount; index += 1) {
    const id = readRecord<string>(state, stateKeys.taskAt(index));
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

export function getNode(state: State, task: Hash, account: Account): NodeRecord | undefined {
  return readRecord<NodeRecord>(state, stateKeys.node(task, account));
}

export function listNodeAccounts(state: State, task: Hash, offset = 0, limit = Number.MAX_SAFE_INTEGER): Account[] {
  const record = getTask(state, task);
  if (record === undefined) return [];
  const accounts: Account[] = [];
  const end = Math.min(record.nodeCount, offset + limit);
  for (let index = offset; index < end; index += 1) {
    const account = readRecord<string>(state, stateKeys.nodeAt(task, index));
    if (account !== undefined) accounts.push(account);
  }
  return accounts;
}

export function getCycle(state: State, task: Hash, cycle: number): CycleRecord | undefined {
  return readRecord<CycleRecord>(state, stateKeys.cycle(task, cycle));
}

export function getCommit(state: State, task: Hash, cycle: number, node: Account): CommitRecord | undefined {
  return readRecord<CommitRecord>(state, stateKeys.commit(task, cycle, node));
}

export function getReveal(state: State, task: Hash, cycle: number, node: Account): RevealRecord | undefined {
  return readRecord<RevealRecord>(state, stateKeys.reveal(task, cycle, node));
}

/**
 * The cycles `node` committed in and has not revealed whose reveal window has not closed by the next slot, newest
 * first, with the slot each window closes at (§2.2, §3.4): a reveal needs stake, so an unstake before it forfeits
 * the cycle's pay.
 */
export function pendingReveals(
  state: State,
  task: TaskRecord,
  node: Account,
): { readonly cycle: number; readonly revealClosesAt: number }[] {
  const nextSlot = getChain(state).slot + 1;
  const pending: { readonly cycle: number; readonly revealClosesAt: number }[] = [];
  for (const cycle of [...task.openCycles].sort((left, right) => right - left)) {
    const revealClosesAt = revealWindow(task, cycle).closesAt;
    if (nextSlot >= revealClosesAt) continue;
    if (getCommit(state, task.id, cycle, node) === undefined) continue;
    if (getReveal(state, task.id, cycle, node) !== undefined) continue;
    pending.push({ cycle, revealClosesAt });
  }
  return pending;
}

/**
 * §5.8: the upheld proof trigger that an appeal of `node`'s proof of `cycle` would answer, when the proof is
 * `invalid` by it and has not been appealed yet; otherwise undefined. (An appeal also needs the cycle's late-challenge
 * window, weight and a bond.)
 */
export function appealableFinding(state: State, task: Hash, cycle: number, node: Account): TriggerRecord | undefined {
  if (getReveal(state, task, cycle, node)?.status !== "invalid") return undefined;
  if (readRecord<number>(state, stateKeys.triggerOf(task, cycle, "appeal", 0, node)) !== undefined) return undefined;
  const index = readRecord<number>(state, stateKeys.triggerOf(task, cycle, "proof", 0, node));
  const finding =
    index === undefined ? undefined : readRecord<TriggerRecord>(state, stateKeys.trigger(task, cycle, index));
  return finding?.resolution === "upheld" ? finding : undefined;
}

/** A payload its node published on the ledger to answer an availability challenge (§5.6), as hex. */
export function getPublishedProof(state: State, task: Hash, cycle: number, node: Account): string | undefined {
  return readRecord<string>(state, stateKeys.published(task, cycle, node));
}

/**
 * The one list a ledger-computed rule accepts for a cycle (§6.2): every valid submitter, sorted, with the rule's
 * amount (which may be 0). `null` when the task's rule is `custom` (its list comes from the task's code).
 */
export function getRuleDistribution(state: State, task: Hash, cycle: number): DistributionEntry[] | null {
  const taskRecord = getTask(state, task);
  const cycleRecord = getCycle(state, task, cycle);
  if (taskRecord === undefined || taskRecord.params.distributionRule === "custom") return null;
  if (cycleRecord === undefined) return [];
  const entries: DistributionEntry[] = [];
  for (const account of listRevealers(state, task, cycle).sort()) {
    const reveal = getReveal(state, task, cycle, account) as RevealRecord;
    if (reveal.status !== "valid") continue;
    entries.push({ recipient: account, amount: ruleAmount(taskRecord, cycleRecord, reveal) ?? 0n });
  }
  return entries;
}

/** Revealed submitters of a cycle in ledger order (their index is their position in this list). */
export function listRevealers(state: State, task: Hash, cycle: number): Account[] {
  const record = getCycle(state, task, cycle);
  if (record === undefined) return [];
  const accounts: Account[] = [];
  for (let index = 0; index < record.revealCount; index += 1) {
    const account = readRecord<string>(state, stateKeys.revealAt(task, cycle, index));
    if (account !== undefined) accounts.push(account);
  }
  return accounts;
}

export function listTriggers(state: State, task: Hash, cycle: number): TriggerRecord[] {
  const record = getCycle(state, task, cycle);
  const triggers: TriggerRecord[] = [];
  for (let index = 0; index < (record?.triggerCount ?? 0); index += 1) {
    const trigger = readRecord<TriggerRecord>(state, stateKeys.trigger(task, cycle, index));
    if (trigger !== undefined) triggers.push(trigger);
  }
  return triggers;
}

export function getVote(
  state: State,
  task: Hash,
  cycle: number,
  trigger: number,
  voter: Account,
): VoteRecord | undefined {
  return readRecord<VoteRecord>(state, stateKeys.vote(task, cycle, trigger, voter));
}

export function listVotes(
  state: State,
  task: Hash,
  cycle: number,
  trigger: TriggerRecord,
): (VoteRecord & { voter: Account })[] {
  const votes: (VoteRecord & { voter: Account })[] = [];
  for (let index = 0; index < trigger.voteCount; index += 1) {
    const voter = readRecord<string>(state, stateKeys.voteAt(task, cycle, trigger.index, index));
    if (voter === undefined) continue;
    const vote = getVote(state, task, cycle, trigger.index, voter);
    if (vote !== undefined) votes.push({ ...vote, voter });
  }
  return votes;
}

export function getDistribution(
  state: State,
  task: Hash,
  cycle: number,
  attempt: number,
): DistributionRecord | undefined {
  return readRecord<DistributionRecord>(state, stateKeys.distribution(task, cycle, attempt));
}

/** Whether a recipient's entry of the cycle's accepted list was claimed (§6.4). */
export function isListClaimed(state: State, task: Hash, cycle: number, recipient: Account): boolean {
  return readRecord<boolean>(state, stateKeys.listClaim(task, cycle, recipient)) !== undefined;
}

/** The cycle's accepted list (custom rule), if any. */
export function getAcceptedList(state: State, task: Hash, cycle: number): DistributionRecord | undefined {
  const record = getCycle(state, task, cycle);
  if (record === undefined) return undefined;
  const list = getDistribution(state, task, cycle, record.attempt);
  return list?.status === "accepted" ? list : undefined;
}

export function getVesting(state: State, task: Hash, account: Account): VestingRecord | undefined {
  return readRecord<VestingRecord>(state, stateKeys.vesting(task, account));
}

export function currentRound(state: State, task: TaskRecord): number {
  return roundOf(task, getChain(state).slot);
}

export type NodeView = {
  readonly record: NodeRecord;
  readonly stake: bigint;
  readonly weight: bigint;
  readonly claimable: bigint;
  readonly locked: bigint;
};

/** A node's stake, its trust-ramped weight, and its vesting, as of the state's slot. */
export function getNodeView(state: State, task: Hash, account: Account): NodeView | undefined {
  const taskRecord = getTask(state, task);
  const stored = getNode(state, task, account);
  if (taskRecord === undefined || stored === undefined) return undefined;
  const round = currentRound(state, taskRecord);
  const ramp = foldRamp(taskRecord.ramp, round, taskRecord.params.rampRounds);
  const record = foldNodeLots(stored, ramp);
  const vesting = getVesting(state, task, account);
  return {
    record,
    stake: nodeStake(record),
    weight: nodeWeight(record, round, taskRecord.params),
    claimable: vesting === undefined ? 0n : claimableAt(vesting, round),
    locked: vesting === undefined ? 0n : lockedAt(vesting, round),
  };
}

export function getActiveWeight(state: State, task: TaskRecord): bigint {
  return totalWeight(task.ramp, currentRound(state, task), task.params.rampRounds);
}

/** The submissions `auditor` must check in `cycle` (protocol.md §5.1); empty until the seed is fixed. */
export function getAuditAssignment(state: State, task: Hash, cycle: number, auditor: Account): Account[] {
  const taskRecord = getTask(state, task);
  const record = getCycle(state, task, cycle);
  const reveal = getReveal(state, task, cycle, auditor);
  if (taskRecord === undefined || record?.seed == null || reveal === undefined || record.revealCount < 2) return [];
  const permutation = new SeededPermutation(record.seed, record.revealCount);
  return auditTargetIndices(
    permutation,
    reveal.index,
    taskRecord.params.auditsPerNode,
    taskRecord.params.auditMode,
  ).map((index) => readRecord<string>(state, stateKeys.revealAt(task, cycle, index)) as string);
}

/** The auditors assigned to `target`'s submission in `cycle`. */
export function getAuditorsOf(state: State, task: Hash, cycle: number, target: Account): Account[] {
  const taskRecord = getTask(state, task);
  const record = getCycle(state, task, cycle);
  const reveal = getReveal(state, task, cycle, target);
  if (taskRecord === undefined || record?.seed == null || reveal === undefined || record.revealCount < 2) return [];
  const permutation = new SeededPermutation(record.seed, record.revealCount);
  return auditorIndicesOf(permutation, reveal.index, taskRecord.params.auditsPerNode, taskRecord.params.auditMode).map(
    (index) => readRecord<string>(state, stateKeys.revealAt(task, cycle, index)) as string,
  );
}

export type CycleWindows = {
  readonly commit: Window;
  readonly reveal: Window;
  readonly proofTriggers: Window;
  readonly proofVotes: Window;
  readonly distribution: Window;
  readonly distributionTriggers: Window;
  readonly distributionVotes: Window;
};

/** Every window of a cycle's current attempt, as absolute slot ranges. */
export function getCycleWindows(
  task: TaskRecord,
  cycle: number,
  attemptRound = firstAttemptRound(task.params, cycle),
): CycleWindows {
  return {
    commit: commitWindow(task, cycle),
    reveal: revealWindow(task, cycle),
    proofTriggers: proofTriggerWindow(task, cycle),
    proofVotes: proofVoteWindow(task, cycle),
    distribution: distributionWindow(task, attemptRound),
    distributionTriggers: distributionTriggerWindow(task, attemptRound),
    distributionVotes: distributionVoteWindow(task, attemptRound),
  };
}

/**
 * Every auditor's assignment in a cycle at once (auditor -> targets), computing the seeded permutation once:
 * O(m) hashes for the whole cycle instead of O(m) per auditor lookup batch.
 */
export function getAuditAssignments(state: State, task: Hash, cycle: number): Map<Account, Account[]> {
  const taskRecord = getTask(state, task);
  const record = getCycle(state, task, cycle);
  const assignments = new Map<Account, Account[]>();
  if (taskRecord === undefined || record?.seed == null || record.revealCount < 2) return assignments;
  const revealers = listRevealers(state, task, cycle);
  const size = revealers.length;
  const permutation = new SeededPermutation(record.seed, size);
  const { auditsPerNode, auditMode } = taskRecord.params;
  if (auditMode === "all") {
    for (const auditor of revealers)
      assignments.set(
        auditor,
        revealers.filter((other) => other !== auditor),
      );
    return assignments;
  }
  const ring = new Array<Account>(size);
  const positions = new Array<number>(size);
  for (let index = 0; index < size; index += 1) {
    const position = permutation.forward(index);
    positions[index] = position;
    ring[position] = revealers[index] as Account;
  }
  const count = Math.min(auditsPerNode, size - 1);
  for (let index = 0; index < size; index += 1) {
    const position = positions[index] as number;
    const targets: Account[] = [];
    for (let step = 1; step <= count; step += 1) targets.push(ring[(position + step) % size] as Account);
    assignments.set(revealers[index] as Account, targets);
  }
  return assignments;
}
