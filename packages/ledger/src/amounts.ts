import { TOKEN } from "@gradual/protocol";

const DECIMALS = 9;
const TOKEN_AMOUNT = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/;

/**
 * "1.5" tokens -> 1_500_000_000n base units, with bigint math only (no float ever sees an amount). At most nine
 * decimals; no sign, exponent or separators.
 */
export function parseTokenAmount(text: string): bigint {
  const match = TOKEN_AMOUNT.exec(text.trim());
  if (match === null) {
    throw new TypeError(
      `expected an amount in tokens like 12 or 1.5 (at most ${DECIMALS} decimals), got ${JSON.stringify(text)}`,
    );
  }
  const whole = BigInt(match[1] as string);
  const fraction = BigInt((match[2] ?? "").padEnd(DECIMALS, "0"));
  return whole * TOKEN + fraction;
}

/** 1_500_000_000n -> "1.5"; whole tokens print without a decimal point. */
export function formatTokenAmount(baseUnits: bigint): string {
  const negative = baseUnits < 0n;
  const magnitude = negative ? -baseUnits : baseUnits;
  const whole = magnitude / TOKEN;
  const fraction = (magnitude % TOKEN).toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** The ledger URL the CLI and tools use: an explicit one, else $GRADUAL_LEDGER, else the local default. */
export function resolveLedgerUrl(explicit?: string): string {
  return explicit ?? process.env.GRADUAL_LEDGER ?? "http://127.0.0.1:8899";
}
