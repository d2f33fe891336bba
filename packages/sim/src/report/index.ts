import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KOII_RULES, SIM_PARAMS } from "../rules.ts";
import { Cells } from "./aggregate.ts";
import { fontWarning, renderPng } from "./charts.ts";
import { buildFigures, type Figures } from "./figures.ts";
import type { Job } from "./jobs.ts";
import { renderMarkdown } from "./markdown.ts";
import { defaultWorkers, runJobs } from "./pool.ts";
import { buildSweeps } from "./sweeps.ts";

export type ReportOptions = {
  readonly outDir: string;
  /** Seeds per point (1..seeds). Default 10, or 2 with `quick`. */
  readonly seeds?: number;
  /** Fewer points and seeds: a smoke run of the whole pipeline. */
  readonly quick?: boolean;
  readonly workers?: number;
  readonly onProgress?: (line: string) => void;
};

export type ReportSummary = {
  readonly outDir: string;
  readonly files: readonly string[];
  readonly runs: number;
  readonly breaks: readonly string[];
  readonly figures: Figures;
  readonly cpuMs: number;
  readonly wallMs: number;
};

/**
 * `gradual sim report`: runs the fixed sweeps (sweeps.ts) under both rule sets, then writes report.md, the charts
 * as PNG and results.json (every figure the report shows) into `outDir`. Deterministic: the same options give the
 * same numbers, whatever the number of workers.
 */
export async function buildReport(options: ReportOptions): Promise<ReportSummary> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const seeds = options.seeds ?? (quick ? 2 : 10);
  const points = buildSweeps({ seeds, quick });
  const jobs: Job[] = [];
  const owners: number[] = [];
  points.forEach((point, pointIndex) => {
    for (const rules of point.rules) {
      for (let seed = 1; seed <= point.seeds; seed += 1) {
        owners.push(pointIndex);
        jobs.push({
          index: jobs.length,
          scenario: point.scenario,
          rules,
          seed,
          keepSeries: point.keepSeries && seed === 1,
        });
      }
    }
  });
  const workers = options.workers ?? defaultWorkers();
  const progress = options.onProgress ?? (() => {});
  progress(`sim report: ${jobs.length} runs (${points.length} points x rule sets x seeds) on ${workers} worker(s)`);
  const results = await runJobs(jobs, {
    workers,
    onResult: (result, done, total) => {
      const job = jobs[result.index] as Job;
      const owner = points[owners[result.index] as number];
      const outcome =
        result.error === null ? `${(result.cpuMs / 1000).toFixed(1)} s cpu` : `INVARIANT BROKEN: ${result.error}`;
      progress(
        `[${done}/${total}] ${owner?.sweep} ${owner?.series} x=${owner?.x} ${job.rules} seed ${job.seed}: ${outcome}`,
      );
    },
  });
  const cells = new Cells(points, jobs, results, owners);
  const figures = buildFigures(cells);
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const warning = fontWarning();
  if (warning !== null) progress(`warning: ${warning}`);
  for (const chart of figures.charts) {
    const path = join(options.outDir, chart.file);
    writeFileSync(path, await renderPng(chart.spec));
    files.push(path);
  }
  const breaks = results
    .filter((result) => result.error !== null)
    .map((result) => {
      const job = jobs[result.index] as Job;
      return `${String(job.scenario.name)} ${job.rules} seed ${job.seed}: ${result.error}`;
    });
  const cpuMs = results.reduce((total, result) => total + result.cpuMs, 0);
  const wallMs = performance.now() - started;
  const markdown = renderMarkdown({
    figures,
    seeds,
    quick,
    runs: jobs.length,
    breaks,
    cpuMs,
    wallMs,
    workers,
    params: SIM_PARAMS,
    koii: KOII_RULES.summary,
  });
  const reportPath = join(options.outDir, "report.md");
  writeFileSync(reportPath, markdown);
  files.unshift(reportPath);
  const resultsPath = join(options.outDir, "results.json");
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ seeds, quick, runs: jobs.length, breaks, tables: figures.tables, headline: figures.headline }, null, 1)}\n`,
  );
  files.push(resultsPath);
  return { outDir: options.outDir, files, runs: jobs.length, breaks, figures, cpuMs, wallMs };
}
