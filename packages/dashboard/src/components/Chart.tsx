import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** "bars" for counts per round, "area" for amounts that fill up, "line" otherwise. */
  readonly kind?: "line" | "bars" | "area" | "step";
  /** Axis scale; series with the same scale share the left axis, "right" uses a second axis. */
  readonly scale?: "left" | "right";
  readonly format?: (value: number) => string;
};

export type ChartProps = {
  /** Heading above the chart, also its accessible name. */
  readonly title: string;
  readonly x: readonly number[];
  readonly xLabel: string;
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  /** The left axis counts things: whole-number ticks only. */
  readonly integers?: boolean;
  /** Fixed range of the right axis, e.g. [0, 100] for percentages. */
  readonly rightRange?: readonly [number, number];
  /** Draws a vertical marker (e.g. "now") at this x. */
  readonly markerX?: number;
  readonly markerLabel?: string;
  readonly testId?: string;
};

const AXIS_STROKE = "#5b6474";
const GRID = { stroke: "#e4e7ec", width: 1 };

function pathsOf(kind: ChartSeries["kind"]): uPlot.Series.PathBuilder | undefined {
  if (kind === "bars") return uPlot.paths.bars?.({ size: [0.6, 48], align: 0 });
  if (kind === "step") return uPlot.paths.stepped?.({ align: 1 });
  return undefined;
}

function optionsFor(props: ChartProps, width: number): uPlot.Options {
  const hasRight = props.series.some((series) => series.scale === "right");
  const markerX = props.markerX;
  const firstRight = props.series.find((series) => series.scale === "right");
  const firstLeft = props.series.find((series) => series.scale !== "right");
  return {
    width,
    height: props.height ?? 180,
    // Labels only: uPlot's live values read "–" until the pointer is over the plot.
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: {
      x: { time: false },
      left: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      ...(hasRight
        ? {
            right:
              props.rightRange === undefined
                ? { auto: true }
                : { auto: false, range: [props.rightRange[0], props.rightRange[1]] },
          }
        : {}),
    },
    axes: [
      {
        stroke: AXIS_STROKE,
        grid: GRID,
        label: props.xLabel,
        labelSize: 18,
        size: 36,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      },
      {
        scale: "left",
        stroke: AXIS_STROKE,
        grid: GRID,
        size: 56,
        ...(props.integers === true
          ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000] }
          : {}),
        values: (_u, ticks) =>
          ticks.map((tick) => (firstLeft?.format === undefined ? String(tick) : firstLeft.format(tick))),
      },
      ...(hasRight
        ? [
            {
              scale: "right",
              side: 1 as const,
              stroke: AXIS_STROKE,
              grid: { show: false },
              size: 56,
              values: (_u: uPlot, ticks: number[]) =>
                ticks.map((tick) => (firstRight?.format === undefined ? String(tick) : firstRight.format(tick))),
            },
          ]
        : []),
    ],
    series: [
      { label: props.xLabel, value: (_u, value) => (value == null ? "–" : String(value)) },
      ...props.series.map((series) => {
        const paths = pathsOf(series.kind);
        return {
          label: series.label,
          scale: series.scale ?? "left",
          stroke: series.color,
          width: series.kind === "bars" ? 1 : 2,
          ...(series.kind === "bars"
            ? { fill: `${series.color}cc` }
            : series.kind === "area"
              ? { fill: `${series.color}33` }
              : {}),
          points: { show: series.kind !== "bars" && series.values.length < 40, size: 5 },
          value: (_u: uPlot, value: number | null) =>
            value == null ? "–" : series.format === undefined ? String(value) : series.format(value),
          ...(paths === undefined ? {} : { paths }),
        };
      }),
    ],
    hooks:
      markerX === undefined
        ? {}
        : {
            draw: [
              (u: uPlot) => {
                const x = u.valToPos(markerX, "x", true);
                const ctx = u.ctx;
                ctx.save();
                ctx.strokeStyle = "#d1432b";
                ctx.lineWidth = 2 * devicePixelRatio;
                ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                if (props.markerLabel !== undefined) {
                  ctx.fillStyle = "#d1432b";
                  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
                  ctx.fillText(props.markerLabel, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
                }
                ctx.restore();
              },
            ],
          },
  };
}

function dataOf(props: ChartProps): uPlot.AlignedData {
  return [props.x as number[], ...props.series.map((series) => series.values as (number | null)[])];
}

/** A uPlot chart that follows its container's width and updates in place when its data changes. */
export function Chart(props: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = `${props.series.map((series) => `${series.label}/${series.kind}/${series.scale}`).join("|")}|${props.markerX}|${props.height}|${props.rightRange}`;
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    void shape;
    const created = new uPlot(
      optionsFor(latest.current, Math.max(200, element.clientWidth)),
      dataOf(latest.current),
      element,
    );
    plot.current = created;
    const observer =
      typeof ResizeObserver === "undefined"
        ? undefined
        : new ResizeObserver(() => {
            const width = Math.max(200, element.clientWidth);
            if (Math.abs(width - created.width) > 1) created.setSize({ width, height: latest.current.height ?? 180 });
          });
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      created.destroy();
      plot.current = undefined;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(dataOf(props));
  });

  const summary = props.series
    .map((series) => {
      const last = [...series.values].reverse().find((value) => value !== null);
      return `${series.label}: ${last == null ? "none" : series.format === undefined ? last : series.format(last)}`;
    })
    .join("; ");
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div
        ref={container}
        className="chart-canvas"
        role="img"
        aria-label={`${props.title}. Latest values: ${summary}.`}
      />
    </figure>
  );
}
