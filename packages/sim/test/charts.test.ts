import assert from "node:assert/strict";
import { test } from "node:test";
import { lineChart, renderPng } from "../src/report/charts.ts";

test("a chart renders to PNG without a browser", async () => {
  const png = await renderPng(
    lineChart(
      [
        { x: 1, y: 1, series: "a" },
        { x: 2, y: 4, series: "a" },
      ],
      { title: "t", xTitle: "x", yTitle: "y" },
    ),
  );
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5_000);
});
