import type { Strategy } from "../world.ts";
import { colluding } from "./colluding.ts";
import { honestAudit, honestWork } from "./honest.ts";

/**
 * A self-paying distributor that also does real work: its members submit and audit honestly, but when one of them
 * is drawn as distributor it posts a list paying the whole bounty to the members, and every member agrees with that
 * list (votes `valid` when honest nodes contest it). Under a `weighted` distribution rule the ledger refuses such a
 * list at submission.
 */
export const selfpay: Strategy = {
  name: "selfpay",
  nodeClass: "attacker",
  checksProofs: true,
  work: honestWork,
  audit: honestAudit,
  computeList: colluding.computeList,
};
