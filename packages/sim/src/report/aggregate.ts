import type { GroupSummary, RunMetrics } from "../metrics.ts";
import type { RulesName } from "../rules.ts";
import type { Job, JobResult } from "./jobs.ts";
import type { SweepId, SweepPoint } from "./sweeps.ts";

/** The runs of one sweep point under one rule set. */
export type Cell = {
  readonly point: SweepPoint;
  readonly rules: RulesName;
  readonly runs: readonly JobResult[];
};

export type Stat = { readonly mean: number; readonly min: number; readonly max: number; readonly count: number };

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN, count: 0 };
  const sum = values.reduce((total, value) => total + value, 0);
  return { mean: sum / values.length, min: Math.min(...values), max: Math.max(...values), count: values.length };
}

export function tokens(amount: bigint): number {
  return Number(amount) / 1e9;
}

export function groupOf(metrics: RunMetrics, strategy: string): GroupSummary | undefined {
  return metrics.groups.find((group) => group.strategy === strategy);
}

/** Completed runs of a cell (a run that stopped on an invariant break has no metrics). */
export function metricsOf(cell: Cell): RunMetrics[] {
  return cell.runs.filter((run) => run.error === null).map((run) => run.metrics);
}

export function cellStat(cell: Cell, pick: (metrics: RunMetrics) => number): Stat {
  return stat(metricsOf(cell).map(pick));
}

export class Cells {
  readonly #cells: Cell[] = [];

  constructor(
    points: readonly SweepPoint[],
    jobs: readonly Job[],
    results: readonly JobResult[],
    owners: readonly number[],
  ) {
    const byKey = new Map<string, JobResult[]>();
    jobs.forEach((job, index) => {
      const key = `${owners[index]}/${job.rules}`;
      const list = byKey.get(key) ?? [];
      list.push(results[index] as JobResult);
      byKey.set(key, list);
    });
    points.forEach((point, index) => {
      for (const rules of point.rules) {
        this.#cells.push({ point, rules, runs: byKey.get(`${index}/${rules}`) ?? [] });
      }
    });
  }

  of(sweep: SweepId, rules?: RulesName): Cell[] {
    return this.#cells.filter((cell) => cell.point.sweep === sweep && (rules === undefined || cell.rules === rules));
  }

  find(sweep: SweepId, x: number, rules: RulesName, series?: string): Cell | undefined {
    return this.#cells.find(
      (cell) =>
        cell.point.sweep === sweep &&
        cell.point.x === x &&
        cell.rules === rules &&
        (series === undefined || cell.point.series === series),
    );
  }

  all(): readonly Cell[] {
    return this.#cells;
  }
}
