import type { Strategy } from "../world.ts";
import type { TriggerVerdict } from "./adapters.ts";
import { coalitionTriggers, reviewOpens } from "./coalitionTriggers.ts";
import { striking } from "./colluding.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * A coalition that does real work and posts honest lists (so nothing of its own can be slashed or refused), and from
 * its strike round triggers with `verdict` against every honest proof as soon as the review's trigger window opens
 * and gives that verdict on every outsider's proof (`valid` on its members').
 */
function votingDown(name: "unavailable" | "disputer", verdict: TriggerVerdict): Strategy {
  return {
    name,
    nodeClass: "attacker",
    checksProofs: false,
    work: honestWork,
    audit: (world, node, request) => {
      if (!striking(node, world.round)) return honestAudit(world, node, request);
      return node.group.members.has(request.target) ? "valid" : verdict;
    },
    computeList: honestList,
    groupTransactions(world, group) {
      const first = group.nodes[0];
      const cycle = reviewOpens(world);
      if (first === undefined || cycle === null || !striking(first, world.round)) return [];
      return coalitionTriggers(world, group, cycle, verdict, () => true);
    },
  };
}

/**
 * The unavailable-voting coalition: votes `unavailable` on every outsider's proof, so that honest proofs resolve
 * unavailable (unpaid) and the honest list pays the coalition what honest nodes lose. Its triggers claim
 * `unavailable` (adapters.ts `proofTrigger`); today the triggerer's automatic vote still counts as `invalid`.
 */
export const unavailable: Strategy = votingDown("unavailable", "unavailable");

/**
 * The disputing coalition (a blocker): votes `invalid` on every outsider's proof. It extracts nothing: with more than
 * a third of the weight that takes part its triggers resolve `disputed` (§5.5), its bonds come back, and the honest
 * proofs go unpaid, their shares back to the escrow. It measures what blocking costs honest nodes and the coalition
 * (P7), and, with lazy followers joining its votes, what upholding below the slash supermajority brings it (P3).
 */
export const disputer: Strategy = votingDown("disputer", "invalid");
