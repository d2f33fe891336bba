const SLASH_PERCENT = 0.7;

export async function distribution(submitters, bounty, roundNumber) {
  // Who gets what: amounts in base units (1 token = 10^9), integers only, every submitter listed.
  console.log(`hello-world: distribution for round ${roundNumber}`);
  const list = {};
  const approved = [];
  for (const submitter of submitters) {
    if (submitter.votes === 0) {
      list[submitter.publicKey] = 0;
    } else if (submitter.votes < 0) {
      list[submitter.publicKey] = -Math.floor(submitter.stake * SLASH_PERCENT);
    } else {
      approved.push(submitter.publicKey);
    }
  }
  if (approved.length === 0) return list;
  const reward = Math.floor(bounty / approved.length);
  for (const publicKey of approved) list[publicKey] = reward;
  return list;
}
