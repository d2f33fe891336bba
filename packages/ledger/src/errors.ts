import { ERROR_CODES, type ErrorCode } from "@gradual/protocol";

/**
 * Codes the ledger adds to the protocol's (which cover transactions): request shape, lookups, service limits and
 * storage faults. Same rules as the protocol's registry: `DOMAIN__DESCRIPTION`, stable, never renumbered or reused.
 */
export const LEDGER_ERROR_CODES = {
  API__MALFORMED_JSON: "The request body is not valid JSON",
  API__BODY_TOO_LARGE: "The request body exceeds the route's size limit",
  API__INVALID_REQUEST: "A path parameter, query parameter or body field is missing or of the wrong shape",
  API__UNSUPPORTED_MEDIA_TYPE: "The route does not accept this Content-Type",
  API__NOT_FOUND: "No such route (devnet routes exist only in devnet mode)",
  API__UNAUTHORIZED: "The admin token is missing or wrong",
  API__TX_NOT_FOUND: "No pending or included transaction has this hash",
  API__BLOCK_NOT_FOUND: "No block has this number yet",
  API__BLOB_NOT_FOUND: "No blob has this content hash",
  API__RECORD_NOT_FOUND: "No such record (a distribution attempt that was never submitted, ...)",
  API__BLOB_TOO_LARGE: "The blob exceeds the ledger's blob size limit",
  API__BATCH_TOO_LARGE: "The batch holds more transactions than the limit",
  API__INTERNAL: "An unexpected error; the ledger logged it",
  API__DUPLICATE_KEY: "The JSON body repeats a key inside one object (only one reading of the bytes is allowed)",
  API__TOO_DEEP: "The JSON body nests arrays and objects deeper than the limit (32)",
  LEDGER__MEMPOOL_FULL: "The mempool holds its maximum number of transactions; retry later",
  LEDGER__INSUFFICIENT_RESERVE:
    "The sender's balance does not cover its pending transactions at the ledger's reserve per pending transaction",
  LEDGER__BLOB_NOT_ALLOWED: "Only a task creator, a staked node or an account holding one token may upload blobs",
  LEDGER__BLOB_QUOTA: "The account's stored blobs would exceed its per-account limit",
  LEDGER__BLOB_STORE_FULL: "The blob store reached its own size limit (the chain is not affected)",
  LEDGER__SENDER_LIMIT: "The sender has its maximum number of pending transactions; wait for a block",
  LEDGER__STORAGE_FAILURE:
    "The data directory cannot be written (disk full, read-only, I/O error); nothing was acknowledged",
  LEDGER__SHUTTING_DOWN: "The ledger is stopping and accepts no more transactions",
  LEDGER__FAUCET_LIMIT: "The faucet's amount or rate limit was exceeded",
  LEDGER__SUBSCRIBER_LIMIT: "The event stream has its maximum number of subscribers",
  LEDGER__CONFIG: "The ledger cannot start with these options (no or another genesis, data directory in use, ...)",
  LEDGER__ROLLED_BACK:
    "The database does not reach the head recorded in DATA/head.json (deleted, truncated, rolled back or replaced)",
  LEDGER__DATA_DIR_CHANGED: "The database file was deleted or replaced while the ledger ran; it stopped producing",
  LEDGER__STALLED: "No block was made for several slots by the clock (see /v1/health's reason and the log)",
  LEDGER__DAMAGED: "The data directory is inconsistent (stored state does not match the last block); run verify",
} as const;

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_CODES;

/** Any code the HTTP API can answer with. */
export type ApiErrorCode = ErrorCode | LedgerErrorCode;

export function errorMeaning(code: ApiErrorCode): string {
  return code in LEDGER_ERROR_CODES
    ? LEDGER_ERROR_CODES[code as LedgerErrorCode]
    : ERROR_CODES[code as ErrorCode].meaning;
}

/** The JSON body of every error the API returns. Bigints in `context` are decimal strings on the wire. */
export type ErrorBody = {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
};

/**
 * A failure with a stable code (viem's BaseError shape): `shortMessage` for people, `context` for programs, the
 * `cause` kept for logs. Thrown inside the ledger and turned into an {@link ErrorBody} at the HTTP edge.
 */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
  readonly code: ApiErrorCode;
  readonly shortMessage: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly details: string;

  constructor(
    code: ApiErrorCode,
    options: {
      readonly message?: string;
      readonly context?: Readonly<Record<string, unknown>>;
      readonly details?: string;
      readonly cause?: unknown;
    } = {},
  ) {
    const shortMessage = options.message ?? errorMeaning(code);
    const details = options.details ?? "";
    super(details === "" ? shortMessage : `${shortMessage}\n\n${details}`, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.context = options.context ?? {};
    this.details = details;
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
export function describeStorageCause(cause: unknown): string {
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
