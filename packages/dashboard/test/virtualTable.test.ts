import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { type Column, VirtualTable } from "../src/components/VirtualTable.tsx";
import { scrollToReveal, visibleRange } from "../src/components/virtualRange.ts";

type Row = { readonly id: number; readonly account: string };
const ROWS: Row[] = Array.from({ length: 10_000 }, (_, id) => ({ id, account: id.toString(16).padStart(64, "0") }));
const COLUMNS: Column<Row>[] = [
  { key: "id", header: "#", render: (row) => row.id },
  { key: "account", header: "Account", render: (row) => row.account },
];

function countRows(html: string): number {
  return (html.match(/class="vt-row/g) ?? []).length;
}

describe("visibleRange", () => {
  it("renders a bounded window of rows however long the list", () => {
    for (const rowCount of [1, 40, 1_000, 10_000, 100_000]) {
      for (const scrollTop of [0, 5_000, 100_000, 10_000_000]) {
        const range = visibleRange({ scrollTop, viewportHeight: 400, rowHeight: 36, rowCount, overscan: 8 });
        assert.ok(range.end - range.start <= Math.ceil(400 / 36) + 1 + 16, `${rowCount} rows at ${scrollTop}`);
        assert.ok(range.start >= 0 && range.end <= rowCount && range.start <= range.end);
        assert.equal(range.padTop + (range.end - range.start) * 36 + range.padBottom, rowCount * 36);
      }
    }
  });

  it("starts at the scrolled-to row", () => {
    const range = visibleRange({
      scrollTop: 36 * 5_000,
      viewportHeight: 360,
      rowHeight: 36,
      rowCount: 10_000,
      overscan: 2,
    });
    assert.equal(range.start, 4_998);
    assert.equal(range.end, 5_013);
  });

  it("scrolls just enough to reveal the active row", () => {
    assert.equal(scrollToReveal(0, 100, 360, 36), 0);
    assert.equal(scrollToReveal(20, 0, 360, 36), 21 * 36 - 360);
    assert.equal(scrollToReveal(5, 0, 360, 36), 0);
  });
});

describe("VirtualTable", () => {
  it("puts a few dozen rows in the DOM for a table of 10,000", () => {
    const html = renderToStaticMarkup(
      createElement(VirtualTable<Row>, {
        rows: ROWS,
        columns: COLUMNS,
        rowKey: (row: Row) => String(row.id),
        caption: "nodes",
        initialViewportHeight: 404,
      }),
    );
    const rendered = countRows(html);
    assert.ok(rendered > 0 && rendered <= 30, `rendered ${rendered} rows`);
    assert.match(html, /aria-rowcount="10001"/);
    // The spacer below stands in for the rows not rendered.
    const spacer = /class="vt-spacer" style="height:(\d+)px"/.exec(html);
    assert.equal(Number(spacer?.[1]), (10_000 - rendered) * 36);
  });

  it("renders every row of a short table and its empty state", () => {
    const html = renderToStaticMarkup(
      createElement(VirtualTable<Row>, {
        rows: ROWS.slice(0, 5),
        columns: COLUMNS,
        rowKey: (row: Row) => String(row.id),
        caption: "nodes",
      }),
    );
    assert.equal(countRows(html), 5);
    const empty = renderToStaticMarkup(
      createElement(VirtualTable<Row>, {
        rows: [],
        columns: COLUMNS,
        rowKey: (row: Row) => String(row.id),
        caption: "nodes",
        empty: createElement("p", null, "No nodes yet"),
      }),
    );
    assert.equal(empty, "<p>No nodes yet</p>");
  });
});
