import assert from "node:assert/strict";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import {
  createLedgerClient,
  genesisToJson,
  HEAD_FILE,
  readHeadFile,
  SQLITE_FILE_NAME,
  type SubmitResult,
} from "../src/index.ts";
import { makeGenesis, makeKeys, transfer } from "./support/fixtures.ts";
import { type LedgerProcess, runCli, spawnLedger, tempDir } from "./support/process.ts";

/**
 * Issue 13, finding 4, with real processes: the chain knows where it was. A database that was deleted, truncated,
 * corrupted or rolled back by a damaged WAL is refused at start (or, if SQLite repairs it, reaches the recorded head
 * with every acknowledged transaction), never silently rolled back; a database deleted while running stops the
 * ledger; and a copy of the files taken right after an acknowledgement (a power loss that kept exactly what was
 * written) holds every acknowledged transaction.
 */

const CHAIN = "gradual-test";
const keys = makeKeys(["alice", "bob"]);
const DB_FILES = [SQLITE_FILE_NAME, `${SQLITE_FILE_NAME}-wal`, `${SQLITE_FILE_NAME}-shm`];

describe("ledger process: the chain knows where it was", () => {
  const dir = tempDir("durability");
  const genesisFile = join(dir.path, "genesis.json");
  /** A chain in `source`: blocks with transactions, then acknowledged pending ones; killed with SIGKILL. */
  const source = join(dir.path, "source");
  const acknowledged: SubmitResult[] = [];
  let recordedHead = 0;

  before(async () => {
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    const ledger = await spawnLedger(source, { args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"] });
    const client = createLedgerClient({ url: ledger.url });
    let nonce = 0;
    for (let block = 0; block < 6; block += 1) {
      for (let index = 0; index < 5; index += 1) {
        acknowledged.push(await client.submit(transfer(keys.alice, CHAIN, nonce, keys.bob.publicKey, 1n)));
        nonce += 1;
      }
      await client.advanceSlots(3, ledger.adminToken as string);
    }
    for (let index = 0; index < 3; index += 1) {
      acknowledged.push(await client.submit(transfer(keys.alice, CHAIN, nonce, keys.bob.publicKey, 1n)));
      nonce += 1;
    }
    recordedHead = (await client.getHead()).number;
    await ledger.kill();
  });

  after(() => dir.remove());

  /** A copy of the killed chain's data directory, then `damage` applied to it. */
  function copyOf(name: string, damage: (data: string) => void): string {
    const data = join(dir.path, name);
    mkdirSync(data);
    for (const file of readdirSync(source)) copyFileSync(join(source, file), join(data, file));
    damage(data);
    return data;
  }

  /**
   * Starts a ledger on `data`. Refused: the exit code and stderr. Started: every acknowledged transaction must be
   * there and the head must reach the recorded one (anything else is a silent rollback, a failure).
   */
  async function startOrRefuse(data: string, args: readonly string[] = []) {
    const started = await spawnLedger(data, { args: ["--manual-slots", "--workers", "1", ...args] }).then(
      (ledger) => ({ ledger, error: "" }),
      (error: Error) => ({ ledger: undefined, error: error.message }),
    );
    if (started.ledger === undefined) return { refused: true, message: started.error };
    try {
      const client = createLedgerClient({ url: started.ledger.url });
      assert.ok((await client.getHead()).number >= recordedHead, "started below the recorded head: a silent rollback");
      for (const ack of acknowledged) {
        assert.ok((await client.getTx(ack.hash)) !== undefined, `acknowledged ${ack.hash} lost`);
      }
      return { refused: false, message: "" };
    } finally {
      await started.ledger.stop();
    }
  }

  it("records the head outside the database", () => {
    const head = readHeadFile(source);
    assert.equal(head?.number, recordedHead);
    assert.equal(head?.chainId, CHAIN);
  });

  it("the untouched copy restarts with every acknowledged transaction", async () => {
    const result = await startOrRefuse(copyOf("intact", () => {}));
    assert.equal(result.refused, false, result.message);
  });

  it("refuses a deleted database, with --genesis and with --devnet, and verify fails", async () => {
    const data = copyOf("deleted", (path) => {
      for (const file of DB_FILES) rmSync(join(path, file), { force: true });
    });
    const withGenesis = await startOrRefuse(data, ["--genesis", genesisFile]);
    assert.equal(withGenesis.refused, true);
    assert.match(withGenesis.message, /LEDGER__ROLLED_BACK/);
    const devnet = await startOrRefuse(data, ["--devnet"]);
    assert.equal(devnet.refused, true, "--devnet must not start a new chain over it");
    assert.match(devnet.message, /LEDGER__ROLLED_BACK/);
    assert.equal(existsSync(join(data, SQLITE_FILE_NAME)), false, "no new chain was created");
    const verify = await runCli(["ledger", "verify", "--data", data, "--workers", "1"]);
    assert.notEqual(verify.code, 0);
  });

  it("--devnet never starts a new chain in a devnet data directory whose database vanished", async () => {
    const data = join(dir.path, "devnet");
    const first = await spawnLedger(data, { args: ["--devnet", "--manual-slots", "--workers", "1"] });
    await first.stop();
    for (const file of DB_FILES) rmSync(join(data, file), { force: true });
    rmSync(join(data, HEAD_FILE), { force: true }); // even without the head file: genesis.json says a chain was here
    const again = await startOrRefuse(data, ["--devnet"]);
    assert.equal(again.refused, true);
    assert.match(again.message, /LEDGER__ROLLED_BACK/);
  });

  it("refuses a truncated database", async () => {
    for (const fraction of [0.5, 0.1]) {
      const data = copyOf(`truncated-${fraction}`, (path) => {
        const file = join(path, SQLITE_FILE_NAME);
        truncateSync(file, Math.floor(statSync(file).size * fraction));
        rmSync(join(path, `${SQLITE_FILE_NAME}-wal`), { force: true });
        rmSync(join(path, `${SQLITE_FILE_NAME}-shm`), { force: true });
      });
      const result = await startOrRefuse(data);
      assert.equal(result.refused, true, `truncated to ${fraction}`);
      assert.match(result.message, /LEDGER__(ROLLED_BACK|DAMAGED|STORAGE_FAILURE)/);
    }
  });

  it("refuses (or fully recovers) a database with a corrupted page", async () => {
    let refusals = 0;
    for (const page of [1, 2, 3, 5]) {
      const data = copyOf(`page-${page}`, (path) => {
        // Checkpoint first, so the pages in the database file are the live ones (not superseded by WAL frames).
        const db = new Database(join(path, SQLITE_FILE_NAME));
        db.pragma("wal_checkpoint(TRUNCATE)");
        db.close();
        const fd = openSync(join(path, SQLITE_FILE_NAME), "r+");
        try {
          writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, page * 4096);
        } finally {
          closeSync(fd);
        }
      });
      const result = await startOrRefuse(data);
      if (result.refused) {
        refusals += 1;
        assert.match(result.message, /LEDGER__(ROLLED_BACK|DAMAGED|STORAGE_FAILURE)|API__INTERNAL|malformed/);
      }
    }
    assert.ok(refusals >= 1, "at least one corrupted page is found");
  });

  it("refuses a database rolled back by a corrupted WAL, and verify reports the head", async () => {
    const data = copyOf("wal", (path) => {
      const wal = join(path, `${SQLITE_FILE_NAME}-wal`);
      const size = statSync(wal).size;
      assert.ok(size > 64 * 1024, `the WAL holds the recent commits (${size} bytes)`);
      // Damage a frame in the middle: SQLite's recovery keeps only the frames before it (a rollback).
      const fd = openSync(wal, "r+");
      try {
        writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, Math.floor(size / 2));
      } finally {
        closeSync(fd);
      }
    });
    const result = await startOrRefuse(data);
    assert.equal(result.refused, true);
    assert.match(result.message, /LEDGER__ROLLED_BACK/);
    const verify = await runCli(["ledger", "verify", "--data", data, "--json", "--workers", "1"]);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    const report = JSON.parse(verify.stdout) as { ok: boolean; mismatch: { field: string } | null };
    assert.deepEqual([report.ok, report.mismatch?.field], [false, "head"]);
  });

  it("keeps every acknowledged transaction in a copy taken right after each acknowledgement (a lost fsync)", async () => {
    const data = join(dir.path, "lost-fsync");
    const ledger: LedgerProcess = await spawnLedger(data, {
      args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"],
    });
    const snapshots: { path: string; acked: SubmitResult[] }[] = [];
    try {
      const client = createLedgerClient({ url: ledger.url });
      const acked: SubmitResult[] = [];
      for (let index = 0; index < 12; index += 1) {
        acked.push(await client.submit(transfer(keys.bob, CHAIN, index, keys.alice.publicKey, 1n)));
        if (index % 4 === 3) await client.advanceSlots(1, ledger.adminToken as string);
        if (index % 3 === 2) {
          // The files exactly as they are now: what a machine that lost power at this instant keeps.
          const path = join(dir.path, `lost-fsync-${index}`);
          mkdirSync(path);
          for (const file of [...DB_FILES, HEAD_FILE, "genesis.json"]) {
            if (existsSync(join(data, file))) copyFileSync(join(data, file), join(path, file));
          }
          snapshots.push({ path, acked: [...acked] });
        }
      }
    } finally {
      await ledger.kill();
    }
    for (const snapshot of snapshots) {
      const restarted = await spawnLedger(snapshot.path, { args: ["--manual-slots", "--workers", "1"] });
      try {
        const client = createLedgerClient({ url: restarted.url });
        for (const ack of snapshot.acked) {
          assert.ok((await client.getTx(ack.hash)) !== undefined, `${snapshot.path}: acknowledged ${ack.hash} lost`);
        }
      } finally {
        await restarted.stop();
      }
    }
    assert.equal(snapshots.length, 4);
  });

  it("stops producing with LEDGER__DATA_DIR_CHANGED when its database is deleted while it runs", async () => {
    const data = join(dir.path, "deleted-live");
    const ledger = await spawnLedger(data, { args: ["--genesis", genesisFile, "--slot-ms", "50", "--workers", "1"] });
    const client = createLedgerClient({ url: ledger.url, timeoutMs: 5_000 });
    await client.submit(transfer(keys.alice, CHAIN, 0, keys.bob.publicKey, 1n));
    for (const file of DB_FILES) rmSync(join(data, file), { force: true });
    // The next write (a block is due every 50 ms) notices; the process exits with 3. Bounded wait, not a timer.
    let exited = false;
    for (let tries = 0; tries < 400 && !exited; tries += 1) {
      exited = await Promise.race([
        ledger.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 25)),
      ]);
    }
    if (!exited) await ledger.kill();
    assert.equal(exited, true, "the ledger kept running on a deleted database");
    assert.equal((await ledger.exited).code, 3, ledger.stderr());
    assert.match(ledger.stderr(), /LEDGER__DATA_DIR_CHANGED/);
  });
});
