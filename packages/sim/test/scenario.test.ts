import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ProtocolEvent } from "@gradual/protocol";
import { runSimulation } from "../src/index.ts";
import { createScenario, loadScenario, parseScenario, ScenarioError, TOKEN_FOR_TESTS } from "./scenarioFixtures.ts";

test("every shipped scenario file is valid", () => {
  const dir = fileURLToPath(new URL("../scenarios/", import.meta.url));
  const files = readdirSync(dir).filter((file) => file.endsWith(".yaml"));
  assert.ok(files.length >= 9);
  for (const file of files) loadScenario(`${dir}${file}`);
});

test("errors name the file and the path of every bad field", () => {
  const text = [
    "name: broken",
    "rounds: 5",
    "task: { preset: sim, params: { auditsPerNode: 0, bogus: 1 } }",
    "groups:",
    "  - { strategy: whales, count: 2 }",
    "  - { strategy: honest, count: 0, share: 1.5 }",
    "faults:",
    "  - { kind: crash, group: nobody }",
  ].join("\n");
  assert.throws(
    () => parseScenario(text, "broken.yaml"),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      for (const expected of [
        "broken.yaml: task.params.bogus: unknown field",
        "broken.yaml: task.params.auditsPerNode: expected an integer in [1, 64], got 0",
        "broken.yaml: groups[0].strategy: expected one of",
        "broken.yaml: groups[1].count: expected an integer",
        "broken.yaml: groups[1].share: expected a number in (0, 1), got 1.5",
        'broken.yaml: faults[0].group: no group named "nobody"',
      ]) {
        assert.ok(error.message.includes(expected), `missing: ${expected}\nin:\n${error.message}`);
      }
      return true;
    },
  );
  assert.throws(() => parseScenario("groups: [", "x.yaml"), /x.yaml: not valid YAML/);
});

test("a share is of all stake: 16 x 1,000 tokens and a 49% group of 15 nodes", () => {
  const scenario = createScenario({
    rounds: 4,
    groups: [
      { name: "honest", strategy: "honest", count: 16, stake: 1000 },
      { name: "whale", strategy: "whale", count: 15, share: 0.49 },
    ],
  });
  const whale = scenario.groups[1];
  assert.ok(whale !== undefined);
  const total = whale.stake * 15n;
  const share = Number(total) / Number(total + 16_000n * TOKEN_FOR_TESTS);
  assert.ok(Math.abs(share - 0.49) < 1e-6, `share ${share}`);
});

test("amounts are tokens; presets and overrides resolve", () => {
  const scenario = createScenario({
    rounds: 3,
    task: { preset: "devnet", params: { bountyPerRound: "2.5", auditMode: "all" } },
    groups: [{ strategy: "honest", count: 2 }],
  });
  assert.equal(scenario.params.bountyPerRound, 2_500_000_000n);
  assert.equal(scenario.params.auditMode, "all");
  assert.equal(scenario.params.roundSlots, 20);
  assert.equal(scenario.groups[0]?.stake, scenario.params.minimumStake);
});

test("a group tops up its stake at topUpRound: a second lot, funded at genesis; both fields or neither", () => {
  const scenario = createScenario({
    rounds: 6,
    groups: [{ name: "whale", strategy: "whale", count: 2, stake: 1000, topUpRound: 3, topUp: 500 }],
  });
  assert.equal(scenario.groups[0]?.topUpRound, 3);
  assert.equal(scenario.groups[0]?.topUp, 500n * TOKEN_FOR_TESTS);
  for (const bad of [{ topUpRound: 3 }, { topUp: 500 }, { topUpRound: 0, topUp: 500 }, { topUpRound: 6, topUp: 500 }]) {
    assert.throws(
      () => createScenario({ rounds: 6, groups: [{ strategy: "whale", count: 1, ...bad }] }),
      ScenarioError,
      JSON.stringify(bad),
    );
  }
});

test("the top-up lands in its round: each node of the group stakes again, a lot of its own", () => {
  const staked: bigint[] = [];
  const scenario = createScenario({
    rounds: 6,
    groups: [
      { name: "honest", strategy: "honest", count: 3, stake: 1000 },
      { name: "whale", strategy: "whale", count: 2, stake: 1000, joinRound: 1, topUpRound: 3, topUp: 500 },
    ],
  });
  runSimulation(scenario, {
    seed: 1,
    afterBlock: ({ events }) => {
      for (const event of events as ProtocolEvent[]) if (event.type === "Staked") staked.push(event.amount);
      return undefined;
    },
  });
  assert.deepEqual(
    staked.filter((amount) => amount === 500n * TOKEN_FOR_TESTS),
    [500n * TOKEN_FOR_TESTS, 500n * TOKEN_FOR_TESTS],
  );
  assert.equal(staked.length, 3 + 2 + 2);
});
