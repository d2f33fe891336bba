/**
 * The property scenarios of issue 14 (docs/simulator.md "Properties"). One description feeds the real simulator
 * (`toSimScenario`) and the compact baselines (baselines/koii.ts, baselines/naive.ts), so all three rule sets run the
 * same coalition share, strategy, lazy fraction, rounds and stay window.
 *
 * Clock: the `sim` preset with a shorter trust ramp and vesting so that a run lasts the coalition's whole stay plus
 * the vesting period after it leaves in a few seconds: warm-up 2, ramp 8, vesting 12 rounds. The others stake at
 * round 0 and weigh in full from round 10; the coalition joins then, behaves honestly until it weighs in full
 * (round 20: it outlasts the ramp), attacks for 10 rounds, unstakes, and the run goes on for the vesting period.
 */

import { SIM_PARAMS } from "../rules.ts";

export type CoalitionStrategy =
  | "whale"
  | "unavailable"
  | "selfpay"
  | "disputer"
  | "holdout"
  | "colluding"
  | "outlast"
  | "downtime"
  | "garbage"
  | "none";

export type PropertyScenario = {
  readonly id: string;
  readonly strategy: CoalitionStrategy;
  /** The coalition's share of all stake: its share of active weight once ramped (it strikes after the ramp). */
  readonly share: number;
  /** Share of the other nodes that are lazy followers (copy the tally a slot after the honest voters). */
  readonly lazyShare: number;
  /** Number of other nodes that go offline at random (probability 0.5 a round), honest otherwise. */
  readonly offline: number;
  /**
   * A partition: PARTITION_NODES honest nodes (group `cut`) cannot fetch anyone else's proofs for 4 rounds (they
   * see everyone as unavailable and trigger), and two other honest nodes crash for 2 rounds.
   */
  readonly partition: boolean;
  /** Sybil check: a subject holding SYBIL_STAKE tokens as 1 node or as this many nodes. */
  readonly sybilNodes: number | null;
  readonly rounds: number;
  readonly joinRound: number;
  readonly strikeRound: number;
  /** The round the coalition stops striking while it stays (the `holdout`), or null: it strikes until it leaves. */
  readonly strikeUntil: number | null;
  readonly leaveRound: number;
  /**
   * The round the others (honest, lazy, offline) unstake, or null: they stay to the end. The `outlast` coalition
   * stays after them, and stakes as much again: the exodus that ends a task (its creator closes it, its operators
   * move on) while a cheater keeps its stake and buys more.
   */
  readonly othersLeaveRound: number | null;
  /** Others: count and stake per node (tokens). */
  readonly others: number;
  readonly otherStake: number;
  /** The task pairs its reveals with the next commits (`revealSlots` 0, protocol.md §2.2): `sim report --paired-reveals`. */
  readonly pairedReveals?: boolean;
};

export const PROPERTY_CLOCK = { warmupRounds: 2, rampRounds: 8, vestingRounds: 12, attackRounds: 10 } as const;
const OTHERS = 10;
export const PARTITION_NODES = 3;
const OTHER_STAKE = 2_000;
export const SYBIL_STAKE = 100_000;
const SYBIL_OTHERS = 20;
const SYBIL_OTHER_STAKE = 5_000;

/** Shares swept (in %): both sides of 1/3, 1/2 and 2/3. P6 adds 67. */
export const SHARES = [10, 20, 30, 40, 49, 60, 66, 80] as const;
/** --quick: the largest share below each bound (1/3, 1/2, 2/3); P6 adds 67. */
export const SHARES_QUICK = [30, 49, 66] as const;
export const COALITIONS: readonly CoalitionStrategy[] = [
  "whale",
  "unavailable",
  "selfpay",
  "disputer",
  "holdout",
  "colluding",
  "outlast",
];

/**
 * The holdout stays after its strike until every late-challenge window of the cycles it struck has closed: a cycle
 * completes at most `3 + allowedFailedDistributions` rounds after it starts (the last struck cycle, a round before
 * `strikeUntil`, thus by `strikeUntil + 2 + allowedFailedDistributions`) and stays appealable for `vestingRounds` more.
 */
const HOLDOUT_WAIT = 3 + SIM_PARAMS.allowedFailedDistributions + PROPERTY_CLOCK.vestingRounds;

/**
 * The strategy a coalition's nodes run: the `outlast` is a `whale` whose scenario has the others leave first
 * (othersLeaveRound); every other coalition runs the strategy of its name.
 */
export function coalitionStrategyOf(strategy: CoalitionStrategy): Exclude<CoalitionStrategy, "outlast"> {
  return strategy === "outlast" ? "whale" : strategy;
}

/** Rounds between the `outlast` coalition's last strike and the others' exodus. */
const EXODUS_AFTER = 2;

function timeline(
  strategy: CoalitionStrategy = "none",
): Pick<PropertyScenario, "rounds" | "joinRound" | "strikeRound" | "strikeUntil" | "leaveRound" | "othersLeaveRound"> {
  const { warmupRounds, rampRounds, vestingRounds, attackRounds } = PROPERTY_CLOCK;
  const joinRound = warmupRounds + rampRounds;
  const strikeRound = joinRound + warmupRounds + rampRounds;
  if (strategy === "holdout") {
    const strikeUntil = strikeRound + attackRounds;
    const leaveRound = strikeUntil + HOLDOUT_WAIT;
    return {
      joinRound,
      strikeRound,
      strikeUntil,
      leaveRound,
      othersLeaveRound: null,
      rounds: leaveRound + vestingRounds + 2,
    };
  }
  if (strategy === "outlast") {
    // It strikes like the whale, stops, and the others leave two rounds later; it doubles its stake then, and stays
    // until every late-challenge window of the cycles they worked has closed (all it can use against them), then
    // leaves too.
    const strikeUntil = strikeRound + attackRounds;
    const othersLeaveRound = strikeUntil + EXODUS_AFTER;
    const leaveRound = othersLeaveRound + HOLDOUT_WAIT;
    return { joinRound, strikeRound, strikeUntil, leaveRound, othersLeaveRound, rounds: leaveRound + 2 };
  }
  const leaveRound = strikeRound + attackRounds;
  return {
    joinRound,
    strikeRound,
    strikeUntil: null,
    leaveRound,
    othersLeaveRound: null,
    rounds: leaveRound + vestingRounds + 2,
  };
}

export function coalitionScenario(strategy: CoalitionStrategy, sharePercent: number, lazyShare: number) {
  return {
    id: `${strategy}-${sharePercent}${lazyShare > 0 ? `-lazy${Math.round(lazyShare * 100)}` : ""}`,
    strategy,
    share: sharePercent / 100,
    lazyShare,
    offline: 0,
    partition: false,
    sybilNodes: null,
    others: OTHERS,
    otherStake: OTHER_STAKE,
    ...timeline(strategy),
  } satisfies PropertyScenario;
}

/** P4: offline honest nodes, a partition, and coalitions that trigger on downtime. */
export function availabilityScenarios(): PropertyScenario[] {
  const base = { lazyShare: 0, sybilNodes: null, others: OTHERS, otherStake: OTHER_STAKE, ...timeline() };
  return [
    { ...base, id: "offline-4", strategy: "none", share: 0, offline: 4, partition: false },
    { ...base, id: "partition", strategy: "none", share: 0, offline: 0, partition: true },
    { ...base, id: "downtime-20-offline-4", strategy: "downtime", share: 0.2, offline: 4, partition: false },
    { ...base, id: "downtime-40-offline-4", strategy: "downtime", share: 0.4, offline: 4, partition: false },
    { ...base, id: "downtime-40-partition", strategy: "downtime", share: 0.4, offline: 0, partition: true },
  ];
}

/** P5: the same stake as 1 node or as 100. */
export function sybilScenario(nodes: number): PropertyScenario {
  const { warmupRounds, rampRounds } = PROPERTY_CLOCK;
  return {
    id: `sybil-${nodes}`,
    strategy: "none",
    share: 0,
    lazyShare: 0,
    offline: 0,
    partition: false,
    sybilNodes: nodes,
    others: SYBIL_OTHERS,
    otherStake: SYBIL_OTHER_STAKE,
    joinRound: 0,
    strikeRound: 0,
    strikeUntil: null,
    othersLeaveRound: null,
    leaveRound: warmupRounds + rampRounds + 10,
    rounds: warmupRounds + rampRounds + 10,
  };
}

/** P2's lazy clause: 50 rounds with 30% lazy followers and two garbage submitters to be caught. */
export function lazyPayScenario(): PropertyScenario {
  return {
    id: "lazy-pay-50",
    strategy: "garbage",
    share: 0.1,
    lazyShare: 0.3,
    offline: 0,
    partition: false,
    sybilNodes: null,
    others: OTHERS,
    otherStake: OTHER_STAKE,
    joinRound: 0,
    strikeRound: 0,
    strikeUntil: null,
    othersLeaveRound: null,
    leaveRound: 50,
    rounds: 50,
  };
}

/**
 * Coalition nodes: the size of the other nodes (so that the default equal split neither favours nor penalises the
 * coalition for how it splits; P5 measures splitting on its own), and at least 2 (enough triggers per cycle against
 * ten others). No upper cap: a cap (12 until 2026-12-06) made the coalitions above 55% fewer, larger nodes, which
 * under the Koii baseline's equal split per node take fewer shares than the same stake split at the honest size, so
 * P6 compared gradual with a baseline weaker than its own coalition could make it (docs/simulator.md, P6). At 80%
 * the coalition is 40 nodes.
 */
export function coalitionNodes(scenario: PropertyScenario): { count: number; stakeTokens: number } {
  const total = (scenario.others * scenario.otherStake * scenario.share) / (1 - scenario.share);
  const count = Math.max(2, Math.round(total / scenario.otherStake));
  return { count, stakeTokens: total / count };
}

export function lazyCount(scenario: PropertyScenario): number {
  return Math.round(scenario.others * scenario.lazyShare);
}

/** The scenario as a simulator scenario object (scenario.ts's YAML shape). */
export function toSimScenario(scenario: PropertyScenario): Record<string, unknown> {
  const { warmupRounds, rampRounds, vestingRounds } = PROPERTY_CLOCK;
  const lazy = lazyCount(scenario);
  const honest = scenario.others - lazy - scenario.offline;
  const cut = scenario.partition ? PARTITION_NODES : 0;
  const leave = scenario.othersLeaveRound === null ? {} : { leaveRound: scenario.othersLeaveRound };
  const groups: Record<string, unknown>[] = [
    { name: "honest", strategy: "honest", count: honest - cut, stake: scenario.otherStake, ...leave },
  ];
  if (cut > 0) groups.push({ name: "cut", strategy: "honest", count: cut, stake: scenario.otherStake, ...leave });
  if (lazy > 0) {
    groups.push({ name: "lazy", strategy: "follower", count: lazy, stake: scenario.otherStake, ...leave });
  }
  if (scenario.offline > 0) {
    groups.push({
      name: "offline",
      strategy: "offline",
      count: scenario.offline,
      stake: scenario.otherStake,
      ...leave,
    });
  }
  if (scenario.sybilNodes !== null) {
    groups.push({
      name: "subject",
      strategy: "honest",
      count: scenario.sybilNodes,
      stake: SYBIL_STAKE / scenario.sybilNodes,
    });
  }
  if (scenario.strategy !== "none") {
    const { count, stakeTokens } = coalitionNodes(scenario);
    const group: Record<string, unknown> = {
      name: "coalition",
      strategy: coalitionStrategyOf(scenario.strategy),
      count,
      stake: Math.floor(stakeTokens).toString(),
      joinRound: scenario.joinRound,
      leaveRound: scenario.leaveRound,
    };
    if (scenario.strategy !== "garbage") group.strikeRound = scenario.strikeRound;
    if (scenario.strikeUntil !== null) group.strikeUntil = scenario.strikeUntil;
    if (scenario.strategy === "outlast" && scenario.othersLeaveRound !== null) {
      // Once the others are gone it buys as much weight again, to decide the late triggers and appeals of the
      // cycles they worked (what deviation 40 denies it).
      group.topUpRound = scenario.othersLeaveRound;
      group.topUp = Math.floor(stakeTokens).toString();
    }
    groups.push(group);
  }
  const faults: Record<string, unknown>[] = [];
  if (scenario.partition) {
    const from = scenario.strikeRound;
    faults.push({ kind: "cannotFetch", group: "cut", fromRound: from, toRound: from + 4 });
    faults.push({ kind: "crash", group: "honest", count: 2, fromRound: from + 1, toRound: from + 3, atSlot: 5 });
  }
  return {
    name: scenario.id,
    task: {
      preset: "sim",
      params: {
        warmupRounds,
        rampRounds,
        vestingRounds,
        ...(scenario.pairedReveals === true ? { revealSlots: 0 } : {}),
      },
    },
    rounds: scenario.rounds,
    groups,
    faults,
  };
}
