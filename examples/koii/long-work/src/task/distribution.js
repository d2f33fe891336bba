/** Koii's equal split among the submitters the audits approved. */
export async function distribution(submitters, bounty) {
  const list = {};
  const approved = submitters.filter((submitter) => submitter.votes >= 0).map((submitter) => submitter.publicKey);
  for (const submitter of submitters) list[submitter.publicKey] = 0;
  if (approved.length === 0) return list;
  const reward = Math.floor(bounty / approved.length);
  for (const publicKey of approved) list[publicKey] = reward;
  return list;
}
