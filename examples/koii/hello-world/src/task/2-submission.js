import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function submission(roundNumber) {
  // What this node submits for the round: a string of at most 512 bytes.
  console.log(`hello-world: submission for round ${roundNumber}`);
  return await namespaceWrapper.storeGet("value");
}
