import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { hexToBytes, bytesToHex as nobleBytesToHex } from "@noble/hashes/utils.js";
import { canonicalBytes } from "./canonical.ts";
import { sha256Compact } from "./sha256Compact.ts";

export { hexToBytes };

const HEX_DIGITS = "0123456789abcdef";
/** The hex characters of up to 1 KiB of bytes, decoded into one string at once. */
const hexCharacters = new Uint8Array(2048);
const hashCharacters = hexCharacters.subarray(0, 64);
const latin1 = new TextDecoder("latin1");

/**
 * Lowercase hex of `bytes`, as @noble/hashes writes it, but built as one flat string: noble's concatenates two
 * characters at a time, about 30 intermediate strings per hash (seven times the garbage), and every hash and
 * commitment the rules compute goes through here.
 */
export function bytesToHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length > 1024) return nobleBytesToHex(bytes);
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] as number;
    hexCharacters[index * 2] = HEX_DIGITS.charCodeAt(byte >> 4);
    hexCharacters[index * 2 + 1] = HEX_DIGITS.charCodeAt(byte & 0x0f);
  }
  return latin1.decode(bytes.length === 32 ? hashCharacters : hexCharacters.subarray(0, bytes.length * 2));
}

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

/**
 * Inputs up to this size go through sha256Compact (byte-identical output, no per-call allocation but the digest; its
 * shared buffer grows to twice the largest input it saw, so larger inputs such as published payloads stay on
 * @noble/hashes).
 */
const COMPACT_LIMIT_BYTES = 4_096;

export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  if (parts.length === 1) {
    const bytes = bytesOf(parts[0] as Uint8Array | string);
    return bytes.length <= COMPACT_LIMIT_BYTES ? sha256Compact(bytes) : nobleSha256(bytes);
  }
  let length = 0;
  const bytes = parts.map((part) => {
    const encoded = bytesOf(part);
    length += encoded.length;
    return encoded;
  });
  if (length <= COMPACT_LIMIT_BYTES) return sha256Compact(...bytes);
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

/** The tag that prefixes every hash of one kind (protocol.md §9.2). */
export function domainTag(domain: string): string {
  return `gradual/${domain}/v1\n`;
}

/** Hash of a value's canonical encoding under a domain tag, so hashes of different kinds never collide. */
export function hashCanonical(domain: string, value: unknown): Uint8Array {
  return sha256(domainTag(domain), canonicalBytes(value));
}

export function hashCanonicalHex(domain: string, value: unknown): string {
  return bytesToHex(hashCanonical(domain, value));
}
