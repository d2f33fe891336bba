import type { RegisteredCode } from "./errorRegistry.ts";

export type GradualErrorOptions = {
  /** For people: what went wrong here (the registry holds what the code means in general). */
  readonly message: string;
  /** For programs: what a caller needs to explain or fix it (bigints as they are; the HTTP edge turns them to text). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** More lines for people, printed after the message. */
  readonly details?: string;
  readonly cause?: unknown;
};

/**
 * The base of every error a gradual package throws on purpose (viem's BaseError shape): a registered `code`
 * (errorRegistry.ts, docs/errors.md) for programs and scripts, `shortMessage` for people, `context` with the figures,
 * `cause` kept for logs. Subclasses keep their names (`LedgerError`, `BundleError`, ...), so both `instanceof` the
 * base and the subclass work. An error that only a bug can cause may stay a plain `Error`, with a comment saying so.
 * It never reads the registry itself, so task bundles that can throw it do not carry the registry along.
 */
export class GradualError<C extends RegisteredCode = RegisteredCode> extends Error {
  override readonly name: string = "GradualError";
  readonly code: C;
  readonly shortMessage: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly details: string;

  constructor(code: C, options: GradualErrorOptions) {
    const shortMessage = options.message;
    const details = options.details ?? "";
    super(details === "" ? shortMessage : `${shortMessage}\n\n${details}`, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.context = options.context ?? {};
    this.details = details;
  }
}

/**
 * A bug or a misuse of the protocol's API (a wrong argument, a broken invariant): `PROTOCOL__MISUSE`. Rejections of
 * transactions are values, never this.
 */
export class ProtocolError extends GradualError<"PROTOCOL__MISUSE"> {
  override readonly name = "ProtocolError";
  constructor(shortMessage: string, details = "") {
    super("PROTOCOL__MISUSE", { message: shortMessage, details });
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ProtocolError(`invariant broken: ${message}`);
}
