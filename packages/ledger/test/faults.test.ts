import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEVNET_PARAMS, sha256Hex, TOKEN, transactionToJson } from "@gradual/protocol";
import {
  createLedgerClient,
  generateKeyPair,
  genesisToJson,
  type LedgerClient,
  type SubmitResult,
  type TxStatusWire,
} from "../src/index.ts";
import { type Body, makeGenesis, makeKeys, signed, transfer } from "./support/fixtures.ts";
import { type LedgerProcess, runCli, spawnLedger, tempDir } from "./support/process.ts";

/**
 * Bad input against the real process over 127.0.0.1: every kind gets its stable code, the server stays up, and
 * nothing already acknowledged changes.
 */

const CHAIN = "gradual-test";

type Answer = { status: number; body: { code?: string; [key: string]: unknown } };

describe("ledger process: bad input", () => {
  const dir = tempDir("faults");
  const keys = makeKeys(["alice", "bob", "carol"]);
  const genesisFile = join(dir.path, "genesis.json");
  let ledger: LedgerProcess;
  let client: LedgerClient;
  type Name = keyof typeof keys;
  const nonces = new Map<Name, number>();
  const acknowledged: SubmitResult[] = [];

  const next = (name: Name) => {
    const nonce = nonces.get(name) ?? 0;
    nonces.set(name, nonce + 1);
    return nonce;
  };
  const sign = (name: Name, body: Body) => signed(keys[name], CHAIN, next(name), body);
  const advance = (count = 1) => client.advanceSlots(count, ledger.adminToken as string);

  async function post(path: string, body: string | Uint8Array, contentType = "application/json"): Promise<Answer> {
    const response = await fetch(`${ledger.url}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as Answer["body"] };
  }
  const postJson = (path: string, value: unknown) => post(path, JSON.stringify(value));
  const envelopeOf = (value: { tx: Parameters<typeof transactionToJson>[0]; signature: string }) => ({
    tx: transactionToJson(value.tx),
    signature: value.signature,
  });

  async function expectCode(answer: Promise<Answer>, status: number, code: string): Promise<void> {
    const { status: actualStatus, body } = await answer;
    assert.equal(body.code, code, JSON.stringify(body));
    assert.equal(actualStatus, status);
    assert.equal(typeof body.message, "string");
    assert.equal(typeof body.context, "object");
  }

  before(async () => {
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    ledger = await spawnLedger(join(dir.path, "data"), {
      args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"],
    });
    client = createLedgerClient({ url: ledger.url });
    // Acknowledged before the abuse starts; checked unchanged at the end.
    for (let index = 0; index < 3; index += 1) {
      acknowledged.push(await client.submit(sign("alice", { kind: "transfer", to: keys.bob.publicKey, amount: 1n })));
    }
    await advance();
    acknowledged.push(await client.submit(sign("alice", { kind: "transfer", to: keys.bob.publicKey, amount: 2n })));
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  it("answers malformed JSON, wrong media types and unknown routes with their codes", async () => {
    await expectCode(post("/v1/txs", "{not json"), 400, "API__MALFORMED_JSON");
    await expectCode(post("/v1/txs", ""), 400, "API__MALFORMED_JSON");
    await expectCode(post("/v1/txs/batch", "[1, 2"), 400, "API__MALFORMED_JSON");
    await expectCode(post("/v1/faucet", '{"account":'), 400, "API__MALFORMED_JSON");
    await expectCode(post("/v1/txs", "hello", "text/plain"), 415, "API__UNSUPPORTED_MEDIA_TYPE");
    await expectCode(post("/v1/nowhere", "{}"), 404, "API__NOT_FOUND");
    const badParam = await fetch(`${ledger.url}/v1/txs/not-a-hash`);
    assert.equal(((await badParam.json()) as { code: string }).code, "API__INVALID_REQUEST");
    const unknownTx = await fetch(`${ledger.url}/v1/txs/${"ab".repeat(32)}`);
    assert.equal(unknownTx.status, 404);
    assert.equal(((await unknownTx.json()) as { code: string }).code, "API__TX_NOT_FOUND");
  });

  it("refuses oversized bodies: TX__TOO_LARGE at the edge, API__BODY_TOO_LARGE past the route limit", async () => {
    const tx = transfer(keys.carol, CHAIN, 0, keys.bob.publicKey);
    const padded = { ...envelopeOf(tx), tx: { ...transactionToJson(tx.tx), junk: "x".repeat(300 * 1024) } };
    await expectCode(postJson("/v1/txs", padded), 413, "TX__TOO_LARGE");
    await expectCode(post("/v1/txs", `{"tx":"${"y".repeat(600 * 1024)}"}`), 413, "API__BODY_TOO_LARGE");
    await expectCode(
      post("/v1/blobs", new Uint8Array(17 * 1024 * 1024), "application/octet-stream"),
      413,
      "API__BODY_TOO_LARGE",
    );
  });

  it("refuses junk fields, unknown kinds and missing fields", async () => {
    const tx = envelopeOf(transfer(keys.carol, CHAIN, 0, keys.bob.publicKey));
    await expectCode(postJson("/v1/txs", { ...tx, extra: 1 }), 400, "TX__UNKNOWN_FIELD");
    await expectCode(postJson("/v1/txs", { ...tx, tx: { ...tx.tx, memo: "hi" } }), 400, "TX__UNKNOWN_FIELD");
    await expectCode(postJson("/v1/txs", { ...tx, tx: { ...tx.tx, kind: "mint" } }), 400, "TX__UNKNOWN_KIND");
    await expectCode(postJson("/v1/txs", { ...tx, tx: { ...tx.tx, amount: "-1" } }), 400, "TX__MALFORMED");
    await expectCode(postJson("/v1/txs", { ...tx, tx: { ...tx.tx, amount: 1.5 } }), 400, "TX__MALFORMED");
    await expectCode(postJson("/v1/txs", [tx]), 400, "TX__MALFORMED");
    await expectCode(postJson("/v1/txs", null), 400, "TX__MALFORMED");
    await expectCode(postJson("/v1/txs/batch", { txs: [tx], extra: true }), 400, "API__INVALID_REQUEST");
    await expectCode(postJson("/v1/txs/batch", { txs: "nope" }), 400, "API__INVALID_REQUEST");
    await expectCode(
      postJson("/v1/faucet", { account: keys.carol.publicKey, amount: "1", junk: 1 }),
      400,
      "API__INVALID_REQUEST",
    );
    await expectCode(
      postJson("/v1/faucet", { account: keys.carol.publicKey, amount: "1e9" }),
      400,
      "API__INVALID_REQUEST",
    );
    await expectCode(
      postJson("/v1/faucet", { account: keys.carol.publicKey, amount: (10n ** 30n).toString() }),
      429,
      "LEDGER__FAUCET_LIMIT",
    );
  });

  it("refuses forged signatures and wrong chain ids", async () => {
    const mallory = generateKeyPair();
    const victim = transfer(keys.carol, CHAIN, 0, mallory.publicKey, 100n * TOKEN);
    const byMallory = signed(mallory, CHAIN, 0, { kind: "transfer", to: mallory.publicKey, amount: 1n });
    await expectCode(
      postJson("/v1/txs", { tx: transactionToJson(victim.tx), signature: byMallory.signature }),
      401,
      "TX__BAD_SIGNATURE",
    );
    const tampered = { ...envelopeOf(victim), tx: { ...transactionToJson(victim.tx), amount: "999" } };
    await expectCode(postJson("/v1/txs", tampered), 401, "TX__BAD_SIGNATURE");
    await expectCode(postJson("/v1/txs", { ...envelopeOf(victim), signature: "zz" }), 401, "TX__BAD_SIGNATURE");
    await expectCode(postJson("/v1/txs", { tx: transactionToJson(victim.tx) }), 401, "TX__BAD_SIGNATURE");
    const otherChain = signed(keys.carol, "gradual-other", 0, {
      kind: "transfer",
      to: keys.bob.publicKey,
      amount: 1n,
    });
    await expectCode(postJson("/v1/txs", envelopeOf(otherChain)), 400, "TX__WRONG_CHAIN");
    const carol = await client.getAccount(keys.carol.publicKey);
    assert.equal(carol.nonce, 0);
    assert.equal(carol.pending, 0);
  });

  it("refuses replayed and out-of-order nonces, and answers a resubmission with its status", async () => {
    const replay = signed(keys.alice, CHAIN, 0, { kind: "transfer", to: keys.carol.publicKey, amount: 50n * TOKEN });
    await expectCode(postJson("/v1/txs", envelopeOf(replay)), 409, "TX__NONCE_TOO_LOW");
    const skip = signed(keys.bob, CHAIN, 3, { kind: "transfer", to: keys.carol.publicKey, amount: 1n });
    await expectCode(postJson("/v1/txs", envelopeOf(skip)), 409, "TX__NONCE_TOO_HIGH");
    const first = acknowledged[0] as SubmitResult;
    const again = await client.getTx(first.hash);
    const resubmitted = await postJson("/v1/txs", { tx: again?.tx, signature: again?.signature });
    assert.equal(resubmitted.status, 200);
    assert.equal(resubmitted.body.status, "included");
  });

  it("includes transactions for closed windows with their code", async () => {
    const create = await client.submitAndWait(
      sign("alice", {
        kind: "createTask",
        name: "closed windows",
        bundleHash: sha256Hex("bundle"),
        metadataHash: null,
        params: { ...DEVNET_PARAMS, warmupRounds: 0 },
        funding: 500n * TOKEN,
      }),
      { timeoutMs: 100 },
    );
    await advance();
    const task = create.hash;
    assert.equal((await client.getTx(task))?.status, "included");
    const results = await Promise.all([
      client.submitAndWait(sign("bob", { kind: "commit", task, cycle: 0, commitment: sha256Hex("c") }), {
        timeoutMs: 10_000,
      }),
      client.submitAndWait(
        sign("carol", { kind: "reveal", task, cycle: 0, proofDigest: sha256Hex("p"), salt: sha256Hex("s") }),
        { timeoutMs: 10_000 },
      ),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await advance();
        return undefined;
      })(),
    ]);
    const codes = results
      .slice(0, 2)
      .map((result) => (result?.status === "included" && !result.result.ok ? result.result.code : result?.status));
    // bob is not staked (the check after the window), carol's reveal window is not open yet.
    assert.deepEqual(codes, ["COMMIT__WINDOW_CLOSED", "REVEAL__WINDOW_CLOSED"]);
  });

  it("stayed up, and nothing acknowledged changed", async () => {
    const health = await client.health();
    assert.equal(health.ok, true);
    await advance();
    const statuses = (await Promise.all(acknowledged.map((ack) => client.getTx(ack.hash)))) as TxStatusWire[];
    for (const [index, status] of statuses.entries()) {
      assert.equal(status.status, "included", `ack ${index}`);
      assert.equal(status.status === "included" && status.result.ok, true);
    }
    const first = statuses[0] as TxStatusWire & { block: number };
    assert.equal(first.block, 1);
    await ledger.stop();
    assert.equal((await ledger.exited).code, 0);
    const verify = await runCli(["ledger", "verify", "--data", join(dir.path, "data"), "--workers", "1"]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /verify: ok/);
  });
});
