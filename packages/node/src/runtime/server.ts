import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  getChain,
  getNodeView,
  getReveal,
  getTask,
  httpStatusOf,
  type NODE_ERROR_CODES,
  roundOf,
} from "@gradual/protocol";
import { base58, hex } from "@scure/base";
import type { TaskRunner } from "../sandbox/types.ts";
import type { TaskNode } from "./taskNode.ts";

/**
 * The node's HTTP face: `/health`, `/metrics`, `/proofs/{digest}` (only once this node's reveal of that proof is
 * on the ledger, protocol.md §4.2, so nobody can copy it in time), and the task's routes under `/tasks/{taskId}/`
 * (and Koii's `/task/{taskId}/`). Plain `node:http`: a node serves four kinds of request, and a web framework cost
 * each node process about 18 MB (docs/benchmarks.md, "Node memory").
 */

/** Largest request body a task route accepts. */
export const MAX_ROUTE_BODY_BYTES = 1024 * 1024;
/** A request (headers and body) must arrive within this time. */
const REQUEST_TIMEOUT_MS = 30_000;
const TASK_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export type NodeServer = {
  listen(options: { port: number; host: string }): Promise<AddressInfo>;
  close(): Promise<void>;
};

/** An HTTP answer, built before anything is written (so a failure can still become a 500). */
export type HttpReply = { status: number; headers: Record<string, string>; body: Buffer | string };
type Reply = HttpReply;

function json(status: number, value: unknown): Reply {
  return { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(value) };
}

/** An error answer: the code's status comes from the error registry (NODE_ERROR_CODES). */
function failed(code: keyof typeof NODE_ERROR_CODES, message: string): Reply {
  return json(httpStatusOf(code), { code, message });
}

function health(node: TaskNode): Reply {
  const replica = node.replica;
  const state = replica?.state;
  const task = state === undefined ? undefined : getTask(state, node.options.taskId);
  const view = state === undefined ? undefined : getNodeView(state, node.options.taskId, node.me);
  const healthy = replica !== undefined && node.lastError === undefined && node.ledgerHead - replica.height <= 5;
  return json(healthy ? 200 : 503, {
    ok: healthy,
    node: node.me,
    name: node.options.name ?? null,
    task: node.options.taskId,
    replicaHeight: replica?.height ?? 0,
    ledgerHead: node.ledgerHead,
    round: task === undefined || state === undefined ? null : roundOf(task, getChain(state).slot),
    runnerLoaded: node.runner !== undefined,
    stake: view?.stake.toString() ?? "0",
    weight: view?.weight.toString() ?? "0",
    claimable: view?.claimable.toString() ?? "0",
    locked: view?.locked.toString() ?? "0",
    lastError: node.lastError ?? null,
    // Calls of task + submission since the node started: a devnet reads them to tell whether the task works.
    taskCalls: { ...node.taskCalls, lastFailure: node.taskCalls.lastFailure ?? null },
    ...(node.fatal === undefined ? {} : { code: node.fatal.code, stoppedAtBlock: node.fatal.block }),
  });
}

/**
 * A proof's bytes, once this node revealed that digest in some cycle. The store keeps one row per digest (the latest
 * cycle that produced it), and a deterministic task produces the same bytes round after round, so the cycles to
 * check are every cycle whose work came out with this digest, not only the row's.
 */
function proof(node: TaskNode, digest: string): Reply {
  const stored = /^[0-9a-f]{64}$/.test(digest) ? node.store.proof(digest) : undefined;
  const state = node.replica?.state;
  const revealedIn = (cycle: number) =>
    state !== undefined && getReveal(state, node.options.taskId, cycle, node.me)?.proofDigest === digest;
  let revealed = stored !== undefined && revealedIn(stored.cycle);
  if (stored !== undefined && !revealed) {
    for (const [cycle, work] of node.store.memory.work) {
      if (work.status === "done" && work.proofDigest === digest && revealedIn(cycle)) {
        revealed = true;
        break;
      }
    }
  }
  if (stored === undefined || !revealed) {
    return failed("PROOF__NOT_REVEALED", "no revealed proof with this digest on this node");
  }
  return { status: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.from(stored.bytes) };
}

/** The request body, at most MAX_ROUTE_BODY_BYTES; null when it is larger (the caller answers 413). */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_ROUTE_BODY_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ROUTE_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A request under `/tasks/{id}/` or `/task/{id}/` (the id in hex or base58), answered by the task's routes through
 * `runner`; undefined for any other path. `pathname` is the request's path as the task's prefix starts it (a server
 * that mounts nodes under a prefix of its own, like `gradual koii test`'s, strips it first).
 */
export async function answerTaskRoute(
  runner: Pick<TaskRunner, "route"> | undefined,
  servedTask: string,
  request: IncomingMessage,
  pathname: string,
  searchParams: URLSearchParams,
): Promise<HttpReply | undefined> {
  const task = taskPrefix(pathname);
  if (task === undefined) return undefined;
  const method = request.method ?? "GET";
  if (!TASK_METHODS.has(method)) return failed("ROUTE__METHOD", `${method} is not served`);
  if (!sameTask(task.taskId, servedTask) || runner === undefined) {
    return failed("TASK__NOT_SERVED", `this node does not serve task ${task.taskId}`);
  }
  const bytes = await readBody(request);
  if (bytes === null) {
    return failed("ROUTE__BODY_TOO_LARGE", `request bodies are limited to ${MAX_ROUTE_BODY_BYTES} bytes`);
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  // The raw path (still percent-encoded): the task's router decodes `:params` itself, exactly once.
  const response = await runner.route({
    method,
    path: pathname.slice(task.prefix.length) || "/",
    query: Object.fromEntries(searchParams),
    headers,
    body: bytes.toString("utf8"),
    ...(bytes.length > 0 ? { bodyBase64: bytes.toString("base64") } : {}),
  });
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers ?? {})) out[key.toLowerCase()] = value;
  let body: Buffer | string;
  if (response.bodyBase64 !== undefined) {
    out["content-type"] ??= "application/octet-stream";
    body = Buffer.from(response.bodyBase64, "base64");
  } else if (typeof response.body === "string") {
    out["content-type"] ??= "text/plain; charset=utf-8";
    body = response.body;
  } else if (response.body === undefined) {
    body = "";
  } else {
    out["content-type"] ??= "application/json; charset=utf-8";
    body = JSON.stringify(response.body);
  }
  return { status: response.status ?? 200, headers: out, body };
}

/** A task id as the ledger writes it (64 hex), or as Koii code does (base58 of the same 32 bytes). */
function sameTask(id: string, taskId: string): boolean {
  if (id === taskId) return true;
  try {
    const bytes = base58.decode(id);
    return bytes.length === 32 && hex.encode(bytes) === taskId;
  } catch {
    return false;
  }
}

/** `/tasks/{id}/...` or `/task/{id}/...`: the prefix up to the id, and the id; undefined for any other path. */
function taskPrefix(pathname: string): { prefix: string; taskId: string } | undefined {
  const match = /^\/tasks?\/([^/]+)(?=\/|$)/.exec(pathname);
  if (match === null) return undefined;
  return { prefix: match[0], taskId: match[1] as string };
}

async function handle(node: TaskNode, request: IncomingMessage): Promise<Reply> {
  let url: URL;
  try {
    url = new URL(request.url ?? "/", "http://node");
  } catch {
    return failed("HTTP__BAD_URL", "the request URL cannot be parsed");
  }
  const routed = await answerTaskRoute(node.runner, node.options.taskId, request, url.pathname, url.searchParams);
  if (routed !== undefined) return routed;
  if (request.method !== "GET" && request.method !== "HEAD")
    return failed("ROUTE__NOT_FOUND", `${request.method} ${url.pathname}`);
  if (url.pathname === "/health") return health(node);
  if (url.pathname === "/metrics") {
    return { status: 200, headers: { "content-type": "text/plain; version=0.0.4" }, body: node.metrics.render() };
  }
  const proofPath = /^\/proofs\/([^/]*)$/.exec(url.pathname);
  if (proofPath !== null) return proof(node, proofPath[1] as string);
  return failed("ROUTE__NOT_FOUND", `${request.method} ${url.pathname}`);
}

/** Writes a reply with its length. */
export function sendReply(response: ServerResponse, reply: HttpReply): void {
  const body = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
  response.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) });
  // Node's server drops the body of a HEAD response by itself.
  response.end(body);
}

export function createNodeServer(node: TaskNode): NodeServer {
  const server: Server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    handle(node, request).then(
      (reply) => sendReply(response, reply),
      (error: unknown) => {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        sendReply(response, failed("NODE__INTERNAL", (error as Error).message));
      },
    );
  });
  return {
    listen: ({ port, host }) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
