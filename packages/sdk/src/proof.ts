import { bytesToHex, canonicalStringify, sha256 } from "@gradual/protocol";
import type { Proof, ProofPayload } from "./types.ts";

/** Turns what `submission` returned into the exact bytes a node serves and commits to. */
export function encodeProof(payload: ProofPayload): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === "string") return new TextEncoder().encode(payload);
  if (payload === undefined) throw new TypeError("submission returned undefined: return bytes, a string or JSON");
  return new TextEncoder().encode(canonicalStringify(payload));
}

export function proofDigest(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

export function createProof(bytes: Uint8Array): Proof {
  const digest = proofDigest(bytes);
  return {
    bytes,
    digest,
    text: () => new TextDecoder().decode(bytes),
    json: <T>() => JSON.parse(new TextDecoder().decode(bytes)) as T,
  };
}
