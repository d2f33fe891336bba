import { type ApiErrorCode, errorMeaning, GradualError, type GradualErrorOptions } from "@gradual/protocol";

/*
 * The ledger's codes (request shape, lookups, service limits, storage) and their HTTP statuses live in the one
 * error registry, `LEDGER_ERROR_CODES` in @gradual/protocol's errorRegistry.ts, with every other package's.
 */

/** The JSON body of every error the API returns. Bigints in `context` are decimal strings on the wire. */
export type ErrorBody = {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
};

/**
 * A failure with a stable code of the ledger's API (`GradualError` with an {@link ApiErrorCode}): thrown inside the
 * ledger and turned into an {@link ErrorBody} at the HTTP edge.
 */
export class LedgerError extends GradualError<ApiErrorCode> {
  override readonly name: string = "LedgerError";

  /** The message defaults to the code's meaning in the registry. */
  constructor(code: ApiErrorCode, options: Partial<GradualErrorOptions> = {}) {
    super(code, { ...options, message: options.message ?? errorMeaning(code) });
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.shortMessage, context: this.context };
  }
}

/**
 * A write to the data directory failed. The ledger stops after one: its memory may be ahead of its disk, and
 * carrying on would acknowledge what could be lost.
 */
export class StorageError extends LedgerError {
  readonly operation: string;
  constructor(operation: string, cause: unknown, dataDir: string) {
    const reason = describeStorageCause(cause);
    super("LEDGER__STORAGE_FAILURE", {
      message: `cannot ${operation} in ${dataDir}: ${reason}`,
      context: { operation, reason },
      cause,
    });
    this.operation = operation;
  }
}

/** Turns SQLite and filesystem error codes into words a person running the ledger can act on. */
function describeStorageCause(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  switch (code) {
    case "SQLITE_FULL":
    case "ENOSPC":
      return `the disk is full (${message})`;
    case "SQLITE_READONLY":
    case "SQLITE_READONLY_DIRECTORY":
    case "SQLITE_READONLY_RECOVERY":
    case "SQLITE_READONLY_CANTINIT":
    case "SQLITE_READONLY_CANTLOCK":
    case "SQLITE_CANTOPEN":
    case "EROFS":
    case "EACCES":
    case "EPERM":
      return `the data directory is read-only or not writable (${message})`;
    default:
      return typeof code === "string" ? `${code}: ${message}` : message;
  }
}
