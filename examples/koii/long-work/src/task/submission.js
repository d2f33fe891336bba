import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function submission() {
  return await namespaceWrapper.storeGet("result");
}
