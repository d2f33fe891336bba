import type { Strategy } from "../world.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * An honest node that goes away (chance `offlineProbability` per round) from a random slot of the round until the
 * round ends: it misses the windows that fall in that time, and its proofs cannot be fetched while it is away, so
 * a proof it revealed just before leaving resolves `unavailable`. Downtime is not fraud: it should lose pay, never
 * stake.
 */
export const offline: Strategy = {
  name: "offline",
  nodeClass: "faulty",
  checksProofs: true,
  absence: (world, node) => {
    const random = world.random(`offline/${node.account}`);
    return random.chance(node.group.spec.offlineProbability) ? random.int(world.params.roundSlots) : null;
  },
  work: honestWork,
  audit: honestAudit,
  computeList: honestList,
};
