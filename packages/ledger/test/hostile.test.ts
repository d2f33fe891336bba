import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DEVNET_PARAMS,
  ERROR_CODES,
  LEDGER_ERROR_CODES,
  sha256Hex,
  signingPayload,
  TOKEN,
  TRANSACTION_FIELDS,
  TRANSACTION_KINDS,
  type Transaction,
} from "@gradual/protocol";
import fc from "fast-check";
import { createLedgerClient, genesisToJson, type KeyPair, type LedgerClient, signBytes } from "../src/index.ts";
import { makeGenesis, makeKeys, signed } from "./support/fixtures.ts";
import { type LedgerProcess, runCli, spawnLedger, tempDir } from "./support/process.ts";

/**
 * Issue 13, findings 1 and 6, against the real ledger process: signed transactions of every shape (every kind,
 * Object.prototype names as kinds and fields, boundary amounts, non-canonical JSON) never stop block production,
 * never get a 500, and `gradual ledger verify` agrees with the log afterwards.
 */

const CHAIN = "gradual-test";
const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"];
const WIRE_PARAMS = JSON.parse(
  JSON.stringify(DEVNET_PARAMS, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
) as Record<string, unknown>;
const KNOWN_CODES = new Set<string>([...Object.keys(ERROR_CODES), ...Object.keys(LEDGER_ERROR_CODES)]);

/** Signs anything: the real signing payload when it can be encoded, otherwise bytes of the JSON (still refused). */
function signAnything(key: KeyPair, tx: Record<string, unknown>): string {
  try {
    return signBytes(key, signingPayload(tx as unknown as Transaction));
  } catch {
    return signBytes(key, new TextEncoder().encode(JSON.stringify(tx)));
  }
}

/** JSON text of an envelope whose tx has `extra` own keys first (so "__proto__" is a real own key on the wire). */
function envelopeText(tx: Record<string, unknown>, signature: string, extra: Record<string, unknown> = {}): string {
  const extraText = Object.entries(extra)
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join(",");
  const body = JSON.stringify(tx);
  const txText = extraText === "" ? body : `{${extraText}${body === "{}" ? "}" : `,${body.slice(1)}`}`;
  return `{"tx":${txText},"signature":${JSON.stringify(signature)}}`;
}

describe("ledger process: hostile transactions never stop the chain", () => {
  const dir = tempDir("hostile");
  const data = join(dir.path, "data");
  const keys = makeKeys(["alice", "bob"]);
  let ledger: LedgerProcess;
  let client: LedgerClient;
  let task = "";

  before(async () => {
    const genesisFile = join(dir.path, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    ledger = await spawnLedger(data, { args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"] });
    client = createLedgerClient({ url: ledger.url });
    const created = await client.submit(
      signed(keys.alice, CHAIN, 0, {
        kind: "createTask",
        name: "hostile",
        bundleHash: sha256Hex("bundle"),
        metadataHash: null,
        params: { ...DEVNET_PARAMS, warmupRounds: 0 },
        funding: 500n * TOKEN,
      }),
    );
    task = created.hash;
    await client.advanceSlots(1, ledger.adminToken as string);
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  async function post(path: string, text: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${ledger.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.notEqual(response.status, 500, `${path} answered 500: ${JSON.stringify(body)}`);
    return { status: response.status, body };
  }

  async function advanceOne(): Promise<void> {
    const before = (await client.getHead()).number;
    await client.advanceSlots(1, ledger.adminToken as string);
    assert.equal((await client.getHead()).number, before + 1, "a block was made");
  }

  it("refuses Object.prototype names as kinds and fields with codes, and keeps producing", async () => {
    const nonce = (await client.getAccount(keys.bob.publicKey)).nextNonce;
    for (const kind of PROTOTYPE_NAMES) {
      const tx = { kind, chainId: CHAIN, from: keys.bob.publicKey, nonce };
      const { status, body } = await post("/v1/txs", envelopeText(tx, signAnything(keys.bob, tx)));
      assert.equal(status, 400, `${kind}: ${JSON.stringify(body)}`);
      assert.equal(body.code, "TX__UNKNOWN_KIND", kind);
    }
    for (const field of PROTOTYPE_NAMES) {
      const tx = { kind: "transfer", chainId: CHAIN, from: keys.bob.publicKey, nonce, to: keys.alice.publicKey };
      const full = { ...tx, amount: "1" };
      const { status, body } = await post("/v1/txs", envelopeText(full, signAnything(keys.bob, full), { [field]: 1 }));
      assert.equal(status, 400, `${field}: ${JSON.stringify(body)}`);
      assert.equal(body.code, "TX__UNKNOWN_FIELD", field);
    }
    await advanceOne();
    await advanceOne();
  });

  it("refuses non-canonical wire forms and deep nesting with codes, never a 500", async () => {
    const nonce = (await client.getAccount(keys.bob.publicKey)).nextNonce;
    for (const amount of ["5n", "05", "+5", "5.0", " 5"]) {
      const tx = {
        kind: "transfer",
        chainId: CHAIN,
        from: keys.bob.publicKey,
        nonce,
        to: keys.alice.publicKey,
        amount,
      };
      const { status, body } = await post("/v1/txs", envelopeText(tx, signAnything(keys.bob, tx)));
      assert.deepEqual([status, body.code], [400, "TX__MALFORMED"], amount);
    }
    const good = signed(keys.bob, CHAIN, nonce, { kind: "transfer", to: keys.alice.publicKey, amount: 1n });
    const goodText = JSON.stringify({ tx: { ...good.tx, amount: "1" }, signature: good.signature });
    const duplicated = goodText.replace('"amount":"1"', '"amount":"1","amount":"1000"');
    assert.notEqual(duplicated, goodText);
    const dup = await post("/v1/txs", duplicated);
    assert.deepEqual([dup.status, dup.body.code], [400, "API__DUPLICATE_KEY"]);
    const deep = `{"txs":${"[".repeat(150_000)}${"]".repeat(150_000)}}`;
    const nested = await post("/v1/txs/batch", deep);
    assert.deepEqual([nested.status, nested.body.code], [400, "API__TOO_DEEP"]);
    const deepTx = await post("/v1/txs", `{"tx":${"[".repeat(100_000)}${"]".repeat(100_000)},"signature":"00"}`);
    assert.equal(deepTx.status, 400);
    await advanceOne();
  });

  it("takes random signed transactions of every shape in batches; a block follows every batch", async () => {
    const accounts = [keys.alice.publicKey, keys.bob.publicKey];
    const plausible = (type: string): fc.Arbitrary<unknown> => {
      switch (type) {
        case "account":
          return fc.constantFrom(...accounts, "0".repeat(64));
        case "hash":
        case "hashOrNull":
          return fc.constantFrom(task, sha256Hex("x"), null);
        case "amount":
        case "positiveAmount":
          return fc.constantFrom("0", "1", "1000000000", (2n ** 128n - 1n).toString(), (2n ** 128n).toString());
        case "uint":
          return fc.constantFrom(0, 1, 2, 2 ** 32 - 1, 2 ** 32);
        case "params":
          return fc.constantFrom({ ...WIRE_PARAMS, minimumStake: "1", bountyPerRound: "1" }, {}, WIRE_PARAMS);
        case "entries":
          return fc.constantFrom([], [{ recipient: accounts[0], amount: "1" }]);
        default:
          return fc.constantFrom("proof", "distribution", "valid", "invalid", "hostile name", "http://x.test");
      }
    };
    const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...PROTOTYPE_NAMES));
    const txShape = fc
      .record({
        kind: fc.constantFrom(...TRANSACTION_KINDS, ...TRANSACTION_KINDS, ...PROTOTYPE_NAMES),
        sender: fc.constantFrom(0, 1),
        junkField: fc.option(fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES, "memo"), junk), { freq: 4 }),
        seed: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        values: fc.array(junk, { minLength: 8, maxLength: 8 }),
        sane: fc.boolean(),
      })
      .chain((shape) => {
        const fields = Object.hasOwn(TRANSACTION_FIELDS, shape.kind)
          ? Object.entries(TRANSACTION_FIELDS[shape.kind as keyof typeof TRANSACTION_FIELDS])
          : [];
        return fc
          .tuple(...fields.map(([, type]) => plausible(type)))
          .map((values) => ({ ...shape, fields: fields.map(([name]) => name), plausible: values }));
      });
    let produced = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(txShape, { minLength: 1, maxLength: 6 }), async (shapes) => {
        const signers = [keys.alice, keys.bob];
        const nonces = await Promise.all(accounts.map(async (account) => (await client.getAccount(account)).nextNonce));
        for (const shape of shapes) {
          const key = signers[shape.sender] as KeyPair;
          const nonce = nonces[shape.sender] as number;
          const tx: Record<string, unknown> = { kind: shape.kind, chainId: CHAIN, from: key.publicKey, nonce };
          shape.fields.forEach((field, index) => {
            tx[field] = shape.sane ? shape.plausible[index] : shape.values[index % shape.values.length];
          });
          const extra = shape.junkField === null ? {} : { [shape.junkField[0]]: shape.junkField[1] };
          const { status, body } = await post("/v1/txs", envelopeText(tx, signAnything(key, tx), extra));
          if (status >= 400) assert.ok(KNOWN_CODES.has(String(body.code)), JSON.stringify(body));
          else nonces[shape.sender] = nonce + 1;
        }
        await advanceOne();
        produced += 1;
      }),
      { numRuns: 60 },
    );
    assert.equal(produced >= 60, true);
    const health = await fetch(`${ledger.url}/v1/health`);
    assert.equal(health.status, 200);
  });

  it("the log replays: gradual ledger verify passes after the hostile traffic", async () => {
    await ledger.stop();
    const result = await runCli(["ledger", "verify", "--data", data, "--json", "--workers", "1"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as { ok: boolean };
    assert.equal(report.ok, true);
  });
});
