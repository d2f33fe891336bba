import type { Account, Hash, RegisteredCode } from "@gradual/protocol";
import type { RawOutcome, TaskCall } from "./taskCall.ts";

/**
 * The messages between the node (parent) and a task process (or worker). Calls and host requests carry ids so answers
 * can arrive in any order. Everything is plain data (structured clone: bigints and Uint8Arrays cross as they are).
 */

/** What the task side needs to start (the first frame to a task process; a worker's workerData). */
export type WorkerInit = {
  readonly bundleUrl: string;
  readonly taskId: Hash;
  readonly node: Account;
  readonly config: Readonly<Record<string, string>>;
};

const HOST_METHODS = [
  "store.get",
  "store.set",
  "store.delete",
  "store.keys",
  "sign",
  "sign.json",
  "ledger.get",
  "blobs.put",
  "blobs.get",
] as const;
export type HostMethod = (typeof HOST_METHODS)[number];
const LOG_LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type ParentMessage =
  | { readonly type: "init"; readonly init: WorkerInit }
  | { readonly type: "call"; readonly id: number; readonly call: TaskCall }
  | { readonly type: "ping"; readonly id: number }
  | { readonly type: "host-reply"; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: "host-reply";
      readonly id: number;
      readonly ok: false;
      readonly message: string;
      /** The node's code for the failure (the error registry's); the task gets it on its error. */
      readonly code?: RegisteredCode;
    };

export type WorkerMessage =
  | { readonly type: "ready"; readonly routes: number }
  | { readonly type: "pong"; readonly id: number }
  | {
      readonly type: "load-failed";
      readonly message: string;
      /** Set when the sandbox refused the bundle something while it loaded (refusals.ts). */
      readonly code?: "SANDBOX__ACCESS_DENIED";
    }
  | { readonly type: "result"; readonly id: number; readonly outcome: RawOutcome }
  | { readonly type: "host"; readonly id: number; readonly method: HostMethod; readonly args: readonly unknown[] }
  | { readonly type: "log"; readonly level: LogLevel; readonly message: string; readonly fields: unknown };

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isOutcome(value: unknown): value is RawOutcome {
  if (typeof value !== "object" || value === null || !Object.hasOwn(value, "ok")) return false;
  const outcome = value as Record<string, unknown>;
  if (outcome.ok === true) return Object.hasOwn(outcome, "value");
  return (
    outcome.ok === false &&
    (outcome.reason === "threw" ||
      outcome.reason === "access-denied" ||
      outcome.reason === "invalid-result" ||
      outcome.reason === "nothing-submitted") &&
    typeof outcome.message === "string"
  );
}

/** Most arguments of one host request (store.set has two). */
const MAX_HOST_ARGS = 4;

const has = (object: object, key: string): boolean => Object.hasOwn(object, key);

/**
 * A message from a task, or undefined when it is malformed. Task code owns its process and can write anything on
 * the channel, so the node checks every message before acting on it: own properties only (nothing read through a
 * prototype), known types, ids and methods, bounded argument lists.
 */
export function parseWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  if (!has(value, "type")) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
      return has(message, "routes") && typeof message.routes === "number" ? (message as WorkerMessage) : undefined;
    case "pong":
      return has(message, "id") && isId(message.id) ? (message as WorkerMessage) : undefined;
    case "load-failed":
      return has(message, "message") &&
        typeof message.message === "string" &&
        (!has(message, "code") || message.code === "SANDBOX__ACCESS_DENIED")
        ? (message as WorkerMessage)
        : undefined;
    case "result":
      return has(message, "id") && isId(message.id) && has(message, "outcome") && isOutcome(message.outcome)
        ? (message as WorkerMessage)
        : undefined;
    case "host":
      return has(message, "id") &&
        isId(message.id) &&
        has(message, "method") &&
        (HOST_METHODS as readonly unknown[]).includes(message.method) &&
        has(message, "args") &&
        Array.isArray(message.args) &&
        message.args.length <= MAX_HOST_ARGS
        ? (message as WorkerMessage)
        : undefined;
    case "log":
      return has(message, "level") &&
        (LOG_LEVELS as readonly unknown[]).includes(message.level) &&
        has(message, "message") &&
        typeof message.message === "string"
        ? (message as WorkerMessage)
        : undefined;
    default:
      return undefined;
  }
}
