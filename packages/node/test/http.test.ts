import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fetchProofBytes } from "../src/runtime/executor.ts";
import { HttpBodyTooLarge, httpExchange } from "../src/runtime/http.ts";
import { httpSettlement } from "../src/settlement/httpSettlement.ts";

/**
 * The node's HTTP client over node:http (runtime/http.ts): what a peer or a ledger answers is bounded in size and
 * time, refused statuses are not mistaken for proofs, and the ledger's coded refusals reach the caller.
 */
describe("node HTTP client", () => {
  let server: Server;
  let base: string;
  const hung = new Set<import("node:http").ServerResponse>();

  before(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? "/";
      if (path === "/small") response.end("proof bytes");
      else if (path === "/announced-large") {
        response.writeHead(200, { "content-length": "5000" });
        response.end("x".repeat(5000));
      } else if (path === "/streamed-large") {
        // No content-length: chunked, so only counting what arrives catches it.
        response.writeHead(200);
        for (let chunk = 0; chunk < 10; chunk += 1) response.write("y".repeat(1000));
        response.end();
      } else if (path === "/missing") response.writeHead(404).end("no such proof");
      else if (path === "/hang") hung.add(response);
      else if (path === "/v1/txs" && request.method === "POST") {
        let body = "";
        request.on("data", (chunk) => {
          body += chunk;
        });
        request.on("end", () => {
          const parsed = JSON.parse(body) as { signature: string };
          if (parsed.signature === "good") response.writeHead(200).end(JSON.stringify({ hash: "ab".repeat(32) }));
          else
            response
              .writeHead(400)
              .end(JSON.stringify({ code: "TX__BAD_SIGNATURE", message: "signature does not verify" }));
        });
      } else response.writeHead(500).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const response of hung) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  test("a proof within the limit arrives whole", async () => {
    const bytes = await fetchProofBytes(`${base}/small`, 2_000, 100);
    assert.equal(new TextDecoder().decode(bytes), "proof bytes");
  });

  test("a proof over the limit, announced or streamed, comes back empty (it then fails its digest)", async () => {
    assert.deepEqual(await fetchProofBytes(`${base}/announced-large`, 2_000, 1_000), new Uint8Array(0));
    assert.deepEqual(await fetchProofBytes(`${base}/streamed-large`, 2_000, 1_000), new Uint8Array(0));
    await assert.rejects(
      httpExchange(`${base}/streamed-large`, { timeoutMs: 2_000, maxBytes: 1_000 }),
      HttpBodyTooLarge,
    );
  });

  test("an error status is no proof", async () => {
    assert.equal(await fetchProofBytes(`${base}/missing`, 2_000, 100), undefined);
  });

  test("a peer that never answers is given up after the timeout", async () => {
    await assert.rejects(httpExchange(`${base}/hang`, { timeoutMs: 200 }), { name: "TimeoutError" });
  });

  test("a closed port fails with ECONNREFUSED", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    await assert.rejects(httpExchange(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 }), { code: "ECONNREFUSED" });
  });

  test("the ledger's coded refusal of a transaction reaches the node", async () => {
    const ledger = httpSettlement(base);
    assert.deepEqual(await ledger.submit({ tx: {}, signature: "good" }), { ok: true, hash: "ab".repeat(32) });
    assert.deepEqual(await ledger.submit({ tx: {}, signature: "bad" }), {
      ok: false,
      code: "TX__BAD_SIGNATURE",
      message: "signature does not verify",
    });
  });
});
