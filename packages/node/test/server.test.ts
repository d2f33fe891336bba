/**
 * The node's HTTP server as a stranger meets it: task routes with every method and any body, limits, and what it
 * answers to paths, methods and bodies it does not serve. The node behind it is a stand-in that echoes route calls
 * (the real node's routes run in e2e tests: packages/cli/test/koii/devnet-b.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sha256Hex, TOKEN } from "@gradual/protocol";
import { accountOf, proofOf, TestChain } from "@gradual/protocol/testing";
import type { RouteRequest, RouteResponse } from "@gradual/sdk";
import { base58, hex } from "@scure/base";
import { NodeStore } from "../src/runtime/nodeStore.ts";
import { createNodeServer, MAX_ROUTE_BODY_BYTES, type NodeServer } from "../src/runtime/server.ts";
import type { TaskNode } from "../src/runtime/taskNode.ts";

const TASK = "a".repeat(64);
const seen: RouteRequest[] = [];
const stand = {
  options: { taskId: TASK },
  me: "b".repeat(64),
  replica: undefined,
  ledgerHead: 0,
  lastError: undefined,
  fatal: undefined,
  taskCalls: { submitted: 3, nothing: 1, failed: 2, lastFailure: { cycle: 4, code: "TASK__THREW", message: "boom" } },
  store: { proof: () => undefined },
  metrics: { render: () => "gradual_node_up 1\n" },
  runner: {
    route: async (request: RouteRequest): Promise<RouteResponse> => {
      seen.push(request);
      if (request.path === "/bytes") return { headers: { "Content-Type": "image/png" }, bodyBase64: "iVBORw0KGgo=" };
      if (request.path === "/json") return { status: 201, body: { ok: true } };
      return { body: `${request.method} ${request.path}` };
    },
  },
} as unknown as TaskNode;

let server: NodeServer;
let base = "";
before(async () => {
  server = createNodeServer(stand);
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${address.port}`;
});
after(() => server.close());

/** A raw request (fetch refuses some of what a stranger may send). */
function raw(method: string, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("every method reaches the task with the exact body bytes, under /tasks/ and Koii's /task/", async () => {
  const bytes = Buffer.from([0xff, 0x00, 0x80, 0x41]);
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const response = await fetch(`${base}/task/${TASK}/x/%2F?q=1`, { method, body: bytes });
    assert.equal(await response.text(), `${method} /x/%2F`);
    const last = seen.at(-1) as RouteRequest;
    assert.equal(Buffer.from(last.bodyBase64 ?? "", "base64").compare(bytes), 0);
    assert.deepEqual(last.query, { q: "1" });
  }
  const form = await fetch(`${base}/tasks/${TASK}/form`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "a=1&b=%20",
  });
  assert.equal(form.status, 200);
  assert.equal(seen.at(-1)?.body, "a=1&b=%20", "a form arrives unparsed");
  assert.equal((await fetch(`${base}/tasks/${TASK}`)).status, 200, "the task's root");
  // Koii code writes the task id in base58 (TASK_ID): the same 32 bytes reach the same routes.
  const base58Id = base58.encode(hex.decode(TASK));
  assert.equal(await (await fetch(`${base}/task/${base58Id}/value`)).text(), "GET /value");
});

test("binary and JSON responses keep their bytes and types; HEAD has no body", async () => {
  const png = await fetch(`${base}/tasks/${TASK}/bytes`);
  assert.equal(png.headers.get("content-type"), "image/png");
  assert.deepEqual(Buffer.from(await png.arrayBuffer()), Buffer.from("iVBORw0KGgo=", "base64"));
  const json = await fetch(`${base}/tasks/${TASK}/json`);
  assert.equal(json.status, 201);
  assert.match(json.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await json.json(), { ok: true });
  const head = await raw("HEAD", `/tasks/${TASK}/json`);
  assert.equal(head.status, 201);
  assert.equal(head.body, "");
  assert.equal((await raw("HEAD", "/health")).body, "");
});

test("what the node does not serve: other tasks, paths, methods, oversized bodies, unrevealed proofs", async () => {
  const other = await fetch(`${base}/tasks/${"c".repeat(64)}/x`);
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { code: string }).code, "TASK__NOT_SERVED");
  assert.equal((await fetch(`${base}/nowhere`)).status, 404);
  assert.equal((await fetch(`${base}/health`, { method: "POST" })).status, 404);
  assert.equal((await raw("TRACE", `/tasks/${TASK}/x`)).status, 405);
  const big = await raw("POST", `/tasks/${TASK}/x`, Buffer.alloc(MAX_ROUTE_BODY_BYTES + 1));
  assert.equal(big.status, 413);
  const proof = await fetch(`${base}/proofs/${"d".repeat(64)}`);
  assert.equal(proof.status, 404);
  assert.equal(((await proof.json()) as { code: string }).code, "PROOF__NOT_REVEALED");
  assert.equal((await fetch(`${base}/metrics`)).headers.get("content-type"), "text/plain; version=0.0.4");
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 503, "no replica yet");
  // What the node's task calls came to (a Koii devnet reads it to tell whether the task works).
  assert.deepEqual(((await health.json()) as { taskCalls: unknown }).taskCalls, {
    submitted: 3,
    nothing: 1,
    failed: 2,
    lastFailure: { cycle: 4, code: "TASK__THREW", message: "boom" },
  });
});

test("a proof revealed in one cycle is served after the next cycle produced the same bytes (not yet revealed)", async () => {
  // A deterministic task: the same submission every round. The store's row for the digest now names cycle 2, whose
  // reveal is still to come; auditors of cycle 1 must get the bytes all the same.
  const bytes = new TextEncoder().encode("same every round");
  const digest = sha256Hex(bytes);
  const chain = new TestChain({ creator: 100_000n * TOKEN, b: 1_000n * TOKEN, c: 1_000n * TOKEN });
  const task = chain.createTask("creator", { warmupRounds: 0, rampRounds: 0 }, 10_000n * TOKEN);
  for (const name of ["b", "c"]) chain.stakeIn(task, name, 100n * TOKEN);
  chain.playSubmissions(task, 1, { b: digest, c: proofOf("c") });
  const dataDir = mkdtempSync(join(tmpdir(), "gradual-proof-store-"));
  const store = new NodeStore(dataDir);
  store.saveWork(1, { status: "done", proofDigest: digest, salt: "1".repeat(64) }, bytes);
  store.saveWork(2, { status: "done", proofDigest: digest, salt: "2".repeat(64) }, bytes);
  const node = { ...stand, options: { taskId: task }, me: accountOf("b"), replica: { state: chain.state }, store };
  const proofServer = createNodeServer(node as unknown as TaskNode);
  const address = await proofServer.listen({ port: 0, host: "127.0.0.1" });
  try {
    const served = await fetch(`http://127.0.0.1:${address.port}/proofs/${digest}`);
    assert.equal(served.status, 200);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), bytes);
    // Nothing revealed under another digest is served.
    const other = await fetch(`http://127.0.0.1:${address.port}/proofs/${proofOf("c")}`);
    assert.equal(other.status, 404);
  } finally {
    await proofServer.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
