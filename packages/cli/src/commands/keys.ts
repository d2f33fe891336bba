import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { EvmKey } from "@gradual/evm/keys";
import { generateKeyPair, type KeyPair, keyFileType, loadKeyFile, saveKeyFile } from "@gradual/ledger/client";
import { type Command, Option } from "commander";
import { CliError, printJson } from "../output.ts";

/** The kinds of key file: ed25519 signs gradual ledger transactions, evm (secp256k1) signs EVM transactions. */
const KEY_TYPES = ["ed25519", "evm"] as const;
type KeyType = (typeof KEY_TYPES)[number];

/** A key file's type, read before anything else so that a command never takes one kind of key for the other. */
export function readKeyType(path: string): KeyType {
  if (!existsSync(path)) throw new CliError("KEYS__NO_FILE", `no key file at ${path}`);
  let type: string;
  try {
    type = keyFileType(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    throw new CliError("KEYS__BAD_FILE", `${path} is not a gradual key file: ${(error as Error).message}`);
  }
  if (type !== "ed25519" && type !== "evm")
    throw new CliError("KEYS__BAD_FILE", `${path} is not a gradual key file: unknown key type ${type}`);
  return type;
}

/** An ed25519 key file (what every gradual ledger command signs with); an EVM key is refused by its code. */
function loadKeyOrFail(path: string): KeyPair {
  const type = readKeyType(path);
  if (type !== "ed25519")
    throw new CliError(
      "KEYS__NOT_ED25519",
      `${path} holds an ${type} key; this command signs gradual ledger transactions and needs an ed25519 key (gradual keys new)`,
    );
  try {
    return loadKeyFile(path);
  } catch (error) {
    throw new CliError("KEYS__BAD_FILE", `${path} is not a gradual key file: ${(error as Error).message}`);
  }
}

/** An EVM key file (what deploy and the token commands sign with); an ed25519 key is refused by its code. */
async function loadEvmKeyOrFail(path: string): Promise<EvmKey> {
  const type = readKeyType(path);
  if (type !== "evm")
    throw new CliError(
      "KEYS__NOT_EVM",
      `${path} holds an ${type} key; this command sends EVM transactions and needs an EVM key (gradual keys new --type evm)`,
    );
  const { loadEvmKeyFile } = await import("@gradual/evm/keys");
  try {
    return loadEvmKeyFile(path);
  } catch (error) {
    throw new CliError("KEYS__BAD_FILE", `${path} is not a gradual key file: ${(error as Error).message}`);
  }
}

/**
 * The account a key file stands for, for commands that only read: an ed25519 key's public key, an EVM key's account
 * id (its address, left-padded: what the contract and the indexer call the account).
 */
async function accountOfKeyFile(path: string): Promise<string> {
  return readKeyType(path) === "evm" ? (await loadEvmKeyOrFail(path)).accountId : loadKeyOrFail(path).publicKey;
}

/** Where `gradual keys new NAME` writes: ~/.gradual/keys/NAME.json ($GRADUAL_HOME replaces ~/.gradual). */
function defaultKeyPath(name: string): string {
  return join(process.env.GRADUAL_HOME ?? join(homedir(), ".gradual"), "keys", `${name}.json`);
}

/** What `keys new` and `keys show` print of a key: its public part, never the secret. */
type ShownKey =
  | { readonly type: "ed25519"; readonly publicKey: string; readonly file: string }
  | { readonly type: "evm"; readonly address: string; readonly accountId: string; readonly file: string };

function printKey(key: ShownKey, json: boolean, written: boolean): void {
  if (json) {
    printJson(key);
    return;
  }
  const lines =
    key.type === "ed25519" ? [key.publicKey] : [`address     ${key.address}`, `account id  ${key.accountId}`];
  if (written) lines.push(`written to ${key.file}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function createKey(type: KeyType, out: string): Promise<ShownKey> {
  if (existsSync(out)) throw new CliError("KEYS__EXISTS", `${out} exists; refusing to overwrite a key`);
  const write = (save: () => void) => {
    try {
      mkdirSync(dirname(resolve(out)), { recursive: true, mode: 0o700 });
      save();
    } catch (error) {
      throw new CliError("KEYS__WRITE_FAILED", `cannot write ${out}: ${(error as Error).message}`);
    }
  };
  if (type === "ed25519") {
    const keyPair = generateKeyPair();
    write(() => saveKeyFile(out, keyPair));
    return { type, publicKey: keyPair.publicKey, file: out };
  }
  const { generateEvmKey, saveEvmKeyFile } = await import("@gradual/evm/keys");
  const key = generateEvmKey();
  write(() => saveEvmKeyFile(out, key));
  return { type, address: key.address, accountId: key.accountId, file: out };
}

export function register(program: Command): void {
  const keys = program
    .command("keys")
    .description(
      "Key files (JSON, mode 600): ed25519 { type, publicKey, secretKey } for the gradual ledger, evm { type, address, accountId, privateKey } for EVM chains",
    );

  keys
    .command("new")
    .description("Create a key and write it to a new file (mode 600; never overwrites)")
    .argument("[name]", "key name: the file is ~/.gradual/keys/<name>.json (default: node, or evm with --type evm)")
    .addOption(new Option("--type <type>", "key type").choices(KEY_TYPES).default("ed25519"))
    .option("--out <file>", "write the key file here instead of ~/.gradual/keys/<name>.json")
    .option("--json", "print { type, publicKey, file } (ed25519) or { type, address, accountId, file } (evm) as JSON")
    .addHelpText(
      "after",
      [
        "",
        "An EVM key prints its address and its account id: the address left-padded to 32 bytes, 64 hex characters,",
        "which is how the protocol names an EVM account.",
        "",
        "Examples:",
        "  gradual keys new                          # ~/.gradual/keys/node.json (ed25519)",
        "  gradual keys new alice                    # ~/.gradual/keys/alice.json",
        "  gradual keys new --out node.json",
        "  gradual keys new --type evm               # ~/.gradual/keys/evm.json (secp256k1)",
        "  gradual keys new deployer --type evm --json",
      ].join("\n"),
    )
    .action(async (name: string | undefined, options: { type: KeyType; out?: string; json?: boolean }) => {
      const keyName = name ?? (options.type === "evm" ? "evm" : "node");
      if (!/^[A-Za-z0-9._-]+$/.test(keyName))
        throw new CliError(
          "CLI__BAD_INPUT",
          `key name: expected letters, digits, . _ or -, got ${JSON.stringify(keyName)}`,
        );
      const key = await createKey(options.type, options.out ?? defaultKeyPath(keyName));
      printKey(key, options.json === true, true);
    });

  keys
    .command("show")
    .description(
      "Print a key file's public part (ed25519: the public key; evm: the address and account id); never the secret",
    )
    .argument("<file>", "key file")
    .option("--json", "print { type, publicKey, file } (ed25519) or { type, address, accountId, file } (evm) as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  gradual keys show ~/.gradual/keys/alice.json\n  gradual keys show ~/.gradual/keys/evm.json --json",
    )
    .action(async (file: string, options: { json?: boolean }) => {
      if (readKeyType(file) === "evm") {
        const key = await loadEvmKeyOrFail(file);
        printKey({ type: "evm", address: key.address, accountId: key.accountId, file }, options.json === true, false);
      } else {
        const keyPair = loadKeyOrFail(file);
        printKey({ type: "ed25519", publicKey: keyPair.publicKey, file }, options.json === true, false);
      }
    });
}

export { accountOfKeyFile, loadEvmKeyOrFail, loadKeyOrFail };
