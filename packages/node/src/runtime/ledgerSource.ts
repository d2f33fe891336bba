import type { Hash } from "@gradual/protocol";
import type { ReplicaBlock, ReplicaGenesis } from "./replica.ts";

/** What the node needs from a ledger: implemented over HTTP by `httpLedgerSource`, in memory by tests. */
export interface LedgerSource {
  readonly url: string;
  genesis(): Promise<ReplicaGenesis>;
  /** Number of the latest durable block. */
  head(): Promise<number>;
  /** Blocks `from..to` inclusive, in order. */
  blocks(from: number, to: number): Promise<ReplicaBlock[]>;
  /** Submits a signed envelope; resolves with the edge rejection code when the ledger refuses it. */
  submit(envelope: { tx: Record<string, unknown>; signature: string }): Promise<SubmitOutcome>;
  blob(hash: Hash): Promise<Uint8Array>;
  /**
   * Uploads a blob signed by `account` (`signature` over `blobUploadPayload(chainId, sha256)`, done by the caller);
   * resolves with its sha256, rejects with the ledger's code (quota, size, not allowed).
   */
  putBlob(bytes: Uint8Array, account: string, signature: string): Promise<Hash>;
  /** GET on the ledger's /v1 API, for task code (ctx.ledger). */
  get<T>(path: string): Promise<T>;
}

export type SubmitOutcome =
  | { readonly ok: true; readonly hash: Hash }
  | { readonly ok: false; readonly code: string; readonly message: string };
