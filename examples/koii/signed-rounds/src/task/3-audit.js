import { namespaceWrapper } from "@_koii/namespace-wrapper";

export async function audit(submission, roundNumber, submitterKey) {
  const opened = await namespaceWrapper.verifySignature(submission, submitterKey);
  if (opened.error || !opened.data) {
    console.log(`signed-rounds: bad signature from ${submitterKey}: ${opened.error}`);
    return false;
  }
  const payload = JSON.parse(opened.data);
  return payload.round === roundNumber && payload.node === submitterKey;
}
