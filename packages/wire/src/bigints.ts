import { malformed } from "./errors.ts";

/**
 * Bigints on the wire (protocol.md §9.2): the HTTP API's JSON carries every bigint as a plain decimal string
 * ("1000"), everything else as is. `Wire<T>` is the type of a protocol value after that conversion, and the
 * decoders of this package are checked against it, so a field added to a protocol record or event does not compile
 * until its wire shape says how it travels.
 */
export type Wire<T> = T extends bigint ? string : T extends object ? { readonly [K in keyof T]: Wire<T[K]> } : T;

/** A value in wire form: bigints as decimal strings, `undefined` fields left out. */
export function toWire<T>(value: T): Wire<T> {
  return convert(value) as Wire<T>;
}

function convert(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(convert);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner === undefined) continue;
      // An own data property, whatever the key (a "__proto__" key stays a key).
      Object.defineProperty(out, key, { value: convert(inner), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** JSON text with bigints as decimal strings. */
export function stringifyWire(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? raw.toString() : raw));
}

/** Base units as a decimal string: no sign, no leading zero, no exponent. */
export const DECIMAL_PATTERN = "^(0|[1-9][0-9]*)$";
const DECIMAL = new RegExp(DECIMAL_PATTERN);
/** Longest decimal accepted (2^128 has 39 digits): a bigint from the wire is bounded like everything else. */
export const MAX_DECIMAL_DIGITS = 39;

/**
 * A bigint from the wire: base units as a decimal string ("1500000000"), as `toWire` writes them; throws
 * WIRE__MALFORMED naming the field otherwise. Not token text ("1.5" tokens): that is the protocol's
 * `parseTokenAmount`.
 */
export function parseAmount(field: string, raw: unknown): bigint {
  if (typeof raw === "bigint" && raw >= 0n) return raw;
  if (typeof raw !== "string" || raw.length > MAX_DECIMAL_DIGITS || !DECIMAL.test(raw)) {
    throw malformed(field, "a non-negative integer as a decimal string", raw);
  }
  return BigInt(raw);
}
