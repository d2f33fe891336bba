import { formatTokenAmount, GradualError, parseTokenAmount, type RegisteredCode } from "@gradual/protocol";

/**
 * A failure the user can act on: printed as `error[CODE]: message` with a non-zero exit, never as a stack trace.
 * Its code is the CLI's own (CLI_ERROR_CODES) or the registered code of the failure it reports.
 */
export class CliError extends GradualError {
  override readonly name = "CliError";
  readonly exitCode: number;
  /**
   * What a --json run prints beside its `error` (the ledger's answer to a refused transaction, a test run's report),
   * in the one object: a script reads the outcome and the error from the same output.
   */
  readonly jsonDetails: Readonly<Record<string, unknown>> | undefined;
  constructor(code: RegisteredCode, message: string, exitCode = 1, jsonDetails?: Readonly<Record<string, unknown>>) {
    super(code, { message });
    this.exitCode = exitCode;
    this.jsonDetails = jsonDetails;
  }
}

/** A failure as the CLI reports it: its code and message, what to do next, and (under --json) what goes with it. */
export type ErrorReport = {
  readonly code: string;
  readonly message: string;
  /** One line telling what to do next (`see \`gradual node status --help\``). */
  readonly hint?: string;
  readonly jsonDetails?: Readonly<Record<string, unknown>>;
};

/**
 * The one place a command's failure is printed. As text on stderr: `error[CODE]: message`, then `(hint)`. Under
 * --json, one JSON object on stdout, where a script reads the command's answer: `{ "error": { code, message, hint? } }`
 * with what goes with the error beside it (the exit code is the same either way).
 */
export function printError(report: ErrorReport, json: boolean): void {
  const { code, message, hint, jsonDetails } = report;
  if (json) {
    printJson({ ...jsonDetails, error: { code, message, ...(hint === undefined ? {} : { hint }) } });
    return;
  }
  process.stderr.write(`error[${code}]: ${message}\n`);
  if (hint !== undefined) process.stderr.write(`(${hint})\n`);
}

/** A whole-number option in `minimum..maximum`, or CLI__BAD_INPUT naming the flag and what it got. */
export function integerOption(flag: string, raw: string, minimum: number, maximum: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < minimum || value > maximum) {
    throw new CliError(
      "CLI__BAD_INPUT",
      `${flag}: expected an integer in ${minimum}..${maximum}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A positive token amount (`--amount 1.5`) in base units, or CLI__BAD_INPUT naming the flag. */
export function positiveTokenOption(flag: string, raw: string): bigint {
  let amount: bigint;
  try {
    amount = parseTokenAmount(raw);
  } catch (error) {
    throw new CliError("CLI__BAD_INPUT", `${flag}: ${(error as Error).message}`);
  }
  if (amount === 0n) throw new CliError("CLI__BAD_INPUT", `${flag}: expected more than 0`);
  return amount;
}

/** JSON with bigints as decimal strings, for `--json` output that scripts read. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => (typeof raw === "bigint" ? raw.toString() : raw), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}

/**
 * A refusal's message for a person: the protocol's message plus the figures from its context that tell what to do
 * (the minimum stake, the balance and what was needed), in tokens.
 */
export function describeRefusal(code: string, message: string, context: Readonly<Record<string, unknown>>): string {
  const tokens = (value: unknown) => {
    try {
      return formatTokenAmount(BigInt(value as string), { unit: true });
    } catch {
      return String(value);
    }
  };
  if (code === "STAKE__BELOW_MINIMUM")
    return `${message}: the stake would be ${tokens(context.stake)}, the task's minimum is ${tokens(context.minimumStake)}`;
  if (code === "ACCOUNT__INSUFFICIENT_BALANCE")
    return `${message}: balance ${tokens(context.balance)}, needed ${tokens(context.needed)}`;
  if (code === "WITHDRAW__STILL_BONDED" || code === "WITHDRAW__STILL_CHALLENGEABLE")
    return `${message}: withdraw from round ${String(context.untilRound)} on (now round ${String(context.round)})`;
  if (code === "CLAIM__NOTHING_CLAIMABLE")
    return `${message} (a running node claims what unlocks by itself unless started with --no-auto-claim: gradual node status shows what it claimed)`;
  return message;
}

/**
 * The error for a refused transaction: its rejection code, and what describeRefusal makes of its message. `answer` is
 * the ledger's answer (hash, block, result), printed with the error under --json.
 */
export function refusalError(
  refusal: {
    readonly code: string;
    readonly message: string;
    readonly context: Readonly<Record<string, unknown>>;
  },
  answer?: Readonly<Record<string, unknown>>,
): CliError {
  // A rejection code of the protocol (ERROR_CODES), as the ledger sent it; a newer ledger may send one this build lacks.
  const code = refusal.code as RegisteredCode;
  return new CliError(code, describeRefusal(refusal.code, refusal.message, refusal.context), 1, answer);
}
