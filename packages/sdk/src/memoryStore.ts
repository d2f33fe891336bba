import type { JsonValue, TaskStore } from "./types.ts";

/**
 * `ctx.store` in memory, values kept as JSON text (as a node's store keeps them), for a task's own tests and local
 * networks: one per node.
 */
export function memoryStore(): TaskStore {
  const data = new Map<string, string>();
  return {
    get: async <T extends JsonValue>(key: string) =>
      data.has(key) ? (JSON.parse(data.get(key) as string) as T) : undefined,
    set: async (key, value) => void data.set(key, JSON.stringify(value)),
    delete: async (key) => void data.delete(key),
    keys: async (prefix = "", limit = 1_000) =>
      [...data.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .slice(0, limit),
  };
}
