import { namespaceWrapper, TASK_ID } from "@_koii/namespace-wrapper";

export async function setup() {
  const account = await namespaceWrapper.getMainAccountPubkey();
  console.log(`signed-rounds: task ${TASK_ID} starts on ${account}`);
}
