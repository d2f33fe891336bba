import { TOKEN, TOKEN_DECIMALS } from "./params.ts";

/**
 * The one codec between token text ("1.5") and base units (1_500_000_000n), protocol.md §3.1. Bigint arithmetic
 * only: no float ever decides what an amount reads. The CLI, the node's logs, the simulator's reports and the
 * dashboard all format through {@link formatTokenAmount}, with options for what each shows.
 */

/** Whole tokens, then at most TOKEN_DECIMALS (9) decimals. A literal: bundlers drop it from tasks that never parse. */
const TOKEN_TEXT = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/;

/**
 * "1.5" tokens -> 1_500_000_000n base units. Surrounding whitespace is ignored; at most nine decimals; no sign,
 * exponent, separators or leading zeros. A number (a YAML or JSON value) must be finite, non-negative and exact to
 * nine decimals. Throws a TypeError that says what was expected and what came.
 */
export function parseTokenAmount(value: string | number): bigint {
  const text = typeof value === "number" ? numberToTokenText(value) : value;
  const match = typeof text === "string" ? TOKEN_TEXT.exec(text.trim()) : null;
  if (match === null) {
    throw new TypeError(
      `expected an amount in tokens like 12 or 1.5 (at most ${TOKEN_DECIMALS} decimals), got ${JSON.stringify(value)}`,
    );
  }
  const whole = BigInt(match[1] as string);
  const fraction = BigInt((match[2] ?? "").padEnd(TOKEN_DECIMALS, "0"));
  return whole * TOKEN + fraction;
}

/** 1.9 -> "1.900000000", refusing what a float cannot say exactly in nine decimals. */
function numberToTokenText(tokens: number): string {
  if (!Number.isFinite(tokens) || tokens < 0) {
    throw new TypeError(`expected a non-negative amount in tokens, got ${tokens}`);
  }
  const fixed = tokens.toFixed(TOKEN_DECIMALS);
  if (Number(fixed) !== tokens) throw new TypeError(`${tokens} has more than ${TOKEN_DECIMALS} decimals`);
  return fixed;
}

export type FormatTokenAmountOptions = {
  /** Most fraction digits shown, 0..9 (default 9: exact). Digits beyond are cut, i.e. rounded toward zero. */
  readonly maxFractionDigits?: number;
  /** Fewest fraction digits shown, padded with zeros: "12.500" for 3 (default 0; at most `maxFractionDigits`). */
  readonly minFractionDigits?: number;
  /** Separate thousands with commas: "1,234.5" (default false). */
  readonly grouping?: boolean;
  /** Prefix "~" when `maxFractionDigits` cut nonzero digits (default false). */
  readonly markApproximate?: boolean;
  /** Append " token" (exactly "1") or " tokens" (default false). */
  readonly unit?: boolean;
};

/** "1234567" -> "1,234,567". */
export function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * 1_500_000_000n -> "1.5": whole tokens print without a decimal point, trailing zeros only up to `minFractionDigits`. Negative
 * amounts (differences in reports) print with a leading "-". Exact unless `maxFractionDigits` cuts digits.
 */
export function formatTokenAmount(baseUnits: bigint, options: FormatTokenAmountOptions = {}): string {
  const maxFractionDigits = Math.max(0, Math.min(TOKEN_DECIMALS, options.maxFractionDigits ?? TOKEN_DECIMALS));
  const negative = baseUnits < 0n;
  const magnitude = negative ? -baseUnits : baseUnits;
  const whole = (magnitude / TOKEN).toString();
  const fraction = (magnitude % TOKEN).toString().padStart(TOKEN_DECIMALS, "0");
  const minFractionDigits = Math.max(0, Math.min(maxFractionDigits, options.minFractionDigits ?? 0));
  const kept = fraction.slice(0, maxFractionDigits).replace(/0+$/, "").padEnd(minFractionDigits, "0");
  const cut = options.markApproximate === true && /[1-9]/.test(fraction.slice(maxFractionDigits));
  const text =
    `${cut ? "~" : ""}${negative ? "-" : ""}${options.grouping === true ? groupDigits(whole) : whole}` +
    `${kept === "" ? "" : `.${kept}`}`;
  if (options.unit !== true) return text;
  return `${text} ${text === "1" ? "token" : "tokens"}`;
}
