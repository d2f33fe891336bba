import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { CliError } from "./output.ts";

/**
 * Task variables: values a node operator gives a task (API keys, a crawler's user agent), Koii's `TASK_VARIABLES`.
 * They come from `--task-var NAME=value` (repeatable) and `--task-var-file FILE` (Koii's `.env` convention); a flag
 * overrides the file. Processes a command starts get them through a file readable only by the user, never on their
 * command line, where `ps` would show a secret to every user of the machine.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type TaskVarFlags = { readonly taskVar?: readonly string[]; readonly taskVarFile?: string | undefined };

/** `NAME=value` entries, as given to `--task-var`. */
export function parseTaskVars(entries: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const name = at < 0 ? entry : entry.slice(0, at);
    if (at < 1 || !NAME.test(name)) {
      throw new CliError("CLI__BAD_INPUT", `--task-var: expected NAME=value, got ${JSON.stringify(entry)}`);
    }
    vars[name] = entry.slice(at + 1);
  }
  return vars;
}

/**
 * A `.env` file: `NAME=value` lines, optionally prefixed by `export `; blank lines and lines starting with `#` are
 * skipped; a value in double quotes may hold `\n`, `\"` and `\\` escapes, one in single quotes is taken as written,
 * an unquoted one is trimmed and ends at ` #` (a comment). Anything else is an error naming the line.
 */
export function parseTaskVarText(text: string, source: string): Record<string, string> {
  const vars: Record<string, string> = Object.create(null);
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const body = line.startsWith("export ") ? line.slice("export ".length).trimStart() : line;
    const at = body.indexOf("=");
    const name = at < 0 ? body : body.slice(0, at).trim();
    if (at < 1 || !NAME.test(name)) {
      throw new CliError("CLI__BAD_INPUT", `${source}:${index + 1}: expected NAME=value, got ${JSON.stringify(raw)}`);
    }
    vars[name] = parseValue(body.slice(at + 1).trim(), `${source}:${index + 1}`);
  });
  return vars;
}

function parseValue(value: string, where: string): string {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.lastIndexOf(quote);
    if (
      end === 0 ||
      value
        .slice(end + 1)
        .trim()
        .replace(/^#.*/, "") !== ""
    ) {
      throw new CliError("CLI__BAD_INPUT", `${where}: unterminated ${quote === '"' ? "double" : "single"} quote`);
    }
    const inner = value.slice(1, end);
    if (quote === "'") return inner;
    return inner.replace(/\\([n"\\])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
  }
  const comment = value.search(/\s#/);
  return (comment < 0 ? value : value.slice(0, comment)).trim();
}

export function readTaskVarFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError("CLI__BAD_INPUT", `--task-var-file: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseTaskVarText(text, path);
}

/** The variables of a command's flags: the file's, then each `--task-var` over them. */
export function taskVarsOf(flags: TaskVarFlags): Record<string, string> {
  const fromFile = flags.taskVarFile === undefined ? {} : readTaskVarFile(flags.taskVarFile);
  return Object.assign(Object.create(null), fromFile, parseTaskVars(flags.taskVar ?? []));
}

/** Writes variables as a `.env` file only its owner can read (for the processes a command starts). */
export function writeTaskVarFile(path: string, vars: Readonly<Record<string, string>>): void {
  const lines = Object.entries(vars).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** commander's collector for repeatable options. */
export const collectTaskVar = (value: string, all: string[]): string[] => [...all, value];
