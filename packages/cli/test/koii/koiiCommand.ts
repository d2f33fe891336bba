/**
 * Runs the `koii` command alone from its sources (node --conditions=source --import tsx koiiCommand.ts koii ...), for
 * tests that need its real stdout and exit code without building the `gradual` executable. Errors print as main.ts
 * prints them.
 */
import { GradualError } from "@gradual/protocol";
import { Command, CommanderError } from "commander";
import { register } from "../../src/commands/koii.ts";
import { CliError } from "../../src/output.ts";

const program = new Command().name("gradual").exitOverride();
register(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof GradualError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
  throw error;
}
