import { getCycle, getDistribution } from "@gradual/protocol";
import type { Strategy } from "../world.ts";
import { honestWork } from "./honest.ts";

/**
 * Does its own work but never checks anyone else's: every proof is `valid`, and every posted list is taken as its
 * own. Its votes land on the losing side whenever a trigger is upheld, which the ledger counts (losingVotes).
 */
export const lazy: Strategy = {
  name: "lazy",
  nodeClass: "faulty",
  checksProofs: false,
  work: honestWork,
  audit: () => "valid",
  computeList(world, _node, cycle, attempt) {
    const record = getCycle(world.state, world.task, cycle);
    const posted = getDistribution(world.state, world.task, cycle, attempt);
    // It posts no list of its own (protocol.md §6.1: posting is optional) and waits for one to copy.
    if (record === undefined || posted?.status !== "complete") return null;
    return { entries: [], root: posted.listRoot };
  },
};
