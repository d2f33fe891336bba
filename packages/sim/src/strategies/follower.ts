import { getCycle, getDistribution, sha256Hex } from "@gradual/protocol";
import type { Strategy } from "../world.ts";
import { listTriggerOf, proofTriggerOf, tallyMajority } from "./adapters.ts";
import { honestWork } from "./honest.ts";

/**
 * The lazy auditor of issue 14: does its own work, checks nothing, never triggers, and votes on a trigger with
 * whatever choice leads its tally, one slot after the honest voters (it waits until the trigger's second slot has
 * passed, so the first wave of votes is in the tally it copies). Until a trigger exists it calls every proof valid
 * and every posted list its own; when a trigger appears the driver makes it look again (`revisitsOnTrigger`).
 */
export const follower: Strategy = {
  name: "follower",
  nodeClass: "faulty",
  checksProofs: false,
  revisitsOnTrigger: true,
  work: honestWork,
  audit(world, _node, request) {
    const trigger = proofTriggerOf(world.state, world.task, request.cycle, request.target);
    if (trigger === undefined) return "valid";
    if (world.slot <= trigger.slot + 1) return null;
    return tallyMajority(trigger);
  },
  computeList(world, _node, cycle, attempt) {
    const record = getCycle(world.state, world.task, cycle);
    const posted = getDistribution(world.state, world.task, cycle, attempt);
    // It posts no list of its own (protocol.md §6.1: posting is optional) and waits for one to copy.
    if (record === undefined || posted?.status !== "complete") return null;
    const trigger = listTriggerOf(world.state, world.task, cycle, attempt, posted.distributor);
    if (trigger !== undefined && world.slot <= trigger.slot + 1) return null;
    if (trigger !== undefined && tallyMajority(trigger) !== "valid") {
      return { entries: [], root: sha256Hex(`gradual-sim/follower-disagrees/${cycle}/${attempt}`) };
    }
    return { entries: [], root: posted.listRoot };
  },
};
