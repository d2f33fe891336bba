import { namespaceWrapper, TASK_ID } from "@_koii/namespace-wrapper";
import { PublicKey } from "@_koii/web3.js";
import { roundValue } from "./1-task.js";

/**
 * A submission is valid when it is the round's value and the submitter's own node serves the same value on its
 * route: the auditor reads another node's route, as Koii tasks that check served content do.
 */
export async function audit(submission, roundNumber, submitterKey) {
  try {
    new PublicKey(submitterKey);
  } catch {
    return false;
  }
  if (submission !== roundValue(roundNumber)) return false;
  const state = await namespaceWrapper.getTaskState({});
  const url = state?.ip_address_list?.[submitterKey];
  if (!url) return true; // no address to check: the value itself was right
  try {
    const response = await fetch(`${url}/task/${TASK_ID}/values/${roundNumber}`, { signal: AbortSignal.timeout(3000) });
    if (response.status !== 200) return false; // reachable, but it does not serve what it submitted
    const served = await response.text();
    await namespaceWrapper.logger(
      "log",
      `read ${submitterKey}'s route for round ${roundNumber}: ${served === submission ? "same value" : "a different value"}`,
      "audit",
    );
    return served === submission;
  } catch (error) {
    // An unreachable node is not a wrong one (Koii counts an audit that returns nothing as valid).
    console.log(`peer-check: ${submitterKey} unreachable for round ${roundNumber}: ${error.message}`);
    return undefined;
  }
}
