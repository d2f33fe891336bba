import { type Account, type DistributionEntry, GradualError, type RegisteredCode } from "@gradual/protocol";
import type { JsonValue, RouteResponse, Submitter } from "@gradual/sdk";
import type { TaskCallResult, TaskFailure } from "./types.ts";

/**
 * Checks of what task code returned. They run in the node's own thread on values that crossed the worker boundary,
 * so task code (which can patch any global of its worker) cannot weaken them.
 */

/** Longest error or log message kept from task code, in characters. */
export const MAX_MESSAGE_CHARS = 2_000;
/** Deepest JSON accepted from task code (route bodies, log fields). */
const MAX_JSON_DEPTH = 64;

const ACCOUNT = /^[0-9a-f]{64}$/;

export function failure(reason: TaskFailure["reason"], message: string): TaskFailure {
  return { ok: false, reason, message: truncate(message) };
}

export function truncate(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}... (truncated)`;
}

/** The message of anything thrown, never throwing itself (a thrown value may have a hostile toString). */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return truncate(`${error.name === "Error" ? "" : `${error.name}: `}${error.message}`);
    return truncate(String(error));
  } catch {
    return "(an unprintable value was thrown)";
  }
}

/**
 * A failed host call as the task sees it: the node's code (`NODE__HOST_CALL_FAILED` for an error without one) and
 * its message, sent back over the sandbox's channel.
 */
export function hostCallFailure(error: unknown): { readonly code: RegisteredCode; readonly message: string } {
  if (error instanceof GradualError) return { code: error.code, message: truncate(error.message) };
  return { code: "NODE__HOST_CALL_FAILED", message: errorMessage(error) };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  return typeof value;
}

export function isAccount(value: unknown): value is Account {
  return typeof value === "string" && ACCOUNT.test(value);
}

export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((item) => isJsonValue(item, depth + 1));
}

export function isJsonObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && isJsonValue(value);
}

export function checkWork(value: unknown, maxProofBytes: number): TaskCallResult<Uint8Array> {
  if (!(value instanceof Uint8Array))
    return failure("invalid-result", `expected proof bytes, got ${describeValue(value)}`);
  if (value.byteLength > maxProofBytes) {
    return failure(
      "proof-too-large",
      `the proof is ${value.byteLength} bytes; the task allows at most ${maxProofBytes} (maxProofBytes)`,
    );
  }
  // An exact copy: the received view may share a larger buffer.
  return { ok: true, value: value.slice() };
}

export function checkAudit(value: unknown): TaskCallResult<boolean> {
  if (typeof value !== "boolean")
    return failure("invalid-result", `audit must return a boolean, got ${describeValue(value)}`);
  return { ok: true, value };
}

function checkEntry(entry: unknown, index: number): DistributionEntry | string {
  if (typeof entry !== "object" || entry === null) return `entry ${index}: expected { recipient, amount }`;
  const { recipient, amount } = entry as Record<string, unknown>;
  if (!isAccount(recipient)) return `entry ${index}: recipient must be 64 lowercase hex, got ${String(recipient)}`;
  if (typeof amount !== "bigint") return `entry ${index}: amount must be a bigint, got ${describeValue(amount)}`;
  if (amount <= 0n) return `entry ${index}: amount must be > 0, got ${amount}`;
  return { recipient, amount };
}

/**
 * A distribution list as the ledger will accept it (protocol.md §6.2): entries of a 64-hex recipient and a bigint
 * amount > 0, recipients unique and all among the cycle's submitters, the total within the bounty. Returned sorted
 * by recipient (string order = byte order for lowercase hex), the order the ledger requires.
 */
export function checkDistribution(
  value: unknown,
  submitters: readonly Submitter[],
  bounty: bigint,
): TaskCallResult<DistributionEntry[]> {
  if (!Array.isArray(value))
    return failure("invalid-result", `distribution must return an array, got ${describeValue(value)}`);
  if (value.length > submitters.length) {
    return failure("invalid-result", `distribution has ${value.length} entries for ${submitters.length} submitters`);
  }
  const allowed = new Set(submitters.map((submitter) => submitter.account));
  const entries: DistributionEntry[] = [];
  const seen = new Set<Account>();
  let total = 0n;
  for (const [index, item] of value.entries()) {
    const entry = checkEntry(item, index);
    if (typeof entry === "string") return failure("invalid-result", entry);
    if (seen.has(entry.recipient)) return failure("invalid-result", `recipient ${entry.recipient} appears twice`);
    if (!allowed.has(entry.recipient)) {
      return failure("invalid-result", `recipient ${entry.recipient} is not a submitter of this cycle`);
    }
    seen.add(entry.recipient);
    total += entry.amount;
    entries.push(entry);
  }
  if (total > bounty) return failure("invalid-result", `the list pays ${total}, more than the bounty ${bounty}`);
  entries.sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0));
  return { ok: true, value: entries };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === "string");
}

/** Standard base64 with padding (what Buffer.toString("base64") writes). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkRouteResponse(value: unknown): TaskCallResult<RouteResponse> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return failure(
      "invalid-result",
      `a route handler must return { status?, headers?, body? }, got ${describeValue(value)}`,
    );
  }
  const { status, headers, body, bodyBase64 } = value as Record<string, unknown>;
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599)) {
    return failure("invalid-result", `route status must be an integer in 100-599, got ${String(status)}`);
  }
  if (headers !== undefined && !isStringRecord(headers)) {
    return failure("invalid-result", "route headers must be an object of strings");
  }
  if (body !== undefined && !isJsonValue(body)) {
    return failure("invalid-result", `route body must be a string or JSON, got ${describeValue(body)}`);
  }
  if (bodyBase64 !== undefined) {
    if (typeof bodyBase64 !== "string" || !BASE64.test(bodyBase64)) {
      return failure("invalid-result", "route bodyBase64 must be a base64 string");
    }
    if (body !== undefined)
      return failure("invalid-result", "a route response has either body or bodyBase64, not both");
  }
  const response: { status?: number; headers?: Record<string, string>; body?: JsonValue; bodyBase64?: string } = {};
  if (status !== undefined) response.status = status as number;
  if (headers !== undefined) response.headers = { ...headers };
  if (body !== undefined) response.body = body;
  if (bodyBase64 !== undefined) response.bodyBase64 = bodyBase64 as string;
  return { ok: true, value: response };
}

/** What the node answers when a route call fails: the task's fault, so 5xx, with the reason for the caller. */
export function routeFailureResponse(result: TaskFailure): RouteResponse {
  const died = result.reason === "crashed" || result.reason === "bad-message" || result.reason === "output-flood";
  const status = result.reason === "timeout" ? 504 : died ? 503 : 500;
  return { status, body: { error: result.reason, message: result.message } };
}
