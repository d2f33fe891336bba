import {
  decodeTransaction,
  getAccount,
  getChain,
  isDecodeRejection,
  type Rejection,
  reject,
  type State,
  type Transaction,
} from "@gradual/protocol";
import { verifyTransactionSignature } from "./keys.ts";

/** Largest encoded transaction the ledger accepts (a full 1,000-entry distribution chunk fits with room). */
export const MAX_TRANSACTION_BYTES = 256 * 1024;

/** What arrives over the wire: the transaction's JSON and its ed25519 signature in hex. */
export type SignedEnvelope = { readonly tx: unknown; readonly signature: unknown };

export type EdgeRejection = Rejection<
  | "TX__MALFORMED"
  | "TX__UNKNOWN_KIND"
  | "TX__UNKNOWN_FIELD"
  | "TX__WRONG_CHAIN"
  | "TX__BAD_SIGNATURE"
  | "TX__NONCE_TOO_LOW"
  | "TX__NONCE_TOO_HIGH"
  | "TX__TOO_LARGE"
>;

export type AdmitOptions = {
  /** Transactions of this sender already admitted and not yet in a block (their nonces are taken). */
  readonly pendingFromSender?: number;
  /** Encoded size of the envelope in bytes, when the caller knows it. */
  readonly bytes?: number;
  /** Skip the signature check because a worker already verified it. */
  readonly signatureVerified?: boolean;
};

export type CheckEnvelopeOptions = Omit<AdmitOptions, "pendingFromSender">;

/**
 * The stateless part of the edge: size, envelope shape, transaction shape, chain id and signature, in that order.
 * It needs no state, so the verifier pool runs it on worker threads; {@link checkNonce} finishes the job on the
 * thread that owns the state.
 */
export function checkEnvelope(
  envelope: SignedEnvelope,
  chainId: string,
  options: CheckEnvelopeOptions = {},
): Transaction | EdgeRejection {
  if (options.bytes !== undefined && options.bytes > MAX_TRANSACTION_BYTES) {
    return reject("TX__TOO_LARGE", { bytes: options.bytes, limit: MAX_TRANSACTION_BYTES });
  }
  if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope)) {
    return reject("TX__MALFORMED", { field: "body", expected: "an object { tx, signature }", got: typeof envelope });
  }
  const extra = Object.keys(envelope).find((key) => key !== "tx" && key !== "signature");
  if (extra !== undefined) return reject("TX__UNKNOWN_FIELD", { field: extra }, `the envelope has no field "${extra}"`);
  const decoded = decodeTransaction(envelope.tx);
  if (isDecodeRejection(decoded)) return decoded;
  if (decoded.chainId !== chainId) return reject("TX__WRONG_CHAIN", { expected: chainId, got: decoded.chainId });
  if (!options.signatureVerified) {
    const signature = envelope.signature;
    if (typeof signature !== "string" || !verifyTransactionSignature(decoded, signature)) {
      return reject("TX__BAD_SIGNATURE", { from: decoded.from });
    }
  }
  return decoded;
}

/** The sender's next free nonce is the account's nonce plus its transactions still waiting in the mempool. */
export function checkNonce(
  state: State,
  tx: Transaction,
  pendingFromSender = 0,
): Rejection<"TX__NONCE_TOO_LOW" | "TX__NONCE_TOO_HIGH"> | null {
  const next = getAccount(state, tx.from).nonce + pendingFromSender;
  if (tx.nonce < next) return reject("TX__NONCE_TOO_LOW", { expected: next, got: tx.nonce });
  if (tx.nonce > next) return reject("TX__NONCE_TOO_HIGH", { expected: next, got: tx.nonce });
  return null;
}

/**
 * The ledger's edge (protocol.md §9.2): everything checked before a transaction is ordered. A transaction that
 * passes is decoded, correctly signed, for this chain, and carries the sender's next free nonce; the core never
 * sees one that does not.
 */
export function admitTransaction(
  state: State,
  envelope: SignedEnvelope,
  options: AdmitOptions = {},
): Transaction | EdgeRejection {
  const checked = checkEnvelope(envelope, getChain(state).chainId, options);
  if ((checked as { ok?: unknown }).ok === false) return checked;
  const tx = checked as Transaction;
  return checkNonce(state, tx, options.pendingFromSender ?? 0) ?? tx;
}

export function isEdgeRejection(value: Transaction | EdgeRejection): value is EdgeRejection {
  return (value as { ok?: unknown }).ok === false;
}
