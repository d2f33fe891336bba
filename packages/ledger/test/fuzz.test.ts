import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ERROR_CODES, LEDGER_ERROR_CODES, transactionToJson } from "@gradual/protocol";
import fc from "fast-check";
import { createLedgerClient, genesisToJson, type LedgerClient, type SubmitResult } from "../src/index.ts";
import { makeGenesis, makeKeys, transfer } from "./support/fixtures.ts";
import { type LedgerProcess, spawnLedger, tempDir } from "./support/process.ts";

/**
 * Random bodies at every POST route of the real process: every answer is a well-formed response (JSON errors carry
 * a known code), never a 500, the process stays up, and what was acknowledged before is unchanged after.
 */

const CHAIN = "gradual-test";
const KNOWN_CODES = new Set<string>([...Object.keys(ERROR_CODES), ...Object.keys(LEDGER_ERROR_CODES)]);
const RUNS_PER_ROUTE = 120;

describe("ledger process: fuzzed POST bodies", () => {
  const dir = tempDir("fuzz");
  const keys = makeKeys(["alice", "bob"]);
  let ledger: LedgerProcess;
  let client: LedgerClient;
  const acknowledged: SubmitResult[] = [];

  before(async () => {
    const genesisFile = join(dir.path, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    ledger = await spawnLedger(join(dir.path, "data"), {
      args: ["--genesis", genesisFile, "--manual-slots", "--workers", "1"],
    });
    client = createLedgerClient({ url: ledger.url });
    for (let nonce = 0; nonce < 3; nonce += 1) {
      acknowledged.push(await client.submit(transfer(keys.alice, CHAIN, nonce, keys.bob.publicKey, 10n)));
    }
    await client.advanceSlots(1, ledger.adminToken as string);
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  async function send(path: string, body: string | Uint8Array, contentType: string | null, token?: string) {
    const headers: Record<string, string> = {};
    if (contentType !== null) headers["content-type"] = contentType;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${ledger.url}${path}`, { method: "POST", headers, body });
    const text = await response.text();
    assert.notEqual(response.status, 500, `${path} answered 500: ${text}`);
    assert.ok(response.status >= 200 && response.status < 600);
    const parsed = JSON.parse(text) as { code?: unknown; message?: unknown; context?: unknown };
    if (response.status >= 400) {
      assert.ok(typeof parsed.code === "string" && KNOWN_CODES.has(parsed.code), `unknown code in ${text}`);
      assert.equal(typeof parsed.message, "string");
      assert.equal(typeof parsed.context, "object");
    }
  }

  const contentTypes = fc.constantFrom<string | null>(
    "application/json",
    "application/json; charset=utf-8",
    "application/octet-stream",
    "text/plain",
    "application/x-www-form-urlencoded",
    null,
  );

  /** A valid envelope, then one mutation: a field dropped, replaced by random JSON, or a junk field added. */
  const mutatedEnvelope = fc
    .record({
      nonce: fc.nat({ max: 5 }),
      where: fc.constantFrom("envelope", "tx"),
      action: fc.constantFrom("drop", "replace", "add"),
      field: fc.constantFrom("tx", "signature", "kind", "chainId", "from", "nonce", "to", "amount", "junk"),
      value: fc.jsonValue(),
    })
    .map(({ nonce, where, action, field, value }) => {
      const signed = transfer(keys.bob, CHAIN, nonce, keys.alice.publicKey, 1n);
      const envelope: Record<string, unknown> = { tx: transactionToJson(signed.tx), signature: signed.signature };
      const target = where === "tx" ? (envelope.tx as Record<string, unknown>) : envelope;
      if (action === "drop") delete target[field];
      else target[field] = value;
      return JSON.stringify(envelope);
    });

  const jsonBodies = fc.oneof(
    fc.json(),
    mutatedEnvelope,
    fc.jsonValue().map((value) => JSON.stringify({ txs: [value] })),
    fc.jsonValue().map((value) => JSON.stringify({ account: value, amount: value })),
    fc.jsonValue().map((value) => JSON.stringify({ count: value })),
  );
  const bodies = fc.oneof(
    jsonBodies.map((text) => ({ body: text as string | Uint8Array })),
    fc.string({ maxLength: 200 }).map((text) => ({ body: text as string | Uint8Array })),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ body: bytes as string | Uint8Array })),
  );

  for (const path of ["/v1/txs", "/v1/txs/batch", "/v1/faucet", "/v1/blobs", "/v1/admin/slots"]) {
    it(`POST ${path}`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies, contentTypes, fc.boolean(), async ({ body }, contentType, withToken) => {
          const token = path === "/v1/admin/slots" && withToken ? (ledger.adminToken as string) : undefined;
          await send(path, body, contentType, token);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    });
  }

  it("stayed up, and nothing acknowledged changed", async () => {
    assert.equal((await client.health()).ok, true);
    for (const ack of acknowledged) {
      const status = await client.getTx(ack.hash);
      assert.equal(status?.status, "included");
      assert.equal(status?.status === "included" && status.block, 1);
      assert.equal(status?.status === "included" && status.result.ok, true);
    }
    assert.equal(ledger.child.exitCode, null);
  });
});
