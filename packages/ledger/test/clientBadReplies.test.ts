import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isWireError, type WireError } from "@gradual/wire";
import { createLedgerClient, isLedgerRequestError, type LedgerClient } from "../src/index.ts";

/**
 * The ledger client against a fake ledger on 127.0.0.1 that answers what a real one never would: every malformed
 * reply is refused with WIRE__BAD_REPLY (naming the route and the field), never handed to the caller as if typed.
 */

const HASH = "ab".repeat(32);
const HEADER = {
  number: 3,
  slot: 3,
  prevHash: HASH,
  txsRoot: HASH,
  stateRoot: HASH,
  hash: HASH,
  txCount: 0,
  producedAtMs: 1_700_000_000_000,
};
const CHAIN = {
  chainId: "gradual-test",
  genesisHash: HASH,
  head: HEADER,
  slotMs: 400,
  manualSlots: true,
  devnet: true,
  faucet: null,
  mempoolSize: 0,
  supply: "1000",
  taskCount: 0,
};
const ACCOUNT = {
  account: HASH,
  balance: "5",
  nonce: 0,
  pending: 0,
  nextNonce: 0,
  stakes: [],
  vesting: [],
  claimable: "0",
  slot: 3,
};

type Answer = { readonly status: number; readonly type: string; readonly body: string };
const json = (body: unknown, status = 200): Answer => ({
  status,
  type: "application/json",
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** What the fake ledger answers, by request path. */
const ANSWERS: Readonly<Record<string, Answer>> = {
  // A field missing.
  "/v1/chain": json({ ...CHAIN, genesisHash: undefined }),
  // Not JSON at all, with a 200.
  "/v1/blocks/head": { status: 200, type: "application/json", body: "<html>proxy</html>" },
  // A bigint as a JSON number (precision lost on the way): refused, not rounded.
  [`/v1/accounts/${HASH}`]: json(
    JSON.stringify({ ...ACCOUNT, balance: "BIG" }).replace('"BIG"', "12345678901234567890"),
  ),
  // A prototype key in the JSON text: dropped, never a prototype.
  [`/v1/accounts/${"cd".repeat(32)}`]: json(
    `{"__proto__": {"isAdmin": true}, ${JSON.stringify({ ...ACCOUNT, account: "cd".repeat(32) }).slice(1)}`,
  ),
  // A status the route does not answer.
  "/v1/tasks": json({ tasks: [], offset: 0, total: 0 }, 201),
  // An event of a type the protocol does not have, inside a block.
  "/v1/blocks/3": json({ ...HEADER, txs: [], events: [{ tx: null, event: { type: "Minted", amount: "1" } }] }),
  // An error status whose body is not the ledger's error body.
  "/v1/txs/batch": json({ error: 5 }, 400),
  // An error status with no JSON at all (a proxy): the ledger's code is unknown, as before.
  [`/v1/txs/${HASH}`]: { status: 502, type: "text/html", body: "<html>bad gateway</html>" },
};

function badReply(error: unknown, path: string, field?: string): boolean {
  assert.ok(isWireError(error, "WIRE__BAD_REPLY"), `expected WIRE__BAD_REPLY, got ${String(error)}`);
  const context = (error as WireError).context;
  assert.equal(context.path, path, "the request path");
  if (field !== undefined) {
    assert.equal(context.field, field, "the field that did not fit");
    assert.match((error as WireError).message, new RegExp(`${field.replace(/[.[\]]/g, "\\$&")}: expected`));
  }
  assert.match((error as WireError).message, new RegExp(`^(GET|POST) ${path.replace(/[?]/g, "\\?")}: `));
  return true;
}

describe("the ledger client refuses malformed replies", () => {
  let server: Server;
  let client: LedgerClient;

  before(async () => {
    server = createServer((request, response) => {
      const path = (request.url ?? "").split("?")[0] ?? "";
      if (path === "/v1/events") {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`id: 3\nevent: block\ndata: ${JSON.stringify({ header: HEADER, txs: [], events: [] })}\n\n`);
        response.write(
          `id: 4\nevent: block\ndata: ${JSON.stringify({ header: { ...HEADER, hash: "no" }, txs: [], events: [] })}\n\n`,
        );
        response.end();
        return;
      }
      const answer = ANSWERS[path] ?? json({ code: "API__NOT_FOUND", message: "no route", context: {} }, 404);
      request.resume();
      response.writeHead(answer.status, { "content-type": answer.type });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = createLedgerClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("names the missing field and the route", async () => {
    await assert.rejects(client.getChain(), (error) => badReply(error, "/v1/chain", "genesisHash"));
  });

  it("refuses a reply that is not JSON", async () => {
    await assert.rejects(client.getHead(), (error) => {
      badReply(error, "/v1/blocks/head");
      assert.match((error as Error).message, /not JSON/);
      return true;
    });
  });

  it("refuses a bigint sent as a JSON number rather than rounding it", async () => {
    await assert.rejects(client.getAccount(HASH), (error) => badReply(error, `/v1/accounts/${HASH}`, "balance"));
  });

  it("keeps a '__proto__' key of the reply out of the value's prototype", async () => {
    const account = await client.getAccount("cd".repeat(32));
    assert.equal(Object.getPrototypeOf(account), Object.prototype);
    assert.equal((account as { isAdmin?: unknown }).isAdmin, undefined);
    assert.equal(({} as { isAdmin?: unknown }).isAdmin, undefined);
  });

  it("refuses a status the route does not answer", async () => {
    await assert.rejects(client.listTasks(), (error) => {
      badReply(error, "/v1/tasks");
      assert.equal((error as WireError).context.status, 201);
      return true;
    });
  });

  it("refuses an event type the protocol does not have", async () => {
    await assert.rejects(client.getBlock(3), (error) => badReply(error, "/v1/blocks/3", "events[0].event.type"));
  });

  it("refuses an error status whose body is not an error body; keeps API__INTERNAL for one that is not JSON", async () => {
    await assert.rejects(client.submitBatch([]), (error) => badReply(error, "/v1/txs/batch", "code"));
    await assert.rejects(client.getTx(HASH), (error) => {
      assert.ok(isLedgerRequestError(error, "API__INTERNAL"));
      assert.equal(error.status, 502);
      return true;
    });
  });

  it("passes the good blocks of the event stream and reports the bad one as WIRE__BAD_REPLY", async () => {
    const blocks: number[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe((data) => blocks.push(data.header.number), {
      onError: (error) => errors.push(error),
    });
    for (let tries = 0; tries < 200 && errors.length === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    subscription.close();
    await subscription.done;
    assert.equal(blocks[0], 3);
    assert.ok(!blocks.includes(4), "the malformed block was not delivered");
    assert.ok(badReply(errors[0], "/v1/events", "header.hash"));
  });
});
