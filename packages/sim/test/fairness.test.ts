import assert from "node:assert/strict";
import { test } from "node:test";
import { FairnessLedger } from "../src/fairness.ts";
import { runSimulation } from "../src/index.ts";
import { createScenario } from "../src/scenario.ts";

const TOKEN = 1_000_000_000n;

function ledger(stay: { fromRound: number; toRound: number } | null = null) {
  const member = (account: string, nodeClass: "honest" | "attacker") => ({
    account,
    name: account,
    group: nodeClass,
    nodeClass,
    strategy: nodeClass === "honest" ? "honest" : "selfpay",
  });
  return new FairnessLedger([member("h1", "honest"), member("h2", "honest"), member("a1", "attacker")], {
    stay,
    vestingRounds: 2,
  });
}

test("fair shares count every valid worker, not only the recipients a list chose", () => {
  const fairness = ledger({ fromRound: 0, toRound: 1 });
  fairness.start(0, 900n * TOKEN);
  for (const node of ["h1", "h2", "a1"]) fairness.work(0, node, 1_000n * TOKEN);
  // A list that leaves h2 out and gives its share to the attacker.
  fairness.pay(0, "h1", 300n * TOKEN);
  fairness.pay(0, "a1", 600n * TOKEN);
  fairness.complete(0);
  const result = fairness.finish();
  assert.equal(result.whole.unfair, 300n * TOKEN);
  assert.equal(result.attack.unfair, 300n * TOKEN);
  assert.equal(result.whole.honestLostPay, 300n * TOKEN);
  assert.equal(result.nodes.find((node) => node.account === "h2")?.lostPay, 300n * TOKEN);
  assert.equal(result.coalition.net, 300n * TOKEN);
});

test("fair shares follow weight; a failed cycle costs its workers their share; slashes count against the net", () => {
  const fairness = ledger({ fromRound: 0, toRound: 1 });
  fairness.start(0, 1_000n * TOKEN);
  fairness.work(0, "h1", 3_000n * TOKEN);
  fairness.work(0, "a1", 1_000n * TOKEN);
  // An equal split pays the lighter attacker above its weight (250 tokens fair).
  fairness.pay(0, "h1", 500n * TOKEN);
  fairness.pay(0, "a1", 500n * TOKEN);
  fairness.complete(0);
  fairness.start(5, 1_000n * TOKEN);
  fairness.work(5, "h2", 1_000n * TOKEN);
  fairness.complete(5);
  fairness.slash("a1", 100n * TOKEN, 150n * TOKEN);
  const result = fairness.finish();
  assert.equal(result.coalition.unfair, 250n * TOKEN);
  assert.equal(result.stayAndVesting.unfair, 250n * TOKEN);
  assert.equal(result.stayAndVesting.bounty, 1_000n * TOKEN, "cycle 5 is after stay + vesting");
  assert.equal(result.whole.honestLostPay, 1_250n * TOKEN);
  assert.equal(result.coalition.clawedBack, 150n * TOKEN);
  assert.equal(result.coalition.net, 0n);
});

test("an honest network's runs show no unfair extraction and no lost pay", () => {
  const scenario = createScenario(
    {
      name: "honest-fair",
      task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0 } },
      rounds: 6,
      groups: [{ name: "honest", strategy: "honest", count: 5, stake: 1000 }],
    },
    "honest-fair",
  );
  const { fairness } = runSimulation(scenario, { seed: 1 }).metrics;
  assert.equal(fairness.whole.unfair, 0n);
  assert.equal(fairness.whole.honestLostPay, 0n);
  assert.ok(fairness.nodes.every((node) => node.paid > 0n && node.paid === node.fair));
});

test("under the custom rule (Koii's rules among them) pay is counted when entries are claimed, after the cycle completed, the last lists' included", () => {
  const raw = {
    name: "honest-lists",
    task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0, distributionRule: "custom" } },
    rounds: 6,
    groups: [{ name: "honest", strategy: "honest", count: 5, stake: 1000 }],
  };
  for (const rules of ["gradual", "koii"] as const) {
    const result = runSimulation(createScenario(raw, "honest-lists"), { seed: 1, rules });
    const { fairness } = result.metrics;
    assert.equal(fairness.whole.honestLostPay, 0n, rules);
    assert.ok(fairness.whole.bounty > 0n, rules);
    assert.ok(
      fairness.nodes.every((node) => node.paid > 0n && node.paid === node.fair),
      `${rules}: ${fairness.nodes.map((node) => `${node.paid}/${node.fair}`).join(" ")}`,
    );
    // What the lists awarded is what the nodes took (every entry claimed, the last list's after the task closed).
    assert.equal(
      fairness.nodes.reduce((sum, node) => sum + node.paid, 0n),
      result.metrics.paidHonest,
      rules,
    );
  }
});
