import { GradualError, type RegisteredCode } from "@gradual/protocol";
import { Command, CommanderError } from "commander";
import { helpAsOption, resolveCommand, wantsJson } from "./commandLine.ts";
import { registerCommands } from "./commands/index.ts";
import { CliError, printError } from "./output.ts";

/** Commander's own usage errors, under the CLI's stable codes (docs/errors.md). */
const USAGE_CODES: Readonly<Record<string, RegisteredCode>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, RegisteredCode>, {
    "commander.unknownCommand": "CLI__UNKNOWN_COMMAND",
    "commander.unknownOption": "CLI__UNKNOWN_OPTION",
    "commander.missingMandatoryOptionValue": "CLI__MISSING_OPTION",
    "commander.optionMissingArgument": "CLI__BAD_OPTION",
    "commander.invalidArgument": "CLI__BAD_OPTION",
    "commander.conflictingOption": "CLI__BAD_OPTION",
    "commander.missingArgument": "CLI__MISSING_ARGUMENT",
    "commander.excessArguments": "CLI__BAD_INPUT",
  }),
);

const program = new Command()
  .name("gradual")
  .description("Gradual Consensus: ledger, nodes, tasks, simulator and tools")
  .version("0.1.0")
  // Usage errors are printed below with their code, one line and a hint, not with the whole help.
  .configureOutput({ outputError: () => {} })
  // Options belong to the command they follow (so `gradual node status --task` is not read as `gradual node --task`).
  .enablePositionalOptions()
  .exitOverride();

await registerCommands(program, process.argv.slice(2));
const args = helpAsOption(program, process.argv.slice(2));

const { command, path } = resolveCommand(program, args);
// A command that takes --json, given it, reports its failure as JSON on stdout too (printError).
const json = command.options.some((option) => option.long === "--json") && wantsJson(args);

try {
  await program.parseAsync(args, { from: "user" });
} catch (error) {
  if (error instanceof CommanderError) {
    const code = Object.hasOwn(USAGE_CODES, error.code) ? USAGE_CODES[error.code] : undefined;
    if (code !== undefined) {
      printError({ code, message: error.message.replace(/^error: /, ""), hint: `see \`${path} --help\`` }, json);
    }
    process.exit(error.exitCode);
  }
  // Any failure with a registered code (a CliError, or a package's own: BundleError, LedgerError, ...).
  if (error instanceof GradualError) {
    const jsonDetails = error instanceof CliError ? error.jsonDetails : undefined;
    printError(
      { code: error.code, message: error.message, ...(jsonDetails === undefined ? {} : { jsonDetails }) },
      json,
    );
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
  throw error;
}
