import assert from "node:assert/strict";
import { test } from "node:test";
import { runSimulation } from "../src/index.ts";
import { shipped } from "./helpers.ts";

/*
 * The driver wakes a node only in the slots where decide() can return something, and hands decide() precomputed
 * audit assignments and trigger lists. Both are optimisations that must not change a single transaction: the
 * same run with decide() called for every node in every slot, querying the state itself, reaches the same root.
 */
for (const [name, rounds] of [
  ["mixed-faults", 30],
  ["whale-67", 34],
  ["liar", 10],
  ["unavailable-49-lazy30", 40],
  ["downtime-40-offline-4", 40],
  ["griefer", 12],
] as const) {
  test(`${name}: scheduled wake-ups with hints equal decide() in every slot without them`, () => {
    const scenario = shipped(name, rounds);
    for (const rules of ["gradual", "koii"] as const) {
      const fast = runSimulation(scenario, { seed: 5, rules });
      const slow = runSimulation(scenario, { seed: 5, rules, wake: "every-slot", auditHints: false });
      assert.equal(fast.stateRoot, slow.stateRoot, `${rules}: roots differ`);
      assert.equal(fast.transactions, slow.transactions);
      assert.ok(fast.decideCalls < slow.decideCalls, `${fast.decideCalls} vs ${slow.decideCalls} decide calls`);
    }
  });
}
