import { array, type Decoder, type Infer, integer, literal, type ObjectDecoder, object, optional } from "./decoder.ts";
import { amount, hex64, uint } from "./primitives.ts";
import {
  accountView,
  adminSlotsResult,
  assignment,
  assignmentList,
  batchResult,
  blobStored,
  block,
  blockEventData,
  blockHeader,
  blockList,
  chainInfo,
  commitList,
  cycleView,
  distributionView,
  dropped,
  genesis,
  health,
  nodeList,
  nodeView,
  revealList,
  submitResult,
  taskList,
  taskView,
  txStatus,
  voteList,
} from "./replies.ts";
import { envelope } from "./transactions.ts";

/**
 * Every route of the ledger's HTTP API, declared once: method, URL, path and query parameters, request body and
 * the JSON reply of each success status. The ledger registers its handlers against these (and validates requests
 * with their JSON Schema), its client builds URLs from them and checks every reply with their decoders, and the
 * dashboard does the same in the browser. Error statuses always answer `errorBody` ({ code, message, context }).
 *
 * The four steps of a request, each in one place:
 *   1. the client builds the URL and body from the route (`pathOf`; bigints as decimal strings),
 *   2. the ledger checks them against the route's JSON Schema (fastify, before the handler),
 *   3. the handler answers values typed by the route's reply decoder (`Infer<...>`),
 *   4. the client checks the reply with that decoder before anyone uses it (WIRE__BAD_REPLY otherwise).
 */

type Params = ObjectDecoder<{ readonly [key: string]: Decoder<string | number> }>;

export type RouteWire = {
  readonly method: "GET" | "POST" | "DELETE";
  /** fastify's form: `:name` for a path parameter. */
  readonly url: string;
  readonly params?: Params;
  readonly query?: ObjectDecoder<{ readonly [key: string]: Decoder<unknown> }>;
  /** The body's shape (JSON), or its content type when it is not JSON. */
  readonly body?: Decoder<unknown>;
  readonly bodyContentType?: string;
  /** JSON replies by success status. */
  readonly replies: Readonly<Record<number, Decoder<unknown>>>;
  /** The content type of a success reply that is not JSON (metrics, blobs, the event stream). */
  readonly replyContentType?: string;
};

const route = <const R extends RouteWire>(definition: R): R => definition;

// ------------------------------------------------------------------------------------------------------------------
// Requests

/** Largest page a list route serves. */
export const MAX_PAGE_LIMIT = 1000;
/** Most blocks one GET /v1/blocks?from&to answers (the ledger leaves out the rest, and blocks past the head). */
export const MAX_BLOCK_RANGE = 100;

export const pageQuery = object({
  offset: optional(integer({ minimum: 0, default: 0 })),
  limit: optional(integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: 100 })),
});
export type PageQuery = Infer<typeof pageQuery>;

/** Longest wait a client may ask for with ?wait=included, in milliseconds. */
export const MAX_WAIT_MS = 120_000;

export const waitQuery = object({
  wait: optional(literal("included", { description: "answer once the block is durable" })),
  timeoutMs: optional(integer({ minimum: 1, maximum: MAX_WAIT_MS, default: 30_000 })),
});
export type WaitQuery = Infer<typeof waitQuery>;

export const batchRequest = object({ txs: array(envelope) });
export const faucetRequest = object({ account: hex64, amount }, { closed: true });
export const adminSlotsRequest = object({ count: integer({ minimum: 1, maximum: 10_000 }) }, { closed: true });

const hashParams = object({ hash: hex64 });
const taskParams = object({ task: hex64 });
const cycleParams = object({ task: hex64, cycle: uint });

// ------------------------------------------------------------------------------------------------------------------
// Routes

export const ROUTES = {
  getChain: route({ method: "GET", url: "/v1/chain", replies: { 200: chainInfo } }),
  getHealth: route({ method: "GET", url: "/v1/health", replies: { 200: health, 503: health } }),
  getMetrics: route({ method: "GET", url: "/metrics", replies: {}, replyContentType: "text/plain" }),
  getOpenApi: route({ method: "GET", url: "/v1/openapi.json", replies: {}, replyContentType: "application/json" }),
  getGenesis: route({ method: "GET", url: "/v1/genesis", replies: { 200: genesis } }),

  submit: route({
    method: "POST",
    url: "/v1/txs",
    query: waitQuery,
    body: envelope,
    replies: { 200: submitResult, 202: submitResult },
  }),
  submitBatch: route({
    method: "POST",
    url: "/v1/txs/batch",
    query: waitQuery,
    body: batchRequest,
    replies: { 200: batchResult },
  }),
  dropTx: route({ method: "DELETE", url: "/v1/txs/:hash", params: hashParams, replies: { 200: dropped } }),
  getTx: route({ method: "GET", url: "/v1/txs/:hash", params: hashParams, replies: { 200: txStatus } }),

  getHead: route({ method: "GET", url: "/v1/blocks/head", replies: { 200: blockHeader } }),
  getBlock: route({
    method: "GET",
    url: "/v1/blocks/:number",
    params: object({ number: uint }),
    replies: { 200: block },
  }),
  getBlocks: route({
    method: "GET",
    url: "/v1/blocks",
    query: object({ from: uint, to: optional(uint) }),
    replies: { 200: blockList },
  }),

  getAccount: route({
    method: "GET",
    url: "/v1/accounts/:account",
    params: object({ account: hex64 }),
    replies: { 200: accountView },
  }),

  listTasks: route({ method: "GET", url: "/v1/tasks", query: pageQuery, replies: { 200: taskList } }),
  getTask: route({ method: "GET", url: "/v1/tasks/:task", params: taskParams, replies: { 200: taskView } }),
  listNodes: route({
    method: "GET",
    url: "/v1/tasks/:task/nodes",
    params: taskParams,
    query: pageQuery,
    replies: { 200: nodeList },
  }),
  getNode: route({
    method: "GET",
    url: "/v1/tasks/:task/nodes/:account",
    params: object({ task: hex64, account: hex64 }),
    replies: { 200: nodeView },
  }),
  getCycle: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle",
    params: cycleParams,
    replies: { 200: cycleView },
  }),
  listCommits: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/commits",
    params: cycleParams,
    query: pageQuery,
    replies: { 200: commitList },
  }),
  listReveals: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/reveals",
    params: cycleParams,
    query: pageQuery,
    replies: { 200: revealList },
  }),
  listAssignments: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/assignments",
    params: cycleParams,
    query: pageQuery,
    replies: { 200: assignmentList },
  }),
  getAssignment: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/assignments/:auditor",
    params: object({ task: hex64, cycle: uint, auditor: hex64 }),
    replies: { 200: assignment },
  }),
  listVotes: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/triggers/:trigger/votes",
    params: object({ task: hex64, cycle: uint, trigger: uint }),
    query: pageQuery,
    replies: { 200: voteList },
  }),
  getDistribution: route({
    method: "GET",
    url: "/v1/tasks/:task/cycles/:cycle/distributions/:attempt",
    params: object({ task: hex64, cycle: uint, attempt: uint }),
    query: pageQuery,
    replies: { 200: distributionView },
  }),

  uploadBlob: route({
    method: "POST",
    url: "/v1/blobs",
    bodyContentType: "application/octet-stream",
    replies: { 200: blobStored, 201: blobStored },
  }),
  getBlob: route({
    method: "GET",
    url: "/v1/blobs/:hash",
    params: hashParams,
    replies: {},
    replyContentType: "application/octet-stream",
  }),

  /** Server-sent events: one `block` message (`blockEventData`) per durable block, its id the block number. */
  events: route({
    method: "GET",
    url: "/v1/events",
    query: object({ after: optional(uint) }),
    replies: {},
    replyContentType: "text/event-stream",
  }),

  faucet: route({
    method: "POST",
    url: "/v1/faucet",
    query: waitQuery,
    body: faucetRequest,
    replies: { 200: submitResult, 202: submitResult },
  }),
  advanceSlots: route({
    method: "POST",
    url: "/v1/admin/slots",
    body: adminSlotsRequest,
    replies: { 200: adminSlotsResult },
  }),
} as const;

export type RouteName = keyof typeof ROUTES;

/** The decoder of one `data:` message of the event stream. */
export const eventStreamMessage = blockEventData;

/**
 * The path of a request: the route's URL with its parameters filled in (each URI-encoded), then the query values
 * that are defined, in the order given.
 */
export function pathOf(
  route: RouteWire,
  params: Readonly<Record<string, string | number>> = {},
  query: Readonly<Record<string, string | number | undefined>> = {},
): string {
  const path = route.url.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    if (!Object.hasOwn(params, name)) throw new TypeError(`${route.url}: no value for the path parameter ${name}`);
    return encodeURIComponent(String(params[name]));
  });
  const entries = Object.entries(query).filter(([, value]) => value !== undefined) as [string, string | number][];
  return entries.length === 0
    ? path
    : `${path}?${entries.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&")}`;
}
