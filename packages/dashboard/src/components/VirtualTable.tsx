/** @jsxRuntime automatic */
// The pragma keeps the automatic JSX runtime when Node tests load this file through tsx (which reads no tsconfig here).
import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { scrollToReveal, visibleRange } from "./virtualRange.ts";

/** The row a navigation key moves to, or undefined for other keys. */
function keyTarget(key: string, current: number, page: number, count: number): number | undefined {
  switch (key) {
    case "ArrowDown":
      return current + 1;
    case "ArrowUp":
      return Math.max(0, current - 1);
    case "PageDown":
      return current + page;
    case "PageUp":
      return Math.max(0, current - page);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return undefined;
  }
}

export type Column<T> = {
  readonly key: string;
  readonly header: ReactNode;
  readonly render: (row: T, index: number) => ReactNode;
  readonly align?: "left" | "right" | "center";
  /** CSS width, e.g. "8rem" or "20%". */
  readonly width?: string;
  /** Hidden on phone-sized screens. */
  readonly wide?: boolean;
};

export type VirtualTableProps<T> = {
  readonly rows: readonly T[];
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T, index: number) => string;
  /** Accessible name of the table (also its caption for screen readers). */
  readonly caption: string;
  readonly rowHeight?: number;
  /** Most height of the scrolling area, in pixels (default 440). */
  readonly maxHeight?: number;
  readonly overscan?: number;
  /** Enter (or a click) on a row. */
  readonly onActivate?: (row: T, index: number) => void;
  readonly empty?: ReactNode;
  /** Test hook: the viewport height to assume before the element is measured. */
  readonly initialViewportHeight?: number;
  readonly testId?: string;
};

/**
 * A table that renders only the rows in view (see virtualRange.ts): 10,000 rows cost as much DOM as forty.
 * Keyboard: focus the table, then arrows, Page Up/Down, Home/End move the active row and Enter opens it.
 */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowKey, caption, onActivate } = props;
  const rowHeight = props.rowHeight ?? 36;
  const maxHeight = props.maxHeight ?? 440;
  const headerHeight = rowHeight;
  const bodyHeight = Math.min(maxHeight - headerHeight, rows.length * rowHeight);
  const scroller = useRef<HTMLElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(props.initialViewportHeight ?? Math.max(bodyHeight, rowHeight));
  const [active, setActive] = useState<number | undefined>(undefined);
  const focusPending = useRef(false);
  const id = useId();

  useEffect(() => {
    const element = scroller.current;
    if (element === null || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setViewportHeight(Math.max(0, element.clientHeight - headerHeight)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [headerHeight]);

  useEffect(() => {
    if (active !== undefined && active >= rows.length) setActive(rows.length === 0 ? undefined : rows.length - 1);
  }, [active, rows.length]);

  const range = visibleRange({
    scrollTop,
    viewportHeight,
    rowHeight,
    rowCount: rows.length,
    overscan: props.overscan ?? 8,
  });

  const moveTo = useCallback(
    (index: number) => {
      const clamped = Math.max(0, Math.min(rows.length - 1, index));
      setActive(clamped);
      focusPending.current = true;
      const element = scroller.current;
      if (element !== null) {
        const next = scrollToReveal(clamped, element.scrollTop, viewportHeight, rowHeight);
        if (next !== element.scrollTop) {
          element.scrollTop = next;
          setScrollTop(next);
        }
      }
    },
    [rows.length, viewportHeight, rowHeight],
  );

  // Keyboard focus follows the active row once it is rendered (it may have just scrolled into the window).
  useEffect(() => {
    if (!focusPending.current || active === undefined) return;
    const row = document.getElementById(`${id}-row-${active}`);
    if (row !== null) {
      focusPending.current = false;
      row.focus({ preventScroll: true });
    }
  });

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (rows.length === 0) return;
    const page = Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
    const current = active ?? -1;
    const target = keyTarget(event.key, current, page, rows.length);
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === "Enter" && active !== undefined) {
      const row = rows[active];
      if (row !== undefined) {
        event.preventDefault();
        onActivate?.(row, active);
      }
    }
  };

  if (rows.length === 0 && props.empty !== undefined) return <>{props.empty}</>;

  const rendered: ReactNode[] = [];
  for (let index = range.start; index < range.end; index += 1) {
    const row = rows[index] as T;
    const isActive = index === active;
    rendered.push(
      <tr
        key={rowKey(row, index)}
        id={`${id}-row-${index}`}
        className={`vt-row${isActive ? " vt-active" : ""}${onActivate === undefined ? "" : " vt-clickable"}`}
        style={{ height: rowHeight }}
        aria-rowindex={index + 2}
        tabIndex={-1}
        onFocus={() => setActive(index)}
        onClick={onActivate === undefined ? undefined : () => onActivate(row, index)}
      >
        {columns.map((column) => (
          <td key={column.key} className={`${column.wide ? "wide " : ""}align-${column.align ?? "left"}`}>
            {column.render(row, index)}
          </td>
        ))}
      </tr>,
    );
  }

  return (
    <section
      ref={scroller}
      className="vt"
      aria-label={`${caption} (${rows.length.toLocaleString("en-US")} rows; arrow keys move, Enter opens)`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the scrolling region takes focus so the keyboard can scroll and move through rows
      tabIndex={0}
      style={{ maxHeight, height: bodyHeight + headerHeight + 2 }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-testid={props.testId}
      data-row-count={rows.length}
    >
      <table aria-rowcount={rows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          {columns.map((column) => (
            <col
              key={column.key}
              className={column.wide ? "wide" : undefined}
              style={column.width === undefined ? undefined : { width: column.width }}
            />
          ))}
        </colgroup>
        <thead>
          <tr style={{ height: headerHeight }} aria-rowindex={1}>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={`${column.wide ? "wide " : ""}align-${column.align ?? "left"}`}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {range.padTop > 0 ? <tr className="vt-spacer" style={{ height: range.padTop }} /> : null}
          {rendered}
          {range.padBottom > 0 ? <tr className="vt-spacer" style={{ height: range.padBottom }} /> : null}
        </tbody>
      </table>
    </section>
  );
}
