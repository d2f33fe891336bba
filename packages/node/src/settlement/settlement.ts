import type { Hash } from "@gradual/protocol";
import type { ReplicaBlock, ReplicaGenesis, ReplicaTransaction } from "../runtime/replica.ts";

/**
 * Where a task settles (ARCHITECTURE.md "Settlement"): everything a node needs from it, and nothing about how it
 * is reached. A node follows the settlement's blocks as a verifying replica (it trusts no answer about state: it
 * replays every block through the protocol core and checks its roots), submits signed transactions, and reads and
 * stores blobs (task bundles, metadata, what a task publishes).
 *
 * Implementations: `httpSettlement` (the gradual ledger over its /v1 HTTP API) and `memorySettlement` (a
 * `MemoryChain` in the same process, for tests and local runs). A third (an EVM contract) implements the same
 * methods; the node's decisions, its executor and its outbox do not change with the settlement.
 */
export interface Settlement {
  /** Where the task settles, for messages: the ledger's URL, or `memory:<chainId>`. */
  readonly url: string;
  /** The genesis the replica starts from (its state root is checked against the genesis accounts). */
  genesis(): Promise<ReplicaGenesis>;
  /** Number of the latest final block (durable on the ledger). */
  head(): Promise<number>;
  /** Blocks `from..to` inclusive, in order, with every transaction's signature (at most 100 per call). */
  blocks(from: number, to: number): Promise<ReplicaBlock[]>;
  /** Submits a signed envelope; resolves with the edge's refusal code when it is refused. */
  submit(envelope: TransactionEnvelope): Promise<SubmitOutcome>;
  /** A stored blob, checked against its hash. */
  blob(hash: Hash): Promise<Uint8Array>;
  /**
   * Uploads a blob signed by `account` (`signature` over `blobUploadPayload(chainId, sha256)`, made by the caller);
   * resolves with its sha256, rejects with the settlement's code (quota, size, not allowed).
   */
  putBlob(bytes: Uint8Array, account: string, signature: string): Promise<Hash>;
  /** The slot length in ms, when the settlement says (task time limits follow it). */
  slotMs(): Promise<number | undefined>;
  /** A GET of the ledger's /v1 read API, for task code (`ctx.ledger`); answers in the wire form. */
  get<T>(path: string): Promise<T>;
  /**
   * Set by a settlement that authenticates senders itself (an EVM chain: the sender of a contract call): the node's
   * account there. The node then acts as this account, submits its transactions unsigned (the settlement sends them
   * from its own key) and its replica checks no ed25519 signatures (the chain checked the senders). The chain orders
   * the calls by its own nonces, so a refused call is dropped alone: the node's later calls stand. Unset: the node's
   * ed25519 key is its account and signs everything, and a refused transaction takes the later ones with it (their
   * nonces follow its nonce, which another transaction must now use).
   */
  readonly account?: string;
  /**
   * The id a `createTask` gives its task, when the settlement names tasks itself (the EVM contract); the replica
   * replays creations with it. Unset: the transaction's hash, as the core does.
   */
  taskIdOf?(creator: string, taskCount: number): Hash;
}

/** A signed transaction as sent: its wire JSON (`transactionToJson`) and the signature over its payload. */
export type TransactionEnvelope = { readonly tx: Record<string, unknown>; readonly signature: string };

export type SubmitOutcome =
  | { readonly ok: true; readonly hash: Hash }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** A block as a replica takes it: the sealed header's fields and the transactions with their signatures. */
export function replicaBlockOf(
  header: Pick<ReplicaBlock, "number" | "slot" | "prevHash" | "txsRoot" | "stateRoot" | "hash">,
  txs: readonly ReplicaTransaction[],
): ReplicaBlock {
  const { number, slot, prevHash, txsRoot, stateRoot, hash } = header;
  return { number, slot, prevHash, txsRoot, stateRoot, hash, txs };
}
