import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export function greetingFor(roundNumber: number): string {
  return `${process.env.GREETING ?? "(no greeting)"} from round ${roundNumber}`;
}

export async function task(roundNumber: number): Promise<void> {
  const value = greetingFor(roundNumber);
  await namespaceWrapper.fs("writeFile", `round-${roundNumber}.txt`, value);
  await namespaceWrapper.storeSet("value", value);
  await namespaceWrapper.storeSet(`round:${roundNumber}`, value);
}
