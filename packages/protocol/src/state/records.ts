import type {
  AccountRecord,
  ChainRecord,
  CycleRecord,
  DistributionRecord,
  NodeRecord,
  RevealRecord,
  TaskRecord,
  TotalsRecord,
  TriggerRecord,
  VestingRecord,
} from "../types.ts";

/**
 * One builder per kind of record that the rules change: the record with every field, in the order of its type,
 * written by one object literal, then `changes` over it. Every site that creates or changes a record of these kinds
 * builds it here, for V8's sake and nothing else: the objects one literal builds share one hidden class, while a
 * spread (`{ ...task, ramp }`) gives its result a copy of its source's class, a new one for each site. Task records
 * had ten classes in one simulator run, and the reads of `task.startSlot`, `task.status` or `cycle.outcome` that
 * the rules and every node's decide() make, optimized for the first few classes, were thrown away ("wrong map") and
 * compiled again for the others. The fields' order is the order records have always had (JSON replies list them in
 * it); the state root does not depend on it (its encoding sorts the keys, protocol.md §9.4).
 */

/** Sets `changes` on a record just built (nothing else holds it yet): the record keeps its hidden class. */
function withChanges<T extends object>(record: T, changes: Partial<T> | undefined): T {
  if (changes === undefined) return record;
  const fields = record as Record<string, unknown>;
  const values = changes as Record<string, unknown>;
  for (const field in values) fields[field] = values[field];
  return record;
}

export function chainRecord(chain: ChainRecord, changes?: Partial<ChainRecord>): ChainRecord {
  const record: ChainRecord = {
    chainId: chain.chainId,
    slot: chain.slot,
    supply: chain.supply,
    taskCount: chain.taskCount,
  };
  return withChanges(record, changes);
}

export function totalsRecord(totals: TotalsRecord, changes?: Partial<TotalsRecord>): TotalsRecord {
  const record: TotalsRecord = {
    balances: totals.balances,
    stakes: totals.stakes,
    unbonding: totals.unbonding,
    escrows: totals.escrows,
    reserved: totals.reserved,
    vesting: totals.vesting,
    bonds: totals.bonds,
    burned: totals.burned,
  };
  return withChanges(record, changes);
}

export function accountRecord(account: AccountRecord, changes?: Partial<AccountRecord>): AccountRecord {
  const record: AccountRecord = { balance: account.balance, nonce: account.nonce };
  return withChanges(record, changes);
}

export function taskRecord(task: TaskRecord, changes?: Partial<TaskRecord>): TaskRecord {
  const record: TaskRecord = {
    id: task.id,
    creator: task.creator,
    name: task.name,
    bundleHash: task.bundleHash,
    metadataHash: task.metadataHash,
    params: task.params,
    createdSlot: task.createdSlot,
    startSlot: task.startSlot,
    index: task.index,
    status: task.status,
    escrow: task.escrow,
    nodeCount: task.nodeCount,
    openCycles: task.openCycles,
    seedHead: task.seedHead,
    seedCycle: task.seedCycle,
    ramp: task.ramp,
    totalPaid: task.totalPaid,
    totalSlashed: task.totalSlashed,
    burned: task.burned,
    lateTriggers: task.lateTriggers,
    prunedThrough: task.prunedThrough,
    slashCount: task.slashCount,
  };
  return withChanges(record, changes);
}

export function nodeRecord(node: NodeRecord, changes?: Partial<NodeRecord>): NodeRecord {
  const record: NodeRecord = {
    task: node.task,
    account: node.account,
    index: node.index,
    url: node.url,
    lots: node.lots,
    rampedStake: node.rampedStake,
    unbonding: node.unbonding,
    unbondingUntilRound: node.unbondingUntilRound,
    slashedTotal: node.slashedTotal,
    slashCount: node.slashCount,
    missedDuties: node.missedDuties,
    losingVotes: node.losingVotes,
    equivocations: node.equivocations,
    lastRevealCycle: node.lastRevealCycle,
  };
  return withChanges(record, changes);
}

export function cycleRecord(cycle: CycleRecord, changes?: Partial<CycleRecord>): CycleRecord {
  const record: CycleRecord = {
    task: cycle.task,
    cycle: cycle.cycle,
    reserved: cycle.reserved,
    commitCount: cycle.commitCount,
    revealCount: cycle.revealCount,
    validCount: cycle.validCount,
    revealedWeight: cycle.revealedWeight,
    shareCount: cycle.shareCount,
    saltAccumulator: cycle.saltAccumulator,
    seed: cycle.seed,
    reviewWeight: cycle.reviewWeight,
    triggerCount: cycle.triggerCount,
    attempt: cycle.attempt,
    attemptRound: cycle.attemptRound,
    distributor: cycle.distributor,
    failedDistributors: cycle.failedDistributors,
    paid: cycle.paid,
    ruleBase: cycle.ruleBase,
    ruleWeight: cycle.ruleWeight,
    ruleShares: cycle.ruleShares,
    outcome: cycle.outcome,
    completedRound: cycle.completedRound,
  };
  return withChanges(record, changes);
}

export function revealRecord(reveal: RevealRecord, changes?: Partial<RevealRecord>): RevealRecord {
  const record: RevealRecord = {
    proofDigest: reveal.proofDigest,
    salt: reveal.salt,
    index: reveal.index,
    slot: reveal.slot,
    status: reveal.status,
    weight: reveal.weight,
    published: reveal.published,
  };
  return withChanges(record, changes);
}

export function triggerRecord(trigger: TriggerRecord, changes?: Partial<TriggerRecord>): TriggerRecord {
  const record: TriggerRecord = {
    index: trigger.index,
    kind: trigger.kind,
    verdict: trigger.verdict,
    late: trigger.late,
    attempt: trigger.attempt,
    target: trigger.target,
    triggerer: trigger.triggerer,
    reasonDigest: trigger.reasonDigest,
    bond: trigger.bond,
    slot: trigger.slot,
    closesAt: trigger.closesAt,
    validWeight: trigger.validWeight,
    invalidWeight: trigger.invalidWeight,
    unavailableWeight: trigger.unavailableWeight,
    voteCount: trigger.voteCount,
    resolution: trigger.resolution,
    slashed: trigger.slashed,
    held: trigger.held,
  };
  return withChanges(record, changes);
}

export function distributionRecord(
  list: DistributionRecord,
  changes?: Partial<DistributionRecord>,
): DistributionRecord {
  const record: DistributionRecord = {
    attempt: list.attempt,
    distributor: list.distributor,
    slot: list.slot,
    entryCount: list.entryCount,
    total: list.total,
    listRoot: list.listRoot,
    listBlob: list.listBlob,
    raceTime: list.raceTime,
    raceWeight: list.raceWeight,
    status: list.status,
    triggered: list.triggered,
    slashSeq: list.slashSeq,
  };
  return withChanges(record, changes);
}

export function vestingRecord(vesting: VestingRecord, changes?: Partial<VestingRecord>): VestingRecord {
  const record: VestingRecord = {
    unlocked: vesting.unlocked,
    locked: vesting.locked,
    lockedRound: vesting.lockedRound,
    endAt: vesting.endAt,
    held: vesting.held,
    totalVested: vesting.totalVested,
    totalClaimed: vesting.totalClaimed,
    totalSlashed: vesting.totalSlashed,
    totalClawedBack: vesting.totalClawedBack,
  };
  return withChanges(record, changes);
}
