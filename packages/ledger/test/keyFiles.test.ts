import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateKeyPair, keyFileType, loadKeyFile, saveKeyFile } from "../src/keys.ts";
import { tempDir } from "./support/process.ts";

/** ed25519 key files carry "type": "ed25519"; files without a type still load; another type is never read as a seed. */
describe("ed25519 key files and their type", () => {
  const dir = tempDir("key-files");
  after(() => dir.remove());

  it("writes the type, and reads it back", () => {
    const path = join(dir.path, "typed.json");
    const keyPair = generateKeyPair();
    saveKeyFile(path, keyPair);
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    assert.equal(parsed.type, "ed25519");
    assert.equal(keyFileType(parsed), "ed25519");
    assert.equal(loadKeyFile(path).publicKey, keyPair.publicKey);
  });

  it("loads a file written before key types existed", () => {
    const path = join(dir.path, "legacy.json");
    const { publicKey, secretKey } = generateKeyPair();
    writeFileSync(path, JSON.stringify({ publicKey, secretKey }));
    assert.equal(keyFileType(JSON.parse(readFileSync(path, "utf8"))), "ed25519");
    assert.equal(loadKeyFile(path).publicKey, publicKey);
  });

  it("refuses a key of another type even when it has a 64-hex secret", () => {
    const path = join(dir.path, "evm.json");
    writeFileSync(
      path,
      JSON.stringify({ type: "evm", secretKey: "11".repeat(32), privateKey: `0x${"11".repeat(32)}` }),
    );
    assert.equal(keyFileType(JSON.parse(readFileSync(path, "utf8"))), "evm");
    assert.throws(() => loadKeyFile(path), /expected an ed25519 key file, got a key of type evm/);
  });
});
