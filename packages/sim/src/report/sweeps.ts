import type { RulesName } from "../rules.ts";
import { SIM_PARAMS } from "../rules.ts";

/**
 * The report's fixed sweeps (docs/simulator.md "The report"). Every point is a scenario built here, run under both
 * rule sets with seeds 1..N. The honest network is the same everywhere: nodes of 1,000 tokens (the preset's minimum
 * stake) under the `sim` preset (mainnet economics, a 24-round ramp), so only the swept quantity changes.
 */

export type SweepId = "whale" | "patient" | "lazy" | "griefer" | "copier" | "offline" | "scale" | "ramp";

export type SweepPoint = {
  readonly sweep: SweepId;
  /** The swept value (a share in %, a node count, rampRounds). */
  readonly x: number;
  /** A second dimension where a sweep has one (the ramp sweep's whale share). */
  readonly series: string;
  readonly rules: readonly RulesName[];
  readonly seeds: number;
  readonly scenario: Record<string, unknown>;
  /** Keep the per-round series of the first seed (for the time-series chart). */
  readonly keepSeries: boolean;
};

export type SweepOptions = { readonly seeds: number; readonly quick: boolean };

const HONEST = 16;
const STAKE = 1_000;
const BOTH: readonly RulesName[] = ["gradual", "koii"];

/** The round an established honest network has fully ramped by: its nodes staked at round 0. */
function establishedRound(warmupRounds: number, rampRounds: number): number {
  return warmupRounds + Math.max(rampRounds, 1);
}

/** A whale with `share` of all stake, spread over as many nodes as honest nodes of the same stake would need. */
function whaleScenario(
  share: number,
  options: { strikeAfter?: number; rampRounds?: number; active?: number } = {},
): Record<string, unknown> {
  const rampRounds = options.rampRounds ?? SIM_PARAMS.rampRounds;
  const join = establishedRound(SIM_PARAMS.warmupRounds, rampRounds);
  const active = options.active ?? 10;
  // As many nodes as the whale's stake can fill at the honest nodes' size (each at least the minimum stake).
  const count = Math.max(1, Math.floor((HONEST * share) / (1 - share) + 1e-9));
  const whale: Record<string, unknown> = {
    name: "whale",
    strategy: "whale",
    count,
    share,
    joinRound: join,
    leaveRound: join + active,
  };
  if (options.strikeAfter !== undefined) whale.strikeRound = join + options.strikeAfter;
  return {
    name: `whale-${Math.round(share * 100)}`,
    task: { preset: "sim", params: { rampRounds } },
    rounds: join + active + 4,
    groups: [{ name: "honest", strategy: "honest", count: HONEST, stake: STAKE }, whale],
  };
}

function mixScenario(name: string, total: number, groups: Record<string, unknown>[], rounds = 16) {
  const others = groups.reduce((sum, group) => sum + (group.count as number), 0);
  return {
    name,
    task: { preset: "sim" },
    rounds,
    groups: [{ name: "honest", strategy: "honest", count: total - others, stake: STAKE }, ...groups],
  };
}

function count(total: number, sharePercent: number): number {
  return Math.round((total * sharePercent) / 100);
}

export function buildSweeps({ seeds, quick }: SweepOptions): SweepPoint[] {
  const points: SweepPoint[] = [];
  const add = (point: Omit<SweepPoint, "keepSeries"> & { keepSeries?: boolean }) =>
    points.push({ keepSeries: false, ...point });
  const whaleShares = quick ? [49] : [10, 20, 30, 40, 49, 60, 67, 80];
  for (const share of whaleShares) {
    add({ sweep: "whale", x: share, series: "whale", rules: BOTH, seeds, scenario: whaleScenario(share / 100) });
    add({
      sweep: "patient",
      x: share,
      series: "patient whale",
      rules: BOTH,
      seeds,
      scenario: whaleScenario(share / 100, { strikeAfter: 7 }),
      keepSeries: share === 67,
    });
  }
  for (const share of quick ? [0, 40] : [0, 20, 40, 60]) {
    const total = 20;
    const lazy = count(total, share);
    const groups: Record<string, unknown>[] = [{ name: "garbage", strategy: "garbage", count: 2, stake: STAKE }];
    if (lazy > 0) groups.push({ name: "lazy", strategy: "lazy", count: lazy, stake: STAKE });
    add({
      sweep: "lazy",
      x: share,
      series: "lazy",
      rules: BOTH,
      seeds,
      scenario: mixScenario(`lazy-${share}`, total, groups),
    });
  }
  for (const share of quick ? [10] : [5, 10, 20, 30]) {
    const groups = [{ name: "griefer", strategy: "griefer", count: count(20, share), stake: STAKE }];
    add({
      sweep: "griefer",
      x: share,
      series: "griefer",
      rules: BOTH,
      seeds,
      scenario: mixScenario(`griefer-${share}`, 20, groups),
    });
  }
  for (const share of quick ? [25] : [10, 25, 50]) {
    const groups = [{ name: "copier", strategy: "copier", count: count(20, share), stake: STAKE }];
    add({
      sweep: "copier",
      x: share,
      series: "copier",
      rules: BOTH,
      seeds,
      scenario: mixScenario(`copier-${share}`, 20, groups),
    });
  }
  for (const share of quick ? [25] : [10, 25, 50]) {
    const groups = [
      { name: "offline", strategy: "offline", count: count(20, share), stake: STAKE, offlineProbability: 0.5 },
    ];
    add({
      sweep: "offline",
      x: share,
      series: "offline",
      rules: BOTH,
      seeds,
      scenario: mixScenario(`offline-${share}`, 20, groups),
    });
  }
  for (const nodes of quick ? [10, 50] : [10, 20, 50, 100, 200, 500]) {
    const scenario = {
      name: `scale-${nodes}`,
      task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0 } },
      rounds: 5,
      groups: [{ name: "honest", strategy: "honest", count: nodes, stake: STAKE }],
    };
    // All-pairs auditing costs the simulator O(n^2) per round: measured up to 100 nodes, computed beyond.
    add({ sweep: "scale", x: nodes, series: "scale", rules: nodes <= 100 ? BOTH : ["gradual"], seeds: 1, scenario });
  }
  for (const rampRounds of quick ? [24] : [0, 6, 12, 24, 48]) {
    for (const share of [49, 67]) {
      add({
        sweep: "ramp",
        x: rampRounds,
        series: `patient whale ${share}%`,
        rules: ["gradual"],
        seeds: Math.max(1, Math.ceil(seeds / 2)),
        scenario: whaleScenario(share / 100, { strikeAfter: 7, rampRounds }),
      });
    }
  }
  return points;
}
