import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { canonicalBytes } from "./canonical.ts";

export { bytesToHex, hexToBytes };

const encoder = new TextEncoder();

export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const hasher = nobleSha256.create();
  for (const part of parts) hasher.update(typeof part === "string" ? encoder.encode(part) : part);
  return hasher.digest();
}

export function sha256Hex(...parts: readonly (Uint8Array | string)[]): string {
  return bytesToHex(sha256(...parts));
}

/** Hash of a value's canonical encoding under a domain tag, so hashes of different kinds never collide. */
export function hashCanonical(domain: string, value: unknown): Uint8Array {
  return sha256(`gradual/${domain}/v1\n`, canonicalBytes(value));
}

export function hashCanonicalHex(domain: string, value: unknown): string {
  return bytesToHex(hashCanonical(domain, value));
}
