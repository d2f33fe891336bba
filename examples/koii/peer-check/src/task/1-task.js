import { namespaceWrapper } from "@_koii/namespace-wrapper";
import { createHash } from "node:crypto";

export const roundKey = (roundNumber) => `value:${roundNumber}`;

/** The round's work: every honest node computes the same value, so auditors can check it. */
export function roundValue(roundNumber) {
  return createHash("sha256").update(`peer-check round ${roundNumber}`).digest("hex");
}

export async function task(roundNumber) {
  await namespaceWrapper.storeSet(roundKey(roundNumber), roundValue(roundNumber));
}
