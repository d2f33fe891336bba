import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERROR_CODES, TOKEN, type Transaction, transactionHash, transactionToJson } from "@gradual/protocol";
import fc from "fast-check";
import {
  admitTransaction,
  BlockProducer,
  computeTxsRoot,
  createDevnetGenesis,
  formatTokenAmount,
  generateKeyPair,
  genesisToJson,
  HTTP_STATUS,
  LEDGER_ERROR_CODES,
  Ledger,
  LedgerMetrics,
  ManualClock,
  Mempool,
  parseGenesis,
  parseTokenAmount,
  SqliteStore,
  signTransaction,
  silentLogger,
  VerifierPool,
  verifyEnvelope,
  ZERO_HASH,
} from "../src/index.ts";
import { tempDir } from "./support/process.ts";

describe("token amounts", () => {
  it("parses tokens with up to nine decimals into base units, without floats", () => {
    assert.equal(parseTokenAmount("1.5"), 1_500_000_000n);
    assert.equal(parseTokenAmount("0.000000001"), 1n);
    assert.equal(parseTokenAmount("12"), 12n * TOKEN);
    assert.equal(parseTokenAmount("123456789012345678901234567890"), 123456789012345678901234567890n * TOKEN);
    for (const bad of ["", "1e3", "-1", "1.", ".5", "0x10", "1.0000000001", "01", "1,5", " "]) {
      assert.throws(() => parseTokenAmount(bad), TypeError, bad);
    }
  });

  it("formats and parses back any amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n }), (amount) => {
        assert.equal(parseTokenAmount(formatTokenAmount(amount)), amount);
      }),
    );
    assert.equal(formatTokenAmount(1_500_000_000n), "1.5");
    assert.equal(formatTokenAmount(7n * TOKEN), "7");
  });
});

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

describe("the code -> HTTP status table", () => {
  it("has a status for every protocol and ledger code", () => {
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(LEDGER_ERROR_CODES)]) {
      const status = HTTP_STATUS[code as keyof typeof HTTP_STATUS];
      assert.ok(status !== undefined && status >= 400 && status < 600, code);
    }
  });
});

describe("verifier pool", () => {
  const key = generateKeyPair();
  const chainId = "gradual-unit";
  const txArbitrary = fc
    .record({ nonce: fc.nat({ max: 2 ** 31 }), amount: fc.bigInt({ min: 1n, max: 2n ** 100n }), forge: fc.boolean() })
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
      return {
        tx,
        signature: forge ? `${signature.slice(0, -2)}00` : signature,
        forged: forge && !signature.endsWith("00"),
      };
    });

  for (const workers of [1, 0]) {
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
