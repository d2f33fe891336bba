import type { Strategy } from "../world.ts";
import { coalitionTriggers, reviewOpens } from "./coalitionTriggers.ts";
import { striking } from "./colluding.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * The disputing coalition (a blocker): does real work and posts honest lists, so nothing it submits can be slashed
 * or refused, and from its strike round triggers `invalid` against every honest proof as soon as the review's
 * trigger window opens and votes `invalid` on every outsider's proof. It extracts nothing: with more than a third
 * of the weight that takes part its triggers resolve `disputed` (§5.5), its bonds come back, and the honest proofs
 * go unpaid, their shares back to the escrow. It measures what blocking costs honest nodes and the coalition.
 */
export const disputer: Strategy = {
  name: "disputer",
  nodeClass: "attacker",
  checksProofs: false,
  work: honestWork,
  audit: (world, node, request) => {
    if (!striking(node, world.round)) return honestAudit(world, node, request);
    return node.group.members.has(request.target) ? "valid" : "invalid";
  },
  computeList: honestList,
  groupTransactions(world, group) {
    const first = group.nodes[0];
    const cycle = reviewOpens(world);
    if (first === undefined || cycle === null || !striking(first, world.round)) return [];
    return coalitionTriggers(world, group, cycle, "invalid", () => true);
  },
};
