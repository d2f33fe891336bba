import { namespaceWrapper } from "@_koii/namespace-wrapper";

export async function submission(roundNumber) {
  return await namespaceWrapper.storeGet(`cid:${roundNumber}`);
}
