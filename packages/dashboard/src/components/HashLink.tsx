import { shortHex } from "../model/search.ts";

/** A hash or account, shortened, with the full value on hover and as a link when `to` is given. */
export function HashLink({
  value,
  to,
  label,
}: {
  readonly value: string | null | undefined;
  readonly to?: string;
  /** Text shown before the short hash (e.g. "you"). */
  readonly label?: string;
}) {
  if (value === null || value === undefined) return <span className="muted">–</span>;
  const text = label === undefined ? shortHex(value) : `${label} ${shortHex(value, 4, 0)}`;
  if (to === undefined) {
    return (
      <code className="hash" title={value}>
        {text}
      </code>
    );
  }
  return (
    <a className="hash" href={to} title={value}>
      <code>{text}</code>
    </a>
  );
}
