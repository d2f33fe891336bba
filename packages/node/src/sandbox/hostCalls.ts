import { jsonPayloadBytes, taskPayloadBytes } from "@gradual/sdk";
import { isJsonObject, isJsonValue, MAX_MESSAGE_CHARS, truncate } from "./checks.ts";
import type { HostMethod, LogLevel } from "./messages.ts";
import type { TaskHost } from "./types.ts";

/** Largest payload task code may have signed, in bytes (or characters of a JSON text). */
const MAX_SIGN_BYTES = 1024 * 1024;

/** Largest blob task code may store, in bytes (the ledger's default upload limit; a ledger may allow less). */
const MAX_BLOB_BYTES = 4 * 1024 * 1024;

/** Longest path task code may pass to `ctx.ledger.get`, in characters. */
const MAX_LEDGER_PATH_CHARS = 1_024;

function expectString(method: HostMethod, name: string, value: unknown, maxChars: number): string {
  if (typeof value !== "string") throw new TypeError(`${method}: expected ${name} to be a string, got ${typeof value}`);
  if (value.length > maxChars) throw new RangeError(`${method}: ${name} is longer than ${maxChars} characters`);
  return value;
}

function expectOptionalString(method: HostMethod, name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : expectString(method, name, value, MAX_MESSAGE_CHARS);
}

function expectOptionalLimit(method: HostMethod, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RangeError(`${method}: expected limit to be a positive integer, got ${String(value)}`);
  }
  return value as number;
}

/**
 * Runs one request that task code made through its ctx (store, sign, ledger) on the node's real services. The
 * arguments come from the task process, so they are checked here, where task code cannot interfere; the host's services
 * enforce their own limits (key length, list size) on top.
 */
export async function callHost(host: TaskHost, method: HostMethod, args: readonly unknown[]): Promise<unknown> {
  const [first, second] = args;
  switch (method) {
    case "store.get":
      return host.store.get(expectString(method, "key", first, MAX_MESSAGE_CHARS));
    case "store.set":
      if (!isJsonValue(second)) throw new TypeError("store.set: expected a JSON value");
      return host.store.set(expectString(method, "key", first, MAX_MESSAGE_CHARS), second);
    case "store.delete":
      return host.store.delete(expectString(method, "key", first, MAX_MESSAGE_CHARS));
    case "store.keys":
      return host.store.keys(expectOptionalString(method, "prefix", first), expectOptionalLimit(method, second));
    case "sign":
      // Only ever a domain-tagged task payload: no bytes from a task can be signed as a ledger transaction.
      if (!(first instanceof Uint8Array)) throw new TypeError(`sign: expected bytes, got ${typeof first}`);
      if (first.byteLength > MAX_SIGN_BYTES) throw new RangeError(`sign: more than ${MAX_SIGN_BYTES} bytes`);
      return host.sign(taskPayloadBytes(first));
    case "sign.json":
      return host.sign(jsonPayloadBytes(expectString(method, "text", first, MAX_SIGN_BYTES)));
    case "ledger.get":
      return host.ledger.get(expectString(method, "path", first, MAX_LEDGER_PATH_CHARS));
    case "blobs.put":
      if (!(first instanceof Uint8Array)) throw new TypeError(`blobs.put: expected bytes, got ${typeof first}`);
      if (first.byteLength > MAX_BLOB_BYTES) throw new RangeError(`blobs.put: more than ${MAX_BLOB_BYTES} bytes`);
      return host.blobs.put(first);
    case "blobs.get": {
      const hash = expectString(method, "hash", first, 64);
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new TypeError("blobs.get: expected a sha256 as 64 lowercase hex");
      return host.blobs.get(hash);
    }
  }
}

/** Forwards a log line from task code, cut to size; fields that are not JSON are dropped. */
export function forwardLog(host: TaskHost, level: LogLevel, message: string, fields: unknown): void {
  const text = truncate(message);
  if (isJsonObject(fields)) {
    host.log[level](text, fields);
  } else {
    host.log[level](text);
  }
}
