import assert from "node:assert/strict";
import { test } from "node:test";
import { runSimulation, SimulationError } from "../src/index.ts";
import { shipped } from "./helpers.ts";

/** The default test run's slice of `npm run soak:sim`: mixed strategies and faults, every invariant every slot. */
test("soak slice: 10 seeds x 20 rounds of mixed-faults under both rule sets break no invariant", () => {
  const scenario = shipped("mixed-faults", 20);
  const breaks: string[] = [];
  for (let seed = 1; seed <= 10; seed += 1) {
    const rules = seed % 2 === 0 ? "koii" : "gradual";
    try {
      const result = runSimulation(scenario, { seed, rules, scenarioPath: "packages/sim/scenarios/mixed-faults.yaml" });
      assert.ok(result.taskClosed, `seed ${seed}: the task did not close`);
    } catch (error) {
      if (!(error instanceof SimulationError)) throw error;
      breaks.push(error.message);
    }
  }
  assert.deepEqual(breaks, []);
});
