import { existsSync } from "node:fs";
import { generateKeyPair, loadKeyFile, saveKeyFile } from "@gradual/ledger";
import type { Command } from "commander";
import { CliError, printJson } from "../output.ts";

function loadKeyOrFail(path: string) {
  if (!existsSync(path)) throw new CliError("KEYS__NO_FILE", `no key file at ${path}`);
  try {
    return loadKeyFile(path);
  } catch (error) {
    throw new CliError("KEYS__BAD_FILE", `${path} is not a gradual key file: ${(error as Error).message}`);
  }
}

export function register(program: Command): void {
  const keys = program.command("keys").description("ed25519 key files: { publicKey, secretKey } as hex JSON");

  keys
    .command("new")
    .description("Create a key pair and write it to a new file (mode 600; never overwrites)")
    .requiredOption("--out <file>", "where to write the key file")
    .option("--json", "print { publicKey, file } as JSON")
    .addHelpText("after", "\nExample:\n  gradual keys new --out ~/.gradual/alice.json")
    .action((options: { out: string; json?: boolean }) => {
      if (existsSync(options.out))
        throw new CliError("KEYS__EXISTS", `${options.out} exists; refusing to overwrite a key`);
      const keyPair = generateKeyPair();
      try {
        saveKeyFile(options.out, keyPair);
      } catch (error) {
        throw new CliError("KEYS__WRITE_FAILED", `cannot write ${options.out}: ${(error as Error).message}`);
      }
      if (options.json) printJson({ publicKey: keyPair.publicKey, file: options.out });
      else process.stdout.write(`${keyPair.publicKey}\n`);
    });

  keys
    .command("show")
    .description("Print a key file's public key (the account); never the secret")
    .argument("<file>", "key file")
    .option("--json", "print { publicKey, file } as JSON")
    .addHelpText("after", "\nExample:\n  gradual keys show ~/.gradual/alice.json")
    .action((file: string, options: { json?: boolean }) => {
      const keyPair = loadKeyOrFail(file);
      if (options.json) printJson({ publicKey: keyPair.publicKey, file });
      else process.stdout.write(`${keyPair.publicKey}\n`);
    });
}

export { loadKeyOrFail };
