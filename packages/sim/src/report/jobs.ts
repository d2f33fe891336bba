import { runSimulation } from "../driver.ts";
import type { FairnessMetrics } from "../fairness.ts";
import type { RoundSeries, RunMetrics } from "../metrics.ts";
import { type PropertyRules, runProperty } from "../properties/run.ts";
import { type PropertyScenario, toSimScenario } from "../properties/scenarios.ts";
import type { RulesName } from "../rules.ts";
import { createScenario } from "../scenario.ts";

/** One run of the report: a scenario (as a plain object), a rule set and a seed. */
export type Job = {
  readonly index: number;
  readonly scenario: Record<string, unknown>;
  readonly rules: RulesName;
  readonly seed: number;
  readonly keepSeries: boolean;
  /** A property run (issue 14): this scenario under this rule set, instead of `scenario` and `rules`. */
  readonly property?: { readonly scenario: PropertyScenario; readonly rules: PropertyRules };
};

export type JobResult = {
  readonly index: number;
  /** Null: the report's runs skip the final state root (they read only the metrics). */
  readonly stateRoot: string | null;
  readonly nodes: number;
  readonly nodeRounds: number;
  /**
   * Wall time of the run on its worker thread, which runs one job at a time (a worker thread cannot read its own
   * CPU time on Node 20: process.cpuUsage() counts every thread). On a loaded machine it includes waiting for a core.
   */
  readonly runMs: number;
  readonly metrics: RunMetrics;
  readonly series: readonly RoundSeries[] | null;
  /** Property runs only. */
  readonly fairness?: FairnessMetrics;
  /** The invariant break, if the run stopped on one (the report then lists it and the command exits non-zero). */
  readonly error: string | null;
};

/** Strategies that trigger against many proofs: every trigger brings votes, resolutions and late challenges. */
const TRIGGERING = new Set(["whale", "griefer", "unavailable", "downtime", "colluding"]);

/**
 * A job's expected cost for the pool's scheduling (pool.ts `cost`): node-rounds, three times as much with a
 * strategy that triggers against many proofs, a little more under the Koii rules' all-pairs audits, and nothing
 * for the compact baselines (measured on the quick report's runs, within a factor of about 3). Only the order of
 * the work depends on it, never a result.
 */
export function estimatedCost(job: Job): number {
  if (job.property !== undefined && job.property.rules !== "gradual") return 0;
  const scenario = job.property === undefined ? job.scenario : toSimScenario(job.property.scenario);
  const groups = (scenario.groups ?? []) as readonly { readonly count?: unknown; readonly strategy?: unknown }[];
  const nodes = groups.reduce((total, group) => total + (typeof group.count === "number" ? group.count : 1), 0);
  const rounds = typeof scenario.rounds === "number" ? scenario.rounds : 1;
  const triggering = groups.some((group) => TRIGGERING.has(String(group.strategy)));
  const allPairs = job.property === undefined && job.rules === "koii" ? 1 + nodes / 100 : 1;
  return nodes * rounds * (triggering ? 3 : 1) * allPairs;
}

export function runJob(job: Job): JobResult {
  const start = performance.now();
  try {
    if (job.property !== undefined) {
      const run = runProperty(job.property.scenario, job.property.rules, job.seed);
      return {
        index: job.index,
        stateRoot: null,
        nodes: 0,
        nodeRounds: 0,
        runMs: performance.now() - start,
        metrics: undefined as unknown as RunMetrics,
        series: null,
        fairness: run.fairness,
        error: null,
      };
    }
    const scenario = createScenario(job.scenario, String(job.scenario.name ?? "report"));
    const result = runSimulation(scenario, { seed: job.seed, rules: job.rules, stateRoot: false });
    return {
      index: job.index,
      stateRoot: result.stateRoot,
      nodes: result.nodes,
      nodeRounds: result.nodeRounds,
      runMs: performance.now() - start,
      metrics: result.metrics,
      series: job.keepSeries ? result.series : null,
      error: null,
    };
  } catch (error) {
    return {
      index: job.index,
      stateRoot: null,
      nodes: 0,
      nodeRounds: 0,
      runMs: performance.now() - start,
      metrics: undefined as unknown as RunMetrics,
      series: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
