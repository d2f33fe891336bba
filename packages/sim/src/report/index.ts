import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planScenarios, propertyPlan } from "../properties/checks.ts";
import { PROPERTY_RULES, type PropertyRun } from "../properties/run.ts";
import { KOII_RULES, SIM_PARAMS } from "../rules.ts";
import { Cells } from "./aggregate.ts";
import { fontWarning, renderPng } from "./charts.ts";
import { buildFigures, type Figures } from "./figures.ts";
import { estimatedCost, type Job } from "./jobs.ts";
import { renderMarkdown } from "./markdown.ts";
import { defaultWorkers, runJobs } from "./pool.ts";
import { buildPropertyFigures, type PropertyFigures } from "./properties.ts";
import { buildSweeps } from "./sweeps.ts";

export type ReportOptions = {
  readonly outDir: string;
  /** Seeds per point of the older sweeps (1..seeds). Default 2, or 1 with `quick`. */
  readonly seeds?: number;
  /** Seeds of the property runs (issue 14's P1-P6 and P7: seeds 1..propertySeeds). Default 10, or 1 with `quick`. */
  readonly propertySeeds?: number;
  /** Fewer points and seeds: a smoke run of the whole pipeline. */
  readonly quick?: boolean;
  /**
   * Every gradual run on a task with paired reveals (`revealSlots` 0, protocol.md §2.2): whether the properties hold
   * when reviews come a round later. The Koii and naive baselines are unchanged.
   */
  readonly pairedReveals?: boolean;
  readonly workers?: number;
  readonly onProgress?: (line: string) => void;
};

export type ReportSummary = {
  readonly outDir: string;
  readonly files: readonly string[];
  readonly runs: number;
  readonly breaks: readonly string[];
  readonly figures: Figures;
  readonly properties: PropertyFigures;
  readonly cpuMs: number;
  readonly wallMs: number;
};

/**
 * The property runs (issue 14's P1-P6 and P7): every scenario of the plan under each rule set, on seeds 1..`count`
 * (default 10, or 1 when `quick`). Their `index` is set when they join the sweep runs.
 */
export function planPropertyJobs(
  plan: ReturnType<typeof propertyPlan>,
  quick: boolean,
  count?: number,
  pairedReveals = false,
): { seeds: number[]; jobs: Job[] } {
  const seeds = Array.from({ length: count ?? (quick ? 1 : 10) }, (_, index) => index + 1);
  const jobs: Job[] = [];
  for (const planned of planScenarios(plan, quick)) {
    const scenario = pairedReveals ? { ...planned, pairedReveals } : planned;
    for (const rules of PROPERTY_RULES) {
      for (const seed of seeds) {
        jobs.push({
          index: -1,
          scenario: {},
          rules: "gradual",
          seed,
          keepSeries: false,
          property: { scenario, rules },
        });
      }
    }
  }
  return { seeds, jobs };
}

/** A sweep scenario's input with its task's reveals paired (`revealSlots` 0). */
function withPairedReveals(scenario: Record<string, unknown>): Record<string, unknown> {
  const task = (scenario.task ?? {}) as Record<string, unknown>;
  const params = (task.params ?? {}) as Record<string, unknown>;
  return { ...scenario, task: { ...task, params: { ...params, revealSlots: 0 } } };
}

/**
 * `gradual sim report`: runs the fixed sweeps (sweeps.ts) under both rule sets, then writes report.md, the charts
 * as PNG and results.json (every figure the report shows) into `outDir`. Deterministic: the same options give the
 * same numbers, whatever the number of workers.
 */
export async function buildReport(options: ReportOptions): Promise<ReportSummary> {
  const started = performance.now();
  // The whole process's CPU time: the worker threads' and this thread's (charts, files).
  const cpuStart = process.cpuUsage();
  const quick = options.quick ?? false;
  const seeds = options.seeds ?? (quick ? 1 : 2);
  const points = buildSweeps({ seeds, quick });
  const jobs: Job[] = [];
  const owners: number[] = [];
  // The property runs (issue 14) go first: they lead the report.
  const plan = propertyPlan(quick);
  const paired = options.pairedReveals ?? false;
  const { seeds: propertySeeds, jobs: propertyJobs } = planPropertyJobs(plan, quick, options.propertySeeds, paired);
  points.forEach((point, pointIndex) => {
    for (const rules of point.rules) {
      for (let seed = 1; seed <= point.seeds; seed += 1) {
        owners.push(pointIndex);
        jobs.push({
          index: jobs.length,
          scenario: paired && rules === "gradual" ? withPairedReveals(point.scenario) : point.scenario,
          rules,
          seed,
          keepSeries: point.keepSeries && seed === 1,
        });
      }
    }
  });
  const allJobs: Job[] = [...propertyJobs.map((job, index) => ({ ...job, index: jobs.length + index })), ...jobs];
  const workers = options.workers ?? defaultWorkers();
  const progress = options.onProgress ?? (() => {});
  progress(`sim report: ${propertyJobs.length} property runs and ${jobs.length} sweep runs on ${workers} worker(s)`);
  const allResults = await runJobs(allJobs, {
    workers,
    cost: estimatedCost,
    onResult: (result, done, total) => {
      if (result.index >= jobs.length) {
        const job = allJobs.find((item) => item.index === result.index) as Job;
        const outcome = result.error === null ? `${(result.runMs / 1000).toFixed(1)} s` : `ERROR: ${result.error}`;
        progress(`[${done}/${total}] ${job.property?.scenario.id} ${job.property?.rules} seed ${job.seed}: ${outcome}`);
        return;
      }
      const job = jobs[result.index] as Job;
      const owner = points[owners[result.index] as number];
      const outcome =
        result.error === null ? `${(result.runMs / 1000).toFixed(1)} s` : `INVARIANT BROKEN: ${result.error}`;
      progress(
        `[${done}/${total}] ${owner?.sweep} ${owner?.series} x=${owner?.x} ${job.rules} seed ${job.seed}: ${outcome}`,
      );
    },
  });
  const results = allResults.filter((result) => result.index < jobs.length);
  const propertyResults = allResults.filter((result) => result.index >= jobs.length);
  const propertyRuns: PropertyRun[] = [];
  for (const result of propertyResults) {
    const job = allJobs.find((item) => item.index === result.index) as Job;
    if (job.property === undefined || result.fairness === undefined) continue;
    propertyRuns.push({ ...job.property, seed: job.seed, fairness: result.fairness });
  }
  const properties = buildPropertyFigures(plan, propertySeeds, propertyRuns);
  const cells = new Cells(points, jobs, results, owners);
  const figures = buildFigures(cells);
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const warning = fontWarning();
  if (warning !== null) progress(`warning: ${warning}`);
  for (const chart of [...properties.charts, ...figures.charts]) {
    const path = join(options.outDir, chart.file);
    writeFileSync(path, await renderPng(chart.spec));
    files.push(path);
  }
  const breaks = allResults
    .filter((result) => result.error !== null)
    .map((result) => {
      const job = allJobs.find((item) => item.index === result.index) as Job;
      const name = job.property?.scenario.id ?? String(job.scenario.name);
      return `${name} ${job.property?.rules ?? job.rules} seed ${job.seed}: ${result.error}`;
    });
  const cpuUsed = process.cpuUsage(cpuStart);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  const wallMs = performance.now() - started;
  const markdown = renderMarkdown({
    figures,
    seeds,
    quick,
    runs: allJobs.length,
    properties: properties.markdown,
    breaks,
    cpuMs,
    wallMs,
    workers,
    params: paired ? { ...SIM_PARAMS, revealSlots: 0 } : SIM_PARAMS,
    koii: KOII_RULES.summary,
  });
  const reportPath = join(options.outDir, "report.md");
  writeFileSync(reportPath, markdown);
  files.unshift(reportPath);
  const resultsPath = join(options.outDir, "results.json");
  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        seeds,
        quick,
        runs: allJobs.length,
        breaks,
        properties: { seeds: propertySeeds, statuses: properties.statuses, curves: properties.curves },
        tables: figures.tables,
        headline: figures.headline,
      },
      null,
      1,
    )}\n`,
  );
  files.push(resultsPath);
  return { outDir: options.outDir, files, runs: allJobs.length, breaks, figures, properties, cpuMs, wallMs };
}
