import { createScenario, runSimulation } from "../packages/sim/src/index.ts";
for (const revealSlots of [4, 0]) {
  const scenario = createScenario({
    name: "paired-check",
    task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0, revealSlots } },
    rounds: 12,
    groups: [{ name: "honest", strategy: "honest", count: 20, stake: 1000 }, { name: "cheat", strategy: "garbage", count: 2, stake: 1000 }],
  });
  const r = runSimulation(scenario, { seed: 1 });
  const nodes = r.nodes as Array<Record<string, unknown>>;
  console.log("revealSlots", revealSlots, "tx", r.transactions, "refusals", JSON.stringify(r.refusals), "checks", JSON.stringify(r.checks).slice(0,200));
  console.log(JSON.stringify(r.nodes).slice(0, 300), JSON.stringify(r.metrics, (k, v) => typeof v === "bigint" ? v.toString() : v).slice(0, 1500));
}
