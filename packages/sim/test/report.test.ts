import assert from "node:assert/strict";
import { test } from "node:test";
import { SIM_PARAMS } from "../src/index.ts";
import { Cells } from "../src/report/aggregate.ts";
import { buildFigures } from "../src/report/figures.ts";
import { type Job, runJob } from "../src/report/jobs.ts";
import { renderMarkdown } from "../src/report/markdown.ts";
import { buildSweeps, type SweepPoint } from "../src/report/sweeps.ts";

/** Seed 1 of a sweep point under each of its rule sets, run here, turned into the report's figures. */
function figuresOf(point: SweepPoint): ReturnType<typeof buildFigures> {
  const jobs: Job[] = point.rules.map((rules, index) => ({
    index,
    scenario: point.scenario,
    rules,
    seed: 1,
    keepSeries: false,
  }));
  const results = jobs.map(runJob);
  assert.deepEqual(
    results.map((result) => result.error),
    point.rules.map(() => null),
  );
  return buildFigures(
    new Cells(
      [point],
      jobs,
      results,
      point.rules.map(() => 0),
    ),
  );
}

test("the report pipeline turns runs into tables, goals and markdown", () => {
  const point: SweepPoint = {
    sweep: "copier",
    x: 25,
    series: "copier",
    rules: ["gradual", "koii"],
    seeds: 1,
    keepSeries: false,
    scenario: {
      name: "copier-25",
      task: { preset: "sim", params: { warmupRounds: 0, rampRounds: 0 } },
      rounds: 5,
      groups: [
        { name: "honest", strategy: "honest", count: 6, stake: 1000 },
        { name: "copier", strategy: "copier", count: 2, stake: 1000 },
      ],
    },
  };
  const figures = figuresOf(point);
  const goal = figures.headline.find((item) => item.goal === "Copiers earn nothing");
  assert.equal(goal?.status, "met");
  assert.match(goal?.koii ?? "", /copiers were paid [1-9]/);
  const markdown = renderMarkdown({
    figures,
    seeds: 1,
    quick: true,
    runs: 2,
    breaks: [],
    cpuMs: 1,
    wallMs: 1,
    workers: 1,
    params: SIM_PARAMS,
    koii: "auditMode all",
  });
  assert.match(markdown, /\| 25% \| gradual \| 0\.00% \(max 0\.00%\) \|/);
  assert.match(markdown, /\| Copiers earn nothing \| \*\*met\*\* \|/);
  assert.ok(!markdown.includes("%25"), "table cells must not be URL-encoded");
  assert.ok(figures.charts.some((chart) => chart.file === "copier-earnings.png"));
});

test("the lazy-auditor goal says why a share is missed: triggers that do not slash, under gradual's rules, as measured", () => {
  const point = buildSweeps({ seeds: 1, quick: true }).find((item) => item.sweep === "lazy" && item.x === 40);
  assert.ok(point !== undefined, "the quick sweep has a 40% lazy point");
  const figures = figuresOf(point);
  const table = figures.tables.find((item) => item.id === "lazy");
  const column = table?.columns.indexOf("disputed triggers") ?? -1;
  assert.ok(column > 0, "the lazy table has a disputed column");
  const gradualRow = table?.rows.find((row) => row[1] === "gradual");
  assert.ok(Number(gradualRow?.[column]) > 0, "gradual's triggers on garbage end disputed at 40% lazy");
  const goal = figures.headline.find((item) => item.goal.startsWith("Lazy auditors are detectable"));
  assert.equal(goal?.status, "missed");
  assert.match(
    goal?.gradual ?? "",
    /not at 40%, where the triggers leave the garbage unpaid without slashing \(below the slash supermajority\), so no vote loses/,
  );
  assert.doesNotMatch(goal?.gradual ?? "", /garbage is paid/, "gradual's runs paid no garbage");
});
