import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { loadScenario, runSimulation, type SimResult } from "../../src/index.ts";
import { runProperty } from "../../src/properties/run.ts";
import {
  availabilityScenarios,
  coalitionScenario,
  lazyPayScenario,
  type PropertyScenario,
  sybilScenario,
} from "../../src/properties/scenarios.ts";

/*
 * The runs whose outcomes are pinned in expected.json: every shipped scenario (every strategy, both rule sets, the
 * custom distribution rule of the liar scenario) and the property scenarios of each kind. expected.json is written
 * by the simulator as it was before its speed work (generate.ts), the shipped scenarios by its reference path
 * (decide() for every node in every slot, no hints: what the scheduled wake-ups must reproduce); the test
 * (../golden.test.ts) reruns them on the fast path and requires the same summaries. Only the public entry points
 * are used, so generate.ts runs unchanged on an older tree.
 */

export type GoldenRun =
  | {
      readonly id: string;
      readonly kind: "shipped";
      readonly scenario: string;
      readonly rounds?: number;
      readonly rules: "gradual" | "koii";
      readonly seed: number;
    }
  | { readonly id: string; readonly kind: "property"; readonly scenario: PropertyScenario; readonly seed: number };

function shippedRun(scenario: string, rules: "gradual" | "koii", seed: number, rounds?: number): GoldenRun {
  return {
    id: `${scenario}${rounds === undefined ? "" : `@${rounds}`}/${rules}/${seed}`,
    kind: "shipped",
    scenario,
    rules,
    seed,
    ...(rounds === undefined ? {} : { rounds }),
  };
}

function propertyRun(scenario: PropertyScenario, seed: number): GoldenRun {
  return { id: `property ${scenario.id}/gradual/${seed}`, kind: "property", scenario, seed };
}

export const GOLDEN_RUNS: readonly GoldenRun[] = [
  shippedRun("mixed-faults", "gradual", 7, 24),
  shippedRun("mixed-faults", "koii", 7, 24),
  shippedRun("honest", "gradual", 2),
  shippedRun("garbage", "gradual", 2),
  shippedRun("lazy", "koii", 2),
  shippedRun("griefer", "gradual", 2),
  shippedRun("copier", "koii", 2),
  shippedRun("offline", "gradual", 2),
  shippedRun("liar", "gradual", 2),
  shippedRun("liar", "koii", 2),
  shippedRun("whale-67", "gradual", 3),
  shippedRun("selfpay-40", "gradual", 2),
  propertyRun(coalitionScenario("whale", 49, 0.3), 1),
  propertyRun(coalitionScenario("unavailable", 66, 0.3), 2),
  propertyRun(coalitionScenario("selfpay", 30, 0), 1),
  ...availabilityScenarios()
    .filter((scenario) => scenario.id === "partition" || scenario.id === "downtime-40-offline-4")
    .map((scenario) => propertyRun(scenario, 1)),
  propertyRun(sybilScenario(100), 1),
  propertyRun(lazyPayScenario(), 2),
];

function digest(value: unknown): string {
  const text = JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? `${raw}n` : raw));
  return createHash("sha256").update(text).digest("hex");
}

export type GoldenSummary = Record<string, unknown>;

function summarizeResult(result: SimResult): GoldenSummary {
  // decide() calls and the wake mode describe how the run was driven, not what happened; the profile is wall time.
  const { decideCalls: _calls, wake: _wake, profile: _profile, ...outcome } = result;
  return {
    stateRoot: result.stateRoot,
    transactions: result.transactions,
    nodeRounds: result.nodeRounds,
    finalSlot: result.finalSlot,
    refusals: result.refusals,
    checks: result.checks,
    metrics: digest(result.metrics),
    series: digest(result.series),
    all: digest(outcome),
  };
}

/** `reference`: decide() for every node in every slot without hints (shipped scenarios; property runs have one path). */
export function runGolden(run: GoldenRun, options: { readonly reference?: boolean } = {}): GoldenSummary {
  if (run.kind === "property") {
    const { fairness } = runProperty(run.scenario, "gradual", run.seed);
    return { fairness: digest(fairness), coalitionNet: String(fairness.coalition.net) };
  }
  const path = fileURLToPath(new URL(`../../scenarios/${run.scenario}.yaml`, import.meta.url));
  const loaded = loadScenario(path);
  const scenario = run.rounds === undefined ? loaded : { ...loaded, rounds: run.rounds };
  const drive = options.reference === true ? { wake: "every-slot" as const, auditHints: false } : {};
  return summarizeResult(runSimulation(scenario, { seed: run.seed, rules: run.rules, ...drive }));
}
