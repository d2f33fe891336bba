import type { Command } from "commander";

/**
 * What the command line names, read against the registered commands before commander parses it: the command it
 * runs (for the hint after a usage error, and whether that command takes --json), and `help` rewritten as --help.
 */

function subcommand(command: Command, name: string): Command | undefined {
  return command.commands.find((next) => next.name() === name || next.aliases().includes(name));
}

/** The command the arguments name (`gradual node status ...` names `node status`) and its full name. */
export function resolveCommand(root: Command, args: readonly string[]): { command: Command; path: string } {
  const names = [root.name()];
  let current = root;
  for (const arg of args) {
    if (arg === "--") break;
    if (arg.startsWith("-")) continue;
    const next = subcommand(current, arg);
    if (next === undefined) break;
    names.push(next.name());
    current = next;
  }
  return { command: current, path: names.join(" ") };
}

/**
 * `gradual help [command...]` (and `gradual koii help devnet`, at any level) as `gradual [command...] --help`, which
 * prints that command's help on stdout and exits 0. Commander's own help command reads one name only (`help koii
 * devnet` showed koii's help), and given an option (`help --help`) or a name it does not know it printed the help on
 * stderr and exited 1. A name that is no command is kept without --help, so that commander reports it as an unknown
 * command (with its suggestion) rather than printing some parent's help.
 */
export function helpAsOption(root: Command, args: readonly string[]): string[] {
  let current = root;
  for (const [index, arg] of args.entries()) {
    if (arg === "--") break;
    if (arg.startsWith("-")) continue;
    // Commander's implicit help command exists on a command with subcommands, unless one of them is called help.
    if (arg === "help" && current.commands.length > 0 && subcommand(current, "help") === undefined) {
      const before = args.slice(0, index);
      const names: string[] = [];
      let target = current;
      for (const name of args.slice(index + 1).filter((rest) => !rest.startsWith("-"))) {
        if (target.commands.length === 0) break; // past a command without subcommands: its arguments
        if (name === "help") break; // `help help`: the help of the command help is on
        const next = subcommand(target, name);
        if (next === undefined) return [...before, ...names, name]; // commander says: unknown command
        names.push(name);
        target = next;
      }
      return [...before, ...names, "--help"];
    }
    const next = subcommand(current, arg);
    if (next === undefined) break;
    current = next;
  }
  return [...args];
}

/** Whether the arguments ask for JSON output (`--json` before any `--`). */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}
