import { type FormatTokenAmountOptions, groupDigits, TOKEN } from "@gradual/protocol";

/**
 * Amounts on screen: the ledger counts in base units (protocol.md §3.1, one token = 10^9 base units) and sends
 * them as decimal strings. The dashboard shows tokens through the protocol's `formatTokenAmount` and keeps the exact
 * base units for a hover title, so no float ever decides what a number reads.
 */

/** How the dashboard shows an amount: "1,234.5 tokens", exact unless a view asks for fewer digits. */
export const SCREEN_AMOUNT = { grouping: true, unit: true } as const satisfies FormatTokenAmountOptions;

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
