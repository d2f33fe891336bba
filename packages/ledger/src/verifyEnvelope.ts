import { createHash } from "node:crypto";
import { type Hash, reject, signingPayload, type Transaction } from "@gradual/protocol";
import { checkEnvelope, type EdgeRejection, isEdgeRejection, type SignedEnvelope } from "./edge.ts";
import { verifyBytes } from "./keys.ts";

export type EnvelopeInput = { readonly envelope: SignedEnvelope; readonly bytes?: number };

export type VerifiedEnvelope =
  | { readonly ok: true; readonly tx: Transaction; readonly hash: Hash; readonly signature: string }
  | EdgeRejection;

/** An envelope that passed the stateless checks and waits for its signature check. */
export type PreparedEnvelope = {
  readonly ok: true;
  readonly tx: Transaction;
  readonly payload: Uint8Array;
  readonly signature: string;
};

/**
 * Everything the edge checks without state and without the signature (size, shape, chain id), and the signing
 * payload, built once: it serves both the signature check and the hash (sha256 of the payload = `transactionHash`).
 */
export function prepareEnvelope(input: EnvelopeInput, chainId: string): PreparedEnvelope | EdgeRejection {
  const checked = checkEnvelope(
    input.envelope,
    chainId,
    input.bytes === undefined ? { signatureVerified: true } : { bytes: input.bytes, signatureVerified: true },
  );
  if (isEdgeRejection(checked)) return checked;
  const signature = input.envelope.signature;
  return {
    ok: true,
    tx: checked,
    payload: signingPayload(checked),
    signature: typeof signature === "string" ? signature : "",
  };
}

/** The signature check and hash of a prepared envelope, in the calling thread. */
export function finishEnvelope(prepared: PreparedEnvelope): VerifiedEnvelope {
  if (!verifyBytes(prepared.tx.from, prepared.payload, prepared.signature)) {
    return reject("TX__BAD_SIGNATURE", { from: prepared.tx.from });
  }
  const hash = createHash("sha256").update(prepared.payload).digest("hex");
  return { ok: true, tx: prepared.tx, hash, signature: prepared.signature };
}

/** All of the stateless edge for one envelope, in the calling thread (the edge's order: shape, chain, signature). */
export function verifyEnvelope(input: EnvelopeInput, chainId: string): VerifiedEnvelope {
  const prepared = prepareEnvelope(input, chainId);
  return prepared.ok ? finishEnvelope(prepared) : prepared;
}
