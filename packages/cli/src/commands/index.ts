import type { Command } from "commander";

/**
 * Every command lives in its own file under commands/ and exports `register(program)`. Add new commands here.
 */
export function registerCommands(program: Command): void {
  void program;
}
