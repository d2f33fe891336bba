import { greetingFor } from "./1-task.js";

export async function audit(
  submission: string,
  roundNumber: number,
  _submitterKey: string,
): Promise<boolean | undefined> {
  return submission === greetingFor(roundNumber);
}
