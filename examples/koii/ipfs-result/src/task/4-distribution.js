/** Koii's template rule: the approved submitters (votes >= 0) share the bounty equally; the others get 0. */
export async function distribution(submitters, bounty, roundNumber) {
  const approved = submitters.filter((submitter) => submitter.votes >= 0);
  console.log(
    `ipfs-result: distribution for round ${roundNumber}: ${approved.length} of ${submitters.length} approved`,
  );
  const share = approved.length === 0 ? 0 : Math.floor(bounty / approved.length);
  return Object.fromEntries(submitters.map((submitter) => [submitter.publicKey, submitter.votes >= 0 ? share : 0]));
}
