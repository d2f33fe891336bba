import type { Strategy } from "../world.ts";
import { honestList, honestWork } from "./honest.ts";

/**
 * Does valid work, then calls every proof it is assigned invalid without checking: decide() triggers against each
 * (locking the bond) and votes `invalid` on every trigger it sees. Under gradual a rejected trigger's bond goes to
 * its target, so each false trigger costs the griefer and pays the target.
 */
export const griefer: Strategy = {
  name: "griefer",
  nodeClass: "attacker",
  checksProofs: false,
  work: honestWork,
  audit: () => "invalid",
  computeList: honestList,
};
