import { createHash } from "node:crypto";
import { type JsonValue, memoryBlobs } from "@gradual/sdk";
import type { TaskHost } from "../src/sandbox/types.ts";

export type LogLine = { readonly level: string; readonly message: string; readonly fields?: Record<string, JsonValue> };

export type FakeHost = {
  readonly host: TaskHost;
  readonly store: Map<string, JsonValue>;
  readonly logs: LogLine[];
  /** Number of host.sign calls. */
  readonly signatures: () => number;
};

export const FAKE_TASK_ID = "1".repeat(64);
export const FAKE_NODE = "2".repeat(64);

/** A host with an in-memory store, a hash standing in for signatures and a ledger that knows only `/head`. */
export function createFakeHost(config: Record<string, string> = {}): FakeHost {
  const store = new Map<string, JsonValue>();
  const logs: LogLine[] = [];
  let signatures = 0;
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, JsonValue>): void => {
      logs.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  const host: TaskHost = {
    taskId: FAKE_TASK_ID,
    node: FAKE_NODE,
    config,
    currentRound: () => 7,
    sign: async (bytes) => {
      signatures += 1;
      return createHash("sha256").update("signed:").update(bytes).digest("hex");
    },
    blobs: memoryBlobs(),
    store: {
      get: async <T extends JsonValue = JsonValue>(key: string) => store.get(key) as T | undefined,
      set: async (key, value) => {
        store.set(key, structuredClone(value));
      },
      delete: async (key) => {
        store.delete(key);
      },
      keys: async (prefix = "", limit = 1_000) =>
        [...store.keys()]
          .filter((key) => key.startsWith(prefix))
          .sort()
          .slice(0, limit),
    },
    ledger: {
      get: async <T>(path: string) => {
        if (path === "/head") return { slot: 42 } as T;
        throw new Error(`ledger: no route ${path}`);
      },
    },
    log: { info: log("info"), warn: log("warn"), error: log("error") },
  };
  return { host, store, logs, signatures: () => signatures };
}
