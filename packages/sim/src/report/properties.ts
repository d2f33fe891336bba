import type { FairnessMetrics } from "../fairness.ts";
import { honestHarm, judge, PROPERTY_IDS, type PropertyPlan, type PropertyStatus } from "../properties/checks.ts";
import { PROPERTY_RULES, type PropertyRules, type PropertyRun } from "../properties/run.ts";
import { PROPERTY_CLOCK } from "../properties/scenarios.ts";
import { ratio } from "../ratio.ts";
import { type BarPoint, barChart, type LinePoint, lineChart } from "./charts.ts";
import type { Chart } from "./figures.ts";

/**
 * The report's lead section (issue 14): curves over the coalition's share for gradual beside the Koii and naive
 * baselines, one chart per property, and the P1-P7 table with each property's worst scenario and seed.
 */

const COLORS: Record<PropertyRules, string> = { gradual: "#1f77b4", koii: "#d62728", naive: "#7f7f7f" };

export type PropertyFigures = {
  readonly statuses: readonly PropertyStatus[];
  readonly charts: readonly Chart[];
  readonly markdown: string;
  readonly curves: Record<string, LinePoint[]>;
};

function tokenNumber(amount: bigint): number {
  return Number(amount / 1_000_000n) / 1_000;
}

type Pick = (fairness: FairnessMetrics) => number;

const PICKS: Record<string, Pick> = {
  unfair: (fairness) => 100 * ratio(fairness.stayAndVesting.unfair, fairness.stayAndVesting.bounty),
  unfairStrike: (fairness) => 100 * ratio(fairness.strike.unfair, fairness.strike.bounty),
  honestLostPay: (fairness) => 100 * ratio(fairness.whole.honestLostPay, fairness.whole.bounty),
  honestStakeLost: (fairness) =>
    tokenNumber(
      fairness.nodes.filter((node) => node.nodeClass === "honest").reduce((sum, node) => sum + node.slashed, 0n),
    ),
  coalitionNet: (fairness) => tokenNumber(fairness.coalition.net),
  honestHarm: (fairness) => tokenNumber(honestHarm(fairness)),
};

/** For each share and rule set: the worst value over coalition strategies, lazy fractions and seeds. */
function curve(runs: readonly PropertyRun[], pick: Pick): LinePoint[] {
  const worst = new Map<string, LinePoint>();
  for (const run of runs) {
    if (run.scenario.sybilNodes !== null || run.scenario.offline > 0 || run.scenario.partition) continue;
    if (
      run.scenario.strategy === "none" ||
      run.scenario.strategy === "garbage" ||
      run.scenario.strategy === "downtime"
    ) {
      continue;
    }
    const x = Math.round(run.scenario.share * 100);
    const key = `${run.rules}/${x}`;
    const y = pick(run.fairness);
    const current = worst.get(key);
    if (current === undefined || y > current.y) worst.set(key, { x, y, series: run.rules });
  }
  return [...worst.values()].sort((left, right) => left.x - right.x || left.series.localeCompare(right.series));
}

function lines(
  points: LinePoint[],
  title: string,
  subtitle: string,
  yTitle: string,
  rule?: { y: number; label: string },
) {
  return lineChart(points, {
    title,
    subtitle,
    xTitle: "coalition share of active weight (%), fully ramped",
    yTitle,
    colors: COLORS,
    dashed: ["naive"],
    ...(rule === undefined ? {} : { rule }),
  });
}

function availabilityBars(runs: readonly PropertyRun[], plan: PropertyPlan): BarPoint[] {
  const points: BarPoint[] = [];
  for (const scenario of plan.P4) {
    for (const rules of PROPERTY_RULES) {
      const slashed = runs
        .filter((run) => run.scenario.id === scenario.id && run.rules === rules)
        .map(
          (run) =>
            run.fairness.nodes.filter(
              (node) => (node.nodeClass === "honest" || node.strategy === "offline") && node.slashed > 0n,
            ).length,
        );
      points.push({ group: scenario.id, bar: rules, value: Math.max(0, ...slashed) });
    }
  }
  return points;
}

function sybilBars(runs: readonly PropertyRun[], plan: PropertyPlan): BarPoint[] {
  const points: BarPoint[] = [];
  for (const scenario of plan.P5) {
    for (const rules of PROPERTY_RULES) {
      const paid = runs
        .filter((run) => run.scenario.id === scenario.id && run.rules === rules && run.seed === 1)
        .map((run) =>
          run.fairness.nodes.filter((node) => node.group === "subject").reduce((sum, node) => sum + node.paid, 0n),
        );
      points.push({ group: `${scenario.sybilNodes} node(s)`, bar: rules, value: tokenNumber(paid[0] ?? 0n) });
    }
  }
  return points;
}

function escapeCell(cell: string): string {
  return cell.replaceAll("|", "\\|");
}

function statusTable(statuses: readonly PropertyStatus[]): string {
  const rows = PROPERTY_IDS.map((id) => {
    const cells = PROPERTY_RULES.map((rules) => {
      const status = statuses.find((item) => item.id === id && item.rules === rules);
      if (id === "P6" && rules === "koii") return "the reference";
      if (status === undefined || status.runs === 0) return "not run";
      const worst = status.worst;
      const where = worst === null ? "" : ` — worst: ${worst.scenario}, seed ${worst.seed}: ${worst.figure}`;
      return `**${status.met ? "met" : "missed"}** (${status.runs - status.failures} of ${status.runs} runs pass)${where}`;
    });
    const wording = statuses.find((item) => item.id === id)?.wording ?? "";
    return `| ${id} | ${escapeCell(wording)} | ${cells.map(escapeCell).join(" | ")} |`;
  });
  return [
    "| property | as checked | gradual | Koii baseline | naive baseline |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

function curveTable(curves: Record<string, LinePoint[]>): string {
  const shares = [...new Set(Object.values(curves).flatMap((points) => points.map((point) => point.x)))].sort(
    (left, right) => left - right,
  );
  const header = [
    "share",
    ...PROPERTY_RULES.flatMap((rules) => [
      `unfair %, stay + vesting (${rules})`,
      `unfair %, while striking (${rules})`,
      `honest pay lost %, whole run (${rules})`,
      `honest stake lost, tokens (${rules})`,
    ]),
  ];
  const rows = shares.map((share) => {
    const cell = (name: string, rules: string, digits: number) => {
      const point = curves[name]?.find((item) => item.x === share && item.series === rules);
      return point === undefined ? "n/a" : point.y.toFixed(digits);
    };
    const cells = PROPERTY_RULES.flatMap((rules) => [
      cell("unfair", rules, 2),
      cell("unfairStrike", rules, 2),
      cell("honestLostPay", rules, 2),
      cell("honestStakeLost", rules, 1),
    ]);
    return `| ${share}% | ${cells.join(" | ")} |`;
  });
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows].join("\n");
}

export function buildPropertyFigures(
  plan: PropertyPlan,
  seeds: readonly number[],
  runs: readonly PropertyRun[],
): PropertyFigures {
  const index = new Map(runs.map((run) => [`${run.scenario.id}/${run.rules}/${run.seed}`, run]));
  const find = (scenario: string, rules: PropertyRules, seed: number) => index.get(`${scenario}/${rules}/${seed}`);
  const statuses = PROPERTY_RULES.flatMap((rules) => judge(plan, seeds, rules, find));
  const curves = Object.fromEntries(Object.entries(PICKS).map(([name, pick]) => [name, curve(runs, pick)]));
  // Every coalition strategy the sweep runs (whale, unavailable, selfpay, disputer, holdout, colluding, outlast):
  // `curve` leaves out only the runs without a coalition, and garbage and downtime.
  const worstOf = "worst over the seven coalitions swept (docs/simulator.md), 0% and 30% lazy, every seed";
  const charts: Chart[] = [
    {
      file: "p1-honest-lost-pay.png",
      title: "P1 and P7: honest pay lost against the fair share",
      spec: lines(
        curves.honestLostPay ?? [],
        "P1 and P7: honest pay lost (% of the bounty, whole run)",
        worstOf,
        "% of the bounty",
      ),
    },
    {
      file: "p2-unfair-extraction.png",
      title: "P2: unfair extraction over stay + vesting",
      spec: lines(
        curves.unfair ?? [],
        "P2: unfair extraction (% of the bounty, stay + vesting)",
        worstOf,
        "% of the bounty",
        {
          y: 1,
          label: "P2 bound: 1%",
        },
      ),
    },
    {
      file: "p3-coalition-net.png",
      title: "P3: the coalition's net extraction after it left",
      spec: lines(
        curves.coalitionNet ?? [],
        "P3: coalition net = unfair − slashed − clawed back (tokens)",
        worstOf,
        "tokens",
        {
          y: 0,
          label: "P3 bound: ≤ 0",
        },
      ),
    },
    {
      file: "p3-honest-stake-lost.png",
      title: "Honest stake lost",
      spec: lines(curves.honestStakeLost ?? [], "Honest stake slashed (tokens, whole run)", worstOf, "tokens"),
    },
    {
      file: "p4-availability.png",
      title: "P4: honest nodes slashed in offline and partition scenarios",
      spec: barChart(availabilityBars(runs, plan), {
        title: "P4: honest (or offline) nodes slashed, worst seed",
        xTitle: "scenario",
        yTitle: "nodes slashed",
        colors: COLORS,
      }),
    },
    {
      file: "p5-sybil.png",
      title: "P5: pay of one stake as 1 node or 100",
      spec: barChart(sybilBars(runs, plan), {
        title: "P5: pay of a 100,000-token stake split into 1 or 100 nodes (seed 1)",
        xTitle: "split",
        yTitle: "tokens paid",
        colors: COLORS,
      }),
    },
    {
      file: "p6-honest-harm.png",
      title: "P6: harm to honest nodes",
      spec: lines(curves.honestHarm ?? [], "P6: honest harm = pay lost + stake slashed (tokens)", worstOf, "tokens"),
    },
  ];
  const image = (file: string) => {
    const chart = charts.find((item) => item.file === file);
    return chart === undefined ? "" : `![${chart.title}](${chart.file})`;
  };
  const notes = statuses
    .filter((status) => status.id === "P2" && status.notes.length > 0)
    .map((status) => `- ${status.rules}: ${status.notes.join("; ")}`);
  const { warmupRounds, rampRounds, vestingRounds, attackRounds } = PROPERTY_CLOCK;
  const markdown = `## Properties (issue 14)

Seeds ${seeds.join(", ")}; every coalition strategy at every share, with 0% and 30% of the other nodes lazy followers
(they check nothing, never trigger, and vote with the tally's majority one slot after the honest voters). Ten other
nodes of 2,000 tokens stake at round 0; the coalition joins when they weigh in full (round ${warmupRounds + rampRounds}), works
honestly until it weighs in full too (it outlasts the trust ramp: warm-up ${warmupRounds}, ramp ${rampRounds} rounds), attacks for
${attackRounds} rounds, unstakes, and the run lasts the vesting period (${vestingRounds} rounds) after it left. **Fair pay** of a node in a
cycle = bounty × its weight / the weight of every node that did valid work in the cycle (not only those a list
chose to pay); **unfair extraction** = what the coalition was paid above its fair share; **honest pay lost** =
fair − paid over honest nodes; a cycle with no accepted list pays nobody. gradual is the real protocol and
decide(); the Koii and naive baselines are compact round models (packages/sim/src/baselines/, documented in
docs/simulator.md) fed the same scenarios and measured with the same ledger (packages/sim/src/fairness.ts).

${image("p2-unfair-extraction.png")}

${image("p1-honest-lost-pay.png")}

${image("p3-coalition-net.png")}

${image("p3-honest-stake-lost.png")}

${image("p6-honest-harm.png")}

${image("p4-availability.png")}

${image("p5-sybil.png")}

### Worst case per share (over strategies, lazy fractions and seeds)

${curveTable(curves)}

### P1-P7

${statusTable(statuses)}

P2 with 30% lazy (reported, not judged):

${notes.join("\n")}

A property is **met** only when every run it covers passes; otherwise it is **missed** and the worst run is named
(replay: \`runProperty(scenario, rules, seed)\` in packages/sim/src/properties/run.ts, or the test
packages/sim/test/properties.test.ts).
`;
  return { statuses, charts, markdown, curves };
}
