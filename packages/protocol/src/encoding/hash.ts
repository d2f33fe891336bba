import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { canonicalBytes } from "./canonical.ts";

export { bytesToHex, hexToBytes };

const encoder = new TextEncoder();

/** Domain tags and other constant strings are encoded once. */
const tagCache = new Map<string, Uint8Array>();

function bytesOf(part: Uint8Array | string): Uint8Array {
  if (typeof part !== "string") return part;
  if (part.length > 40) return encoder.encode(part);
  let bytes = tagCache.get(part);
  if (bytes === undefined) {
    if (tagCache.size > 4096) tagCache.clear();
    bytes = encoder.encode(part);
    tagCache.set(part, bytes);
  }
  return bytes;
}

export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  if (parts.length === 1) return nobleSha256(bytesOf(parts[0] as Uint8Array | string));
  let length = 0;
  const bytes = parts.map((part) => {
    const encoded = bytesOf(part);
    length += encoded.length;
    return encoded;
  });
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of bytes) {
    joined.set(part, offset);
    offset += part.length;
  }
  return nobleSha256(joined);
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
