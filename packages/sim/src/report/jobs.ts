import { runSimulation } from "../driver.ts";
import type { FairnessMetrics } from "../fairness.ts";
import type { RoundSeries, RunMetrics } from "../metrics.ts";
import { type PropertyRules, runProperty } from "../properties/run.ts";
import type { PropertyScenario } from "../properties/scenarios.ts";
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
  readonly stateRoot: string;
  readonly nodes: number;
  readonly nodeRounds: number;
  readonly cpuMs: number;
  readonly metrics: RunMetrics;
  readonly series: readonly RoundSeries[] | null;
  /** Property runs only. */
  readonly fairness?: FairnessMetrics;
  /** The invariant break, if the run stopped on one (the report then lists it and the command exits non-zero). */
  readonly error: string | null;
};

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export function runJob(job: Job): JobResult {
  const start = cpuMs();
  try {
    if (job.property !== undefined) {
      const run = runProperty(job.property.scenario, job.property.rules, job.seed);
      return {
        index: job.index,
        stateRoot: "",
        nodes: 0,
        nodeRounds: 0,
        cpuMs: cpuMs() - start,
        metrics: undefined as unknown as RunMetrics,
        series: null,
        fairness: run.fairness,
        error: null,
      };
    }
    const scenario = createScenario(job.scenario, String(job.scenario.name ?? "report"));
    const result = runSimulation(scenario, { seed: job.seed, rules: job.rules });
    return {
      index: job.index,
      stateRoot: result.stateRoot,
      nodes: result.nodes,
      nodeRounds: result.nodeRounds,
      cpuMs: cpuMs() - start,
      metrics: result.metrics,
      series: job.keepSeries ? result.series : null,
      error: null,
    };
  } catch (error) {
    return {
      index: job.index,
      stateRoot: "",
      nodes: 0,
      nodeRounds: 0,
      cpuMs: cpuMs() - start,
      metrics: undefined as unknown as RunMetrics,
      series: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
