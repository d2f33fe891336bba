import { namespaceWrapper } from "@_koii/namespace-wrapper";
import { roundKey } from "./1-task.js";

export async function submission(roundNumber) {
  return await namespaceWrapper.storeGet(roundKey(roundNumber));
}
