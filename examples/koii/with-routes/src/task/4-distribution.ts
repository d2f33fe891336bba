import type { DistributionList, Submitter } from "@_koii/task-manager";

export async function distribution(
  submitters: Submitter[],
  bounty: number,
  roundNumber: number,
): Promise<DistributionList> {
  console.log(`with-routes: distribution for round ${roundNumber}`);
  const list: DistributionList = {};
  const approved = submitters.filter((submitter) => submitter.votes > 0);
  for (const submitter of submitters) list[submitter.publicKey] = 0;
  if (approved.length === 0) return list;
  const reward = Math.floor(bounty / approved.length);
  for (const submitter of approved) list[submitter.publicKey] = reward;
  return list;
}
