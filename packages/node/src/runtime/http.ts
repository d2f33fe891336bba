import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { GradualError } from "@gradual/protocol";

/**
 * The node's HTTP client (ledger API, peers' proofs) over `node:http`, not the global `fetch`: fetch loads undici
 * (its JavaScript and the Response and Headers classes), about 15 MB of RSS in every node process (measured in
 * docs/benchmarks.md, "Node memory"), for a handful of requests per slot. Connections are kept alive as fetch's are.
 */

export type HttpReply = {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
};

export type HttpRequestOptions = {
  readonly method?: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** The whole exchange, connection to last byte, in ms. */
  readonly timeoutMs: number;
  /** A reply body larger than this (announced or received) fails with `HttpBodyTooLarge`. */
  readonly maxBytes?: number;
};

/** A reply body over `maxBytes`: the request was aborted when it crossed the limit. */
export class HttpBodyTooLarge extends GradualError<"NODE__HTTP_BODY_TOO_LARGE"> {
  override readonly name = "HttpBodyTooLarge";
  constructor(message: string) {
    super("NODE__HTTP_BODY_TOO_LARGE", { message });
  }
}

/** No complete answer in time; named `TimeoutError` as fetch's timeouts are, which callers recognise. */
export class HttpTimeout extends GradualError<"NODE__HTTP_TIMEOUT"> {
  override readonly name = "TimeoutError";
  constructor(message: string) {
    super("NODE__HTTP_TIMEOUT", { message });
  }
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** One HTTP exchange; rejects on a network error, a timeout (`TimeoutError`) or a body over `maxBytes`. */
export function httpExchange(url: string, options: HttpRequestOptions): Promise<HttpReply> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  if (!secure && target.protocol !== "http:")
    return Promise.reject(new TypeError(`unsupported URL scheme ${target.protocol} (http: or https:)`));
  const body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
  return new Promise<HttpReply>((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: options.method ?? "GET",
        agent: secure ? agents.https : agents.http,
        headers: { ...options.headers, ...(body === undefined ? {} : { "content-length": String(body.length) }) },
      },
      (response) => {
        const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
        if (Number(response.headers["content-length"] ?? 0) > limit) {
          request.destroy(new HttpBodyTooLarge(`reply announces more than ${limit} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) request.destroy(new HttpBodyTooLarge(`reply over ${limit} bytes`));
          else chunks.push(chunk);
        });
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on("error", reject);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(
        new HttpTimeout(`${options.method ?? "GET"} ${target.pathname}: no answer within ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}

/** The reply's body as JSON, or undefined when it is not JSON. */
export function jsonOf(reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.body.toString("utf8"));
  } catch {
    return undefined;
  }
}
