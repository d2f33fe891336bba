import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TOKEN } from "@gradual/protocol";
import {
  createLedgerClient,
  generateKeyPair,
  type LedgerClient,
  type RunningLedger,
  startLedger,
} from "../src/index.ts";
import { tempDir } from "./support/process.ts";

/**
 * A JSON body is validated as sent: a value of the wrong JSON type is refused with the API's usual 400
 * API__INVALID_REQUEST naming the field, never coerced into the type the schema declares (a faucet amount sent as the
 * number 5 used to be read as "5": amounts travel as decimal strings, protocol.md §3.1). Path and query parameters,
 * which are text, are still read as the integers their schemas declare.
 */

type ErrorReply = { code: string; message: string; context: { problems?: { path: string; message: string }[] } };

describe("ledger API: body types are not coerced", () => {
  const dir = tempDir("body-types");
  let running: RunningLedger;
  let client: LedgerClient;
  const account = generateKeyPair().publicKey;

  before(async () => {
    running = await startLedger({ dataDir: dir.path, port: 0, devnet: true, manualSlots: true, workers: 1 });
    client = createLedgerClient({ url: running.url });
  });

  after(async () => {
    await running?.close();
    dir.remove();
  });

  async function post(path: string, body: unknown, token?: string): Promise<{ status: number; reply: unknown }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${running.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: response.status, reply: await response.json() };
  }

  function assertRefused(answer: { status: number; reply: unknown }, path: string, expected: RegExp): void {
    assert.equal(answer.status, 400, JSON.stringify(answer.reply));
    const reply = answer.reply as ErrorReply;
    assert.equal(reply.code, "API__INVALID_REQUEST");
    assert.match(reply.message, new RegExp(`^${path}: `));
    assert.match(reply.message, expected);
    assert.equal(reply.context.problems?.[0]?.path, path);
  }

  it("refuses a faucet amount that is not a string (a number, an array, a boolean)", async () => {
    assertRefused(await post("/v1/faucet", { account, amount: 5 }), "body/amount", /must be string/);
    assertRefused(await post("/v1/faucet", { account, amount: 5_000_000_000 }), "body/amount", /must be string/);
    assertRefused(await post("/v1/faucet", { account, amount: ["5"] }), "body/amount", /must be string/);
    assertRefused(await post("/v1/faucet", { account, amount: true }), "body/amount", /must be string/);
    assertRefused(await post("/v1/faucet", { account: [account], amount: "5" }), "body/account", /must be string/);
    await client.advanceSlots(1, running.adminToken as string);
    assert.equal((await client.getAccount(account)).balance, "0", "nothing was paid out");
  });

  it("refuses an admin slot count that is not a number", async () => {
    const token = running.adminToken as string;
    const head = (await client.getHead()).number;
    assertRefused(await post("/v1/admin/slots", { count: "2" }, token), "body/count", /must be integer/);
    assertRefused(await post("/v1/admin/slots", { count: [2] }, token), "body/count", /must be integer/);
    assert.equal((await client.getHead()).number, head, "no block was produced");
  });

  it("accepts the wire's types, and still reads path and query parameters as integers", async () => {
    const paid = await post("/v1/faucet?wait=included&timeoutMs=50", { account, amount: String(2n * TOKEN) });
    // Manual slots: the faucet's transfer is acknowledged, included once a slot is produced.
    assert.ok(paid.status === 202 || paid.status === 200, JSON.stringify(paid.reply));
    const advanced = await post("/v1/admin/slots", { count: 2 }, running.adminToken as string);
    assert.equal(advanced.status, 200, JSON.stringify(advanced.reply));
    assert.equal((await client.getAccount(account)).balance, String(2n * TOKEN));
    const blocks = await fetch(`${running.url}/v1/blocks?from=0&to=1`);
    assert.equal(blocks.status, 200);
    assert.equal(((await blocks.json()) as { blocks: unknown[] }).blocks.length, 2);
    const block = await fetch(`${running.url}/v1/blocks/1`);
    assert.equal(block.status, 200);
  });
});
