/**
 * The limits a task may ask for in task.yml (`limits:`) or Koii's config-task.yml (`limits:`, a gradual field), as
 * published with the task (docs/writing-a-task.md "Limits"). Each is optional: time limits not given follow the
 * round's windows, memory defaults to 128 MB. A node operator's own flags win over these.
 */
export type TaskLimitsConfig = {
  /** V8 heap of the task process, in MB. */
  readonly memoryMb?: number;
  /** Share of one core the task process may use on average, in percent (default: no share). */
  readonly cpuPercent?: number;
  /** Time limit of setup and of one route call, in ms. */
  readonly callTimeoutMs?: number;
  /** Time limit of task + submission, in ms (default: the round's work period). */
  readonly workTimeoutMs?: number;
  /** Time limit of one audit, in ms (default: the audit window). */
  readonly auditTimeoutMs?: number;
  /** Time limit of distribution, in ms (default: the list window). */
  readonly distributionTimeoutMs?: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Each field's range: 16 MB to 16 GB of memory, 5% of a core to 8 cores, time limits from 10 ms to a day. */
export const TASK_LIMIT_RANGES: Readonly<Record<keyof TaskLimitsConfig, readonly [number, number]>> = {
  memoryMb: [16, 16 * 1024],
  cpuPercent: [5, 800],
  callTimeoutMs: [10, DAY_MS],
  workTimeoutMs: [10, DAY_MS],
  auditTimeoutMs: [10, DAY_MS],
  distributionTimeoutMs: [10, DAY_MS],
};

/** Checks a `limits:` mapping; throws a TypeError naming the field and what was expected. */
export function parseTaskLimitsConfig(value: unknown): TaskLimitsConfig {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new TypeError("limits: expected a mapping");
  const limits: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const range = Object.hasOwn(TASK_LIMIT_RANGES, key) ? TASK_LIMIT_RANGES[key as keyof TaskLimitsConfig] : undefined;
    if (range === undefined) {
      throw new TypeError(`limits.${key}: no such limit (expected ${Object.keys(TASK_LIMIT_RANGES).join(", ")})`);
    }
    const number = typeof raw === "string" && /^[0-9]+$/.test(raw) ? Number(raw) : raw;
    if (!Number.isSafeInteger(number) || (number as number) < range[0] || (number as number) > range[1]) {
      throw new TypeError(`limits.${key}: expected an integer in ${range[0]}..${range[1]}, got ${String(raw)}`);
    }
    limits[key] = number as number;
  }
  return limits;
}
