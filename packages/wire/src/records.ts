import {
  AUDIT_MODES,
  type CycleOutcome,
  type CyclePhase,
  type CycleRecord,
  type CycleWindows,
  DISTRIBUTION_RULES,
  type DistributionRecord,
  type DistributionStatus,
  type RevealStatus,
  type TaskParams,
  type TaskRecord,
  type TaskStatus,
  type TriggerKind,
  type TriggerRecord,
  type TriggerResolution,
  type Verdict,
  type VoteChoice,
} from "@gradual/protocol";
import type { Wire } from "./bigints.ts";
import { array, boolean, type Infer, nullable, object, oneOf, string, tuple } from "./decoder.ts";
import { amount, hex64, int, uint } from "./primitives.ts";
import type { Assert, Equals } from "./typeCheck.ts";

/**
 * The protocol's state records as the ledger serves them (`toWire` of the record: bigints as decimal strings, every
 * field kept). Each decoder is checked at compile time against `Wire<Record>`, so the records and their wire form
 * cannot drift apart.
 */

const TASK_STATUSES = ["active", "paused", "closing", "closed"] as const satisfies readonly TaskStatus[];
const CYCLE_OUTCOMES = ["paid", "no-submitters", "distribution-failed"] as const satisfies readonly CycleOutcome[];
export const CYCLE_PHASES = ["work", "review", "distribution", "complete"] as const satisfies readonly CyclePhase[];
const TRIGGER_KINDS = ["proof", "distribution"] as const satisfies readonly TriggerKind[];
const VERDICTS = ["invalid", "unavailable", "valid"] as const satisfies readonly Verdict[];
const RESOLUTIONS = [
  "upheld",
  "disputed",
  "rejected",
  "unavailable",
  "answered",
] as const satisfies readonly TriggerResolution[];
const DISTRIBUTION_STATUSES = ["complete", "accepted", "rejected"] as const satisfies readonly DistributionStatus[];
export const REVEAL_STATUSES = [
  "valid",
  "invalid",
  "unavailable",
  "disputed",
] as const satisfies readonly RevealStatus[];
export const VOTE_CHOICES = ["valid", "invalid", "unavailable"] as const satisfies readonly VoteChoice[];

export const cyclePhase = oneOf(CYCLE_PHASES, { description: "work, review, distribution or complete, at nextSlot" });
export const triggerKind = oneOf(TRIGGER_KINDS);
export const verdict = oneOf(VERDICTS);
export const triggerResolution = oneOf(RESOLUTIONS);
export const cycleOutcome = oneOf(CYCLE_OUTCOMES);
export const revealStatus = oneOf(REVEAL_STATUSES);
export const voteChoice = oneOf(VOTE_CHOICES);

export const window = object({ opensAt: int, closesAt: int });

export const WINDOW_NAMES = [
  "commit",
  "reveal",
  "proofTriggers",
  "proofVotes",
  "distribution",
  "distributionTriggers",
  "distributionVotes",
] as const satisfies readonly (keyof CycleWindows)[];
export type WindowName = (typeof WINDOW_NAMES)[number];

export const cycleWindows = object({
  commit: window,
  reveal: window,
  proofTriggers: window,
  proofVotes: window,
  distribution: window,
  distributionTriggers: window,
  distributionVotes: window,
});
export type CycleWindowsWire = Assert<Equals<Infer<typeof cycleWindows>, Wire<CycleWindows>>>;

export const taskParams = object({
  roundSlots: uint,
  commitSlots: uint,
  revealSlots: uint,
  auditSlots: uint,
  voteSlots: uint,
  distributionSlots: uint,
  distributionAuditSlots: uint,
  minimumStake: amount,
  bountyPerRound: amount,
  maxNodes: uint,
  auditsPerNode: uint,
  auditMode: oneOf(AUDIT_MODES),
  triggerBond: amount,
  slashQuorumBps: uint,
  slashSupermajorityBps: uint,
  minParticipationBps: uint,
  slashFractionBps: uint,
  whistleblowerShareBps: uint,
  losingVotePenalty: amount,
  maxTriggersPerNodePerCycle: uint,
  allowedFailedDistributions: uint,
  warmupRounds: uint,
  rampRounds: uint,
  unbondingRounds: uint,
  vestingRounds: uint,
  maxProofBytes: uint,
  distributionRule: oneOf(DISTRIBUTION_RULES),
});
export type TaskParamsWire = Infer<typeof taskParams>;
export type TaskParamsCheck = Assert<Equals<TaskParamsWire, Wire<TaskParams>>>;

export const taskRecord = object({
  id: hex64,
  creator: hex64,
  name: string(),
  bundleHash: hex64,
  metadataHash: nullable(hex64),
  params: taskParams,
  createdSlot: uint,
  startSlot: uint,
  index: uint,
  status: oneOf(TASK_STATUSES),
  escrow: amount,
  nodeCount: uint,
  openCycles: array(uint),
  seedHead: hex64,
  seedCycle: int,
  ramp: object({ fullStake: amount, foldedThrough: int, buckets: array(tuple(int, amount)) }),
  totalPaid: amount,
  totalSlashed: amount,
  burned: amount,
  lateTriggers: array(object({ cycle: uint, trigger: uint, closesAt: uint })),
  prunedThrough: int,
  slashCount: uint,
});
export type TaskRecordWire = Infer<typeof taskRecord>;
export type TaskRecordCheck = Assert<Equals<TaskRecordWire, Wire<TaskRecord>>>;

export const cycleRecord = object({
  task: hex64,
  cycle: uint,
  reserved: amount,
  commitCount: uint,
  revealCount: uint,
  validCount: uint,
  revealedWeight: amount,
  shareCount: uint,
  saltAccumulator: hex64,
  seed: nullable(hex64),
  reviewWeight: amount,
  triggerCount: uint,
  attempt: uint,
  attemptRound: int,
  distributor: nullable(hex64),
  failedDistributors: array(hex64),
  paid: amount,
  ruleBase: amount,
  ruleWeight: amount,
  ruleShares: uint,
  outcome: nullable(cycleOutcome),
  completedRound: nullable(int),
});
export type CycleRecordWire = Infer<typeof cycleRecord>;
export type CycleRecordCheck = Assert<Equals<CycleRecordWire, Wire<CycleRecord>>>;

export const triggerRecord = object({
  index: uint,
  kind: triggerKind,
  verdict,
  late: boolean(),
  attempt: uint,
  target: hex64,
  triggerer: hex64,
  reasonDigest: hex64,
  bond: amount,
  slot: uint,
  closesAt: uint,
  validWeight: amount,
  invalidWeight: amount,
  unavailableWeight: amount,
  voteCount: uint,
  resolution: nullable(triggerResolution),
  slashed: amount,
  held: amount,
});
export type TriggerRecordWire = Infer<typeof triggerRecord>;
export type TriggerRecordCheck = Assert<Equals<TriggerRecordWire, Wire<TriggerRecord>>>;

export const distributionRecord = object({
  attempt: uint,
  distributor: hex64,
  slot: uint,
  entryCount: uint,
  total: amount,
  listRoot: hex64,
  listBlob: hex64,
  raceTime: amount,
  raceWeight: amount,
  status: oneOf(DISTRIBUTION_STATUSES),
  triggered: boolean(),
  slashSeq: nullable(uint),
});
export type DistributionRecordWire = Infer<typeof distributionRecord>;
export type DistributionRecordCheck = Assert<Equals<DistributionRecordWire, Wire<DistributionRecord>>>;
