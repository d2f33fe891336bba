import type { ServerResponse } from "node:http";
import { httpStatusOf } from "@gradual/protocol";
import { toWire } from "@gradual/wire";
import { Ajv } from "ajv";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import { type ErrorBody, LedgerError } from "../errors.ts";
import type { Ledger } from "../ledger.ts";
import type { Logger } from "../logger.ts";
import type { LedgerMetrics } from "../metrics.ts";
import type { BlockProducer } from "../producer.ts";
import type { BlobStore } from "../store/blobStore.ts";
import { registerAccountRoutes } from "./routes/accounts.ts";
import { registerBlobRoutes } from "./routes/blobs.ts";
import { registerBlockRoutes } from "./routes/blocks.ts";
import { registerChainRoutes } from "./routes/chain.ts";
import { registerDevnetRoutes } from "./routes/devnet.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerGenesisRoutes } from "./routes/genesis.ts";
import { registerTaskRoutes } from "./routes/tasks.ts";
import { registerTransactionRoutes } from "./routes/transactions.ts";
import { RouteTable } from "./routeTable.ts";
import { parseStrictJson } from "./strictJson.ts";

export type LedgerServerOptions = {
  /** Devnet admin token (Bearer); admin routes exist only when the chain is a devnet. */
  readonly adminToken?: string;
  /** Largest blob, in bytes. */
  readonly maxBlobBytes?: number;
  readonly maxBatchTransactions?: number;
  /** Largest batch request body, in bytes. */
  readonly maxBatchBytes?: number;
  readonly maxEventSubscribers?: number;
  /** Most event streams one client address may hold open. */
  readonly maxEventSubscribersPerClient?: number;
  /** Most open TCP connections; further ones are closed at once. */
  readonly maxConnections?: number;
  /** A socket with no traffic for this long is closed (event streams send a keep-alive every 15 s). */
  readonly idleTimeoutMs?: number;
  /** Time allowed to receive a whole request (slow senders are cut off). */
  readonly requestTimeoutMs?: number;
  /** Longest `?wait=included`, in milliseconds. */
  readonly maxWaitMs?: number;
};

export type LedgerServerModules = {
  readonly ledger: Ledger;
  /** Blobs, apart from the chain database. */
  readonly blobs: BlobStore;
  readonly producer: BlockProducer;
  readonly metrics: LedgerMetrics;
  readonly logger: Logger;
};

export type ResolvedServerOptions = Required<Omit<LedgerServerOptions, "adminToken">> & {
  readonly adminToken: string | undefined;
};

/** Shared by the route files. */
export type ServerContext = {
  readonly options: ResolvedServerOptions;
  readonly modules: LedgerServerModules;
  readonly table: RouteTable;
  /** Open event streams, ended when the server closes. */
  readonly streams: Set<ServerResponse>;
};

declare module "fastify" {
  interface FastifyRequest {
    /** Size of the request body in bytes, set by the ledger's body parsers. */
    bodyBytes?: number;
  }
}

/** Turns anything thrown in a handler or by fastify itself into the API's error body. */
function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof LedgerError)
    return { ...error.toBody(), context: toWire(error.context) as Record<string, unknown> };
  const fastifyError = error as Partial<FastifyError> & { validation?: { instancePath?: string; message?: string }[] };
  if (fastifyError.validation !== undefined) {
    const problems = fastifyError.validation.map((item) => ({
      path: `${fastifyError.validationContext ?? "request"}${item.instancePath ?? ""}`,
      message: item.message ?? "invalid",
    }));
    const first = problems[0];
    return {
      code: "API__INVALID_REQUEST",
      message: first === undefined ? "invalid request" : `${first.path}: ${first.message}`,
      context: { problems },
    };
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "API__BODY_TOO_LARGE", message: "the request body is too large", context: {} };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        code: "API__UNSUPPORTED_MEDIA_TYPE",
        message: "expected Content-Type application/json (or application/octet-stream for blobs)",
        context: {},
      };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { code: "API__MALFORMED_JSON", message: fastifyError.message ?? "malformed JSON", context: {} };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { code: "API__INVALID_REQUEST", message: fastifyError.message ?? "invalid request", context: {} };
  }
  return { code: "API__INTERNAL", message: "internal error", context: {} };
}

/** Most bytes of an oversized upload read and dropped before answering it. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

function drainRequest(stream: FastifyRequest["raw"]): Promise<void> {
  if (stream.complete || stream.destroyed) return Promise.resolve();
  return new Promise((done) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      stream.destroy();
      finish();
    }, DRAIN_TIMEOUT_MS);
    stream.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT_BYTES) {
        stream.destroy();
        finish();
      }
    });
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
    stream.resume();
  });
}

function recordBodyBytes(request: FastifyRequest, bytes: number): void {
  request.bodyBytes = bytes;
}

/**
 * How requests are checked against their routes' schemas (a failure answers 400 API__INVALID_REQUEST: errorBodyOf).
 * A JSON body is checked as sent, never coerced: a faucet `amount` sent as the number 5 (or as ["5"]) is refused, not
 * read as "5", since amounts travel as decimal strings (protocol.md §3.1), and a `count` sent as "2" is not a number.
 * Path and query parameters arrive as text, so they are coerced to the integers their schemas declare (`?limit=10`).
 * Unknown body fields are errors, not silently dropped.
 */
function requestValidatorCompiler() {
  const options = { removeAdditional: false, useDefaults: true, allErrors: false, addUsedSchema: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const text = new Ajv({ ...options, coerceTypes: "array" });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === "body" ? body : text).compile(schema);
}

/**
 * The ledger's HTTP API (fastify, `/v1`): a factory that wires routes to a running {@link Ledger}. It does not
 * listen; `startLedger` does, and tests may use `app.inject()`.
 */
export function createLedgerServer(options: LedgerServerOptions, modules: LedgerServerModules): FastifyInstance {
  const resolved: ResolvedServerOptions = {
    adminToken: options.adminToken,
    // As large as the largest task bundle a node accepts (MAX_BUNDLE_BYTES of @gradual/node): a bundle is a blob.
    maxBlobBytes: options.maxBlobBytes ?? 16 * 1024 * 1024,
    maxBatchTransactions: options.maxBatchTransactions ?? 4096,
    maxBatchBytes: options.maxBatchBytes ?? 32 * 1024 * 1024,
    maxEventSubscribers: options.maxEventSubscribers ?? 256,
    maxEventSubscribersPerClient: options.maxEventSubscribersPerClient ?? 32,
    maxConnections: options.maxConnections ?? 2_048,
    maxWaitMs: options.maxWaitMs ?? 120_000,
    idleTimeoutMs: options.idleTimeoutMs ?? (options.maxWaitMs ?? 120_000) + 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
  };
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: false,
    // Limits on connections (issue 13): idle sockets and slow requests are closed. Keep-alive stays fastify's
    // (72 s): a short one races clients that reuse a socket the server is closing ("other side closed").
    connectionTimeout: resolved.idleTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
  });
  app.setValidatorCompiler(requestValidatorCompiler());
  app.server.maxConnections = resolved.maxConnections;
  app.server.headersTimeout = Math.min(resolved.requestTimeoutMs, 20_000);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    recordBodyBytes(request, Buffer.byteLength(text));
    try {
      // Canonical wire forms only: a duplicate key or a deep nesting is refused with its code, never a 500.
      done(null, parseStrictJson(text));
    } catch (error) {
      done(error as FastifyError, undefined);
    }
  });
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (request, body, done) => {
    recordBodyBytes(request, (body as Buffer).length);
    done(null, body);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const body = errorBodyOf(error);
    const status = httpStatusOf(body.code);
    if (status >= 500 && body.code === "API__INTERNAL") {
      modules.logger.error(
        `request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    if (body.code === "API__BODY_TOO_LARGE") {
      // Read (and drop) the rest of the upload so that the client, still sending, gets the answer rather than a
      // reset connection; past DRAIN_LIMIT_BYTES the connection is cut.
      await drainRequest(request.raw);
      void reply.header("connection", "close");
    }
    return reply.code(status).type("application/json").send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      code: "API__NOT_FOUND",
      message: `no route ${request.method} ${request.url.split("?")[0]} (every route: GET /v1/openapi.json)`,
      context: { method: request.method },
    };
    void reply.code(404).type("application/json").send(body);
  });
  const context: ServerContext = { options: resolved, modules, table: new RouteTable(app), streams: new Set() };
  app.addHook("preClose", async () => {
    for (const stream of context.streams) stream.end();
    context.streams.clear();
  });
  registerChainRoutes(context);
  registerGenesisRoutes(context);
  registerTransactionRoutes(context);
  registerBlockRoutes(context);
  registerAccountRoutes(context);
  registerTaskRoutes(context);
  registerBlobRoutes(context);
  registerEventRoutes(context);
  if (modules.ledger.isDevnet) registerDevnetRoutes(context);
  return app;
}
