import type { Account, Hash } from "@gradual/protocol";
import type { RawOutcome, TaskCall } from "./taskCall.ts";

/**
 * The messages between the node (parent) and a task worker. Calls and host requests carry ids so answers can
 * arrive in any order. Everything is plain data (structured clone: bigints and Uint8Arrays cross as they are).
 */

/** What the worker needs to start (its workerData). */
export type WorkerInit = {
  readonly bundleUrl: string;
  readonly taskId: Hash;
  readonly node: Account;
  readonly config: Readonly<Record<string, string>>;
};

export const HOST_METHODS = ["store.get", "store.set", "store.delete", "store.keys", "sign", "ledger.get"] as const;
export type HostMethod = (typeof HOST_METHODS)[number];
export const LOG_LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type ParentMessage =
  | { readonly type: "call"; readonly id: number; readonly call: TaskCall }
  | { readonly type: "host-reply"; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: "host-reply"; readonly id: number; readonly ok: false; readonly message: string };

export type WorkerMessage =
  | { readonly type: "ready"; readonly routes: number }
  | { readonly type: "load-failed"; readonly message: string }
  | { readonly type: "result"; readonly id: number; readonly outcome: RawOutcome }
  | { readonly type: "host"; readonly id: number; readonly method: HostMethod; readonly args: readonly unknown[] }
  | { readonly type: "log"; readonly level: LogLevel; readonly message: string; readonly fields: unknown };

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isOutcome(value: unknown): value is RawOutcome {
  if (typeof value !== "object" || value === null) return false;
  const outcome = value as Record<string, unknown>;
  if (outcome.ok === true) return "value" in outcome;
  return (
    outcome.ok === false &&
    (outcome.reason === "threw" || outcome.reason === "invalid-result") &&
    typeof outcome.message === "string"
  );
}

/**
 * A message from a worker, or undefined when it is malformed. Task code shares the worker's thread and can post
 * anything on its port, so the parent checks every message before acting on it.
 */
export function parseWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
      return typeof message.routes === "number" ? (message as WorkerMessage) : undefined;
    case "load-failed":
      return typeof message.message === "string" ? (message as WorkerMessage) : undefined;
    case "result":
      return isId(message.id) && isOutcome(message.outcome) ? (message as WorkerMessage) : undefined;
    case "host":
      return isId(message.id) &&
        (HOST_METHODS as readonly unknown[]).includes(message.method) &&
        Array.isArray(message.args)
        ? (message as WorkerMessage)
        : undefined;
    case "log":
      return (LOG_LEVELS as readonly unknown[]).includes(message.level) && typeof message.message === "string"
        ? (message as WorkerMessage)
        : undefined;
    default:
      return undefined;
  }
}
