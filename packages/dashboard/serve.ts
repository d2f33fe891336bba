/**
 * Server side of the dashboard (Node only; never part of the browser bundle): where the built files are and serving
 * them (the page is built at build time by build.ts, never here), either from the ledger's own fastify server
 * (`registerDashboardRoutes`) or from a small standalone server that relays the API of any ledger
 * (`startDashboardServer`, behind `gradual dashboard --ledger URL`).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GradualError } from "@gradual/protocol";
import type { FastifyInstance } from "fastify";

/**
 * The package's folder: this file's own from the TypeScript source (serve.ts), two levels up when it runs compiled
 * (dist/server/serve.js).
 */
export const PACKAGE_DIR = resolve(
  fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "." : "../..", import.meta.url)),
);

/** Files whose change makes a built dist/web/ stale (the page bundles @gradual/wire from its sources too). */
export const SOURCES = ["src", "index.html", "vite.config.ts", "package.json", "../wire/src"];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Asset names vite emits: hashed, flat, no path separators. */
const ASSET_NAME = /^[A-Za-z0-9_.-]+$/;

/** The absolute path of the built page (packages/dashboard/dist/web; dist/server holds this file compiled). */
export function dashboardDistDir(): string {
  return join(PACKAGE_DIR, "dist", "web");
}

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/**
 * True when dist/web/index.html exists and is newer than every source file. An installed package (packed without
 * its sources) ships its page built: there is nothing to compare with and nothing to build it from.
 */
export function isDashboardBuilt(distDir = dashboardDistDir()): boolean {
  const index = join(distDir, "index.html");
  if (!existsSync(index)) return false;
  if (!existsSync(join(PACKAGE_DIR, "src"))) return true;
  const sourcesMs = Math.max(...SOURCES.map((source) => newestMtimeMs(join(PACKAGE_DIR, source))));
  return statSync(index).mtimeMs >= sourcesMs;
}

/** A dashboard page is not built: DASHBOARD__NOT_BUILT, with what to run. */
export class DashboardNotBuiltError extends GradualError<"DASHBOARD__NOT_BUILT"> {
  override readonly name = "DashboardNotBuiltError";
  constructor(distDir: string) {
    super("DASHBOARD__NOT_BUILT", {
      message: `the dashboard's page is not built (${distDir} has no index.html): run npm run build`,
      context: { distDir },
    });
  }
}

let warnedStale = false;

/**
 * The directory of the built page, for a server to serve. The page is built at install or build time
 * (`npm run build`, which `npm ci`, `npm start` and `npm test` run; build.ts), never by a running ledger or CLI: a
 * missing build is DASHBOARD__NOT_BUILT, and a build older than its sources is served with one warning.
 */
export function builtDashboardDir(
  options: { readonly log?: (line: string) => void; readonly distDir?: string } = {},
): string {
  const distDir = options.distDir ?? dashboardDistDir();
  if (!existsSync(join(distDir, "index.html"))) throw new DashboardNotBuiltError(distDir);
  if (!warnedStale && !isDashboardBuilt(distDir)) {
    warnedStale = true;
    options.log?.("the dashboard's page is older than its sources: run npm run build to see your changes");
  }
  return distDir;
}

type StaticFile = { readonly status: number; readonly headers: Record<string, string>; readonly body: Buffer };

const NOT_FOUND_BODY = (path: string) =>
  Buffer.from(JSON.stringify({ code: "API__NOT_FOUND", message: `no dashboard file ${path}`, context: {} }));

/** Reads one dashboard file for a URL path: `/` and `/index.html` give the page, `/assets/NAME` an asset. */
export async function readDashboardFile(distDir: string, urlPath: string): Promise<StaticFile> {
  const path = urlPath.split("?")[0] ?? "/";
  let file: string | undefined;
  let cache = "no-cache";
  if (path === "/" || path === "/index.html") {
    file = join(distDir, "index.html");
  } else if (path.startsWith("/assets/")) {
    const name = path.slice("/assets/".length);
    if (ASSET_NAME.test(name) && !name.startsWith(".")) {
      file = join(distDir, "assets", name);
      // Asset names carry a content hash: they never change under the same name.
      cache = "public, max-age=31536000, immutable";
    }
  }
  if (file !== undefined) {
    try {
      const body = await readFile(file);
      return {
        status: 200,
        headers: {
          "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
          "cache-control": cache,
          "x-content-type-options": "nosniff",
        },
        body,
      };
    } catch {
      // Fall through to 404 (for index.html: the dashboard was not built).
    }
  }
  return {
    status: 404,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" },
    body: NOT_FOUND_BODY(path),
  };
}

export type NodeStatusResult = {
  readonly url: string;
  readonly reachable: boolean;
  readonly health: Record<string, unknown> | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly error: string | null;
};

/** Largest /health or /metrics body read from a node. */
const MAX_NODE_BODY_BYTES = 64 * 1024;
const NODE_TIMEOUT_MS = 2_000;
/** Metric samples relayed from a node's /metrics: unlabelled numbers only, at most this many. */
const MAX_METRICS = 60;

async function fetchLimited(url: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(NODE_TIMEOUT_MS), redirect: "manual" });
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader !== undefined) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_NODE_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${MAX_NODE_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    text: Buffer.concat(chunks).toString("utf8"),
  };
}

/** Parses unlabelled samples (`name value`) of a Prometheus text body. */
export function parseMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(-?[0-9.eE+-]+|NaN|[+-]Inf)\s*$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) out[match[1]] = value;
    if (Object.keys(out).length >= MAX_METRICS) break;
  }
  return out;
}

/**
 * Reads a node's own `/health` and `/metrics` for the node page (browsers cannot: nodes send no CORS headers).
 * Only the URL the node registered on the ledger is used, reduced to its origin and path, and only small JSON and
 * numeric metric samples come back, so the relay cannot be pointed at arbitrary content.
 */
export async function fetchNodeStatus(nodeUrl: string): Promise<NodeStatusResult> {
  let base: URL;
  try {
    base = new URL(nodeUrl);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    return { url: nodeUrl, reachable: false, health: null, metrics: {}, error: "the node's URL is not an http(s) URL" };
  }
  const root = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  try {
    const health = await fetchLimited(`${root}/health`);
    let parsed: Record<string, unknown> | null = null;
    try {
      const value = JSON.parse(health.text) as unknown;
      if (typeof value === "object" && value !== null && !Array.isArray(value))
        parsed = value as Record<string, unknown>;
    } catch {
      parsed = null;
    }
    let metrics: Record<string, number> = {};
    try {
      const answer = await fetchLimited(`${root}/metrics`);
      if (answer.status === 200) metrics = parseMetrics(answer.text);
    } catch {
      metrics = {};
    }
    return {
      url: nodeUrl,
      reachable: true,
      health: parsed,
      metrics,
      error: parsed === null ? `/health answered HTTP ${health.status} without JSON` : null,
    };
  } catch (error) {
    return { url: nodeUrl, reachable: false, health: null, metrics: {}, error: (error as Error).message };
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const NODE_STATUS_ROUTE = /^\/dashboard\/v1\/node-status\/([0-9a-f]{64})\/([0-9a-f]{64})$/;

export type RegisterDashboardRoutesOptions = {
  /** Relay nodes' /health and /metrics for the node page (default true). */
  readonly relayNodeStatus?: boolean;
};

/**
 * Serves the dashboard from a fastify app (the ledger's): `GET /` and `/index.html` (the page, not cached),
 * `GET /assets/*` (hashed files, cached for a year), and `GET /dashboard/v1/node-status/:task/:account` (the node
 * relay; the node's URL is read from the app's own /v1 API). Call before `listen`.
 */
export function registerDashboardRoutes(
  app: FastifyInstance,
  distDir: string,
  options: RegisterDashboardRoutesOptions = {},
): void {
  const send = async (path: string, reply: import("fastify").FastifyReply) => {
    const file = await readDashboardFile(distDir, path);
    return reply.code(file.status).headers(file.headers).send(file.body);
  };
  app.get("/", async (_request, reply) => send("/", reply));
  app.get("/index.html", async (_request, reply) => send("/index.html", reply));
  app.get("/assets/*", async (request, reply) => send(request.url, reply));
  if (options.relayNodeStatus === false) return;
  app.get("/dashboard/v1/node-status/:task/:account", async (request, reply) => {
    const { task, account } = request.params as { task: string; account: string };
    if (!HEX64.test(task) || !HEX64.test(account)) {
      return reply
        .code(400)
        .send({ code: "API__INVALID_REQUEST", message: "expected a task id and an account", context: {} });
    }
    const answer = await app.inject({ method: "GET", url: `/v1/tasks/${task}/nodes/${account}` });
    if (answer.statusCode !== 200) return reply.code(answer.statusCode).type("application/json").send(answer.body);
    const node = JSON.parse(answer.body) as { url: string };
    return reply.send(await fetchNodeStatus(node.url));
  });
}

export type StartDashboardServerOptions = {
  /** The ledger whose API the dashboard shows, e.g. http://127.0.0.1:8899. */
  readonly ledgerUrl: string;
  /** 127.0.0.1 unless given. */
  readonly host?: string;
  /** 8898 unless given; 0 picks a free port. */
  readonly port?: number;
  /** Defaults to the built dist/web (see builtDashboardDir). */
  readonly distDir?: string;
  readonly relayNodeStatus?: boolean;
};

export type RunningDashboardServer = {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

export const DEFAULT_DASHBOARD_PORT = 8898;

/** Paths relayed to the ledger (read-only: GET and HEAD). */
const RELAYED = /^\/(v1\/|metrics$)/;

function relay(ledger: URL, request: IncomingMessage, response: ServerResponse): void {
  const target = new URL(request.url ?? "/", ledger);
  const headers: Record<string, string> = {};
  for (const name of ["accept", "last-event-id", "cache-control"]) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const upstream = send(target, { method: request.method, headers }, (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !["connection", "keep-alive", "transfer-encoding"].includes(name)) out[name] = value;
    }
    response.writeHead(answer.statusCode ?? 502, out);
    if ((answer.headers["content-type"] ?? "").startsWith("text/event-stream")) response.flushHeaders();
    answer.pipe(response);
    answer.on("error", () => response.destroy());
  });
  upstream.on("error", (error) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(502, { "content-type": "application/json; charset=utf-8" });
    response.end(
      JSON.stringify({
        code: "NETWORK__UNREACHABLE",
        message: `the ledger at ${ledger.origin} did not answer: ${error.message}`,
        context: { ledger: ledger.origin },
      }),
    );
  });
  // The browser went away (a closed tab, an EventSource reconnecting): stop the upstream request too.
  response.on("close", () => upstream.destroy());
  upstream.end();
}

/**
 * A standalone dashboard for any ledger (`gradual dashboard --ledger URL`): serves the built files and relays the
 * ledger's read API (/v1/*, /metrics, including the event stream) so the page stays on one origin.
 */
export async function startDashboardServer(options: StartDashboardServerOptions): Promise<RunningDashboardServer> {
  const ledger = new URL(options.ledgerUrl.replace(/\/*$/, "/"));
  if (ledger.protocol !== "http:" && ledger.protocol !== "https:") {
    throw new TypeError(`expected the ledger as an http(s) URL, got ${JSON.stringify(options.ledgerUrl)}`);
  }
  const distDir = options.distDir ?? builtDashboardDir();
  const relayNodeStatus = options.relayNodeStatus ?? true;
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") {
      response.writeHead(405, { "content-type": "application/json; charset=utf-8", allow: "GET, HEAD" });
      response.end(
        JSON.stringify({ code: "API__METHOD_NOT_ALLOWED", message: "this dashboard server is read-only", context: {} }),
      );
      return;
    }
    if (RELAYED.test(path)) {
      relay(ledger, request, response);
      return;
    }
    const nodeStatus = NODE_STATUS_ROUTE.exec(path);
    if (nodeStatus !== null && relayNodeStatus) {
      void (async () => {
        try {
          const answer = await fetch(new URL(`v1/tasks/${nodeStatus[1]}/nodes/${nodeStatus[2]}`, ledger), {
            signal: AbortSignal.timeout(NODE_TIMEOUT_MS),
          });
          const text = await answer.text();
          if (!answer.ok) {
            response.writeHead(answer.status, { "content-type": "application/json; charset=utf-8" });
            response.end(text);
            return;
          }
          const status = await fetchNodeStatus((JSON.parse(text) as { url: string }).url);
          response.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" });
          response.end(JSON.stringify(status));
        } catch (error) {
          response.writeHead(502, { "content-type": "application/json; charset=utf-8" });
          response.end(
            JSON.stringify({ code: "NETWORK__UNREACHABLE", message: (error as Error).message, context: {} }),
          );
        }
      })();
      return;
    }
    void readDashboardFile(distDir, path).then((file) => {
      response.writeHead(file.status, file.headers);
      response.end(method === "HEAD" ? undefined : file.body);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, host, () => resolveListen());
  });
  const address = server.address();
  const port =
    typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_DASHBOARD_PORT);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** For tests and tools: the size of a file in dist/, or undefined. */
export async function distFileSize(distDir: string, name: string): Promise<number | undefined> {
  try {
    return (await stat(join(distDir, name))).size;
  } catch {
    return undefined;
  }
}
