/** A failure the user can act on: printed as `error[CODE]: message` with a non-zero exit, never as a stack trace. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 1) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** JSON with bigints as decimal strings, for `--json` output that scripts read. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? raw.toString() : raw), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}
