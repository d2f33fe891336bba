import { DEVNET_PARAMS, MAINNET_PARAMS, type TaskParams } from "@gradual/protocol";

/**
 * The two rule sets the simulator compares (docs/simulator.md "Rule sets"). Both run the same protocol core and the
 * same node code: Koii's rules are gradual's parameters set to Koii's behaviour, plus one flag for what the
 * protocol's commit-reveal cannot express (proofs visible before the submission window closes).
 */

export const RULE_NAMES = ["gradual", "koii"] as const;
export type RulesName = (typeof RULE_NAMES)[number];

export type RuleFlags = {
  /**
   * Koii: proof contents can be fetched during the submission window, so a copier can submit a copy of another
   * node's valid proof in time. gradual: proofs are served only after their reveal, which is after the commit window
   * closed, so a copier can only replay an older proof.
   */
  readonly proofsVisibleEarly: boolean;
};

export type RuleSet = {
  readonly name: RulesName;
  readonly summary: string;
  readonly overrides: Partial<TaskParams>;
  readonly flags: RuleFlags;
};

const GRADUAL_RULES: RuleSet = {
  name: "gradual",
  summary: "the scenario's parameters as written",
  overrides: {},
  flags: { proofsVisibleEarly: false },
};

/**
 * Koii's Runtime Flow as a parameter set: all-pairs audits, a raw stake majority decides (over 50% of the voted
 * stake, no participation floor), stake counts in full at once (no warm-up, no ramp), triggers cost nothing, and
 * rewards are free as soon as the list is accepted, two rounds after the work (no vesting).
 */
export const KOII_RULES: RuleSet = {
  name: "koii",
  summary:
    "auditMode all, slashQuorumBps 5000, slashSupermajorityBps 5000, minParticipationBps 0, warmupRounds 0, rampRounds 0, triggerBond 0, " +
    "vestingRounds 0, proofs visible before the window closes",
  overrides: {
    auditMode: "all",
    slashQuorumBps: 5_000,
    slashSupermajorityBps: 5_000,
    minParticipationBps: 0,
    warmupRounds: 0,
    rampRounds: 0,
    triggerBond: 0n,
    vestingRounds: 0,
    distributionRule: "custom",
  },
  flags: { proofsVisibleEarly: true },
};

export const RULE_SETS: Record<RulesName, RuleSet> = { gradual: GRADUAL_RULES, koii: KOII_RULES };

export function isRulesName(value: unknown): value is RulesName {
  return typeof value === "string" && (RULE_NAMES as readonly string[]).includes(value);
}

/** The windows of the devnet preset: the simulator has no wall time, so only the slots per round cost anything. */
const DEVNET_TIMING = {
  roundSlots: DEVNET_PARAMS.roundSlots,
  commitSlots: DEVNET_PARAMS.commitSlots,
  revealSlots: DEVNET_PARAMS.revealSlots,
  auditSlots: DEVNET_PARAMS.auditSlots,
  voteSlots: DEVNET_PARAMS.voteSlots,
  distributionSlots: DEVNET_PARAMS.distributionSlots,
  distributionAuditSlots: DEVNET_PARAMS.distributionAuditSlots,
} as const;

/**
 * The `sim` preset: mainnet's economics (stake, bounty, bond, quorum, participation, slash, k = 8) with its clock
 * compressed so a run stays short: devnet's 20-slot rounds, a 2-round warm-up, a 24-round trust ramp (mainnet: 6
 * and 288) and 48-round vesting (mainnet: 1,008). A shorter ramp is harsher on gradual: a whale reaches a given
 * weight 12 times sooner than on mainnet.
 */
export const SIM_PARAMS: TaskParams = {
  ...MAINNET_PARAMS,
  ...DEVNET_TIMING,
  maxNodes: 100_000,
  warmupRounds: 2,
  rampRounds: 24,
  unbondingRounds: 48,
  vestingRounds: 48,
};

export const SIM_PRESETS = { devnet: DEVNET_PARAMS, mainnet: MAINNET_PARAMS, sim: SIM_PARAMS } as const;
export type SimPresetName = keyof typeof SIM_PRESETS;

export function applyRules(params: TaskParams, rules: RulesName): TaskParams {
  return { ...params, ...RULE_SETS[rules].overrides };
}
