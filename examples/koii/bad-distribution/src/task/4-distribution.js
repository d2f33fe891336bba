/**
 * Each round breaks a different rule of Koii's task manager, which then pays nobody:
 *   round % 4 == 0: a fractional amount
 *   round % 4 == 1: one submitter left out
 *   round % 4 == 2: more than the bounty in total
 *   round % 4 == 3: a valid list that slashes the first submitter (Koii would slash; gradual pays the others and
 *                   gives the slashed one nothing)
 */
export async function distribution(submitters, bounty, roundNumber) {
  const list = {};
  const share = bounty / submitters.length;
  switch (roundNumber % 4) {
    case 0:
      for (const submitter of submitters) list[submitter.publicKey] = Math.floor(share) - 0.5;
      break;
    case 1:
      for (const submitter of submitters.slice(1)) list[submitter.publicKey] = Math.floor(share);
      break;
    case 2:
      for (const submitter of submitters) list[submitter.publicKey] = bounty;
      break;
    default: {
      const [first, ...others] = submitters;
      if (first !== undefined) list[first.publicKey] = -1000;
      for (const submitter of others) list[submitter.publicKey] = Math.floor(bounty / Math.max(1, others.length));
    }
  }
  console.log(`bad-distribution: round ${roundNumber} list`, list);
  return list;
}
