/**
 * Which rows of a long, fixed-row-height list are on screen. A table of 10,000 nodes renders only these (plus a
 * few rows of overscan), with spacers above and below standing in for the rest, so the DOM stays small however
 * long the list is.
 */

export type VisibleRange = {
  /** First rendered row (inclusive). */
  readonly start: number;
  /** Last rendered row (exclusive). */
  readonly end: number;
  /** Height of the spacer above the first rendered row, in pixels. */
  readonly padTop: number;
  /** Height of the spacer below the last rendered row, in pixels. */
  readonly padBottom: number;
};

export function visibleRange(parameters: {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly rowCount: number;
  readonly overscan?: number;
}): VisibleRange {
  const { rowHeight, rowCount } = parameters;
  const overscan = parameters.overscan ?? 8;
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const viewportHeight = Math.max(0, parameters.viewportHeight);
  const maxScroll = Math.max(0, rowCount * rowHeight - viewportHeight);
  const scrollTop = Math.min(Math.max(0, parameters.scrollTop), maxScroll);
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(rowCount, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (rowCount - end) * rowHeight };
}

/** The scrollTop that brings row `index` fully into view, or the current one if it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return scrollTop;
}
