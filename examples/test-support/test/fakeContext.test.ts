import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { describe, it } from "node:test";
import { defineTask } from "@gradual/sdk";
import {
  createFakeContext,
  createFakeLedger,
  createMemoryStore,
  createNodeKey,
  createRouteTable,
} from "../fakeContext.ts";

describe("fake task context", { timeout: 5_000 }, () => {
  it("derives a fixed ed25519 key per name that really signs", async () => {
    const key = createNodeKey("alice");
    assert.equal(createNodeKey("alice").account, key.account);
    assert.notEqual(createNodeKey("bob").account, key.account);
    const message = new TextEncoder().encode("hello");
    const signature = Buffer.from(await key.sign(message), "hex");
    const spkiPrefix = Buffer.from("302a300506032b6570032100", "hex");
    const publicKey = createPublicKey({
      key: Buffer.concat([spkiPrefix, Buffer.from(key.account, "hex")]),
      format: "der",
      type: "spki",
    });
    assert.equal(verify(null, message, publicKey, signature), true);
  });

  it("stores JSON copies and lists keys by prefix, sorted and limited", async () => {
    const store = createMemoryStore();
    const value = { a: [1, 2] };
    await store.set("x/2", value);
    await store.set("x/1", 1);
    await store.set("y", null);
    value.a.push(3);
    assert.deepEqual(await store.get("x/2"), { a: [1, 2] });
    assert.deepEqual(await store.keys("x/"), ["x/1", "x/2"]);
    assert.deepEqual(await store.keys("", 2), ["x/1", "x/2"]);
    await store.delete("x/1");
    assert.equal(await store.get("x/1"), undefined);
    assert.equal(store.size, 2);
    await assert.rejects(store.set("k".repeat(257), 1), RangeError);
  });

  it("answers ledger reads from a function and fails like a 404 otherwise", async () => {
    const ledger = createFakeLedger((path, query) => (path === "/blocks" ? { from: query.get("from") } : undefined));
    assert.deepEqual(await ledger.get("/blocks?from=3&to=4"), { from: "3" });
    await assert.rejects(ledger.get("/tasks/x"), /404/);
    assert.deepEqual(ledger.requests, ["/blocks?from=3&to=4", "/tasks/x"]);
    const ctx = createFakeContext({ cycle: 5, ledger });
    assert.equal(ctx.round, 5);
    ctx.log.warn("careful");
    assert.deepEqual(ctx.logs, [{ level: "warn", message: "careful" }]);
  });

  it("dispatches Express-style route patterns", async () => {
    const task = defineTask({
      task() {},
      submission: () => "",
      audit: () => true,
      routes(router) {
        router.get("/item/:id", (request) => ({ body: request.path }));
        router.post("/item", () => ({ status: 201 }));
      },
    });
    const routes = createRouteTable(task);
    const ctx = createFakeContext();
    assert.deepEqual(await routes.request(ctx, "GET", "/item/42?x=1"), { body: "/item/42" });
    assert.deepEqual(await routes.request(ctx, "POST", "/item"), { status: 201 });
    assert.equal((await routes.request(ctx, "GET", "/item")).status, 404);
  });
});
