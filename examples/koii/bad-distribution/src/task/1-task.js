import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function task(roundNumber) {
  // The work of the round: here, remember a greeting.
  console.log(`bad-distribution: task for round ${roundNumber}`);
  await namespaceWrapper.storeSet("value", "Hello, World!");
}
