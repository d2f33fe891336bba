import { TOKEN } from "@gradual/protocol";

const DECIMALS = 9;
const TOKEN_TEXT = /^(0|[1-9][0-9]*)(\.[0-9]{1,9})?$/;

/** Parses a token amount written as a number or a decimal string ("1000", "0.5") into base units. */
export function parseTokens(value: unknown): bigint | null {
  const text = typeof value === "number" && Number.isFinite(value) && value >= 0 ? String(value) : value;
  if (typeof text !== "string" || !TOKEN_TEXT.test(text)) return null;
  const [whole, fraction = ""] = text.split(".") as [string, string?];
  return BigInt(whole) * TOKEN + BigInt((fraction || "0").padEnd(DECIMALS, "0"));
}

/** Base units as a token amount with up to 3 decimals, for tables ("1,234.5"). */
export function formatTokens(amount: bigint, decimals = 3): string {
  const negative = amount < 0n;
  const absolute = negative ? -amount : amount;
  const scaled = Number(absolute / 1_000_000n) / 1_000;
  const text = scaled.toLocaleString("en-US", { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
  return negative ? `-${text}` : text;
}

/** A ratio of two bigints as a float (for percentages in reports; money itself stays bigint). */
export function ratio(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) return 0;
  return Number((numerator * 1_000_000_000n) / denominator) / 1_000_000_000;
}
