import { namespaceWrapper, TASK_ID } from "@_koii/namespace-wrapper";

export async function setup() {
  console.log(`peer-check: task ${TASK_ID} starts on ${await namespaceWrapper.getMainAccountPubkey()}`);
}
