/**
 * The HTTP API's JSON: bigints travel as decimal strings ("1000"), everything else as is. Protocol records and
 * events are converted on the way out with {@link toWire}; the transaction wire form is the protocol's own
 * (`transactionToJson` / `decodeTransaction`).
 */
export function toWire(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = toWire(inner);
    return out;
  }
  return value;
}

/** JSON text with bigints as decimal strings. */
export function stringifyWire(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? raw.toString() : raw));
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses a decimal string amount from the wire; throws a TypeError naming the field otherwise. */
export function parseAmount(field: string, raw: unknown): bigint {
  if (typeof raw === "bigint" && raw >= 0n) return raw;
  if (typeof raw !== "string" || !DECIMAL.test(raw) || raw.length > 39) {
    throw new TypeError(`${field}: expected a non-negative integer as a decimal string, got ${JSON.stringify(raw)}`);
  }
  return BigInt(raw);
}
