import type { ReactNode } from "react";

/** A labelled number with a one-line explanation. */
export function Stat({
  label,
  value,
  hint,
  testId,
  tone,
}: {
  readonly label: string;
  readonly value: ReactNode;
  readonly hint?: ReactNode;
  readonly testId?: string | undefined;
  readonly tone?: "good" | "bad" | "warn" | undefined;
}) {
  return (
    <div className={`stat${tone === undefined ? "" : ` tone-${tone}`}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint === undefined ? null : <div className="stat-hint">{hint}</div>}
    </div>
  );
}
