import type { CycleView } from "@gradual/wire";
import { tokensAsNumber } from "./amounts.ts";

/**
 * Per-cycle series for the task view's charts, from the ledger's cycle views: how many nodes submitted, what
 * share of the proofs stayed valid, how many audits were raised and upheld, and what was paid.
 */

export type CycleSeries = {
  readonly cycles: number[];
  readonly submissions: (number | null)[];
  /** Valid reveals over all reveals, in percent (null with no reveals). */
  readonly validShare: (number | null)[];
  readonly triggers: (number | null)[];
  /** Upheld triggers (each one slashed its target). */
  readonly slashes: (number | null)[];
  /** Paid into vesting, in tokens (null until the cycle completes). */
  readonly paid: (number | null)[];
};

/**
 * `slashedInHistory`: for a pruned cycle (its triggers deleted from the state, protocol.md §9.3), the slashes of that
 * cycle the page saw in its event history, or null when the history does not reach back to the cycle's start; without
 * it a pruned cycle's slashes are unknown (null), never 0.
 */
export function cycleSeries(
  views: readonly (CycleView | null)[],
  firstCycle: number,
  slashedInHistory?: (cycle: number) => number | null,
): CycleSeries {
  const series: CycleSeries = { cycles: [], submissions: [], validShare: [], triggers: [], slashes: [], paid: [] };
  views.forEach((view, offset) => {
    series.cycles.push(firstCycle + offset);
    if (view === null) {
      series.submissions.push(null);
      series.validShare.push(null);
      series.triggers.push(null);
      series.slashes.push(null);
      series.paid.push(null);
      return;
    }
    const { record } = view;
    const reveals = record.revealCount;
    series.submissions.push(reveals);
    // validCount: the reveals still valid (an upheld audit or an unanswered availability challenge takes one off).
    series.validShare.push(reveals === 0 ? null : Math.round((record.validCount / reveals) * 1000) / 10);
    series.triggers.push(record.triggerCount);
    series.slashes.push(
      view.pruned
        ? record.triggerCount === 0
          ? 0
          : (slashedInHistory?.(firstCycle + offset) ?? null)
        : view.triggers.filter((trigger) => trigger.resolution === "upheld").length,
    );
    series.paid.push(record.outcome === null ? null : tokensAsNumber(record.paid));
  });
  return series;
}
