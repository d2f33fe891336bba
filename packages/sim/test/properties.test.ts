import assert from "node:assert/strict";
import { test } from "node:test";
import {
  edgePlan,
  judge,
  type PropertyId,
  type PropertyStatus,
  planScenarios,
  propertyPlan,
} from "../src/properties/checks.ts";
import { type PropertyRules, type PropertyRun, runProperty } from "../src/properties/run.ts";
import type { PropertyScenario } from "../src/properties/scenarios.ts";
import { buildPropertyFigures } from "../src/report/properties.ts";

/**
 * Issue 14's six properties on a fixed set of seeds (docs/simulator.md "Properties"), each asserted as worded in
 * src/properties/checks.ts, on each band's largest share (30%, 49%, 66%, and 67% for P6: checks.ts `edgePlan`) so
 * that the default run stays short; the report (`gradual sim report`) sweeps every share and ten seeds.
 *
 * A property the rules miss is marked `todo` with the figure measured and its reason, and stays asserted in full
 * (the todo fails the moment the property holds, as a reminder to remove it). Nothing here is marked todo that a fix
 * to the simulator could make pass.
 */

const SEEDS = [1];
const plan = edgePlan();
const runs = new Map<string, PropertyRun>();

function find(scenario: string, rules: PropertyRules, seed: number): PropertyRun | undefined {
  return runs.get(`${scenario}/${rules}/${seed}`);
}

function ensure(scenarios: readonly PropertyScenario[], rules: PropertyRules): void {
  for (const scenario of scenarios) {
    for (const seed of SEEDS) {
      const key = `${scenario.id}/${rules}/${seed}`;
      if (!runs.has(key)) runs.set(key, runProperty(scenario, rules, seed));
    }
  }
}

const NEEDS: Record<PropertyId, PropertyScenario[]> = {
  P1: plan.P1,
  P2: [...plan.P2, ...plan.P2pay],
  P3: plan.P3,
  P4: plan.P4,
  P5: plan.P5,
  P6: plan.P6,
  P7: plan.P7,
};

function statusOf(id: PropertyId, rules: PropertyRules = "gradual"): PropertyStatus {
  ensure(NEEDS[id], rules);
  if (id === "P6") ensure(NEEDS.P6, "koii");
  const found = judge(plan, SEEDS, rules, find).find((item) => item.id === id);
  assert.ok(found !== undefined && found.runs > 0, `${id}: no runs judged`);
  return found;
}

function assertMet(status: PropertyStatus): void {
  const worst = status.worst;
  assert.ok(
    status.met,
    `${status.id} missed in ${status.failures} of ${status.runs} runs; worst ${worst?.scenario} seed ${worst?.seed}: ${worst?.figure}`,
  );
}

test("P1: c < 1/3 (0 or 30% lazy): no unfair extraction, no honest node loses stake or pay", () =>
  assertMet(statusOf("P1")));

test("P2: c < 1/2, no lazy: unfair ≤ 1% over stay + vesting, no honest slashed; a lazy auditor earns less", () =>
  assertMet(statusOf("P2")));

test("P3: c < 2/3 (0 or 30% lazy): no honest node slashed; net ≤ 0, but for a holdout with lazy followers", () => {
  const status = statusOf("P3");
  // Missed as measured (docs/protocol.md §5.8, Known limitations): a disputer just under 2/3 whose triggers the lazy
  // followers join gets honest proofs upheld invalid (not slashed) and is paid their share; the `holdout` then stays,
  // voting down any appeal, until the appeals are too late. When a rule change closes it, this fails: assert met.
  assert.equal(status.met, false, "P3 now holds against the holdout: assert it met instead");
  assert.ok(status.worst !== null && /^holdout-66-lazy30$/.test(status.worst.scenario), status.worst?.scenario);
  const others = plan.P3.filter((scenario) => !(scenario.strategy === "holdout" && scenario.lazyShare > 0));
  const rest = judge({ ...plan, P3: others }, SEEDS, "gradual", find).find((item) => item.id === "P3");
  assert.ok(rest !== undefined && rest.runs === others.length * SEEDS.length);
  assertMet(rest);
  // The disputer that leaves after its strike missed P3 before appeals (§5.8): it is still paid honest shares while
  // it stays, but once it has left the honest targets appeal, and every node that voted their proofs invalid is
  // slashed, followers included.
  const disputer = find("disputer-66-lazy30", "gradual", 1);
  assert.ok(disputer !== undefined);
  assert.ok(disputer.fairness.coalition.unfair > 0n, "the disputer is still paid honest shares while it stays");
  assert.ok(disputer.fairness.coalition.slashed > disputer.fairness.coalition.unfair, "appeals slash it more");
  const followers = disputer.fairness.nodes.filter((node) => node.strategy === "follower");
  assert.ok(followers.length > 0 && followers.every((node) => node.slashed > 0n), "followers that joined are slashed");
  // The holdout keeps the same shares: nobody appeals while its weight is there, and it leaves after the windows.
  const holdout = find("holdout-66-lazy30", "gradual", 1);
  assert.ok(holdout !== undefined);
  assert.ok(holdout.fairness.coalition.unfair > 0n && holdout.fairness.coalition.slashed === 0n);
  // No honest node is slashed anywhere: the slashing supermajority (77%) is above 2/3 plus 30% of the rest.
  for (const scenario of plan.P3) {
    const found = find(scenario.id, "gradual", 1);
    assert.ok(found !== undefined);
    assert.ok(
      found.fairness.nodes.every((node) => node.nodeClass !== "honest" || node.slashed === 0n),
      scenario.id,
    );
  }
});

// The report's two worst P3 runs before whole-cycle audits and claim freezes (protocol.md §5.7, §7.1), on seeds the
// default run does not otherwise use: in each, one coalition proof of garbage had only coalition auditors and was
// paid (+55 and +49 tokens kept).
test("P3 on the report's former worst runs: whale-66 seed 2 and whale-49-lazy30 seed 1", () => {
  const picked = [
    { id: "whale-66", seed: 2 },
    { id: "whale-49-lazy30", seed: 1 },
  ];
  for (const { id, seed } of picked) {
    const scenarios = plan.P3.filter((scenario) => scenario.id === id);
    const fallback = propertyPlan(false).P3.filter((scenario) => scenario.id === id);
    const chosen = scenarios.length > 0 ? scenarios : fallback;
    assert.equal(chosen.length, 1, id);
    for (const scenario of chosen) runs.set(`${scenario.id}/gradual/${seed}`, runProperty(scenario, "gradual", seed));
    const found = judge({ ...plan, P3: chosen }, [seed], "gradual", find).find((item) => item.id === "P3");
    assert.ok(found !== undefined && found.runs > 0);
    assertMet(found);
  }
});

test("P4: offline and partition scenarios: no honest node slashed, no bond losses above pay", () =>
  assertMet(statusOf("P4")));

test("P5: 1 node or 100 nodes with the same stake: pay changes by < 5%", () => assertMet(statusOf("P5")));

test("P6: a fully ramped 67% coalition harms honest nodes no more than under Koii's rules", () =>
  assertMet(statusOf("P6")));

test("P7 is missed as measured: a coalition between 1/3 and 1/2 blocks honest pay (§5.5); fails once P7 holds", () => {
  const status = statusOf("P7");
  // The rules give this up on purpose today (docs/protocol.md §5.5, "the price of this asymmetry"): a coalition
  // holding more than a third of the decided weight gets honest proofs disputed, so unpaid. The simulator must show
  // it; when a rule change makes P7 hold, this assertion fails and becomes assertMet.
  assert.equal(status.met, false, "P7 now holds: assert it met instead");
  assert.ok(
    status.worst !== null && /^(disputer|holdout|whale)-49/.test(status.worst.scenario),
    status.worst?.scenario,
  );
  // Blocking costs honest nodes pay, never stake (P3 holds the stake side); nobody slashes the disputer.
  const disputer = find("disputer-49", "gradual", 1);
  assert.ok(disputer !== undefined);
  const honest = disputer.fairness.nodes.filter((node) => node.nodeClass === "honest");
  assert.ok(honest.every((node) => node.slashed === 0n && node.lostPay > 0n));
  const coalition = disputer.fairness.nodes.filter((node) => node.nodeClass === "attacker");
  assert.ok(coalition.every((node) => node.slashed === 0n));
  assert.equal(disputer.fairness.coalition.unfair, 0n);
});

test("baselines differ where the rules differ: Koii slashes downtime and pays sybils, naive is sybil-neutral", () => {
  assert.equal(statusOf("P4", "koii").met, false);
  assert.equal(statusOf("P5", "koii").met, false);
  assertMet(statusOf("P5", "naive"));
});

test("the plans cover every share band of the properties", () => {
  const scenarios = planScenarios(propertyPlan(true), true);
  assert.equal(new Set(scenarios.map((scenario) => scenario.id)).size, scenarios.length);
  assert.deepEqual([...new Set(plan.P1.map((scenario) => scenario.share))], [0.3]);
  assert.deepEqual([...new Set(plan.P2.map((scenario) => scenario.share))], [0.49]);
  assert.deepEqual([...new Set(plan.P3.map((scenario) => scenario.share))], [0.66]);
  assert.ok(plan.P1.every((scenario) => scenario.share < 1 / 3));
  assert.ok(plan.P2.every((scenario) => scenario.share < 1 / 2 && scenario.lazyShare === 0));
  assert.ok(plan.P3.every((scenario) => scenario.share < 2 / 3));
  assert.ok(plan.P6.every((scenario) => scenario.share === 0.67));
  assert.deepEqual([...new Set(plan.P7.map((scenario) => scenario.share))], [0.49]);
  assert.deepEqual([...new Set(plan.P7.map((scenario) => scenario.lazyShare))], [0, 0.3]);
  assert.ok(plan.P7.some((scenario) => scenario.strategy === "disputer"));
});

test("the report's property section names each property's status and worst run in plain text", () => {
  statusOf("P4");
  statusOf("P4", "koii");
  const figures = buildPropertyFigures(plan, SEEDS, [...runs.values()]);
  assert.match(figures.markdown, /\| P4 \| .* \| \*\*met\*\* \(5 of 5 runs pass\)/);
  assert.ok(!figures.markdown.includes("%20"), "table cells must not be URL-encoded");
  assert.equal(figures.charts.length, 7);
});

// Paired reveals (protocol.md §2.2, deviation 41): every review comes a round later. The coalition strategies find
// the cycle under review by the task's review lag, and the fairness ledger weighs a cycle's shares by the weight its
// commit fixed (a slash between a commit and its reveal, a round apart, does not change them).
test("paired reveals: P1 holds on its edge runs, and a 40% whale still blocks honest pay (P7, as unpaired)", () => {
  const paired = (scenario: PropertyScenario): PropertyScenario => ({ ...scenario, pairedReveals: true });
  const p1 = plan.P1.map(paired);
  for (const scenario of p1) runs.set(`${scenario.id}/gradual/1`, runProperty(scenario, "gradual", 1));
  const status = judge({ ...plan, P1: p1 }, SEEDS, "gradual", find).find((item) => item.id === "P1");
  assert.ok(status !== undefined && status.runs === p1.length);
  assertMet(status);
  const whale =
    plan.P7.find((scenario) => scenario.id === "whale-40") ?? propertyPlan(false).P7.find((s) => s.id === "whale-40");
  assert.ok(whale !== undefined);
  const run = runProperty(paired(whale), "gradual", 1);
  // The whale's triggers reach the paired cycle under review: it blocks as much pay as unpaired (9,600 tokens).
  assert.ok(run.fairness.whole.honestLostPay > 9_000n * 10n ** 9n, `lost ${run.fairness.whole.honestLostPay}`);
  assert.equal(run.fairness.whole.unfair, 0n);
});
