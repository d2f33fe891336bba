import { getCycle, proofTriggerWindow } from "@gradual/protocol";
import type { Strategy } from "../world.ts";
import { coalitionTriggers, cycleUnderReview, taskTiming } from "./coalitionTriggers.ts";
import { striking } from "./colluding.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * Triggers on downtime: a coalition that does real work and audits honestly, but watches for nodes that are down
 * while their proofs are under review, triggers against each such proof and votes `invalid` on it (it could not
 * fetch it either, and claims fraud). Unavailability must never be slashed (property P4).
 */
export const downtime: Strategy = {
  name: "downtime",
  nodeClass: "attacker",
  checksProofs: true,
  work: honestWork,
  audit: (world, node, request) => {
    const verdict = honestAudit(world, node, request);
    return striking(node, world.round) && verdict === "unavailable" ? "invalid" : verdict;
  },
  computeList: honestList,
  groupTransactions(world, group) {
    const first = group.nodes[0];
    const cycle = cycleUnderReview(world);
    if (first === undefined || cycle < 0 || !striking(first, world.round)) return [];
    if (getCycle(world.state, world.task, cycle)?.seed == null) return [];
    const window = proofTriggerWindow(taskTiming(world), cycle);
    if (world.slot < window.opensAt || world.slot >= window.closesAt) return [];
    return coalitionTriggers(world, group, cycle, "invalid", (target) => world.nodeOf(target)?.down === true);
  },
};
