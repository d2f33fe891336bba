/**
 * @gradual/sim: a deterministic adversarial simulator of Gradual Consensus (docs/simulator.md). It runs the real
 * protocol core and the node's real decide() on a virtual clock with seeded faults and adversaries, asserts the
 * invariants of protocol.md §11 after every slot, and measures the economic security of gradual's rules beside
 * Koii's.
 */
export {
  replayCommand,
  runSimulation,
  type SimOptions,
  type SimProfile,
  type SimResult,
  SimulationError,
  type WakeMode,
} from "./driver.ts";
export { InvariantBreak, type InvariantName } from "./invariants.ts";
export type { GroupSummary, RoundSeries, RunMetrics, TriggerCost } from "./metrics.ts";
export { buildReport, type ReportOptions, type ReportSummary } from "./report/index.ts";
export { SeededRandom } from "./rng.ts";
export {
  applyRules,
  isRulesName,
  KOII_RULES,
  RULE_NAMES,
  RULE_SETS,
  type RuleFlags,
  type RuleSet,
  type RulesName,
  SIM_PARAMS,
  SIM_PRESETS,
  type SimPresetName,
} from "./rules.ts";
export {
  createScenario,
  type FaultSpec,
  type GroupSpec,
  loadScenario,
  parseScenario,
  type Scenario,
  ScenarioError,
  type StrategyName,
} from "./scenario.ts";
export { STRATEGIES } from "./strategies/index.ts";
export { formatSummary } from "./summary.ts";
export type { NodeClass, SimGroup, SimNode, Strategy, World } from "./world.ts";
