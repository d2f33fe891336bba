export async function distribution(submitters, bounty, roundNumber) {
  // Approved submitters share the bounty in proportion to their stake; the others get nothing.
  console.log(`peer-check: distribution for round ${roundNumber}`);
  const list = {};
  let totalStake = 0;
  for (const submitter of submitters) {
    list[submitter.publicKey] = 0;
    if (submitter.votes > 0) totalStake += submitter.stake;
  }
  if (totalStake === 0) return list;
  for (const submitter of submitters) {
    if (submitter.votes > 0) list[submitter.publicKey] = Math.floor((bounty * submitter.stake) / totalStake);
  }
  return list;
}
