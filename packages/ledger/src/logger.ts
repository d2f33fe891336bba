/** The ledger's narrow logging interface (injected; the CLI writes to stderr, tests pass a silent one). */
export type Logger = {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** One line per message on stderr: `ledger level: message {fields}`. */
export function createStderrLogger(minimum: "info" | "warn" | "error" = "info"): Logger {
  return createLineLogger((line) => process.stderr.write(line), minimum);
}

/** One line per message, `ledger level: message {fields}\n`, handed to `write` (a file, a terminal). */
export function createLineLogger(write: (line: string) => void, minimum: "info" | "warn" | "error" = "info"): Logger {
  const order = { info: 0, warn: 1, error: 2 } as const;
  const line = (level: keyof typeof order) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    if (order[level] < order[minimum]) return;
    const suffix =
      fields === undefined
        ? ""
        : ` ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
    write(`ledger ${level}: ${message}${suffix}\n`);
  };
  return { info: line("info"), warn: line("warn"), error: line("error") };
}
