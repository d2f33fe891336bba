import { canonicalParse, GradualError, type RegisteredCode } from "@gradual/protocol";

/**
 * JSON for spec vectors and the transition tool: bigints as `"123n"` strings (the protocol's canonical convention,
 * so `canonicalParse` reads them back), two-space indentation, and a value kept on one line when it fits in
 * `LINE_WIDTH` columns. That is the layout Biome's formatter produces, so generated vectors need no reformatting.
 */

const LINE_WIDTH = 120;

function flat(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(`${value}n`);
  if (Array.isArray(value)) return `[${value.map(flat).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${flat(item)}`).join(", ")} }`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`vector JSON: expected a finite number, got ${value}`);
  }
  return JSON.stringify(value);
}

/** `used` counts the columns already taken on the line (indentation and key) plus any trailing comma. */
function print(value: unknown, indent: string, used: number): string {
  const single = flat(value);
  if (typeof value !== "object" || value === null || used + single.length <= LINE_WIDTH) return single;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item, index) => {
      const comma = index < value.length - 1 ? 1 : 0;
      return `${inner}${print(item, inner, inner.length + comma)}`;
    });
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  const lines = entries.map(([key, item], index) => {
    const prefix = `${inner}${JSON.stringify(key)}: `;
    const comma = index < entries.length - 1 ? 1 : 0;
    return `${prefix}${print(item, inner, prefix.length + comma)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** The text of a vector file, newline-terminated. */
export function toVectorJson(value: unknown): string {
  return `${print(value, "", 0)}\n`;
}

/** Object keys sorted by UTF-16 code unit at every depth (the canonical order), arrays kept in order. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) sorted[key] = sortKeysDeep(record[key]);
  }
  return sorted;
}

/** Parses a vector file (`"123n"` strings become bigints); `what` names the file in the error. */
export function parseVectorJson(text: string, what: string): unknown {
  try {
    return canonicalParse(text);
  } catch (error) {
    throw new T8nError("T8N__BAD_JSON", `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A pre-state, transaction file or vector the transition tool cannot use (its code says what is wrong). */
export class T8nError extends GradualError {
  override readonly name = "T8nError";
  constructor(code: RegisteredCode, message: string) {
    super(code, { message });
  }
}
