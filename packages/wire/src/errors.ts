/**
 * Codes of the wire module: a value read from the wire that does not have its schema's shape. Same rules as the
 * protocol's and the ledger's registries (`DOMAIN__DESCRIPTION`, stable, never renumbered or reused). The ledger
 * never answers with these: they are found by whoever reads its JSON (the ledger client, the dashboard, the CLI).
 */
export const WIRE_ERROR_CODES = {
  WIRE__MALFORMED:
    "A value does not have the shape of its wire schema: a field is missing, of the wrong type or out of range",
  WIRE__BAD_REPLY:
    "The ledger's reply does not match its route's wire schema (another version of the ledger, a proxy, or a bug); it was not used",
} as const;

export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;

/** Where a value went wrong: the field's path (`head.hash`, `items[3].amount`), what was expected and what came. */
export type WireProblem = { readonly path: string; readonly expected: string; readonly got: string };

/**
 * A failure with a stable code, shaped as the ledger's `LedgerError` (viem's BaseError): `shortMessage` for
 * people, `context` for programs, `cause` kept for logs.
 */
export class WireError extends Error {
  override readonly name = "WireError";
  readonly code: WireErrorCode;
  readonly shortMessage: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: WireErrorCode,
    options: {
      readonly message?: string;
      readonly context?: Readonly<Record<string, unknown>>;
      readonly cause?: unknown;
    },
  ) {
    const shortMessage = options.message ?? WIRE_ERROR_CODES[code];
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.context = options.context ?? {};
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
