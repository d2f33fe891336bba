import type { RouteRequest, RouteResponse } from "@gradual/sdk";
import express, { type Express } from "express";
import { type InjectOptions, inject } from "light-my-request";

/**
 * Koii tasks register HTTP routes on the Express `app` the namespace wrapper exports. On gradual no task opens a
 * socket: the node receives the request (under /tasks/{taskId}/ or Koii's /task/{taskId}/), hands it to the task as a
 * RouteRequest, and the request is replayed into the Express app in memory (light-my-request builds real
 * IncomingMessage / ServerResponse objects, so body parsers, res.json, res.send and middleware behave as usual).
 * The response body comes back as text: binary responses are not supported (docs/koii.md "Routes").
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
    ...(request.body !== "" && method !== "GET" && method !== "HEAD" ? { payload: request.body } : {}),
  });
  const outHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
    outHeaders[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return { status: response.statusCode, headers: outHeaders, body: response.payload };
}
