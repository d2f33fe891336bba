/**
 * Runs the `koii` command alone (node --conditions=source --import tsx koiiCommand.ts koii ...), for tests that need its real stdout and
 * exit code while the command is not yet registered in the `gradual` executable.
 */
import { Command, CommanderError } from "commander";
import { register } from "../../src/commands/koii.ts";
import { CliError } from "../../src/output.ts";

const program = new Command().name("gradual").exitOverride();
register(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  throw error;
}
