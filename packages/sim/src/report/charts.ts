import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Charts as PNG without a browser: vega-lite spec -> vega -> SVG (View.toSVG, no canvas) -> PNG (resvg, fonts from
 * the system: DejaVu Sans, Debian's fonts-dejavu-core).
 */

const CHART_FONT = "DejaVu Sans";
const FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

export function fontWarning(): string | null {
  return existsSync(FONT_FILE)
    ? null
    : `${FONT_FILE} not found: chart text may be missing (apt-get install fonts-dejavu-core)`;
}

const CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 12,
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6" },
  legend: {
    labelFontSize: 12,
    labelLimit: 420,
    orient: "bottom",
    direction: "horizontal",
    columns: 2,
    columnPadding: 24,
    symbolType: "stroke",
    symbolSize: 400,
    symbolStrokeWidth: 3,
  },
  title: { fontSize: 15, subtitleFontSize: 12, anchor: "start", subtitleColor: "#555" },
  view: { stroke: "#cccccc" },
} as const;

export async function renderPng(spec: Record<string, unknown>): Promise<Buffer> {
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...spec, config: CONFIG } as TopLevelSpec;
  const view = new View(parse(compile(full).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}

export type LinePoint = {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  readonly low?: number;
  readonly high?: number;
};

export type LineChartOptions = {
  readonly title: string;
  readonly subtitle?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Put an x tick at every data point (default) or let vega choose (long series). */
  readonly xTicks?: "data" | "auto";
  /** A horizontal reference line (a goal) and its label. */
  readonly rule?: { readonly y: number; readonly label: string };
  readonly colors?: Record<string, string>;
  readonly dashed?: readonly string[];
};

/** Lines with points, one per series, with a min-max band when the points carry low/high. */
export function lineChart(points: readonly LinePoint[], options: LineChartOptions): Record<string, unknown> {
  const series = [...new Set(points.map((point) => point.series))];
  const colors = series.map((name, index) => options.colors?.[name] ?? PALETTE[index % PALETTE.length]);
  const color = { field: "series", type: "nominal", title: null, scale: { domain: series, range: colors } };
  const xScale: Record<string, unknown> = options.xLog ? { type: "log", padding: 16 } : { zero: false, padding: 16 };
  if (options.xDomain !== undefined) xScale.domain = options.xDomain;
  const x = {
    field: "x",
    type: "quantitative",
    title: options.xTitle,
    scale: xScale,
    axis:
      options.xTicks === "auto"
        ? { tickMinStep: 1 }
        : { values: [...new Set(points.map((point) => point.x))].sort((a, b) => a - b) },
  };
  const yScale: Record<string, unknown> = options.yLog ? { type: "log" } : {};
  if (options.yDomain !== undefined) yScale.domain = options.yDomain;
  const y = { field: "y", type: "quantitative", title: options.yTitle, scale: yScale };
  const layers: Record<string, unknown>[] = [];
  if (points.some((point) => point.low !== undefined)) {
    layers.push({
      mark: { type: "area", opacity: 0.15 },
      encoding: {
        x,
        y: { field: "low", type: "quantitative", scale: yScale },
        y2: { field: "high" },
        color: { ...color, legend: null },
      },
    });
  }
  layers.push({
    mark: { type: "line", point: { size: 50 }, strokeWidth: 2.5 },
    encoding: {
      x,
      y,
      color,
      // Same field as color: vega-lite merges both into one legend that shows the dash too.
      strokeDash: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: series, range: series.map((name) => (options.dashed?.includes(name) ? [6, 4] : [1, 0])) },
      },
    },
  });
  if (options.rule !== undefined) {
    layers.push({
      data: { values: [{ y: options.rule.y, label: options.rule.label }] },
      layer: [
        {
          mark: { type: "rule", color: "#b00020", strokeDash: [4, 4] },
          encoding: { y: { field: "y", type: "quantitative" } },
        },
        {
          mark: { type: "text", align: "left", dx: 4, dy: -7, color: "#b00020", fontSize: 12 },
          encoding: { y: { field: "y", type: "quantitative" }, x: { value: 0 }, text: { field: "label" } },
        },
      ],
    });
  }
  return {
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    width: 560,
    height: 300,
    data: { values: points.map((point) => ({ ...point })) },
    layer: layers,
  };
}

export type BarPoint = { readonly group: string; readonly bar: string; readonly value: number };

/** Grouped bars: one column per group (in the order given), one labelled bar per series inside it. */
export function barChart(
  points: readonly BarPoint[],
  options: { title: string; subtitle?: string; xTitle: string; yTitle: string; colors?: Record<string, string> },
): Record<string, unknown> {
  const bars = [...new Set(points.map((point) => point.bar))];
  const groups = [...new Set(points.map((point) => point.group))];
  const x = { field: "bar", type: "nominal", axis: null, scale: { domain: bars } };
  const y = { field: "value", type: "quantitative", title: options.yTitle };
  return {
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    data: { values: points.map((point) => ({ ...point })) },
    facet: {
      column: {
        field: "group",
        type: "nominal",
        sort: groups,
        title: options.xTitle,
        // "40% lazy, gradual" is written on two lines, so that narrow columns do not overlap.
        header: { labelFontSize: 12, titleFontSize: 13, labelAngle: 0, labelExpr: "split(datum.label, ', ')" },
      },
    },
    spec: {
      width: { step: 34 },
      height: 300,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x,
            y,
            color: {
              field: "bar",
              type: "nominal",
              title: null,
              legend: { symbolType: "square" },
              scale: {
                domain: bars,
                range: bars.map((bar, index) => options.colors?.[bar] ?? PALETTE[index % PALETTE.length]),
              },
            },
          },
        },
        {
          mark: { type: "text", dy: -7, fontSize: 11, color: "#222" },
          encoding: { x, y, text: { field: "value", type: "quantitative", format: ".1~f" } },
        },
      ],
    },
  };
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];
