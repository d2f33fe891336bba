import { canonicalStringify } from "../encoding/canonical.ts";
import { bytesToHex, sha256 } from "../encoding/hash.ts";
import type { Hash, Transaction } from "../types.ts";

import { TRANSACTION_DOMAIN as TX_DOMAIN } from "./taskPayload.ts";

/**
 * The bytes a sender signs (protocol.md §9.2): a domain tag, then the canonical encoding of the whole transaction,
 * which includes the chain id and the sender's nonce, so a signature is valid on one chain, once.
 */
export function signingPayload(tx: Transaction): Uint8Array {
  // One encode of the whole text: UTF-8 of a concatenation is the concatenation of the UTF-8s.
  return encoder.encode(TX_DOMAIN + canonicalStringify(tx));
}

const encoder = new TextEncoder();

/** The transaction's id: sha256 of its signing payload (ed25519 signatures are not malleable under RFC 8032). */
export function transactionHash(tx: Transaction): Hash {
  return bytesToHex(sha256(signingPayload(tx)));
}
