import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  addressOfAccountId,
  evmAccountId,
  evmKeyFromPrivateKey,
  generateEvmKey,
  loadEvmKeyFile,
  saveEvmKeyFile,
} from "../src/keys.ts";

describe("EVM keys", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradual-evm-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the account id is the address left-padded to 32 bytes, 64 lowercase hex characters", () => {
    // anvil's first dev account: a published key and address.
    const key = evmKeyFromPrivateKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    assert.equal(key.address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert.equal(key.accountId, "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    assert.equal(evmAccountId(key.address), key.accountId);
    assert.equal(addressOfAccountId(key.accountId), key.address);
    assert.equal(addressOfAccountId("ab".repeat(32)), undefined, "an ed25519 account is not an address");
    assert.throws(() => evmAccountId("0x1234" as `0x${string}`), /20-byte/);
  });

  test("a key file (mode 600, never overwritten) loads back to the same account", () => {
    const path = join(dir, "evm.json");
    const key = generateEvmKey();
    saveEvmKeyFile(path, key);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.throws(() => saveEvmKeyFile(path, generateEvmKey()), /EEXIST/);
    const loaded = loadEvmKeyFile(path);
    assert.equal(loaded.address, key.address);
    assert.equal(loaded.account.address, key.address);
    assert.equal(JSON.parse(readFileSync(path, "utf8")).type, "evm");
  });

  test("refuses an ed25519 file and a file whose address is not its key's", () => {
    const ed25519 = join(dir, "ed25519.json");
    writeFileSync(ed25519, JSON.stringify({ type: "ed25519", publicKey: "00".repeat(32), secretKey: "11".repeat(32) }));
    assert.throws(() => loadEvmKeyFile(ed25519), /expected "type": "evm"/);
    const forged = join(dir, "forged.json");
    const key = generateEvmKey();
    const other = generateEvmKey();
    writeFileSync(forged, JSON.stringify({ type: "evm", address: other.address, privateKey: key.privateKey }));
    assert.throws(() => loadEvmKeyFile(forged), /address does not match/);
  });
});
