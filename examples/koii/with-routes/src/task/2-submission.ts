import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function submission(roundNumber: number): Promise<string | undefined> {
  return await namespaceWrapper.fs("readFile", `round-${roundNumber}.txt`, "utf8");
}
