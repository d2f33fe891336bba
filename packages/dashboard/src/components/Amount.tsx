import { formatTokenAmount } from "@gradual/protocol";
import { type Amountish, formatBaseUnits, SCREEN_AMOUNT, toBaseUnits } from "../model/amounts.ts";

/** An amount in tokens; the exact base units show on hover (and to screen readers). */
export function Amount({
  value,
  digits,
  unit = true,
  className,
}: {
  readonly value: Amountish | undefined | null;
  /** Most fraction digits; fewer than 9 round down and mark the value with "~". */
  readonly digits?: number;
  readonly unit?: boolean;
  readonly className?: string;
}) {
  if (value === undefined || value === null) return <span className="muted">–</span>;
  let text: string;
  let title: string;
  try {
    text = formatTokenAmount(toBaseUnits(value), { ...SCREEN_AMOUNT, maxFractionDigits: digits ?? 9, unit });
    title = formatBaseUnits(value);
  } catch {
    return <span className="muted">?</span>;
  }
  return (
    <span
      className={className === undefined ? "amount" : `amount ${className}`}
      title={title}
      data-base-units={String(value)}
    >
      {text}
    </span>
  );
}
