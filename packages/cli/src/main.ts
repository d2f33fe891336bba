import { GradualError } from "@gradual/protocol";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.ts";
import { CliError } from "./output.ts";

const program = new Command()
  .name("gradual")
  .description("Gradual Consensus: ledger, nodes, tasks, simulator and tools")
  .version("0.1.0")
  .showHelpAfterError()
  // Options belong to the command they follow (so `gradual node status --task` is not read as `gradual node --task`).
  .enablePositionalOptions()
  .exitOverride();

await registerCommands(program, process.argv.slice(2));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // Any failure with a registered code (a CliError, or a package's own: BundleError, LedgerError, ...).
  if (error instanceof GradualError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
  throw error;
}
