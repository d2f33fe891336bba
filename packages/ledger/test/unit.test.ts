import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ERROR_CODES,
  errorEntry,
  httpStatusOf,
  LEDGER_ERROR_CODES,
  TOKEN,
  type Transaction,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";
import fc from "fast-check";
import {
  admitTransaction,
  BlockProducer,
  computeBlockHash,
  computeTxsRoot,
  createDevnetGenesis,
  generateKeyPair,
  genesisBlock,
  genesisToJson,
  Ledger,
  type LedgerError,
  LedgerMetrics,
  ManualClock,
  Mempool,
  parseGenesis,
  SQLITE_FILE_NAME,
  SqliteStore,
  signTransaction,
  silentLogger,
  VerifierPool,
  verifyEnvelope,
  ZERO_HASH,
} from "../src/index.ts";
import { tempDir } from "./support/process.ts";

describe("genesis files", () => {
  it("round-trips and refuses unknown fields or bad amounts", () => {
    const genesis = createDevnetGenesis({ chainId: "gradual-unit" });
    assert.deepEqual(parseGenesis(JSON.parse(JSON.stringify(genesisToJson(genesis)))), genesis);
    const json = genesisToJson(genesis) as Record<string, unknown>;
    assert.throws(() => parseGenesis({ ...json, extra: 1 }), /no field "extra"/);
    assert.throws(
      () => parseGenesis({ ...json, accounts: [{ account: "ab".repeat(32), balance: "1.5" }] }),
      /accounts\[0\].balance/,
    );
    assert.throws(() => parseGenesis({ ...json, chainId: "Bad Chain" }), /chain id/);
  });
});

describe("the code -> HTTP status table (the error registry)", () => {
  /** Codes only a client raises: the ledger never answers with them. */
  const CLIENT_ONLY = new Set(["LEDGER__UNREACHABLE"]);
  it("has a status for every protocol and ledger code the API can answer with", () => {
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(LEDGER_ERROR_CODES)]) {
      if (CLIENT_ONLY.has(code)) continue;
      const status = errorEntry(code)?.http;
      assert.ok(status !== undefined && status >= 400 && status < 600, code);
      assert.equal(httpStatusOf(code), status);
    }
    assert.equal(httpStatusOf("NO__SUCH_CODE"), 500);
  });
});

describe("verifier pool", () => {
  const key = generateKeyPair();
  const chainId = "gradual-unit";
  /** Ways to spoil a signature; the packed batch a worker receives must not let any of them shift or pass. */
  const FORGERIES = {
    none: (signature: string) => signature,
    lastByte: (signature: string) => `${signature.slice(0, -2)}00`,
    upperCase: (signature: string) => signature.toUpperCase(),
    short: (signature: string) => signature.slice(0, -2),
    long: (signature: string) => `${signature}00`,
    nonHex: (signature: string) => `${signature.slice(0, -1)}g`,
    empty: () => "",
    notAString: () => 7 as unknown as string,
  } as const;
  const txArbitrary = fc
    .record({
      nonce: fc.nat({ max: 2 ** 31 }),
      amount: fc.bigInt({ min: 1n, max: 2n ** 100n }),
      forge: fc.constantFrom(...(Object.keys(FORGERIES) as (keyof typeof FORGERIES)[])),
    })
    .map(({ nonce, amount, forge }) => {
      const tx: Transaction = {
        kind: "transfer",
        chainId,
        from: key.publicKey,
        nonce,
        to: ZERO_HASH.replace(/0$/, "1"),
        amount,
      };
      const signature = signTransaction(key, tx);
      const spoiled = FORGERIES[forge](signature);
      return { tx, signature: spoiled, forged: spoiled !== signature };
    });

  for (const workers of [2, 1, 0]) {
    it(`agrees with the in-thread edge and transactionHash (${workers} worker)`, async () => {
      const pool = new VerifierPool({ chainId, workers, inThreadMax: 0 });
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(txArbitrary, { minLength: 1, maxLength: 20 }), async (items) => {
            const inputs = items.map(({ tx, signature }) => ({ envelope: { tx: transactionToJson(tx), signature } }));
            const results = await pool.verify(inputs);
            results.forEach((result, index) => {
              const item = items[index] as (typeof items)[number];
              assert.deepEqual(result, verifyEnvelope(inputs[index] as (typeof inputs)[number], chainId));
              if (item.forged) assert.equal(result.ok ? "ok" : result.code, "TX__BAD_SIGNATURE");
              else assert.equal(result.ok && result.hash, transactionHash(item.tx));
            });
          }),
          { numRuns: 30 },
        );
        assert.equal(workers === 0 || pool.stats.batches > 0, true);
      } finally {
        await pool.close();
      }
    });
  }

  it("checks signers it has not seen, past its key cache, and refuses senders that are no key", async () => {
    // Every signer is imported once per worker (as JWK) and cached up to 1,024 keys: 1,100 keys go past the cache's
    // clearing. Senders of 64 hex characters that are no usable key are refused as bad signatures, never crash a
    // worker, and answer as the in-thread edge does.
    const pool = new VerifierPool({ chainId, workers: 2, inThreadMax: 0 });
    try {
      const signers = Array.from({ length: 1_100 }, () => generateKeyPair());
      const transfer = (from: string, nonce: number): Transaction => ({
        kind: "transfer",
        chainId,
        from,
        nonce,
        to: key.publicKey,
        amount: 1n,
      });
      const good = signers.map((signer, index) => {
        const tx = transfer(signer.publicKey, index);
        return { tx, input: { envelope: { tx: transactionToJson(tx), signature: signTransaction(signer, tx) } } };
      });
      const signature = signTransaction(key, transfer(key.publicKey, 0));
      const notKeys = ["00".repeat(32), "ff".repeat(32), `ec${"ff".repeat(30)}7f`, "01".repeat(32)].map((from) => ({
        envelope: { tx: transactionToJson(transfer(from, 0)), signature },
      }));
      for (let round = 0; round < 2; round += 1) {
        const results = await pool.verify([...good.map((item) => item.input), ...notKeys]);
        good.forEach((item, index) => {
          const result = results[index];
          assert.equal(result?.ok && result.hash, transactionHash(item.tx));
        });
        notKeys.forEach((input, index) => {
          const result = results[good.length + index];
          assert.equal(result?.ok === false && result.code, "TX__BAD_SIGNATURE");
          assert.deepEqual(result, verifyEnvelope(input, chainId));
        });
      }
      assert.equal(pool.stats.batches > 0, true);
    } finally {
      await pool.close();
    }
  });

  it("answers shape and chain problems without a worker, in the edge's order", async () => {
    const pool = new VerifierPool({ chainId, workers: 1 });
    try {
      const tx: Transaction = {
        kind: "transfer",
        chainId: "other",
        from: key.publicKey,
        nonce: 0,
        to: key.publicKey,
        amount: 1n,
      };
      const [wrongChain, junk, notObject] = await pool.verify([
        { envelope: { tx: transactionToJson(tx), signature: "00" } },
        { envelope: { tx: transactionToJson(tx), signature: "00", extra: 1 } as never },
        { envelope: "nope" as never },
      ]);
      assert.equal(wrongChain?.ok === false && wrongChain.code, "TX__WRONG_CHAIN");
      assert.equal(junk?.ok === false && junk.code, "TX__UNKNOWN_FIELD");
      assert.equal(notObject?.ok === false && notObject.code, "TX__MALFORMED");
    } finally {
      await pool.close();
    }
  });
});

describe("mempool", () => {
  it("hands out only the logged prefix and counts pending transactions per sender", () => {
    const mempool = new Mempool();
    const key = generateKeyPair();
    const entry = (nonce: number, logged: boolean) => {
      const tx: Transaction = { kind: "transfer", chainId: "c", from: key.publicKey, nonce, to: ZERO_HASH, amount: 1n };
      return {
        seq: mempool.nextSeq(),
        hash: transactionHash(tx),
        tx,
        signature: "",
        receivedAtMs: 0,
        receivedAtBlock: 0,
        wire: "",
        logged,
      };
    };
    const entries = [entry(0, true), entry(1, true), entry(2, false), entry(3, true)];
    for (const item of entries) mempool.add(item);
    assert.equal(mempool.pendingFrom(key.publicKey), 4);
    assert.deepEqual(
      mempool.takeLogged(10).map((item) => item.tx.nonce),
      [0, 1],
    );
    mempool.remove(mempool.takeLogged(1));
    assert.equal(mempool.pendingFrom(key.publicKey), 3);
    assert.equal(mempool.size, 3);
  });
});

describe("sqlite store: writes on their own thread", () => {
  const key = generateKeyPair();
  const rowsFrom = (from: number, count: number) =>
    Array.from({ length: count }, (_, index) => {
      const tx: Transaction = {
        kind: "transfer",
        chainId: "gradual-unit",
        from: key.publicKey,
        nonce: from + index,
        to: ZERO_HASH,
        amount: 1n,
      };
      return {
        seq: from + index + 1,
        hash: transactionHash(tx),
        tx,
        signature: signTransaction(key, tx),
        receivedAtMs: 5,
        wire: JSON.stringify(transactionToJson(tx)),
      };
    });

  it("logs and commits while this thread holds the write lock, so a write never blocks the caller", async () => {
    const dir = tempDir("writer");
    const store = new SqliteStore({ dataDir: dir.path });
    try {
      const genesis = { ...createDevnetGenesis(), chainId: "gradual-unit" };
      await store.initialize(genesis, genesisBlock(ZERO_HASH, 0), []);
      // This thread's connection takes the write lock: a write done here would either go through inside this
      // transaction or fail with SQLITE_BUSY after busy_timeout, blocking the event loop meanwhile.
      store.database.exec("BEGIN IMMEDIATE");
      let settled = false;
      const append = store.appendMempool(rowsFrom(0, 3)).then(() => {
        settled = true;
      });
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, "the append waits for the lock on the writer's connection");
      assert.equal((await store.loadMempool()).length, 0, "nothing was written through this thread's connection");
      store.database.exec("COMMIT");
      await append;
      const logged = await store.loadMempool();
      assert.deepEqual(
        logged.map((row) => [row.seq, row.hash, row.signature, row.receivedAtMs, row.wire]),
        rowsFrom(0, 3).map((row) => [row.seq, row.hash, row.signature, row.receivedAtMs, row.wire]),
      );
      const txs = logged.slice(0, 2).map((row, index) => ({
        hash: row.hash,
        tx: row.tx,
        signature: row.signature,
        result:
          index === 0
            ? ({ ok: true } as const)
            : ({ ok: false, code: "TX__APPLY_FAILED", message: "m", context: { a: "1" } } as const),
        wire: row.wire,
      }));
      const fields = {
        number: 1,
        slot: 1,
        prevHash: ZERO_HASH,
        txsRoot: computeTxsRoot(txs.map((tx) => tx.hash)),
        stateRoot: ZERO_HASH,
      };
      const block = { ...fields, hash: computeBlockHash(fields), txCount: 2, producedAtMs: 9, txs, events: [] };
      await store.commitBlock(
        block,
        [
          ["test/a", { n: 1n }],
          ["test/b", undefined],
        ],
        2,
      );
      const stored = await store.getBlock(1);
      assert.deepEqual(
        stored?.txs.map((tx) => [tx.hash, tx.result]),
        txs.map((tx) => [tx.hash, tx.result]),
      );
      assert.deepEqual(
        (await store.loadMempool()).map((row) => row.seq),
        [3],
        "the block removed the mempool rows it holds",
      );
      assert.equal((await store.getTransaction(txs[1]?.hash as string))?.position, 1);
    } finally {
      if (store.database.inTransaction) store.database.exec("ROLLBACK");
      await store.close();
      dir.remove();
    }
  });

  it("refuses to write once its database file was deleted (LEDGER__DATA_DIR_CHANGED)", async () => {
    const dir = tempDir("writer-deleted");
    const store = new SqliteStore({ dataDir: dir.path });
    try {
      await store.appendMempool(rowsFrom(0, 1));
      for (const suffix of ["", "-wal", "-shm"])
        rmSync(join(dir.path, `${SQLITE_FILE_NAME}${suffix}`), { force: true });
      await assert.rejects(store.appendMempool(rowsFrom(1, 1)), (error: LedgerError) => {
        assert.equal(error.code, "LEDGER__DATA_DIR_CHANGED");
        return true;
      });
    } finally {
      await store.close();
      dir.remove();
    }
  });
});

describe("block production on a manual clock", () => {
  it("produces one block per slot, catches up when late, and reports the lag", async () => {
    const dir = tempDir("producer");
    const clock = new ManualClock(1_000);
    const key = generateKeyPair();
    const genesis = { ...createDevnetGenesis(), accounts: [{ account: key.publicKey, balance: 10n * TOKEN }] };
    const store = new SqliteStore({ dataDir: dir.path });
    const verifier = new VerifierPool({ chainId: genesis.chainId, workers: 0 });
    try {
      const ledger = await Ledger.open(
        { genesis },
        { store, verifier, clock, metrics: new LedgerMetrics(), logger: silentLogger },
      );
      const producer = new BlockProducer({ slotMs: 400, manualSlots: false }, { ledger, clock, logger: silentLogger });
      // Inclusion capacity per second at this slot must exceed what two cores admit (about 12,000 tx/s).
      assert.ok((ledger.maxTransactionsPerBlock * 1_000) / producer.slotMs >= 20_000);
      producer.start();
      clock.advance(399);
      assert.equal(ledger.head.number, 0);
      clock.advance(1);
      await ledger.produceBlock().then(() => {}); // the timer's block is queued before this one
      assert.equal(ledger.head.number, 2);
      const tx: Transaction = {
        kind: "transfer",
        chainId: genesis.chainId,
        from: key.publicKey,
        nonce: 0,
        to: ZERO_HASH,
        amount: 1n,
      };
      const admitted = admitTransaction(ledger.state, {
        tx: transactionToJson(tx),
        signature: signTransaction(key, tx),
      });
      assert.equal((admitted as Transaction).nonce, 0);
      const [outcome] = await ledger.submit([
        { envelope: { tx: transactionToJson(tx), signature: signTransaction(key, tx) } },
      ]);
      assert.equal(outcome?.ok && outcome.status.status, "pending");
      assert.equal(producer.slotLag(), 0);
      await producer.advance(3);
      assert.equal(ledger.head.number, 5);
      const block = await store.getBlock(3);
      assert.equal(block?.txs.length, 1);
      assert.equal(block?.txsRoot, computeTxsRoot([transactionHash(tx)]));
      await producer.stop();
    } finally {
      await verifier.close();
      await store.close();
      dir.remove();
    }
  });
});
