export { defineTask } from "./defineTask.ts";
export { equalSplit } from "./distribution.ts";
export { createProof, encodeProof, proofDigest } from "./proof.ts";
export type * from "./types.ts";
