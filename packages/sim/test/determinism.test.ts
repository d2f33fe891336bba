import assert from "node:assert/strict";
import { test } from "node:test";
import { runSimulation } from "../src/index.ts";
import { json, shipped } from "./helpers.ts";

test("the same seed gives the same state root and byte-identical results (protocol.md §11.4)", () => {
  const scenario = shipped("mixed-faults", 24);
  for (const rules of ["gradual", "koii"] as const) {
    const first = runSimulation(scenario, { seed: 42, rules });
    const second = runSimulation(scenario, { seed: 42, rules });
    assert.equal(first.stateRoot, second.stateRoot);
    assert.equal(json(first), json(second));
    assert.ok(first.transactions > 1_000, "the run did something");
  }
});

test("another seed gives another run", () => {
  const scenario = shipped("mixed-faults", 12);
  const first = runSimulation(scenario, { seed: 1 });
  const second = runSimulation(scenario, { seed: 2 });
  assert.notEqual(first.stateRoot, second.stateRoot);
});

test("the rule sets differ only by parameters and one flag", () => {
  const scenario = shipped("honest", 6);
  const gradual = runSimulation(scenario, { seed: 3, rules: "gradual" });
  const koii = runSimulation(scenario, { seed: 3, rules: "koii" });
  assert.equal(gradual.params.auditMode, "sampled");
  assert.equal(koii.params.auditMode, "all");
  assert.equal(koii.params.rampRounds, 0);
  assert.equal(koii.params.triggerBond, 0n);
  assert.equal(koii.params.vestingRounds, 0);
  assert.equal(koii.params.slashQuorumBps, 5_000);
  assert.equal(gradual.params.bountyPerRound, koii.params.bountyPerRound);
});
