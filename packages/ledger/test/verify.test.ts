import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEVNET_PARAMS, sha256Hex, TOKEN } from "@gradual/protocol";
import Database from "better-sqlite3";
import { createLedgerClient, genesisToJson, SQLITE_FILE_NAME, type VerifyReport } from "../src/index.ts";
import { makeGenesis, makeKeys, signed } from "./support/fixtures.ts";
import { runCli, spawnLedger, tempDir } from "./support/process.ts";

/** `gradual ledger verify` replays the real log, and reports the first mismatch in a tampered copy. */

const CHAIN = "gradual-test";

describe("gradual ledger verify", () => {
  const dir = tempDir("verify");
  const data = join(dir.path, "data");
  let txBlock = 0;
  let head = 0;
  let alice = "";

  before(async () => {
    const keys = makeKeys(["alice", "bob", "carol"]);
    alice = keys.alice.publicKey;
    const genesisFile = join(dir.path, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    const ledger = await spawnLedger(data, { args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"] });
    try {
      const client = createLedgerClient({ url: ledger.url });
      const advance = (count: number) => client.advanceSlots(count, ledger.adminToken as string);
      await advance(3);
      const task = await client.submit(
        signed(keys.alice, CHAIN, 0, {
          kind: "createTask",
          name: "verified",
          bundleHash: sha256Hex("b"),
          metadataHash: null,
          params: { ...DEVNET_PARAMS, warmupRounds: 0 },
          funding: 500n * TOKEN,
        }),
      );
      await client.submit(signed(keys.alice, CHAIN, 1, { kind: "transfer", to: keys.bob.publicKey, amount: 10n }));
      await client.submit(signed(keys.bob, CHAIN, 0, { kind: "transfer", to: keys.bob.publicKey, amount: 1n }));
      await advance(1);
      txBlock = 4;
      await client.submit(
        signed(keys.bob, CHAIN, 1, {
          kind: "stake",
          task: task.hash,
          amount: 20n * TOKEN,
          nodeUrl: "http://bob.test",
        }),
      );
      await client.submit(
        signed(keys.carol, CHAIN, 0, {
          kind: "stake",
          task: task.hash,
          amount: 20n * TOKEN,
          nodeUrl: "http://carol.test",
        }),
      );
      await advance(30);
      head = (await client.getHead()).number;
    } finally {
      await ledger.stop();
    }
  });

  after(() => dir.remove());

  async function verify(dataDir: string): Promise<{ code: number | null; report: VerifyReport }> {
    const result = await runCli(["ledger", "verify", "--data", dataDir, "--json", "--workers", "1"]);
    assert.ok(result.stdout.length > 0, result.stderr);
    return { code: result.code, report: JSON.parse(result.stdout) as VerifyReport };
  }

  /** A copy of the data directory with one SQL statement applied to it. */
  function tampered(name: string, sql: string): string {
    const copy = join(dir.path, name);
    cpSync(data, copy, { recursive: true });
    const db = new Database(join(copy, SQLITE_FILE_NAME));
    assert.equal(db.prepare(sql).run().changes, 1, sql);
    db.close();
    return copy;
  }

  it("replays the whole log and finds every root", async () => {
    const { code, report } = await verify(data);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.equal(report.blocks, head + 1);
    assert.equal(report.transactions, 5);
    assert.equal(report.mismatch, null);
  });

  it("reports a changed transaction at its block", async () => {
    const copy = tampered(
      "tx",
      `UPDATE txs SET tx = replace(tx, '"amount":"10"', '"amount":"11"') WHERE id = ${txBlock * 2 ** 20 + 1}`,
    );
    const { code, report } = await verify(copy);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.equal(report.mismatch?.block, txBlock);
    assert.equal(report.mismatch?.field, "signature");
    assert.equal(report.blocks, txBlock);
  });

  it("reports a changed state root, result, hash link or missing block at the first block concerned", async () => {
    const cases: [string, string, number, string][] = [
      ["root", `UPDATE blocks SET state_root = '${"ab".repeat(32)}' WHERE number = 9`, 9, "stateRoot"],
      ["result", `UPDATE txs SET result = '{"ok":true}' WHERE id = ${txBlock * 2 ** 20 + 2}`, txBlock, "result"],
      ["prev", "UPDATE blocks SET prev_hash = hash WHERE number = 12", 12, "prevHash"],
      ["gap", "DELETE FROM blocks WHERE number = 20", 20, "number"],
    ];
    for (const [name, sql, block, field] of cases) {
      const copy = tampered(name, sql);
      const { code, report } = await verify(copy);
      assert.equal(code, 1, name);
      assert.equal(report.mismatch?.field, field, `${name}: ${report.mismatch?.message}`);
      assert.equal(report.mismatch?.block, block, name);
    }
  });

  it("refuses to start a ledger whose stored state does not match its last block", async () => {
    const copy = tampered(
      "state",
      `UPDATE state SET value = replace(value, '"nonce":2', '"nonce":7') WHERE key = 'account/${alice}'`,
    );
    const started = await spawnLedger(copy, { args: ["--manual-slots"] }).then(
      async (ledger) => {
        await ledger.kill();
        return "started";
      },
      (error: Error) => error.message,
    );
    assert.match(started, /does not match block \d+'s stateRoot/);
    assert.match(started, /\(2\)/);
  });
});
