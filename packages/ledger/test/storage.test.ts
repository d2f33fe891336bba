import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createLedgerClient, genesisToJson, type SubmitResult } from "../src/index.ts";
import { makeGenesis, makeKeys, transfer } from "./support/fixtures.ts";
import { type LedgerProcess, runCli, spawnLedger, tempDir } from "./support/process.ts";

/**
 * A read-only or full data directory: a clear error and a non-zero exit, never a silent loss. Root ignores file
 * modes, so the ledger runs "unprivileged" (support/process.ts): as root without the capabilities that ignore
 * modes (setpriv), which still reads the repository wherever it was cloned (a private mktemp directory, /root).
 */

const CHAIN = "gradual-test";
const asOther = { unprivileged: true };

/** Makes a directory tree unwritable (for anyone the file modes apply to). */
function makeReadOnly(path: string): void {
  for (const entry of readdirSync(path)) chmodSync(join(path, entry), 0o444);
  chmodSync(path, 0o555);
}

describe("ledger process: storage faults", () => {
  const dir = tempDir("storage");
  chmodSync(dir.path, 0o755);
  const keys = makeKeys(["alice", "bob"]);
  const genesisFile = join(dir.path, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
  chmodSync(genesisFile, 0o644);

  after(() => {
    spawnSync("chmod", ["-R", "u+w", dir.path]);
    dir.remove();
  });

  it("refuses to start in a read-only directory, with a clear error", async () => {
    const readonly = join(dir.path, "readonly");
    mkdirSync(readonly, { mode: 0o555 });
    chmodSync(readonly, 0o555);
    const result = await runCli(
      ["ledger", "--data", join(readonly, "data"), "--genesis", genesisFile, "--port", "0", "--no-dashboard"],
      asOther,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error\[LEDGER__STORAGE_FAILURE\]: .*read-only or not writable/);
  });

  it("refuses to start on an existing chain it cannot write, and loses nothing", async () => {
    const data = join(dir.path, "existing");
    const first = await spawnLedger(data, { args: ["--genesis", genesisFile, "--manual-slots"] });
    const client = createLedgerClient({ url: first.url });
    const ack = await client.submit(transfer(keys.alice, CHAIN, 0, keys.bob.publicKey, 5n));
    await first.kill();
    makeReadOnly(data);
    const result = await runCli(["ledger", "--data", data, "--port", "0", "--manual-slots", "--no-dashboard"], asOther);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error\[LEDGER__STORAGE_FAILURE\]: .*(read-only|not writable)/);
    spawnSync("chmod", ["-R", "u+w", data]);
    const again = await spawnLedger(data, { args: ["--manual-slots"] });
    try {
      const status = await createLedgerClient({ url: again.url }).getTx(ack.hash);
      assert.equal(status?.status, "pending");
    } finally {
      await again.stop();
    }
  });

  it("stops with exit 3 when the disk fills up, and every acknowledged transaction survives", async () => {
    const data = join(dir.path, "full");
    const ledger: LedgerProcess = await spawnLedger(data, {
      args: ["--genesis", genesisFile, "--slot-ms", "50", "--max-db-bytes", String(256 * 1024), "--workers", "1"],
    });
    const client = createLedgerClient({ url: ledger.url, timeoutMs: 10_000 });
    const acknowledged: SubmitResult[] = [];
    let nonce = 0;
    let refusal = "";
    for (let round = 0; round < 400 && refusal === ""; round += 1) {
      const batch = Array.from({ length: 50 }, (_, index) =>
        transfer(keys.alice, CHAIN, nonce + index, keys.bob.publicKey, 1n),
      );
      try {
        const { results } = await client.submitBatch(batch);
        for (const result of results) {
          if ("error" in result) {
            refusal = result.error.code;
            break;
          }
          acknowledged.push(result);
          nonce += 1;
        }
      } catch (error) {
        refusal = (error as { code?: string }).code ?? String(error);
      }
    }
    assert.notEqual(refusal, "", "the quota was never reached");
    const exit = await ledger.exited;
    assert.equal(exit.code, 3, ledger.stderr());
    assert.match(ledger.stderr(), /error\[LEDGER__STORAGE_FAILURE\]: cannot .* the disk is full/);
    assert.ok(acknowledged.length > 0);

    const restarted = await spawnLedger(data, { args: ["--slot-ms", "50", "--workers", "1"] });
    try {
      const after = createLedgerClient({ url: restarted.url });
      for (const ack of acknowledged) {
        const status = await after.getTx(ack.hash);
        assert.ok(status !== undefined, `acknowledged ${ack.hash} lost`);
      }
      const last = acknowledged[acknowledged.length - 1] as SubmitResult;
      for (let tries = 0; tries < 200 && (await after.getTx(last.hash))?.status !== "included"; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await after.getTx(last.hash))?.status, "included");
    } finally {
      await restarted.stop();
    }
    const verify = await runCli(["ledger", "verify", "--data", data, "--workers", "1"]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
