import { formatTokenAmount, TOKEN } from "@gradual/protocol";
import type { FairnessMetrics, NodeFairness } from "../fairness.ts";
import { ratio } from "../ratio.ts";
import { PROPERTY_RULES, type PropertyRules, type PropertyRun } from "./run.ts";
import {
  availabilityScenarios,
  COALITIONS,
  coalitionScenario,
  lazyPayScenario,
  type PropertyScenario,
  SHARES,
  SHARES_QUICK,
  sybilScenario,
} from "./scenarios.ts";

/**
 * The six properties of issue 14 and P7 (blocking, §5.5's price), each a named check over runs (docs/simulator.md
 * "Properties"). A property is met when every run it covers passes; otherwise it is missed, with its worst scenario
 * and seed. The wording below is what is checked; nothing is rounded in a property's favour.
 */

export const PROPERTY_IDS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"] as const;
export type PropertyId = (typeof PROPERTY_IDS)[number];

const PROPERTY_WORDING: Record<PropertyId, string> = {
  P1: "c < 1/3 (with 0 or 30% of the others lazy): unfair extraction 0 and no honest node loses stake or pay",
  P2:
    "c < 1/2, no lazy: unfair extraction ≤ 1% of the bounty over the coalition's stay plus the vesting period, " +
    "no honest node slashed; with 30% lazy the lazy auditor earns less than an honest node over 50 rounds",
  P3:
    "c < 2/3 (with 0 or 30% lazy): no honest node slashed, and the coalition's extraction net of slashes and " +
    "clawbacks ≤ 0 after it leaves plus the vesting period",
  P4: "offline and partition scenarios: 0 honest nodes slashed, and no honest node's bond losses exceed its pay",
  P5: "splitting a stake into 1 or 100 nodes changes its pay by < 5% (default distribution rule)",
  P6: "a fully ramped 67% coalition does no more harm to honest nodes (lost pay + stake slashed) than under Koii",
  P7:
    "c < 1/2 (with 0 or 30% of the others lazy): no honest node loses pay or stake, so a minority cannot block " +
    "honest pay",
};

export type Finding = {
  readonly scenario: string;
  readonly seed: number;
  readonly ok: boolean;
  /** Larger is worse; the worst finding is the largest. */
  readonly badness: number;
  readonly figure: string;
};

export type PropertyStatus = {
  readonly id: PropertyId;
  readonly rules: PropertyRules;
  readonly wording: string;
  readonly met: boolean;
  readonly runs: number;
  readonly failures: number;
  readonly worst: Finding | null;
  /** What was measured beside the verdict (P2's lazy clause figures with 30% lazy). */
  readonly notes: readonly string[];
};

const tokens = (amount: bigint) => formatTokenAmount(amount, { maxFractionDigits: 3, minFractionDigits: 3 });
const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

function honestNodes(fairness: FairnessMetrics): NodeFairness[] {
  return fairness.nodes.filter((node) => node.nodeClass === "honest");
}

/** Honest nodes plus honest nodes that go offline (P4: unavailability is not fraud). */
function honestOrOffline(fairness: FairnessMetrics): NodeFairness[] {
  return fairness.nodes.filter((node) => node.nodeClass === "honest" || node.strategy === "offline");
}

function sum(nodes: readonly NodeFairness[], pick: (node: NodeFairness) => bigint): bigint {
  return nodes.reduce((total, node) => total + pick(node), 0n);
}

/** Honest harm: pay lost against the fair share plus stake slashed, over the whole run. */
export function honestHarm(fairness: FairnessMetrics): bigint {
  const honest = honestNodes(fairness);
  return sum(honest, (node) => node.lostPay + node.slashed);
}

function p1(run: PropertyRun): Finding {
  const { fairness } = run;
  const honest = honestNodes(fairness);
  const losing = honest.filter((node) => node.lostPay > 0n || node.slashed > 0n);
  const unfair = fairness.whole.unfair;
  const lost = sum(honest, (node) => node.lostPay + node.slashed);
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: unfair === 0n && losing.length === 0,
    badness: ratio(unfair + lost, fairness.whole.bounty || TOKEN),
    figure:
      `unfair ${tokens(unfair)} tokens (${percent(ratio(unfair, fairness.whole.bounty))} of the bounty); ` +
      `${losing.length} honest nodes lost pay or stake (${tokens(lost)} tokens)`,
  };
}

function p7(run: PropertyRun): Finding {
  const { fairness } = run;
  const losing = honestNodes(fairness).filter((node) => node.lostPay > 0n || node.slashed > 0n);
  const lost = sum(losing, (node) => node.lostPay + node.slashed);
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: losing.length === 0,
    badness: ratio(lost, fairness.whole.bounty || TOKEN),
    figure:
      `${losing.length} honest nodes lost pay or stake: ${tokens(lost)} tokens ` +
      `(${percent(ratio(lost, fairness.whole.bounty))} of the run's bounty)`,
  };
}

function p2(run: PropertyRun): Finding {
  const { fairness } = run;
  const window = fairness.stayAndVesting;
  const share = ratio(window.unfair, window.bounty);
  const slashed = honestNodes(fairness).filter((node) => node.slashed > 0n).length;
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: window.unfair * 100n <= window.bounty && slashed === 0,
    badness: share + slashed,
    figure: `unfair ${percent(share)} of the bounty over stay + vesting; ${slashed} honest nodes slashed`,
  };
}

/** What a node earned from the task: its pay and whistleblower shares, less forfeited bonds and slashes. */
function meanEarnings(nodes: readonly NodeFairness[]): number {
  if (nodes.length === 0) return 0;
  const earned = sum(nodes, (node) => node.paid + node.whistleblower - node.bondsLost - node.slashed);
  return Number(earned / TOKEN) / nodes.length;
}

function p2Lazy(run: PropertyRun): Finding {
  const lazy = meanEarnings(run.fairness.nodes.filter((node) => node.strategy === "follower"));
  const honest = meanEarnings(honestNodes(run.fairness));
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: lazy < honest,
    // Ranked below the unfair-extraction clause's misses (a share of the bounty): its figure is also in the notes.
    badness: honest === 0 ? 0 : Math.max(0, lazy / honest - 1),
    figure: `lazy node earned ${lazy.toFixed(1)} tokens, honest node ${honest.toFixed(1)} (ratio ${(honest === 0 ? 0 : lazy / honest).toFixed(3)})`,
  };
}

function p3(run: PropertyRun): Finding {
  const { fairness } = run;
  const slashed = honestNodes(fairness).filter((node) => node.slashed > 0n).length;
  const net = fairness.coalition.net;
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: slashed === 0 && net <= 0n,
    badness: ratio(net, fairness.whole.bounty || TOKEN) + slashed,
    figure:
      `coalition net ${tokens(net)} tokens (unfair ${tokens(fairness.coalition.unfair)} − slashed/clawed back ` +
      `${tokens(fairness.coalition.slashed)}); ${slashed} honest nodes slashed`,
  };
}

function p4(run: PropertyRun): Finding {
  const nodes = honestOrOffline(run.fairness);
  const slashed = nodes.filter((node) => node.slashed > 0n);
  const bonds = nodes.filter((node) => node.bondsLost > node.paid);
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: slashed.length === 0 && bonds.length === 0,
    badness: slashed.length + bonds.length,
    figure:
      `${slashed.length} honest nodes slashed (${tokens(sum(slashed, (node) => node.slashed))} tokens); ` +
      `${bonds.length} lost more in bonds than they were paid`,
  };
}

function subjectPay(run: PropertyRun): bigint {
  return sum(
    run.fairness.nodes.filter((node) => node.group === "subject"),
    (node) => node.paid,
  );
}

function p5(one: PropertyRun, hundred: PropertyRun): Finding {
  const single = subjectPay(one);
  const split = subjectPay(hundred);
  const change =
    single === 0n ? (split === 0n ? 0 : Number.POSITIVE_INFINITY) : Math.abs(ratio(split - single, single));
  return {
    scenario: `${one.scenario.id} vs ${hundred.scenario.id}`,
    seed: one.seed,
    ok: change < 0.05,
    badness: change,
    figure: `1 node paid ${tokens(single)} tokens, 100 nodes paid ${tokens(split)} (change ${percent(change)})`,
  };
}

function p6(run: PropertyRun, koii: PropertyRun): Finding {
  const harm = honestHarm(run.fairness);
  const koiiHarm = honestHarm(koii.fairness);
  return {
    scenario: run.scenario.id,
    seed: run.seed,
    ok: harm <= koiiHarm,
    badness: ratio(harm - koiiHarm, run.fairness.whole.bounty || TOKEN),
    figure: `honest harm ${tokens(harm)} tokens vs ${tokens(koiiHarm)} under Koii`,
  };
}

export type PropertyPlan = {
  readonly P1: PropertyScenario[];
  readonly P2: PropertyScenario[];
  /** P2 with 30% lazy: reported, not judged (the issue asks what holds). */
  readonly P2lazy: PropertyScenario[];
  readonly P2pay: PropertyScenario[];
  readonly P3: PropertyScenario[];
  readonly P4: PropertyScenario[];
  readonly P5: PropertyScenario[];
  readonly P6: PropertyScenario[];
  readonly P7: PropertyScenario[];
};

export function propertyPlan(quick: boolean): PropertyPlan {
  return planFor(quick ? SHARES_QUICK : SHARES, "every");
}

/**
 * The plan of the default test run: each band's largest share only (30% for c < 1/3, 49% for c < 1/2, 66% for
 * c < 2/3, and 67% for P6), every coalition strategy, 0% and 30% lazy. The report sweeps every share.
 */
export function edgePlan(): PropertyPlan {
  return planFor(SHARES, "largest");
}

/** `every` share below a property's bound, or only the `largest` one. */
function planFor(shares: readonly number[], pick: "every" | "largest"): PropertyPlan {
  const band = (below: number, lazy: readonly number[]) => {
    const inBand = shares.filter((share) => share / 100 < below);
    const chosen = pick === "every" || inBand.length === 0 ? inBand : [Math.max(...inBand)];
    return chosen.flatMap((share) =>
      COALITIONS.flatMap((strategy) => lazy.map((l) => coalitionScenario(strategy, share, l))),
    );
  };
  return {
    P1: band(1 / 3, [0, 0.3]),
    P2: band(1 / 2, [0]),
    P2lazy: band(1 / 2, [0.3]),
    P2pay: [lazyPayScenario()],
    P3: band(2 / 3, [0, 0.3]),
    P4: availabilityScenarios(),
    P5: [sybilScenario(1), sybilScenario(100)],
    P6: COALITIONS.flatMap((strategy) => [0, 0.3].map((lazy) => coalitionScenario(strategy, 67, lazy))),
    P7: band(1 / 2, [0, 0.3]),
  };
}

/** Every scenario the plan needs, once, plus the curve sweep (all shares, all coalitions, 0 and 30% lazy). */
export function planScenarios(plan: PropertyPlan, quick: boolean): PropertyScenario[] {
  const curve = (quick ? SHARES_QUICK : SHARES).flatMap((share) =>
    COALITIONS.flatMap((strategy) => [0, 0.3].map((lazy) => coalitionScenario(strategy, share, lazy))),
  );
  const all = [...Object.values(plan).flat(), ...curve];
  const seen = new Map<string, PropertyScenario>();
  for (const scenario of all) if (!seen.has(scenario.id)) seen.set(scenario.id, scenario);
  return [...seen.values()];
}

export type RunIndex = (scenario: string, rules: PropertyRules, seed: number) => PropertyRun | undefined;

function status(
  id: PropertyId,
  rules: PropertyRules,
  findings: readonly Finding[],
  notes: readonly string[] = [],
): PropertyStatus {
  const failures = findings.filter((finding) => !finding.ok);
  const pool = failures.length > 0 ? failures : findings;
  const worst = pool.reduce<Finding | null>(
    (best, item) => (best === null || item.badness > best.badness ? item : best),
    null,
  );
  return {
    id,
    rules,
    wording: PROPERTY_WORDING[id],
    met: findings.length > 0 && failures.length === 0,
    runs: findings.length,
    failures: failures.length,
    worst,
    notes,
  };
}

/**
 * Judges P1-P7 for one rule set from the runs of the plan (every scenario × seeds). The Koii baseline has no P6: it
 * is P6's reference.
 */
export function judge(
  plan: PropertyPlan,
  seeds: readonly number[],
  rules: PropertyRules,
  find: RunIndex,
): PropertyStatus[] {
  const runs = (scenarios: readonly PropertyScenario[]) =>
    scenarios.flatMap((scenario) =>
      seeds.map((seed) => find(scenario.id, rules, seed)).filter((run): run is PropertyRun => run !== undefined),
    );
  const lazyFindings = runs(plan.P2lazy).map(p2);
  const lazyMet = lazyFindings.filter((finding) => finding.ok).length;
  const worstLazy = lazyFindings.reduce<Finding | null>(
    (best, item) => (best === null || item.badness > best.badness ? item : best),
    null,
  );
  const notes = [
    `with 30% lazy: ${lazyMet} of ${lazyFindings.length} runs keep unfair ≤ 1% and no honest node slashed` +
      (worstLazy === null ? "" : `; worst ${worstLazy.scenario} seed ${worstLazy.seed}: ${worstLazy.figure}`),
  ];
  const payFindings = runs(plan.P2pay).map(p2Lazy);
  for (const finding of payFindings) {
    notes.push(
      `lazy clause, ${finding.scenario} seed ${finding.seed}: ${finding.ok ? "holds" : "fails"}, ${finding.figure}`,
    );
  }
  const p5Findings = seeds.flatMap((seed) => {
    const [one, hundred] = plan.P5.map((scenario) => find(scenario.id, rules, seed));
    return one === undefined || hundred === undefined ? [] : [p5(one, hundred)];
  });
  // P6 compares a rule set with the Koii baseline; the baseline itself is the reference, not a finding.
  const p6Findings = (rules === "koii" ? [] : runs(plan.P6)).flatMap((run) => {
    const koii = find(run.scenario.id, "koii", run.seed);
    return koii === undefined ? [] : [p6(run, koii)];
  });
  return [
    status("P1", rules, runs(plan.P1).map(p1)),
    status("P2", rules, [...runs(plan.P2).map(p2), ...payFindings], notes),
    status("P3", rules, runs(plan.P3).map(p3)),
    status("P4", rules, runs(plan.P4).map(p4)),
    status("P5", rules, p5Findings),
    status("P6", rules, p6Findings),
    status("P7", rules, runs(plan.P7).map(p7)),
  ].filter((item) => !(item.id === "P6" && rules === "koii"));
}

export { PROPERTY_RULES };
