/**
 * Amounts on screen: the ledger counts in base units (protocol.md §3.1, one token = 10^9 base units) and sends
 * them as decimal strings. The dashboard shows tokens and keeps the exact base units for a hover title, so no
 * float ever decides what a number reads.
 */

export const TOKEN_DECIMALS = 9;
const TOKEN = 10n ** BigInt(TOKEN_DECIMALS);
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export type Amountish = bigint | string | number;

/** Base units as a bigint; throws a TypeError for anything but a non-negative integer. */
export function toBaseUnits(value: Amountish): bigint {
  if (typeof value === "bigint") {
    if (value < 0n) throw new TypeError(`expected a non-negative amount, got ${value}`);
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`expected base units, got ${value}`);
    return BigInt(value);
  }
  if (!DECIMAL.test(value))
    throw new TypeError(`expected base units as a decimal string, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

/** 1234567 -> "1,234,567". */
export function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export type FormatTokensOptions = {
  /** Most fraction digits shown (default 9: exact). Fewer digits round down. */
  readonly maxFractionDigits?: number;
  /** Prefix "~" when digits were cut (default false; the exact amount is in the hover title). */
  readonly markApproximate?: boolean;
  /** Append " tokens" (default true). */
  readonly unit?: boolean;
};

/**
 * 12_500_000_000n -> "12.5 tokens". Exact unless `maxFractionDigits` cuts digits, in which case the value is
 * rounded down (and marked with "~" when `markApproximate` is set).
 */
export function formatTokens(value: Amountish, options: FormatTokensOptions = {}): string {
  const units = toBaseUnits(value);
  const maxFractionDigits = Math.max(0, Math.min(TOKEN_DECIMALS, options.maxFractionDigits ?? TOKEN_DECIMALS));
  const whole = units / TOKEN;
  const fraction = (units % TOKEN).toString().padStart(TOKEN_DECIMALS, "0");
  const kept = fraction.slice(0, maxFractionDigits).replace(/0+$/, "");
  const cut = /[1-9]/.test(fraction.slice(maxFractionDigits));
  const text = `${cut && options.markApproximate === true ? "~" : ""}${groupDigits(whole.toString())}${kept.length > 0 ? `.${kept}` : ""}`;
  if (options.unit === false) return text;
  return `${text} ${text === "1" ? "token" : "tokens"}`;
}

/** "12,500,000,000 base units": the exact amount, for titles. */
export function formatBaseUnits(value: Amountish): string {
  const units = toBaseUnits(value);
  return `${groupDigits(units.toString())} base ${units === 1n ? "unit" : "units"}`;
}

/** Tokens as a float, for chart axes only (never for arithmetic on balances). */
export function tokensAsNumber(value: Amountish): number {
  const units = toBaseUnits(value);
  return Number(units / TOKEN) + Number(units % TOKEN) / Number(TOKEN);
}

/** Sum of decimal-string amounts, as a bigint. */
export function sumAmounts(values: Iterable<Amountish>): bigint {
  let total = 0n;
  for (const value of values) total += toBaseUnits(value);
  return total;
}

/** "33.3%" from a part and a whole in base units (or counts); "–" when the whole is zero. */
export function formatShare(part: Amountish, whole: Amountish, fractionDigits = 1): string {
  const numerator = toBaseUnits(part);
  const denominator = toBaseUnits(whole);
  if (denominator === 0n) return "–";
  const scale = 10n ** BigInt(fractionDigits);
  const permille = (numerator * 100n * scale) / denominator;
  const text = (Number(permille) / Number(scale)).toFixed(fractionDigits);
  return `${text}%`;
}
