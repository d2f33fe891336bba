import { getCycle, getDistribution } from "@gradual/protocol";
import type { Strategy } from "../world.ts";
import { honestList, honestWork } from "./honest.ts";

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
  computeList(world, node, cycle, attempt) {
    const record = getCycle(world.state, world.task, cycle);
    const posted = getDistribution(world.state, world.task, cycle, attempt);
    if (record?.distributor === node.account || posted?.status !== "complete") {
      return honestList(world, node, cycle, attempt);
    }
    return { entries: [], digest: posted.listDigest };
  },
};
