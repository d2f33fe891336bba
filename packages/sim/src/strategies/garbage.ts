import type { Strategy } from "../world.ts";
import { honestAudit, honestList } from "./honest.ts";

/** Submits proofs that are nobody's work (and audits others honestly). */
export const garbage: Strategy = {
  name: "garbage",
  nodeClass: "attacker",
  checksProofs: true,
  work: (world, node, cycle) => ({
    status: "done",
    proofDigest: world.proofs.garbage(cycle, node.account),
    salt: world.salt(node, cycle),
  }),
  audit: honestAudit,
  computeList: honestList,
};
