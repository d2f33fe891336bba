import type { Strategy } from "../world.ts";
import { coalitionTriggers, reviewOpens } from "./coalitionTriggers.ts";
import { striking } from "./colluding.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * The unavailable-voting coalition: does real work (so it cannot be slashed for its own proofs), triggers against
 * every honest proof as soon as the review's trigger window opens, and votes `unavailable` on every outsider's
 * proof, so that honest proofs resolve unavailable (unpaid) and the honest list pays the coalition what honest
 * nodes lose. Its triggers claim `unavailable` (adapters.ts `proofTrigger`); today the triggerer's automatic vote
 * still counts as `invalid`.
 */
export const unavailable: Strategy = {
  name: "unavailable",
  nodeClass: "attacker",
  checksProofs: false,
  work: honestWork,
  audit: (world, node, request) => {
    if (!striking(node, world.round)) return honestAudit(world, node, request);
    return node.group.members.has(request.target) ? "valid" : "unavailable";
  },
  computeList: honestList,
  groupTransactions(world, group) {
    const first = group.nodes[0];
    const cycle = reviewOpens(world);
    if (first === undefined || cycle === null || !striking(first, world.round)) return [];
    return coalitionTriggers(world, group, cycle, "unavailable", () => true);
  },
};
