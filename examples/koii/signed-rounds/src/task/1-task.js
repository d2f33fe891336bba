import { namespaceWrapper } from "@_koii/namespace-wrapper";

// The node may start round R+1 before it submits round R, so each round's result has its own key.
export const roundKey = (roundNumber) => `round:${roundNumber}`;

export async function task(roundNumber) {
  const submitter = await namespaceWrapper.getSubmitterAccount();
  const payload = {
    round: roundNumber,
    node: submitter.publicKey.toBase58(),
    work: `proof of work for round ${roundNumber}`,
  };
  const signed = await namespaceWrapper.payloadSigning(payload, submitter.secretKey);
  await namespaceWrapper.storeSet(roundKey(roundNumber), signed);
  const current = await namespaceWrapper.getRound();
  await namespaceWrapper.logger("log", `signed round ${roundNumber} (current round ${current})`, "task");
}
