import type { RunMetrics } from "../metrics.ts";
import type { RulesName } from "../rules.ts";
import { type Cell, type Cells, cellStat, groupOf, metricsOf, type Stat, stat, tokens } from "./aggregate.ts";
import { type BarPoint, barChart, type LinePoint, lineChart } from "./charts.ts";

/** Every table, chart and goal of the report, computed from the sweep's cells. */

export type Table = {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
};

export type Goal = {
  readonly goal: string;
  readonly status: "met" | "missed" | "shown" | "not run";
  readonly gradual: string;
  readonly koii: string;
};

export type Chart = { readonly file: string; readonly title: string; readonly spec: Record<string, unknown> };

export type Figures = { readonly tables: Table[]; readonly charts: Chart[]; readonly headline: Goal[] };

const RULES: readonly RulesName[] = ["gradual", "koii"];
const COLORS: Record<string, string> = {
  gradual: "#1f77b4",
  "gradual, patient whale": "#17becf",
  koii: "#d62728",
  "koii, patient whale": "#ff7f0e",
};

function percent(value: number, digits = 2): string {
  return Number.isNaN(value) ? "n/a" : `${value.toFixed(digits)}%`;
}

function meanMax(value: Stat, digits = 2, unit = "%"): string {
  if (value.count === 0) return "n/a";
  return `${value.mean.toFixed(digits)}${unit} (max ${value.max.toFixed(digits)}${unit})`;
}

function number(value: number, digits = 1): string {
  return Number.isNaN(value) ? "n/a" : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const unfairInWindow = (metrics: RunMetrics) => metrics.unfairShareInAttackWindow * 100;
const honestSlashed = (metrics: RunMetrics) => metrics.honestSlashedShare * 100;
const attackerSlashed = (metrics: RunMetrics) => metrics.attackerSlashedShare * 100;
const losingVotesPerNode = (strategy: string) => (metrics: RunMetrics) => {
  const group = groupOf(metrics, strategy);
  return group === undefined || group.nodes === 0 ? 0 : group.losingVotes / group.nodes;
};

function whaleTable(cells: Cells, sweep: "whale" | "patient", title: string): Table {
  const rows: string[][] = [];
  for (const cell of cells.of(sweep).sort((left, right) => left.point.x - right.point.x)) {
    rows.push([
      `${cell.point.x}%`,
      cell.rules,
      meanMax(cellStat(cell, unfairInWindow)),
      meanMax(cellStat(cell, honestSlashed)),
      number(cellStat(cell, (metrics) => metrics.honestNodesSlashed).max, 0),
      meanMax(cellStat(cell, attackerSlashed), 1),
      number(cellStat(cell, losingVotesPerNode("whale")).mean),
      number(cellStat(cell, (metrics) => tokens(groupOf(metrics, "whale")?.bondsLost ?? 0n)).mean, 0),
    ]);
  }
  return {
    id: sweep,
    title,
    columns: [
      "whale share of stake",
      "rules",
      "unfair extraction, % of the attack window's bounty",
      "honest stake slashed",
      "honest nodes slashed (max)",
      "whale stake slashed",
      "losing votes per whale node",
      "bonds the whale lost (tokens)",
    ],
    rows,
  };
}

function whaleCharts(cells: Cells): Chart[] {
  const unfair: LinePoint[] = [];
  const slashed: LinePoint[] = [];
  const gradualOnly: LinePoint[] = [];
  for (const sweep of ["whale", "patient"] as const) {
    for (const cell of cells.of(sweep)) {
      const series = sweep === "whale" ? cell.rules : `${cell.rules}, patient whale`;
      const u = cellStat(cell, unfairInWindow);
      const h = cellStat(cell, honestSlashed);
      unfair.push({ x: cell.point.x, y: u.mean, series });
      slashed.push({ x: cell.point.x, y: h.mean, series });
      if (cell.rules === "gradual") gradualOnly.push({ x: cell.point.x, y: u.mean, low: u.min, high: u.max, series });
    }
  }
  const sort = (points: LinePoint[]) => points.sort((left, right) => left.x - right.x);
  return [
    {
      file: "whale-unfair.png",
      title: "Unfair extraction against whale share",
      spec: lineChart(sort(unfair), {
        title: "Bounty extracted unfairly by a whale active for 10 rounds",
        subtitle: "mean over seeds; % of the bounty of the cycles while the whale was staked",
        xTitle: "whale share of all stake (%)",
        yTitle: "unfair extraction (% of bounty)",
        yDomain: [0, 100],
        rule: { y: 1, label: "goal under gradual: < 1% at 49%" },
        colors: COLORS,
        dashed: ["gradual, patient whale", "koii, patient whale"],
      }),
    },
    {
      file: "whale-unfair-gradual.png",
      title: "Unfair extraction under gradual's rules (zoom)",
      spec: lineChart(sort(gradualOnly), {
        title: "Gradual's rules only: unfair extraction by a 10-round whale",
        subtitle: "mean, band = min to max over seeds; patient whale works honestly for 7 rounds, then attacks",
        xTitle: "whale share of all stake (%)",
        yTitle: "unfair extraction (% of bounty)",
        rule: { y: 1, label: "goal: < 1% at 49%" },
        colors: COLORS,
        dashed: ["gradual, patient whale"],
      }),
    },
    {
      file: "whale-honest-slashed.png",
      title: "Honest stake slashed against whale share",
      spec: lineChart(sort(slashed), {
        title: "Honest stake slashed by a whale active for 10 rounds",
        subtitle: "mean over seeds; % of all honest stake",
        xTitle: "whale share of all stake (%)",
        yTitle: "honest stake slashed (%)",
        yDomain: [0, 100],
        colors: COLORS,
        dashed: ["gradual, patient whale", "koii, patient whale"],
      }),
    },
  ];
}

function perRoundChart(cells: Cells): Chart | null {
  const points: LinePoint[] = [];
  for (const rules of RULES) {
    const cell = cells.find("patient", 67, rules);
    const series = cell?.runs[0]?.series;
    if (series == null) continue;
    let cumulative = 0;
    for (const round of series) {
      cumulative += tokens(round.unfair);
      points.push({ x: round.round, y: cumulative, series: `${rules}: unfair (cumulative)` });
    }
    let slashed = 0;
    for (const round of series) {
      slashed += tokens(round.honestSlashed);
      points.push({ x: round.round, y: slashed, series: `${rules}: honest stake slashed (cumulative)` });
    }
  }
  if (points.length === 0) return null;
  return {
    file: "patient-whale-67-rounds.png",
    title: "A patient 67% whale, round by round",
    spec: lineChart(points, {
      title: "Patient 67% whale (joins round 26, attacks from 33, leaves 36), seed 1",
      subtitle: "cumulative tokens; bounty 1,000 tokens per round, honest stake 16,000 tokens",
      xTitle: "round",
      yTitle: "tokens",
      colors: {
        "gradual: unfair (cumulative)": "#1f77b4",
        "gradual: honest stake slashed (cumulative)": "#17becf",
        "koii: unfair (cumulative)": "#d62728",
        "koii: honest stake slashed (cumulative)": "#ff7f0e",
      },
      dashed: ["gradual: honest stake slashed (cumulative)", "koii: honest stake slashed (cumulative)"],
    }),
  };
}

function lazyFigures(cells: Cells): { table: Table; chart: Chart } {
  const rows: string[][] = [];
  const bars: BarPoint[] = [];
  for (const cell of cells
    .of("lazy")
    .sort((left, right) => left.point.x - right.point.x || left.rules.localeCompare(right.rules))) {
    const lazyVotes = cellStat(cell, losingVotesPerNode("lazy"));
    const honestVotes = cellStat(cell, losingVotesPerNode("honest"));
    rows.push([
      `${cell.point.x}%`,
      cell.rules,
      meanMax(cellStat(cell, (metrics) => metrics.unfairShare * 100)),
      number(cellStat(cell, (metrics) => metrics.triggers.upheld).mean),
      number(cellStat(cell, (metrics) => metrics.triggers.disputed).mean),
      cell.point.x === 0 ? "-" : number(lazyVotes.mean),
      number(honestVotes.mean),
    ]);
    if (cell.point.x > 0) {
      bars.push({ group: `${cell.point.x}% lazy, ${cell.rules}`, bar: "lazy node", value: lazyVotes.mean });
      bars.push({ group: `${cell.point.x}% lazy, ${cell.rules}`, bar: "honest node", value: honestVotes.mean });
    }
  }
  return {
    table: {
      id: "lazy",
      title: "Lazy auditors (20 nodes, 2 of them garbage submitters, 16 rounds)",
      columns: [
        "lazy share of nodes",
        "rules",
        "unfair extraction, % of bounty (escaped garbage)",
        "upheld triggers",
        "disputed triggers",
        "losing votes per lazy node",
        "losing votes per honest node",
      ],
      rows,
    },
    chart: {
      file: "lazy-detection.png",
      title: "Lazy auditors are visible on the ledger",
      spec: barChart(bars, {
        title: "Losing votes per node (the ledger's losingVotes counter)",
        subtitle: "mean over seeds; only a rejected or slashing trigger has a losing side (a disputed one has none)",
        xTitle: "lazy share, rule set",
        yTitle: "losing votes per node",
        colors: { "lazy node": "#d62728", "honest node": "#1f77b4" },
      }),
    },
  };
}

function grieferFigures(cells: Cells): { table: Table; chart: Chart } {
  const rows: string[][] = [];
  const bars: BarPoint[] = [];
  for (const cell of cells
    .of("griefer")
    .sort((left, right) => left.point.x - right.point.x || left.rules.localeCompare(right.rules))) {
    const perTrigger = (pick: "triggererCost" | "targetCost") => (metrics: RunMetrics) =>
      metrics.grieferTriggers.triggers === 0
        ? 0
        : tokens(metrics.grieferTriggers[pick]) / metrics.grieferTriggers.triggers;
    const griefer = cellStat(cell, perTrigger("triggererCost"));
    const target = cellStat(cell, perTrigger("targetCost"));
    rows.push([
      `${cell.point.x}%`,
      cell.rules,
      number(cellStat(cell, (metrics) => metrics.grieferTriggers.triggers).mean),
      number(cellStat(cell, (metrics) => metrics.grieferTriggers.upheld).mean),
      number(griefer.mean, 2),
      number(target.mean, 2),
      meanMax(cellStat(cell, honestSlashed)),
    ]);
    bars.push({ group: `${cell.point.x}% griefers, ${cell.rules}`, bar: "griefer", value: griefer.mean });
    bars.push({ group: `${cell.point.x}% griefers, ${cell.rules}`, bar: "target", value: target.mean });
  }
  return {
    table: {
      id: "griefer",
      title: "Griefers (20 nodes, 16 rounds): false triggers against valid proofs",
      columns: [
        "griefer share of nodes",
        "rules",
        "false triggers",
        "upheld",
        "cost to the griefer per trigger (tokens)",
        "cost to the target per trigger (tokens)",
        "honest stake slashed",
      ],
      rows,
    },
    chart: {
      file: "griefer-cost.png",
      title: "What a false trigger costs",
      spec: barChart(bars, {
        title: "Net cost of one false trigger (tokens)",
        subtitle: "griefer: bond lost minus whistleblower rewards; target: stake slashed minus bond received",
        xTitle: "griefer share, rule set",
        yTitle: "tokens per false trigger",
        colors: { griefer: "#d62728", target: "#1f77b4" },
      }),
    },
  };
}

function copierFigures(cells: Cells): { table: Table; chart: Chart } {
  const rows: string[][] = [];
  const points: LinePoint[] = [];
  for (const cell of cells.of("copier").sort((left, right) => left.point.x - right.point.x)) {
    const earned = cellStat(cell, (metrics) => {
      const group = groupOf(metrics, "copier");
      return group === undefined || metrics.bountyReserved === 0n
        ? 0
        : (tokens(group.paid) / tokens(metrics.bountyReserved)) * 100;
    });
    const slashed = cellStat(cell, (metrics) => {
      const group = groupOf(metrics, "copier");
      return group === undefined || group.stake === 0n ? 0 : (tokens(group.slashedStake) / tokens(group.stake)) * 100;
    });
    rows.push([`${cell.point.x}%`, cell.rules, meanMax(earned), meanMax(slashed, 1)]);
    points.push({ x: cell.point.x, y: earned.mean, series: cell.rules });
  }
  return {
    table: {
      id: "copier",
      title: "Copiers (20 nodes, 16 rounds): submissions copied from other nodes",
      columns: ["copier share of nodes", "rules", "copiers' earnings, % of bounty", "copier stake slashed"],
      rows,
    },
    chart: {
      file: "copier-earnings.png",
      title: "Copiers' earnings",
      spec: lineChart(points, {
        title: "Bounty paid to copiers, who do no work",
        subtitle: "mean over seeds; Koii shows proofs before the window closes, gradual commits first",
        xTitle: "copier share of nodes (%)",
        yTitle: "copiers' earnings (% of bounty)",
        colors: COLORS,
      }),
    },
  };
}

function offlineTable(cells: Cells): Table {
  const rows: string[][] = [];
  for (const cell of cells.of("offline").sort((left, right) => left.point.x - right.point.x)) {
    const payRatio = cellStat(cell, (metrics) => {
      const offline = groupOf(metrics, "offline");
      const honest = groupOf(metrics, "honest");
      if (offline === undefined || honest === undefined || honest.paid === 0n) return 0;
      return (tokens(offline.paid) / offline.nodes / (tokens(honest.paid) / honest.nodes)) * 100;
    });
    rows.push([
      `${cell.point.x}%`,
      cell.rules,
      percent(payRatio.mean, 1),
      number(cellStat(cell, (metrics) => metrics.triggers.unavailable).mean),
      number(cellStat(cell, (metrics) => tokens(metrics.faultySlashed)).max, 2),
      meanMax(cellStat(cell, honestSlashed)),
    ]);
  }
  return {
    id: "offline",
    title: "Offline nodes (20 nodes, away in half of the rounds from a random slot, 16 rounds)",
    columns: [
      "offline share of nodes",
      "rules",
      "pay per offline node, % of an honest node's",
      "triggers resolved unavailable",
      "offline stake slashed (max, tokens)",
      "honest stake slashed",
    ],
    rows,
  };
}

function scaleFigures(cells: Cells): { table: Table; chart: Chart } {
  const rows: string[][] = [];
  const points: LinePoint[] = [];
  for (const cell of cells
    .of("scale")
    .sort((left, right) => left.point.x - right.point.x || left.rules.localeCompare(right.rules))) {
    const checks = cellStat(cell, (metrics) => metrics.auditChecksPerRound);
    const allPairs = cellStat(cell, (metrics) => metrics.allPairsChecksPerRound);
    const msPerNodeRound = stat(cell.runs.map((run) => (run.nodeRounds === 0 ? 0 : run.runMs / run.nodeRounds)));
    rows.push([
      number(cell.point.x, 0),
      cell.rules === "gradual" ? "gradual (k = 8)" : "koii (all pairs)",
      number(checks.mean, 0),
      number(allPairs.mean, 0),
      number(msPerNodeRound.mean, 2),
    ]);
    points.push({
      x: cell.point.x,
      y: checks.mean,
      series: cell.rules === "gradual" ? "gradual, k = 8 (measured)" : "koii, all pairs (measured)",
    });
    if (cell.rules === "gradual")
      points.push({ x: cell.point.x, y: allPairs.mean, series: "all pairs, m(m-1) (computed)" });
  }
  return {
    table: {
      id: "scale",
      title: "Audit work per round against node count (honest nodes, 5 rounds)",
      columns: [
        "nodes",
        "rules",
        "proof checks per round (measured)",
        "all-pairs checks m(m-1)",
        "simulator ms per node-round (worker thread)",
      ],
      rows,
    },
    chart: {
      file: "audit-work.png",
      title: "Audit work per round against node count",
      spec: lineChart(points, {
        title: "Proof checks per round: sampled (k = 8) against all pairs",
        subtitle: "measured in the simulator; Koii's all pairs measured up to 100 nodes",
        xTitle: "nodes",
        yTitle: "proof checks per round",
        xLog: true,
        yLog: true,
        xDomain: [8, 640],
        yDomain: [40, 400_000],
        colors: {
          "gradual, k = 8 (measured)": "#1f77b4",
          "koii, all pairs (measured)": "#d62728",
          "all pairs, m(m-1) (computed)": "#999999",
        },
        dashed: ["all pairs, m(m-1) (computed)"],
      }),
    },
  };
}

function rampFigures(cells: Cells): { table: Table; chart: Chart } {
  const rows: string[][] = [];
  const points: LinePoint[] = [];
  for (const cell of cells
    .of("ramp")
    .sort((left, right) => left.point.series.localeCompare(right.point.series) || left.point.x - right.point.x)) {
    const unfair = cellStat(cell, unfairInWindow);
    rows.push([cell.point.series, number(cell.point.x, 0), meanMax(unfair), meanMax(cellStat(cell, honestSlashed))]);
    points.push({ x: cell.point.x, y: unfair.mean, low: unfair.min, high: unfair.max, series: cell.point.series });
  }
  return {
    table: {
      id: "ramp",
      title: "Sensitivity to the trust ramp (gradual's rules, patient whale, 10 rounds)",
      columns: ["whale", "rampRounds", "unfair extraction, % of the attack window's bounty", "honest stake slashed"],
      rows,
    },
    chart: {
      file: "ramp-sensitivity.png",
      title: "Unfair extraction against the length of the trust ramp",
      spec: lineChart(points, {
        title: "How long a ramp a 10-round whale needs to be harmless",
        subtitle: "gradual's rules, patient whale (honest for 7 rounds, then attacks); mean, band = min to max",
        xTitle: "rampRounds",
        yTitle: "unfair extraction (% of bounty)",
        rule: { y: 1, label: "1%" },
        colors: { "patient whale 49%": "#1f77b4", "patient whale 67%": "#d62728" },
      }),
    },
  };
}

function headline(cells: Cells): Goal[] {
  const goals: Goal[] = [];
  const whale49 = ["whale", "patient"]
    .map((sweep) => cells.find(sweep as "whale", 49, "gradual"))
    .filter((cell) => cell !== undefined);
  const koii49 = ["whale", "patient"]
    .map((sweep) => cells.find(sweep as "whale", 49, "koii"))
    .filter((cell) => cell !== undefined);
  const maxOf = (list: (Cell | undefined)[], pick: (metrics: RunMetrics) => number) =>
    Math.max(...list.flatMap((cell) => (cell === undefined ? [] : metricsOf(cell).map(pick))));
  const explain = (list: (Cell | undefined)[]) =>
    `unfair max ${percent(maxOf(list, unfairInWindow))} of the window's bounty, honest nodes slashed max ${maxOf(list, (metrics) => metrics.honestNodesSlashed)}`;
  if (whale49.length > 0) {
    const met = maxOf(whale49, unfairInWindow) < 1 && maxOf(whale49, (metrics) => metrics.honestNodesSlashed) === 0;
    goals.push({
      goal: "49% whale for 10 rounds: < 1% of the bounty extracted unfairly, no honest node slashed (plain and patient whale, every seed)",
      status: met ? "met" : "missed",
      gradual: explain(whale49),
      koii: explain(koii49),
    });
  }
  const at67 = (rules: RulesName) => [cells.find("whale", 67, rules), cells.find("patient", 67, rules)];
  if (at67("gradual")[0] !== undefined) {
    const visible = (rules: RulesName) =>
      maxOf(at67(rules), losingVotesPerNode("whale")) > 0 ? ", whale's losing votes on the ledger" : "";
    goals.push({
      goal: "67% whale for 10 rounds: damage bounded and visible",
      status: "shown",
      gradual: `${explain(at67("gradual"))}, honest stake slashed max ${percent(maxOf(at67("gradual"), honestSlashed))}${visible("gradual")}`,
      koii: `${explain(at67("koii"))}, honest stake slashed max ${percent(maxOf(at67("koii"), honestSlashed))}${visible("koii")}`,
    });
  }
  const grief = (rules: RulesName) => {
    const list = cells.of("griefer", rules).flatMap((cell) => metricsOf(cell));
    const triggers = list.reduce((total, metrics) => total + metrics.grieferTriggers.triggers, 0);
    const griefer = list.reduce((total, metrics) => total + tokens(metrics.grieferTriggers.triggererCost), 0);
    const target = list.reduce((total, metrics) => total + tokens(metrics.grieferTriggers.targetCost), 0);
    return {
      triggers,
      griefer: triggers === 0 ? 0 : griefer / triggers,
      target: triggers === 0 ? 0 : target / triggers,
    };
  };
  if (cells.of("griefer").length > 0) {
    const gradual = grief("gradual");
    const koii = grief("koii");
    const text = (value: ReturnType<typeof grief>) =>
      `${value.triggers} false triggers; per trigger the griefer pays ${number(value.griefer, 2)}, the target ${number(value.target, 2)} tokens`;
    goals.push({
      goal: "False triggers cost the griefer more than they cost the target",
      status: gradual.griefer > gradual.target ? "met" : "missed",
      gradual: text(gradual),
      koii: text(koii),
    });
  }
  const copier = (rules: RulesName) => {
    const list = cells.of("copier", rules).flatMap((cell) => metricsOf(cell));
    return list.reduce((total, metrics) => total + tokens(groupOf(metrics, "copier")?.paid ?? 0n), 0);
  };
  if (cells.of("copier").length > 0) {
    goals.push({
      goal: "Copiers earn nothing",
      status: copier("gradual") === 0 ? "met" : "missed",
      gradual: `copiers were paid ${number(copier("gradual"), 2)} tokens in all runs`,
      koii: `copiers were paid ${number(copier("koii"), 2)} tokens in all runs`,
    });
  }
  const lazy = (rules: RulesName) => {
    const detected: number[] = [];
    const missed: number[] = [];
    // Why a share is missed, from its runs: garbage paid (the quorum blocked), or garbage left unpaid by triggers
    // that do not slash (found invalid by less than the slash supermajority, or disputed), which have no losing side.
    let paid = false;
    let unslashed = false;
    for (const cell of cells.of("lazy", rules).filter((item) => item.point.x > 0)) {
      const runs = metricsOf(cell);
      const ok = runs.every((metrics) => losingVotesPerNode("lazy")(metrics) > losingVotesPerNode("honest")(metrics));
      (ok ? detected : missed).push(cell.point.x);
      if (ok) continue;
      paid ||= runs.some((metrics) => metrics.unfair > 0n);
      unslashed ||= runs.some((metrics) => metrics.unfair === 0n && metrics.attackerSlashed === 0n);
    }
    const list = (shares: number[]) =>
      shares
        .sort((left, right) => left - right)
        .map((share) => `${share}%`)
        .join(", ");
    const reasons = [
      ...(unslashed
        ? ["the triggers leave the garbage unpaid without slashing (below the slash supermajority), so no vote loses"]
        : []),
      ...(paid ? ["lazy votes block the quorum and garbage is paid"] : []),
    ];
    const text =
      `lazy nodes have more losing votes than honest ones in every run at ${detected.length === 0 ? "no share" : list(detected)}` +
      (missed.length === 0
        ? ""
        : `; not at ${list(missed)}${reasons.length === 0 ? "" : `, where ${reasons.join(", or ")}`}`);
    return { text, met: missed.length === 0 && detected.length > 0 };
  };
  if (cells.of("lazy").length > 0) {
    goals.push({
      goal: "Lazy auditors are detectable (more losing votes per node than honest nodes, in every run)",
      status: lazy("gradual").met ? "met" : "missed",
      gradual: lazy("gradual").text,
      koii: lazy("koii").text,
    });
  }
  return goals;
}

export function buildFigures(cells: Cells): Figures {
  const tables: Table[] = [];
  const charts: Chart[] = [];
  if (cells.of("whale").length > 0) {
    tables.push(whaleTable(cells, "whale", "Whale active for 10 rounds (16 honest nodes of 1,000 tokens)"));
    tables.push(whaleTable(cells, "patient", "Patient whale: honest for its first 7 rounds, attacks in its last 3"));
    charts.push(...whaleCharts(cells));
    const perRound = perRoundChart(cells);
    if (perRound !== null) charts.push(perRound);
  }
  const sections = [
    ["lazy", lazyFigures],
    ["griefer", grieferFigures],
    ["copier", copierFigures],
    ["scale", scaleFigures],
    ["ramp", rampFigures],
  ] as const;
  for (const [sweep, build] of sections) {
    if (cells.of(sweep).length === 0) continue;
    const { table, chart } = build(cells);
    tables.push(table);
    charts.push(chart);
  }
  if (cells.of("offline").length > 0) tables.push(offlineTable(cells));
  return { tables, charts, headline: headline(cells) };
}
