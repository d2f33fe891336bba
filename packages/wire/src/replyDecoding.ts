import type { Infer } from "./decoder.ts";
import { WireError } from "./errors.ts";
import type { RouteWire } from "./routes.ts";
import { errorBody } from "./transactions.ts";

/**
 * Step 4 of a request (routes.ts): the client checks the ledger's reply against the route before using it. Shared
 * by the ledger's client (Node) and the dashboard's (browser), so both refuse the same replies with the same code.
 */

/** The JSON reply of a route, any of its success statuses. */
export type ReplyOf<R extends RouteWire> = Infer<R["replies"][keyof R["replies"]]>;

export type ReplyContext = {
  readonly route: RouteWire;
  /** The path requested (with its parameters and query). */
  readonly path: string;
  readonly status: number;
};

/**
 * WIRE__BAD_REPLY's context: the request (`method`, `path`, `status`) and, when a field did not fit, which
 * (`field`, `expected`, `got`).
 */
export type BadReplyContext = {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly field?: string;
  readonly expected?: string;
  readonly got?: string;
};

function badReply(
  context: ReplyContext,
  problem: string,
  details: { readonly field?: unknown; readonly expected?: unknown; readonly got?: unknown },
  cause?: unknown,
): WireError {
  const { route, path, status } = context;
  const reply: Record<string, unknown> = { method: route.method, path, status };
  for (const key of ["field", "expected", "got"] as const) {
    if (details[key] !== undefined) reply[key] = String(details[key]);
  }
  return new WireError("WIRE__BAD_REPLY", {
    message: `${route.method} ${path}: the ledger's reply (HTTP ${status}) does not match the route: ${problem}`,
    context: reply as BadReplyContext,
    cause,
  });
}

/** The field, expectation and value a decoder's WIRE__MALFORMED names. */
function problemOf(error: WireError) {
  const { path, expected, got } = error.context as { path?: unknown; expected?: unknown; got?: unknown };
  return { field: path, expected, got };
}

/** The reply's JSON text parsed; WIRE__BAD_REPLY when it is not JSON. */
export function parseReplyJson(context: ReplyContext, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badReply(context, "not JSON", { got: text.slice(0, 80) }, error);
  }
}

/** The reply of a success status checked by the route's decoder for that status; WIRE__BAD_REPLY otherwise. */
export function decodeReply<R extends RouteWire>(
  context: ReplyContext & { readonly route: R },
  body: unknown,
): ReplyOf<R> {
  const decoder = context.route.replies[context.status];
  if (decoder === undefined) {
    const expected = Object.keys(context.route.replies).join(" or ");
    throw badReply(context, `the route answers status ${expected}`, { expected });
  }
  try {
    return decoder.decode(body, "") as ReplyOf<R>;
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw badReply(context, error.message, problemOf(error), error);
  }
}

/** The body of an error status: `{ code, message, context }`; WIRE__BAD_REPLY when it is JSON of another shape. */
export function decodeErrorReply(context: ReplyContext, body: unknown) {
  try {
    return errorBody.decode(body, "");
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw badReply(context, error.message, problemOf(error), error);
  }
}
