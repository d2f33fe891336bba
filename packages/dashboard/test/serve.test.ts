import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { buildDashboard } from "../build.ts";
import {
  builtDashboardDir,
  dashboardDistDir,
  fetchNodeStatus,
  isDashboardBuilt,
  parseMetrics,
  readDashboardFile,
  registerDashboardRoutes,
  startDashboardServer,
} from "../serve.ts";

/** A fake dist/ so these tests do not depend on a build. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradual-dashboard-dist-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>gradual · dashboard</title>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dir, "assets", "index-abc123.css"), "body{}");
  return dir;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A node's /health and /metrics. */
function fakeNode(): Server {
  return createServer((request, response) => {
    if (request.url === "/health") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: true, replicaHeight: 41, lastError: null }));
    } else if (request.url === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end('# HELP x\nnode_replica_height 41\nnode_calls_total{kind="task"} 3\nnode_up 1\n');
    } else {
      response.writeHead(404).end();
    }
  });
}

describe("dashboard files", () => {
  let dist: string;
  before(() => {
    dist = fakeDist();
  });
  after(() => rmSync(dist, { recursive: true, force: true }));

  it("serves the page uncached and hashed assets cached for a year, with content types", async () => {
    const page = await readDashboardFile(dist, "/");
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.headers["cache-control"], "no-cache");
    const script = await readDashboardFile(dist, "/assets/index-abc123.js?v=1");
    assert.equal(script.status, 200);
    assert.equal(script.headers["content-type"], "text/javascript; charset=utf-8");
    assert.match(script.headers["cache-control"] ?? "", /immutable/);
    assert.equal(
      (await readDashboardFile(dist, "/assets/index-abc123.css")).headers["content-type"],
      "text/css; charset=utf-8",
    );
  });

  it("answers 404 for anything else, including paths that try to leave assets/", async () => {
    for (const path of [
      "/assets/../index.html",
      "/assets/%2e%2e/x",
      "/assets/.hidden",
      "/assets/missing.js",
      "/package.json",
      "/src/main.tsx",
    ]) {
      assert.equal((await readDashboardFile(dist, path)).status, 404, path);
    }
  });

  it("registers / and /assets/* on a fastify app, and relays a node's /health and /metrics", async () => {
    const node = fakeNode();
    const nodeUrl = await listen(node);
    const app = Fastify();
    const task = "a".repeat(64);
    const account = "b".repeat(64);
    app.get("/v1/tasks/:task/nodes/:account", async (request, reply) => {
      const params = request.params as { account: string };
      if (params.account !== account)
        return reply.code(404).send({ code: "NODE__NOT_STAKED", message: "no", context: {} });
      return { url: nodeUrl };
    });
    registerDashboardRoutes(app, dist);
    try {
      const page = await app.inject({ method: "GET", url: "/" });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /gradual · dashboard/);
      const asset = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
      assert.equal(asset.headers["content-type"], "text/javascript; charset=utf-8");
      const status = await app.inject({ method: "GET", url: `/dashboard/v1/node-status/${task}/${account}` });
      assert.equal(status.statusCode, 200);
      const body = status.json() as { reachable: boolean; health: { ok: boolean }; metrics: Record<string, number> };
      assert.equal(body.reachable, true);
      assert.equal(body.health.ok, true);
      assert.deepEqual(body.metrics, { node_replica_height: 41, node_up: 1 });
      const unknown = await app.inject({ method: "GET", url: `/dashboard/v1/node-status/${task}/${"c".repeat(64)}` });
      assert.equal(unknown.statusCode, 404);
    } finally {
      await app.close();
      await close(node);
    }
  });

  it("reports an unreachable node instead of failing", async () => {
    const status = await fetchNodeStatus("http://127.0.0.1:1");
    assert.equal(status.reachable, false);
    assert.ok(status.error !== null);
    assert.equal((await fetchNodeStatus("ftp://example")).reachable, false);
    assert.deepEqual(parseMetrics('a 1\nb{x="y"} 2\nc NaN\nd 2.5e3'), { a: 1, d: 2500 });
  });
});

describe("startDashboardServer", () => {
  let dist: string;
  let ledger: Server;
  let ledgerUrl: string;
  before(async () => {
    dist = fakeDist();
    ledger = createServer((request, response) => {
      if (request.url === "/v1/chain") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ chainId: "test" }));
      } else if (request.url?.startsWith("/v1/events")) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(
          `id: 5\nevent: block\ndata: {"after":"${request.url.split("after=")[1] ?? ""}","lastEventId":"${request.headers["last-event-id"] ?? ""}"}\n\n`,
        );
      } else {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ code: "API__NOT_FOUND", message: "no", context: {} }));
      }
    });
    ledgerUrl = await listen(ledger);
  });
  after(async () => {
    await close(ledger);
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves the page and relays the ledger's read API, including the live event stream", async () => {
    const server = await startDashboardServer({ ledgerUrl, port: 0, distDir: dist });
    try {
      const page = await fetch(`${server.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /dashboard/);
      const chain = await fetch(`${server.url}/v1/chain`);
      assert.deepEqual(await chain.json(), { chainId: "test" });
      const missing = await fetch(`${server.url}/v1/nothing`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { code: string }).code, "API__NOT_FOUND");

      const controller = new AbortController();
      const events = await fetch(`${server.url}/v1/events?after=4`, {
        headers: { "last-event-id": "4" },
        signal: controller.signal,
      });
      assert.match(events.headers.get("content-type") ?? "", /text\/event-stream/);
      const reader = events.body?.getReader();
      const first = await reader?.read();
      assert.match(new TextDecoder().decode(first?.value), /"after":"4","lastEventId":"4"/);
      controller.abort();

      const post = await fetch(`${server.url}/v1/txs`, { method: "POST", body: "{}" });
      assert.equal(post.status, 405);
    } finally {
      await server.close();
    }
  });

  it("answers 502 with NETWORK__UNREACHABLE while the ledger is down", async () => {
    const server = await startDashboardServer({ ledgerUrl: "http://127.0.0.1:1", port: 0, distDir: dist });
    try {
      const answer = await fetch(`${server.url}/v1/chain`);
      assert.equal(answer.status, 502);
      assert.equal(((await answer.json()) as { code: string }).code, "NETWORK__UNREACHABLE");
      assert.equal((await fetch(`${server.url}/`)).status, 200, "the page itself still loads");
    } finally {
      await server.close();
    }
  });

  it("refuses a ledger URL that is not http(s)", async () => {
    await assert.rejects(startDashboardServer({ ledgerUrl: "file:///etc", port: 0, distDir: dist }), TypeError);
  });
});

describe("the dashboard's page is built at build time, served at run time", () => {
  it("buildDashboard builds dist/ with vite when it is missing or stale, and leaves a current build alone", {
    timeout: 120_000,
  }, async () => {
    const dir = await buildDashboard();
    assert.equal(dir, dashboardDistDir());
    assert.ok(existsSync(join(dir, "index.html")));
    assert.ok(isDashboardBuilt(dir));
    const again = await buildDashboard();
    assert.equal(again, dir);
    assert.equal(builtDashboardDir(), dir);
  });

  it("a server without a built page stops with DASHBOARD__NOT_BUILT and what to run", () => {
    const empty = mkdtempSync(join(tmpdir(), "gradual-dashboard-unbuilt-"));
    try {
      assert.throws(
        () => builtDashboardDir({ distDir: empty }),
        (error: Error & { code?: string }) =>
          error.code === "DASHBOARD__NOT_BUILT" && /npm run build/.test(error.message),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("no runtime module loads vite: only build.ts does", () => {
    const root = join(import.meta.dirname, "..", "..", "..");
    for (const file of [
      "packages/dashboard/serve.ts",
      "packages/cli/src/commands/dashboard.ts",
      "packages/cli/src/commands/ledger.ts",
      "packages/cli/src/devnet/devnetLedger.ts",
    ]) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /["']vite["']|dashboard\/build|build\.ts["']/, file);
    }
  });
});
