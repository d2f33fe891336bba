import { runKoiiBaseline } from "../baselines/koii.ts";
import { runNaiveBaseline } from "../baselines/naive.ts";
import { runSimulation } from "../driver.ts";
import type { FairnessMetrics } from "../fairness.ts";
import { createScenario } from "../scenario.ts";
import { type PropertyScenario, toSimScenario } from "./scenarios.ts";

/**
 * The three rule sets the properties compare (docs/simulator.md "Properties"): `gradual` runs the real protocol and
 * the real decide() (driver.ts); `koii` and `naive` are the compact baselines (baselines/). All three return the
 * same FairnessMetrics.
 */
export const PROPERTY_RULES = ["gradual", "koii", "naive"] as const;
export type PropertyRules = (typeof PROPERTY_RULES)[number];

export type PropertyRun = {
  readonly scenario: PropertyScenario;
  readonly rules: PropertyRules;
  readonly seed: number;
  readonly fairness: FairnessMetrics;
};

export function runProperty(scenario: PropertyScenario, rules: PropertyRules, seed: number): PropertyRun {
  let fairness: FairnessMetrics;
  if (rules === "koii") fairness = runKoiiBaseline(scenario, seed).fairness;
  else if (rules === "naive") fairness = runNaiveBaseline(scenario, seed).fairness;
  else {
    const simScenario = createScenario(toSimScenario(scenario), scenario.id);
    fairness = runSimulation(simScenario, { seed, stateRoot: false }).metrics.fairness;
  }
  return { scenario, rules, seed, fairness };
}
