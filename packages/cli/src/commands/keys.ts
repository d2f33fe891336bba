import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { generateKeyPair, loadKeyFile, saveKeyFile } from "@gradual/ledger/client";
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

/** Where `gradual keys new NAME` writes: ~/.gradual/keys/NAME.json ($GRADUAL_HOME replaces ~/.gradual). */
function defaultKeyPath(name: string): string {
  return join(process.env.GRADUAL_HOME ?? join(homedir(), ".gradual"), "keys", `${name}.json`);
}

export function register(program: Command): void {
  const keys = program.command("keys").description("ed25519 key files: { publicKey, secretKey } as hex JSON");

  keys
    .command("new")
    .description("Create a key pair and write it to a new file (mode 600; never overwrites)")
    .argument("[name]", "key name: the file is ~/.gradual/keys/<name>.json", "node")
    .option("--out <file>", "write the key file here instead of ~/.gradual/keys/<name>.json")
    .option("--json", "print { publicKey, file } as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  gradual keys new                 # ~/.gradual/keys/node.json\n  gradual keys new alice           # ~/.gradual/keys/alice.json\n  gradual keys new --out node.json",
    )
    .action((name: string, options: { out?: string; json?: boolean }) => {
      if (!/^[A-Za-z0-9._-]+$/.test(name))
        throw new CliError(
          "CLI__BAD_INPUT",
          `key name: expected letters, digits, . _ or -, got ${JSON.stringify(name)}`,
        );
      const out = options.out ?? defaultKeyPath(name);
      if (existsSync(out)) throw new CliError("KEYS__EXISTS", `${out} exists; refusing to overwrite a key`);
      const keyPair = generateKeyPair();
      try {
        mkdirSync(dirname(resolve(out)), { recursive: true, mode: 0o700 });
        saveKeyFile(out, keyPair);
      } catch (error) {
        throw new CliError("KEYS__WRITE_FAILED", `cannot write ${out}: ${(error as Error).message}`);
      }
      if (options.json) printJson({ publicKey: keyPair.publicKey, file: out });
      else process.stdout.write(`${keyPair.publicKey}\nwritten to ${out}\n`);
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
