import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

/** Two minutes of work: one step a second, as a crawler that waits on the network would. */
export const WORK_SECONDS = 120;

export async function task(roundNumber) {
  const started = Date.now();
  let steps = 0;
  while (Date.now() - started < WORK_SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    steps += 1;
    if (steps % 30 === 0) console.log(`long-work: round ${roundNumber}, ${steps} s of work done`);
  }
  const seconds = Math.floor((Date.now() - started) / 1000);
  await namespaceWrapper.storeSet("result", `worked ${seconds} s in ${steps} steps`);
}
