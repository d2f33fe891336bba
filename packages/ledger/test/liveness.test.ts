import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOKEN } from "@gradual/protocol";
import {
  BlobStore,
  BlockProducer,
  createDevnetGenesis,
  createLedgerServer,
  generateKeyPair,
  Ledger,
  LedgerMetrics,
  ManualClock,
  SqliteStore,
  silentLogger,
  VerifierPool,
} from "../src/index.ts";
import { tempDir } from "./support/process.ts";

/**
 * Finding 2 of issue 13: a halted producer was invisible (health 200, slot lag 0). Lag is now measured against the
 * clock, and health answers 503 LEDGER__STALLED after `stallSlots` slots without a block.
 */
describe("liveness: health and slot lag follow the clock", () => {
  it("reports a producer that stopped: slot lag grows, /v1/health is 503 LEDGER__STALLED", async () => {
    const dir = tempDir("liveness");
    const clock = new ManualClock(1_000);
    const key = generateKeyPair();
    const genesis = { ...createDevnetGenesis(), accounts: [{ account: key.publicKey, balance: 10n * TOKEN }] };
    const store = new SqliteStore({ dataDir: dir.path });
    const verifier = new VerifierPool({ chainId: genesis.chainId, workers: 0 });
    const metrics = new LedgerMetrics();
    try {
      const ledger = await Ledger.open({ genesis }, { store, verifier, clock, metrics, logger: silentLogger });
      const producer = new BlockProducer(
        { slotMs: 400, manualSlots: false, stallSlots: 5 },
        { ledger, clock, logger: silentLogger },
      );
      const blobs = new BlobStore({ dataDir: dir.path });
      const app = createLedgerServer({}, { ledger, producer, metrics, logger: silentLogger, blobs });
      producer.start();
      for (let slot = 0; slot < 3; slot += 1) {
        clock.advance(400);
        await ledger.produceBlock(); // waits for the timer's block too (calls are serialized)
      }
      const healthy = await app.inject({ method: "GET", url: "/v1/health" });
      assert.equal(healthy.statusCode, 200, healthy.body);
      assert.equal(healthy.json().slotLag, 0);

      // From now on every block attempt fails the way a bug in block production would (not a storage failure).
      ledger.produceBlock = () => Promise.reject(new Error("simulated bug in block production"));
      const head = ledger.head.number;
      clock.advance(400);
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(400 * 8);
      assert.equal(ledger.head.number, head, "no block since");
      assert.equal(ledger.failure, undefined, "the ledger itself did not fail: only the producer stopped");
      assert.ok(producer.slotLag() >= 8, `slot lag ${producer.slotLag()}`);
      const stalled = await app.inject({ method: "GET", url: "/v1/health" });
      assert.equal(stalled.statusCode, 503, stalled.body);
      assert.equal(stalled.json().code, "LEDGER__STALLED");
      assert.match(stalled.json().reason, /simulated bug/);
      const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
      const lag = Number(/^gradual_ledger_slot_lag (\d+)$/m.exec(text)?.[1]);
      assert.ok(lag >= 8, `metrics slot lag ${lag}`);
      await producer.stop();
      await app.close();
      blobs.close();
    } finally {
      await verifier.close();
      await store.close();
      dir.remove();
    }
  });

  it("says stalled when blocks stop coming even though the producer did not notice (clock, not counter)", async () => {
    const dir = tempDir("liveness-clock");
    const clock = new ManualClock(1_000);
    const genesis = createDevnetGenesis();
    const store = new SqliteStore({ dataDir: dir.path });
    const verifier = new VerifierPool({ chainId: genesis.chainId, workers: 0 });
    const metrics = new LedgerMetrics();
    try {
      const ledger = await Ledger.open({ genesis }, { store, verifier, clock, metrics, logger: silentLogger });
      const producer = new BlockProducer(
        { slotMs: 400, manualSlots: false, stallSlots: 5 },
        { ledger, clock, logger: silentLogger },
      );
      // A block that never finishes (a hung disk): the producer is "running", its counter says nothing.
      ledger.produceBlock = () => new Promise(() => {});
      producer.start();
      clock.advance(400 * 4);
      assert.equal(producer.stallReason(), undefined, "3 slots late is not yet a stall");
      clock.advance(400 * 3);
      assert.ok(producer.slotLag() >= 5);
      assert.match(producer.stallReason() ?? "", /no block for \d+ slots/);
    } finally {
      await verifier.close();
      await store.close();
      dir.remove();
    }
  });
});
