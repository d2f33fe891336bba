import { type Hash, sha256Hex } from "@gradual/protocol";
import type { TaskBlobs } from "./types.ts";

/**
 * `ctx.blobs` in memory, for a task's own tests and local networks: content-addressed like the ledger's blob
 * store (the key is the sha256 of the bytes), so code that passes hashes between nodes behaves as it will on a
 * ledger. Share one instance between fake nodes to let one fetch what another stored.
 */
export function memoryBlobs(): TaskBlobs & { readonly size: () => number } {
  const blobs = new Map<Hash, Uint8Array>();
  return {
    async put(bytes: Uint8Array | string): Promise<Hash> {
      const copy = typeof bytes === "string" ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
      const hash = sha256Hex(copy);
      blobs.set(hash, copy);
      return hash;
    },
    async get(hash: Hash): Promise<Uint8Array> {
      const found = blobs.get(hash);
      if (found === undefined) throw new Error(`no blob ${hash}: nobody stored it`);
      return new Uint8Array(found);
    },
    size: () => blobs.size,
  };
}
