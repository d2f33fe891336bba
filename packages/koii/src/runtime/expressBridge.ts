import type { RouteRequest, RouteResponse } from "@gradual/sdk";
import express, { type Express } from "express";
import { type InjectOptions, inject } from "light-my-request";

/**
 * Koii tasks register HTTP routes on the Express `app` the namespace wrapper exports. On gradual no task opens a
 * socket: the node receives the request (under /tasks/{taskId}/ or Koii's /task/{taskId}/), hands it to the task as a
 * RouteRequest, and the request is replayed into the Express app in memory (light-my-request builds real
 * IncomingMessage / ServerResponse objects, so body parsers, res.json, res.send and middleware behave as usual).
 * Request bodies go in as their exact bytes; a response comes back as text when its content type is textual (JSON,
 * text, XML, JavaScript, forms) and as base64 bytes otherwise, so images and files pass through unchanged. A
 * streamed response is collected whole first (docs/koii.md "Routes").
 */

/** The app as Koii's wrapper sets it up: body parsers, permissive CORS, 204 for OPTIONS, GET / -> Running. */
export function createKoiiApp(): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: "50mb" }));
  app.use(express.json({ limit: "50mb" }));
  app.use((request, response, next) => {
    response.setHeader("Access-Control-Allow-Origin", "*");
    response.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
    response.setHeader("Access-Control-Allow-Headers", "Content-Type");
    response.setHeader("Access-Control-Allow-Credentials", "false");
    if (request.method === "OPTIONS") {
      response.sendStatus(204);
      return;
    }
    next();
  });
  app.get("/", (_request, response) => {
    response.json({ status: 200, message: "Running" });
  });
  return app;
}

/** Headers the in-memory request must not carry over: lengths and framing are recomputed for the new body. */
const DROPPED_REQUEST_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]);
/** Headers the node sets itself on the way out. */
const DROPPED_RESPONSE_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);

function requestUrl(request: RouteRequest): string {
  const query = new URLSearchParams(request.query).toString();
  const path = request.path.startsWith("/") ? request.path : `/${request.path}`;
  return query === "" ? path : `${path}?${query}`;
}

/** Replays one RouteRequest into an Express app and returns its response. */
export async function dispatchToExpress(app: Express, request: RouteRequest): Promise<RouteResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  const method = request.method.toUpperCase() as NonNullable<InjectOptions["method"]>;
  const response = await inject(app, {
    method,
    url: requestUrl(request),
    headers,
    remoteAddress: "127.0.0.1",
    ...(method !== "GET" && method !== "HEAD" ? payloadOf(request) : {}),
  });
  const outHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
    outHeaders[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  if (isTextual(outHeaders["content-type"]) || response.rawPayload.length === 0) {
    return { status: response.statusCode, headers: outHeaders, body: response.payload };
  }
  return { status: response.statusCode, headers: outHeaders, bodyBase64: response.rawPayload.toString("base64") };
}

function payloadOf(request: RouteRequest): { payload?: string | Buffer } {
  if (request.bodyBase64 !== undefined) return { payload: Buffer.from(request.bodyBase64, "base64") };
  return request.body === "" ? {} : { payload: request.body };
}

/** Content types whose bytes are text (sent back as a string); anything else goes back as base64 bytes. */
function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type.endsWith("+xml") ||
    type === "application/xml" ||
    type === "application/javascript" ||
    type === "application/x-www-form-urlencoded"
  );
}
