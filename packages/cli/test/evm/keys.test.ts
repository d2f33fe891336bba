import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { evmKeyFromPrivateKey, loadEvmKeyFile } from "@gradual/evm/keys";
import { loadKeyFile } from "@gradual/ledger/client";
import { makeTempDir, removeDir, runGradual } from "../e2e/support.ts";

/** `gradual keys new --type evm` and `keys show` through the compiled CLI, as a process. */
describe("gradual keys with EVM keys", () => {
  const dir = makeTempDir("evm-keys");
  after(() => removeDir(dir));
  const run = (args: readonly string[]) => runGradual(args, 60_000);

  test("keys new --type evm writes a typed key file (mode 600) and prints its address and account id", async () => {
    const file = join(dir, "deployer.json");
    const created = await run(["keys", "new", "--type", "evm", "--out", file, "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const printed = JSON.parse(created.stdout) as { type: string; address: string; accountId: string; file: string };
    assert.equal(printed.type, "evm");
    assert.equal(printed.file, file);
    assert.match(printed.address, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(printed.accountId, `${"0".repeat(24)}${printed.address.slice(2).toLowerCase()}`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, "utf8")) as { type: string; privateKey: `0x${string}` };
    assert.equal(stored.type, "evm");
    assert.equal(evmKeyFromPrivateKey(stored.privateKey).address, printed.address, "the address is the key's");
    assert.equal(loadEvmKeyFile(file).accountId, printed.accountId);
    assert.doesNotMatch(created.stdout, new RegExp(stored.privateKey.slice(2)), "the secret is never printed");

    const again = await run(["keys", "new", "--type", "evm", "--out", file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error\[KEYS__EXISTS\]/);
  });

  test("keys show prints either type's public part, as text and --json", async () => {
    const evmFile = join(dir, "evm.json");
    const edFile = join(dir, "node.json");
    const evm = JSON.parse((await run(["keys", "new", "--type", "evm", "--out", evmFile, "--json"])).stdout) as {
      address: string;
      accountId: string;
    };
    const text = await run(["keys", "new", "--out", edFile]);
    assert.equal(text.code, 0, text.stderr);
    const publicKey = loadKeyFile(edFile).publicKey;
    assert.equal(text.stdout.split("\n")[0], publicKey, "ed25519 output unchanged: the public key first");
    assert.equal((JSON.parse(readFileSync(edFile, "utf8")) as { type: string }).type, "ed25519");

    const shownEvm = await run(["keys", "show", evmFile]);
    assert.equal(shownEvm.code, 0, shownEvm.stderr);
    assert.match(shownEvm.stdout, new RegExp(`address +${evm.address}`));
    assert.match(shownEvm.stdout, new RegExp(`account id +${evm.accountId}`));
    const shownEvmJson = JSON.parse((await run(["keys", "show", evmFile, "--json"])).stdout) as object;
    assert.deepEqual(shownEvmJson, { type: "evm", address: evm.address, accountId: evm.accountId, file: evmFile });
    const shownEd = JSON.parse((await run(["keys", "show", edFile, "--json"])).stdout) as object;
    assert.deepEqual(shownEd, { type: "ed25519", publicKey, file: edFile });
  });

  test("an ed25519 key file without a type (written before EVM keys) still loads as ed25519", async () => {
    const edFile = join(dir, "typed.json");
    await run(["keys", "new", "--out", edFile]);
    const { publicKey, secretKey } = JSON.parse(readFileSync(edFile, "utf8")) as Record<string, string>;
    const legacy = join(dir, "legacy.json");
    writeFileSync(legacy, JSON.stringify({ publicKey, secretKey }), { mode: 0o600 });
    const shown = JSON.parse((await run(["keys", "show", legacy, "--json"])).stdout) as object;
    assert.deepEqual(shown, { type: "ed25519", publicKey, file: legacy });
  });

  test("a command that signs ledger transactions refuses an EVM key by its code", async () => {
    const evmFile = join(dir, "evm-for-node.json");
    await run(["keys", "new", "--type", "evm", "--out", evmFile]);
    // A node on the gradual ledger signs with ed25519; an EVM key runs with --settlement evm only.
    const args = ["--key", evmFile, "--task", "0".repeat(64), "--ledger", "http://127.0.0.1:9"];
    const refused = await run(["node", ...args, "--data", join(dir, "node-data")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error\[KEYS__NOT_ED25519\]/);
    // A transfer with an EVM key is a contract call: without --rpc and --contract it says what is missing.
    const transfer = await run([
      "transfer",
      "--key",
      evmFile,
      "--to",
      "0".repeat(64),
      "--amount",
      "1",
      "--ledger",
      "http://127.0.0.1:9",
    ]);
    assert.equal(transfer.code, 1);
    assert.match(
      transfer.stderr,
      /error\[CLI__BAD_OPTION\]: .* is an EVM key: .*give --rpc URL and --contract ADDRESS/,
    );
  });

  test("--help describes both types", async () => {
    const help = await run(["keys", "new", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--type <type>/);
    assert.match(help.stdout, /account id/);
  });
});
