import { GradualError, WIRE_ERROR_CODES, type WireErrorCode } from "@gradual/protocol";

/**
 * The wire module's codes (a value read from the wire that does not have its schema's shape) live in the one error
 * registry, `WIRE_ERROR_CODES` in @gradual/protocol's errorRegistry.ts, with every other package's; they are
 * re-exported here for the wire's readers.
 */
export { WIRE_ERROR_CODES, type WireErrorCode };

/** Where a value went wrong: the field's path (`head.hash`, `items[3].amount`), what was expected and what came. */
export type WireProblem = { readonly path: string; readonly expected: string; readonly got: string };

/**
 * A value from the wire that does not fit its schema: a `GradualError` with a wire code (`shortMessage` for people,
 * `context` for programs, `cause` kept for logs). The message defaults to the code's meaning in the registry.
 */
export class WireError extends GradualError<WireErrorCode> {
  override readonly name = "WireError";

  constructor(
    code: WireErrorCode,
    options: {
      readonly message?: string;
      readonly context?: Readonly<Record<string, unknown>>;
      readonly cause?: unknown;
    },
  ) {
    super(code, { ...options, message: options.message ?? WIRE_ERROR_CODES[code].meaning });
  }
}

export function isWireError(error: unknown, code?: WireErrorCode): error is WireError {
  return error instanceof WireError && (code === undefined || error.code === code);
}

/** A short, safe rendering of a value that did not fit (never the whole of a large reply). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    case "object":
      return "an object";
    case "bigint":
      return `${value}n`;
    default:
      return String(value);
  }
}

/** The error a decoder throws: WIRE__MALFORMED with the path of the field. */
export function malformed(path: string, expected: string, value: unknown): WireError {
  const got = describeValue(value);
  const problem: WireProblem = { path, expected, got };
  return new WireError("WIRE__MALFORMED", {
    message: `${path === "" ? "value" : path}: expected ${expected}, got ${got}`,
    context: problem,
  });
}
