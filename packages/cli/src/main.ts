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

/** bundleTask's BundleError (@gradual/node), recognised without loading the node package into every command. */
function isBundleError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error && error.name === "BundleError" && typeof (error as { code?: unknown }).code === "string"
  );
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError || isBundleError(error)) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
  throw error;
}
