import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateEvmKey, saveEvmKeyFile } from "@gradual/evm/keys";
import { generateKeyPair, saveKeyFile } from "@gradual/ledger/client";
import { accountOfKeyFile } from "../src/commands/keys.ts";

/** Read-only commands (`node status --key`) name the node by either kind of key file; a bad file keeps its code. */
test("accountOfKeyFile: an ed25519 key's public key, an EVM key's account id", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gradual-keys-"));
  try {
    const ed = generateKeyPair();
    saveKeyFile(join(dir, "ed.json"), ed);
    assert.equal(await accountOfKeyFile(join(dir, "ed.json")), ed.publicKey);
    const evm = generateEvmKey();
    saveEvmKeyFile(join(dir, "evm.json"), evm);
    const account = await accountOfKeyFile(join(dir, "evm.json"));
    assert.equal(account, evm.accountId);
    assert.equal(account, `${"0".repeat(24)}${evm.address.slice(2).toLowerCase()}`);
    writeFileSync(join(dir, "bad.json"), "{}");
    await assert.rejects(accountOfKeyFile(join(dir, "bad.json")), { code: "KEYS__BAD_FILE" });
    await assert.rejects(accountOfKeyFile(join(dir, "none.json")), { code: "KEYS__NO_FILE" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
