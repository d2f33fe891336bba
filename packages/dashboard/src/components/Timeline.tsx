import { useRef } from "react";
import { useLiveSnapshot } from "../api/hooks.ts";
import { sourceNoun } from "../model/settlement.ts";
import { formatDuration, formatSlot, formatWallTime, slotToWallMs } from "../model/slotTime.ts";
import { type PeriodBand, slotFraction, type WindowBar, type WindowLayout } from "../model/windowLayout.ts";
import { href } from "../router.ts";

/**
 * The task's pipeline, drawn from {@link WindowLayout}: the current round with its three live cycles one above
 * the other, and a staircase of cycles across the surrounding rounds in which one lane starts and one ends every
 * round. The cursor is the ledger's head slot and moves with every block.
 */

const PERIOD_TITLES = { work: "Work", review: "Review", distribution: "Distribution" } as const;

const PERIOD_HINTS = {
  work: "nodes run the task and commit a hash of their proof",
  review: "proofs are revealed, audited, and bad ones voted on",
} as const;

/** The hint of a period; the distribution period's depends on the task's rule (protocol.md §6). */
function periodHint(period: PeriodBand["period"], layout: Pick<WindowLayout, "distributionHint">): string {
  return period === "distribution" ? layout.distributionHint : PERIOD_HINTS[period];
}

function percent(value: number): string {
  return `${(value * 100).toFixed(3)}%`;
}

function useWallText(): (slot: number) => string {
  const { clock } = useLiveSnapshot();
  return (slot: number) => (clock === undefined ? "" : formatWallTime(slotToWallMs(clock, slot), Date.now()));
}

function windowTitle(window: WindowBar, cycle: number, wall: (slot: number) => string): string {
  const last = window.closesAt - 1;
  const slots =
    last > window.opensAt
      ? `slots ${formatSlot(window.opensAt)}–${formatSlot(last)}`
      : `slot ${formatSlot(window.opensAt)}`;
  const time = wall(window.opensAt) === "" ? "" : `, ${wall(window.opensAt)}–${wall(window.closesAt)}`;
  return `cycle ${cycle} · ${window.label}: ${window.description} (${slots}${time}; ${window.state})`;
}

function Segments({
  band,
  hint,
  fromSlot,
  toSlot,
  wall,
}: {
  readonly band: PeriodBand;
  readonly hint: string;
  readonly fromSlot: number;
  readonly toSlot: number;
  readonly wall: (slot: number) => string;
}) {
  const range = { fromSlot, toSlot };
  const left = slotFraction(range, band.opensAt);
  const right = slotFraction(range, band.closesAt);
  if (right <= left) return null;
  const inner = { fromSlot: band.opensAt, toSlot: band.closesAt };
  return (
    <div
      className={`tl-period period-${band.period} state-${band.state}`}
      style={{ left: percent(left), width: percent(right - left) }}
      title={`cycle ${band.cycle}: ${PERIOD_TITLES[band.period].toLowerCase()} period (round ${band.round}) — ${hint}`}
      data-period={band.period}
      data-cycle={band.cycle}
      data-state={band.state}
    >
      {band.windows.map((window) => {
        const windowLeft = slotFraction(inner, window.opensAt);
        const windowRight = slotFraction(inner, window.closesAt);
        return (
          <div
            key={window.name}
            className={`tl-window window-${window.name} track-${window.track} state-${window.state}`}
            style={{ left: percent(windowLeft), width: percent(windowRight - windowLeft) }}
            title={windowTitle(window, band.cycle, wall)}
            data-window={window.name}
            data-state={window.state}
          >
            <span className="tl-window-label">{window.label}</span>
          </div>
        );
      })}
    </div>
  );
}

function Cursor({
  layout,
  fromSlot,
  toSlot,
}: {
  readonly layout: WindowLayout;
  readonly fromSlot: number;
  readonly toSlot: number;
}) {
  const { clock } = useLiveSnapshot();
  const span = toSlot - fromSlot;
  const position = span <= 0 ? 0 : Math.min(1, Math.max(0, (layout.currentSlot + 0.5 - fromSlot) / span));
  // Glide forward from slot to slot; jump (no sweep backwards) when a new round moves the range.
  const previous = useRef({ position, fromSlot });
  const forward = previous.current.fromSlot === fromSlot && position >= previous.current.position;
  previous.current = { position, fromSlot };
  const transitionMs = clock === undefined || !forward ? 0 : Math.min(2_000, clock.slotMs);
  return (
    <div
      className="tl-cursor"
      style={{ left: percent(position), transition: `left ${transitionMs}ms linear` }}
      aria-hidden="true"
      data-slot={layout.currentSlot}
    />
  );
}

function openWindowText(
  band: PeriodBand | undefined,
  currentSlot: number,
  slotMs: number | undefined,
  complete: boolean,
): string {
  if (band === undefined) return "";
  const paid = band.windows.find((window) => window.name === "rulePayment");
  if (paid !== undefined && paid.state === "past") {
    return `settled by rule at slot ${formatSlot(paid.opensAt)}, the round's first; the cycle page shows what it paid`;
  }
  if (band.period === "distribution" && complete) return "cycle complete; the cycle page shows its list and outcome";
  const open = band.windows.filter((window) => window.state === "open" && window.track === 0);
  const next = band.windows.find((window) => window.state === "future");
  const parts = open.map((window) => {
    const left = window.closesAt - currentSlot;
    const time = slotMs === undefined ? "" : ` (${formatDuration(left * slotMs)})`;
    return `${window.label} open — ${window.description}; closes in ${left} slot${left === 1 ? "" : "s"}${time}`;
  });
  if (parts.length === 0 && band.windows.some((window) => window.state === "open")) {
    const votes = band.windows.find((window) => window.state === "open");
    if (votes !== undefined)
      parts.push(`${votes.label} open — ${votes.description}; until slot ${formatSlot(votes.closesAt - 1)}`);
  }
  if (parts.length === 0 && next !== undefined) {
    const wait = next.opensAt - currentSlot;
    parts.push(`next: ${next.label} in ${wait} slot${wait === 1 ? "" : "s"}`);
  }
  if (parts.length === 0) return band.state === "past" ? "done" : "";
  return parts.join(" · ");
}

/** The current round, its three live cycles one above the other. */
export function RoundNow({ layout, task }: { readonly layout: WindowLayout; readonly task: string }) {
  const wall = useWallText();
  const { clock } = useLiveSnapshot();
  const round = layout.rounds.find((marker) => marker.current);
  if (round === undefined) {
    return <p className="muted">The task has not started yet: round 0 begins at slot {formatSlot(layout.fromSlot)}.</p>;
  }
  const rows: {
    key: string;
    period: "work" | "review" | "distribution";
    band: PeriodBand | undefined;
    empty: string;
  }[] = [
    {
      key: "work",
      period: "work",
      band: layout.now.work,
      empty: "no cycle started this round (the task is paused or closing)",
    },
    {
      key: "review",
      period: "review",
      band: layout.now.review,
      empty:
        layout.currentRound < 1 ? "nothing to review yet — cycle 0 is still working" : "no cycle in review this round",
    },
    ...(layout.now.distribution.length === 0
      ? [
          {
            key: "distribution",
            period: "distribution" as const,
            band: undefined,
            empty:
              layout.currentRound < 2
                ? "nothing to distribute yet — the first list comes in round 2"
                : "no list due this round",
          },
        ]
      : layout.now.distribution.map((band) => ({
          key: `distribution-${band.cycle}`,
          period: "distribution" as const,
          band,
          empty: "",
        }))),
  ];
  const slotInRound = layout.currentSlot - round.opensAt + 1;
  const roundSlots = round.closesAt - round.opensAt;
  return (
    <section
      className="round-now"
      aria-labelledby="round-now-title"
      data-testid="round-now"
      data-round={layout.currentRound}
    >
      <h3 id="round-now-title">
        Round {layout.currentRound}
        <span className="muted small">
          {` · slot ${slotInRound} of ${roundSlots} (slot ${formatSlot(layout.currentSlot)})`}
          {wall(round.opensAt) === "" ? "" : ` · ${wall(round.opensAt)}–${wall(round.closesAt)}`}
        </span>
      </h3>
      <div className="tl tl-now">
        {rows.map((row) => (
          <div
            key={row.key}
            className={`tl-row row-${row.period}`}
            data-testid={`now-${row.period}`}
            data-cycle={row.band?.cycle}
          >
            <div className="tl-label">
              <span className={`period-chip chip-${row.period}`}>{PERIOD_TITLES[row.period]}</span>
              {row.band === undefined ? null : (
                <a href={href.cycle(task, row.band.cycle)}>
                  cycle {row.band.cycle}
                  {row.band.attempt > 0 ? ` (retry ${row.band.attempt})` : ""}
                </a>
              )}
            </div>
            <div className="tl-track">
              {row.band === undefined ? (
                <span className="tl-empty muted">{row.empty}</span>
              ) : (
                <Segments
                  band={row.band}
                  hint={periodHint(row.period, layout)}
                  fromSlot={round.opensAt}
                  toSlot={round.closesAt}
                  wall={wall}
                />
              )}
              <Cursor layout={layout} fromSlot={round.opensAt} toSlot={round.closesAt} />
            </div>
            <div className="tl-note small">
              {openWindowText(
                row.band,
                layout.currentSlot,
                clock?.slotMs,
                layout.lanes.some((lane) => lane.cycle === row.band?.cycle && lane.status === "complete"),
              )}
            </div>
          </div>
        ))}
      </div>
      <p className="tl-caption">
        {layout.startingCycle === undefined ? null : (
          <>
            <strong>Cycle {layout.startingCycle}</strong> started this round
          </>
        )}
        {layout.completingCycles.length === 0 ? null : (
          <>
            {layout.startingCycle === undefined ? "" : "; "}
            <strong>cycle {layout.completingCycles.join(", ")}</strong>{" "}
            {layout.paidByRule
              ? "was paid by rule at the round's first slot"
              : layout.completingCycles.every((cycle) =>
                    layout.lanes.some((lane) => lane.cycle === cycle && lane.status === "complete"),
                  )
                ? "completed this round"
                : "completes this round when its list is accepted, or tries again next round"}
          </>
        )}
        {layout.startingCycle === undefined && layout.completingCycles.length === 0 ? "" : "."} Every round one cycle
        starts and one completes.
      </p>
    </section>
  );
}

/** A staircase of cycles across several rounds: each lane is one cycle going through its three periods. */
export function Pipeline({ layout, task }: { readonly layout: WindowLayout; readonly task: string }) {
  const wall = useWallText();
  const { settlement } = useLiveSnapshot();
  const lanes = [...layout.lanes].reverse();
  return (
    <section className="pipeline" aria-labelledby="pipeline-title" data-testid="pipeline">
      <h3 id="pipeline-title">
        The pipeline <span className="muted small">— each lane is one cycle: work, then review, then distribution</span>
      </h3>
      <div className="tl tl-pipeline">
        <div className="tl-row tl-rounds" aria-hidden="true">
          <div className="tl-label" />
          <div className="tl-track">
            {layout.rounds.map((round) => {
              const left = slotFraction(layout, round.opensAt);
              const right = slotFraction(layout, round.closesAt);
              return (
                <div
                  key={round.round}
                  className={`tl-round${round.current ? " tl-round-current" : ""}`}
                  style={{ left: percent(left), width: percent(right - left) }}
                >
                  round {round.round}
                </div>
              );
            })}
          </div>
          <div className="tl-note" />
        </div>
        {lanes.map((lane) => (
          <div
            key={lane.cycle}
            className={`tl-row lane-${lane.status}`}
            data-testid="pipeline-lane"
            data-cycle={lane.cycle}
            data-status={lane.status}
          >
            <div className="tl-label">
              <a href={href.cycle(task, lane.cycle)}>cycle {lane.cycle}</a>
              <span className="muted small">{` ${lane.status === "complete" ? (lane.outcome ?? "done") : lane.status}`}</span>
            </div>
            <div className="tl-track">
              {layout.rounds.map((round) => (
                <div
                  key={round.round}
                  className="tl-gridline"
                  style={{ left: percent(slotFraction(layout, round.opensAt)) }}
                  aria-hidden="true"
                />
              ))}
              {lane.periods.map((band) => (
                <Segments
                  key={`${band.period}-${band.attempt}`}
                  band={band}
                  hint={periodHint(band.period, layout)}
                  fromSlot={layout.fromSlot}
                  toSlot={layout.toSlot}
                  wall={wall}
                />
              ))}
              <Cursor layout={layout} fromSlot={layout.fromSlot} toSlot={layout.toSlot} />
            </div>
            <div className="tl-note" />
          </div>
        ))}
      </div>
      <ul className="legend" aria-label="legend">
        <li>
          <span className="period-chip chip-work">Work</span> {PERIOD_HINTS.work}
        </li>
        <li>
          <span className="period-chip chip-review">Review</span> {PERIOD_HINTS.review}
        </li>
        <li>
          <span className="period-chip chip-distribution">Distribution</span> {layout.distributionHint}
        </li>
        <li>
          <span className="cursor-chip" aria-hidden="true" /> {sourceNoun(settlement)}'s current slot
        </li>
      </ul>
    </section>
  );
}
