import { GradualError } from "@gradual/protocol";

/** Where every deviation and unsupported method is explained. */
const KOII_DOCS = "docs/koii.md";

/**
 * A Koii API that has no meaning on gradual (or is not implemented yet). Thrown, never answered with made-up data,
 * so a task finds out at once and the message says what to do instead.
 */
export class KoiiUnsupportedError extends GradualError<"KOII__UNSUPPORTED"> {
  override readonly name = "KoiiUnsupportedError";
  readonly method: string;
  readonly status: "by-design" | "not-yet";

  constructor(method: string, reason: string, status: "by-design" | "not-yet" = "by-design") {
    const prefix = status === "by-design" ? "has no meaning on gradual" : "is not implemented on gradual yet";
    super("KOII__UNSUPPORTED", { message: `${method} ${prefix}: ${reason} (see ${KOII_DOCS})`, context: { method } });
    this.method = method;
    this.status = status;
  }
}

/** `submission(round)` gave something Koii's task manager would not submit: the node submits nothing this round. */
export class KoiiSubmissionError extends GradualError<"KOII__BAD_SUBMISSION"> {
  override readonly name = "KoiiSubmissionError";
  constructor(message: string) {
    super("KOII__BAD_SUBMISSION", { message });
  }
}

/** A wrapper method called where no task call is running and none ran before (e.g. at module load). */
export class KoiiContextError extends GradualError<"KOII__NO_CONTEXT"> {
  override readonly name = "KoiiContextError";
  constructor(message: string) {
    super("KOII__NO_CONTEXT", { message });
  }
}

/** A storage call that cannot be served: a CID from outside this network, a file the directory lacks. */
export class KoiiStorageError extends GradualError<"KOII__STORAGE"> {
  override readonly name = "KoiiStorageError";
  constructor(message: string) {
    super("KOII__STORAGE", { message });
  }
}
