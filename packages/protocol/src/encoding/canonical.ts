/**
 * Canonical encoding (protocol.md §9.2): one byte sequence for one value on every machine.
 *
 * Values are JSON with object keys sorted by UTF-16 code unit, no whitespace, integers only, and bigints written
 * as decimal strings with an `n` suffix (`"1000n"`). A plain string that looks like a bigint would be ambiguous, so
 * encoding one throws: every string that enters the protocol is validated to a shape that cannot collide.
 */

export type CanonicalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

const BIGINT_PATTERN = /^-?(0|[1-9][0-9]*)n$/;

export function isBigintString(value: string): boolean {
  return BIGINT_PATTERN.test(value);
}

export function canonicalStringify(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return `"${value.toString()}n"`;
    case "number":
      if (!Number.isSafeInteger(value))
        throw new TypeError(`canonical encoding: expected a safe integer, got ${value}`);
      return Object.is(value, -0) ? "0" : String(value);
    case "string":
      if (BIGINT_PATTERN.test(value)) {
        throw new TypeError(`canonical encoding: string ${JSON.stringify(value)} is ambiguous with a bigint`);
      }
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(canonicalStringify).join(",")}]`;
      // One sort and one string built in place: this runs for every signature, hash and stored record.
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = "{";
      for (const key of keys) {
        const inner = record[key];
        if (inner === undefined) continue;
        if (out.length > 1) out += ",";
        out += `${JSON.stringify(key)}:${canonicalStringify(inner)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical encoding: cannot encode a ${typeof value}`);
  }
}

const encoder = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalStringify(value));
}

/** Parses canonical (or any) JSON, turning `"123n"` strings back into bigints. */
export function canonicalParse(text: string): unknown {
  return JSON.parse(text, (_key, raw: unknown) =>
    typeof raw === "string" && BIGINT_PATTERN.test(raw) ? BigInt(raw.slice(0, -1)) : raw,
  );
}
