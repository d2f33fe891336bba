import { blobUploadPayload, verifyBytes } from "@gradual/ledger/client";
import { GradualError, type Hash, sha256Hex } from "@gradual/protocol";
import type { LedgerReader } from "@gradual/sdk";
import { MAX_BLOCK_RANGE } from "@gradual/wire";
import type { MemoryChain } from "../local/memoryChain.ts";
import { replicaBlockOf, type Settlement } from "./settlement.ts";

/**
 * A `MemoryChain` in the same process as a `Settlement`: what a node reads from it, it verifies as it verifies the
 * ledger (the chain seals blocks as the ledger does), and what it submits passes the ledger's edge checks. The
 * chain's owner produces blocks; nothing here does. Tests run a real `TaskNode` on it with no ledger process.
 */

export type MemorySettlementOptions = {
  /** What `slotMs` answers (default: undefined, the node assumes the devnet's). */
  readonly slotMs?: number;
  /** Answers `get` (task code's ctx.ledger); default: every read refused with NODE__LOCAL_READ_UNSUPPORTED. */
  readonly reader?: LedgerReader;
};

export function memorySettlement(chain: MemoryChain, options: MemorySettlementOptions = {}): Settlement {
  const blobs = new Map<Hash, Uint8Array>();
  const copy = (bytes: Uint8Array) => new Uint8Array(bytes);
  return {
    url: `memory:${chain.chainId}`,
    async genesis() {
      return { chainId: chain.chainId, accounts: chain.genesisAccounts, stateRoot: chain.genesisRoot };
    },
    async head() {
      return chain.height;
    },
    async blocks(from, to) {
      return chain.sealed(from, Math.min(to, from + MAX_BLOCK_RANGE - 1)).map((block) =>
        replicaBlockOf(
          block,
          block.txs.map((entry) => ({ tx: entry.tx, signature: entry.signature })),
        ),
      );
    },
    async submit(envelope) {
      return chain.submit(envelope);
    },
    async blob(hash) {
      const bytes = blobs.get(hash);
      if (bytes === undefined) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `GET /v1/blobs/${hash}: HTTP 404 no such blob`,
          context: { path: `/v1/blobs/${hash}`, status: 404 },
        });
      }
      return copy(bytes);
    },
    async putBlob(bytes, account, signature) {
      const hash = sha256Hex(bytes);
      if (!verifyBytes(account, blobUploadPayload(chain.chainId, hash), signature)) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: "POST /v1/blobs: LEDGER__BLOB_NOT_ALLOWED: the signature does not match the account and blob",
          context: { path: "/v1/blobs", status: 403, code: "LEDGER__BLOB_NOT_ALLOWED" },
        });
      }
      blobs.set(hash, copy(bytes));
      return hash;
    },
    async slotMs() {
      return options.slotMs;
    },
    async get<T>(path: string): Promise<T> {
      if (options.reader !== undefined) return options.reader.get<T>(path);
      throw new GradualError("NODE__LOCAL_READ_UNSUPPORTED", {
        message: `GET ${path}: this in-memory settlement serves no ledger reads`,
      });
    },
  };
}
