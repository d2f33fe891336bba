/**
 * Task parameters (protocol.md §10). Every duration is in slots or rounds, every amount a bigint in base units
 * (9 decimals), every fraction in basis points (1/10,000) so that no float ever touches the rules.
 */

export const AUDIT_MODES = ["sampled", "all"] as const;
export type AuditMode = (typeof AUDIT_MODES)[number];

/**
 * How a cycle's bounty is split (protocol.md §6.2). `weighted` and `equal` are computed by the ledger itself, so a
 * distributor cannot pay anyone a base unit more than the rule says, whatever the votes; `custom` runs the task's own
 * distribution function and is checked by the other nodes' votes (§6.3).
 */
export const DISTRIBUTION_RULES = ["weighted", "equal", "custom"] as const;
export type DistributionRule = (typeof DISTRIBUTION_RULES)[number];

export type TaskParams = {
  readonly roundSlots: number;
  readonly commitSlots: number;
  readonly revealSlots: number;
  readonly auditSlots: number;
  readonly voteSlots: number;
  readonly distributionSlots: number;
  readonly distributionAuditSlots: number;
  readonly minimumStake: bigint;
  readonly bountyPerRound: bigint;
  readonly maxNodes: number;
  readonly auditsPerNode: number;
  readonly auditMode: AuditMode;
  readonly triggerBond: bigint;
  readonly slashQuorumBps: number;
  readonly slashSupermajorityBps: number;
  readonly minParticipationBps: number;
  readonly slashFractionBps: number;
  readonly whistleblowerShareBps: number;
  readonly losingVotePenalty: bigint;
  readonly maxTriggersPerNodePerCycle: number;
  readonly allowedFailedDistributions: number;
  readonly warmupRounds: number;
  readonly rampRounds: number;
  readonly unbondingRounds: number;
  readonly vestingRounds: number;
  readonly maxProofBytes: number;
  readonly distributionRule: DistributionRule;
};

export const BPS = 10_000;
/** Decimal places of a token: one token is `10^TOKEN_DECIMALS` base units (protocol.md §3.1). */
export const TOKEN_DECIMALS = 9;
/** One token in base units. */
export const TOKEN = 1_000_000_000n;

/** Chain-wide limits that keep every transaction and window end bounded (protocol.md §9.6). */
export const LIMITS = {
  maxRoundSlots: 1_000_000,
  maxNodes: 100_000,
  maxAuditsPerNode: 64,
  maxRampRounds: 10_000,
  maxRounds: 100_000,
  /** A proof must fit one `publishProof` transaction (hex, under the ledger's 256 KiB limit): §4.3, §5.6. */
  maxProofBytes: 120 * 1024,
  /** Sibling hashes in a list entry's Merkle proof (§6.4): lists of up to 2^20 entries, above `maxNodes`. */
  maxListProofLength: 20,
  /** Rounds after its acceptance during which a list's entries stay claimable at least: pruning waits (§6.4, §9.3). */
  listClaimRounds: 16,
  maxTriggersPerNodePerCycle: 64,
  /** Stake lots of one node still ramping (§3.2): each `stake` adds one; bounds a contract's loops over them. */
  maxRampingLots: 16,
  maxAllowedFailedDistributions: 16,
  maxTaskNameLength: 64,
  maxNodeUrlLength: 256,
  maxTasks: 10_000,
} as const;

/** A lively local chain: rounds of 20 slots (8 s at 400 ms), short ramps, rewards that vest in a few rounds. */
export const DEVNET_PARAMS: TaskParams = {
  roundSlots: 20,
  commitSlots: 5,
  revealSlots: 4,
  auditSlots: 6,
  voteSlots: 5,
  distributionSlots: 4,
  distributionAuditSlots: 6,
  minimumStake: 10n * TOKEN,
  bountyPerRound: 100n * TOKEN,
  maxNodes: 1_000,
  auditsPerNode: 3,
  auditMode: "sampled",
  triggerBond: 1n * TOKEN,
  slashQuorumBps: 6_667,
  // A handful of nodes whose stakes are still ramping: two thirds slashes, so the devnet shows its cheater
  // slashed; tasks with many nodes keep the 77% margin against lazy followers (MAINNET_PARAMS, protocol.md §5.5).
  slashSupermajorityBps: 6_667,
  minParticipationBps: 3_000,
  slashFractionBps: 5_000,
  whistleblowerShareBps: 1_000,
  losingVotePenalty: 0n,
  maxTriggersPerNodePerCycle: 4,
  allowedFailedDistributions: 2,
  warmupRounds: 1,
  rampRounds: 3,
  unbondingRounds: 3,
  vestingRounds: 4,
  maxProofBytes: 64 * 1024,
  distributionRule: "weighted",
};

/** Realistic values: rounds of 1,500 slots (10 min at 400 ms), a 2-day ramp, rewards vesting over a week. */
export const MAINNET_PARAMS: TaskParams = {
  roundSlots: 1_500,
  commitSlots: 300,
  revealSlots: 300,
  auditSlots: 600,
  voteSlots: 300,
  distributionSlots: 300,
  distributionAuditSlots: 600,
  minimumStake: 1_000n * TOKEN,
  bountyPerRound: 1_000n * TOKEN,
  maxNodes: 100_000,
  auditsPerNode: 8,
  auditMode: "sampled",
  triggerBond: 50n * TOKEN,
  slashQuorumBps: 6_667,
  slashSupermajorityBps: 7_700,
  minParticipationBps: 5_000,
  slashFractionBps: 3_000,
  whistleblowerShareBps: 1_000,
  losingVotePenalty: 0n,
  maxTriggersPerNodePerCycle: 8,
  allowedFailedDistributions: 3,
  warmupRounds: 6,
  rampRounds: 288,
  unbondingRounds: 1_008,
  vestingRounds: 1_008,
  maxProofBytes: 120 * 1024,
  distributionRule: "weighted",
};

export const PRESETS = { devnet: DEVNET_PARAMS, mainnet: MAINNET_PARAMS } as const;
export type PresetName = keyof typeof PRESETS;

export type ParamsProblem = { readonly field: string; readonly reason: string };

const INTEGER_FIELDS = [
  ["roundSlots", 2, LIMITS.maxRoundSlots],
  ["commitSlots", 1, LIMITS.maxRoundSlots],
  ["revealSlots", 0, LIMITS.maxRoundSlots],
  ["auditSlots", 1, LIMITS.maxRoundSlots],
  ["voteSlots", 0, LIMITS.maxRoundSlots],
  ["distributionSlots", 1, LIMITS.maxRoundSlots],
  ["distributionAuditSlots", 1, LIMITS.maxRoundSlots],
  ["maxNodes", 1, LIMITS.maxNodes],
  ["auditsPerNode", 1, LIMITS.maxAuditsPerNode],
  ["slashQuorumBps", 0, BPS],
  ["slashSupermajorityBps", 0, BPS],
  ["minParticipationBps", 0, BPS],
  ["slashFractionBps", 0, BPS],
  ["whistleblowerShareBps", 0, BPS],
  ["maxTriggersPerNodePerCycle", 1, LIMITS.maxTriggersPerNodePerCycle],
  ["allowedFailedDistributions", 0, LIMITS.maxAllowedFailedDistributions],
  ["warmupRounds", 0, LIMITS.maxRampRounds],
  ["rampRounds", 0, LIMITS.maxRampRounds],
  ["unbondingRounds", 2, LIMITS.maxRounds],
  ["vestingRounds", 0, LIMITS.maxRounds],
  ["maxProofBytes", 1, LIMITS.maxProofBytes],
] as const;

const AMOUNT_FIELDS = ["minimumStake", "bountyPerRound", "triggerBond", "losingVotePenalty"] as const;

/** Every problem with a parameter set, empty when valid (protocol.md §10: windows must fit in a round). */
export function findParamsProblems(params: TaskParams): ParamsProblem[] {
  const problems: ParamsProblem[] = [];
  for (const [field, min, max] of INTEGER_FIELDS) {
    const value: unknown = params[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push({ field, reason: `expected an integer in [${min}, ${max}], got ${String(value)}` });
    }
  }
  for (const field of AMOUNT_FIELDS) {
    const value: unknown = params[field];
    if (typeof value !== "bigint" || value < 0n) {
      problems.push({ field, reason: `expected a non-negative bigint, got ${String(value)}` });
    }
  }
  if (params.minimumStake <= 0n) problems.push({ field: "minimumStake", reason: "expected more than 0" });
  if (params.bountyPerRound <= 0n) problems.push({ field: "bountyPerRound", reason: "expected more than 0" });
  if (!AUDIT_MODES.includes(params.auditMode)) {
    problems.push({
      field: "auditMode",
      reason: `expected one of ${AUDIT_MODES.join(", ")}, got ${String(params.auditMode)}`,
    });
  }
  if (!DISTRIBUTION_RULES.includes(params.distributionRule)) {
    problems.push({
      field: "distributionRule",
      reason: `expected one of ${DISTRIBUTION_RULES.join(", ")}, got ${String(params.distributionRule)}`,
    });
  }
  if (problems.length > 0) return problems;
  if (params.slashSupermajorityBps < params.slashQuorumBps) {
    problems.push({
      field: "slashSupermajorityBps",
      reason: `must be at least slashQuorumBps (${params.slashQuorumBps}), got ${params.slashSupermajorityBps}`,
    });
  }
  const round = params.roundSlots;
  if (params.commitSlots > round) {
    problems.push({
      field: "commitSlots",
      reason: `commit window (${params.commitSlots}) exceeds roundSlots (${round})`,
    });
  }
  const review = params.revealSlots + params.auditSlots + params.voteSlots;
  if (review > round) {
    problems.push({
      field: "revealSlots",
      reason: `revealSlots + auditSlots + voteSlots (${review}) exceeds roundSlots (${round})`,
    });
  }
  const distribution = params.distributionSlots + params.distributionAuditSlots + params.voteSlots;
  if (distribution > round) {
    problems.push({
      field: "distributionSlots",
      reason: `distributionSlots + distributionAuditSlots + voteSlots (${distribution}) exceeds roundSlots (${round})`,
    });
  }
  return problems;
}
