import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { base58, hex } from "@scure/base";

/**
 * Koii's signed payloads (namespaceWrapper.payloadSigning / verifySignature): tweetnacl's "attached" form, the 64-byte
 * ed25519 signature followed by the message bytes, written in base58. The message is `JSON.stringify(body)` as UTF-8.
 * ed25519 is deterministic, so node:crypto, tweetnacl and @noble/curves give the same bytes for the same key.
 */

export const PKCS8_ED25519_PREFIX = hex.decode("302e020100300506032b657004220420");
const SIGNATURE_BYTES = 64;

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(left.length + right.length);
  out.set(left, 0);
  out.set(right, left.length);
  return out;
}

/** The bytes Koii signs for a body: `JSON.stringify(body)` in UTF-8. */
export function payloadBytes(body: unknown): Uint8Array {
  const text = JSON.stringify(body);
  if (typeof text !== "string")
    throw new TypeError("payloadSigning: the body has no JSON form (undefined or a function)");
  return new TextEncoder().encode(text);
}

/** Attaches a 64-byte signature to its message and writes both in base58 (tweetnacl's `sign` output, encoded). */
export function attachSignature(signature: Uint8Array, message: Uint8Array): string {
  if (signature.length !== SIGNATURE_BYTES)
    throw new TypeError(`expected a 64-byte signature, got ${signature.length}`);
  return base58.encode(concat(signature, message));
}

/**
 * Signs `message` with a tweetnacl secret key (64 bytes: the 32-byte seed then the public key), as tweetnacl's
 * `nacl.sign(message, secretKey)` does, and returns the attached form in base58.
 */
export function signAttached(message: Uint8Array, secretKey: Uint8Array): string {
  if (!(secretKey instanceof Uint8Array) || (secretKey.length !== 64 && secretKey.length !== 32)) {
    throw new TypeError(
      `payloadSigning: expected a 64-byte secret key (seed then public key), got ${describe(secretKey)}`,
    );
  }
  const key = createPrivateKey({
    key: Buffer.from(concat(PKCS8_ED25519_PREFIX, secretKey.subarray(0, 32))),
    format: "der",
    type: "pkcs8",
  });
  const signature = new Uint8Array(sign(null, message, key));
  return attachSignature(signature, message);
}

/** Koii's answer shape: `data` when the signature is valid, `error` otherwise. */
export type OpenedPayload = { readonly data?: string; readonly error?: string };

/**
 * Opens a base58 attached signature with a base58 public key, as `nacl.sign.open` does: `{ data }` holds the message
 * as UTF-8 text when the signature is valid, `{ error }` says why not. The error texts are Koii's.
 */
export function openAttached(signedMessage: string, publicKey: string): OpenedPayload {
  try {
    const signed = base58.decode(signedMessage);
    const keyBytes = base58.decode(publicKey);
    if (keyBytes.length !== 32) throw new TypeError(`bad public key size: expected 32 bytes, got ${keyBytes.length}`);
    if (signed.length < SIGNATURE_BYTES) return { error: "Invalid signature" };
    const signature = signed.subarray(0, SIGNATURE_BYTES);
    const message = signed.subarray(SIGNATURE_BYTES);
    // As JWK: a ninth of the cost of the same key as DER (see @gradual/ledger's `publicKeyObject`).
    const x = Buffer.from(keyBytes).toString("base64url");
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (!verify(null, message, key, signature)) return { error: "Invalid signature" };
    return { data: new TextDecoder().decode(message) };
  } catch (error) {
    return { error: `Verification failed: ${String(error)}` };
  }
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return value === null ? "null" : typeof value;
}
