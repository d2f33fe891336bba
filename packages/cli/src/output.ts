import { formatTokenAmount } from "@gradual/protocol";

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
  return message;
}
