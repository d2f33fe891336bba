import type { ListRecord, Verdict, WorkRecord } from "@gradual/node";
import type { AuditRequest, SimNode, Strategy, World } from "../world.ts";

/** Real work: the proof of this node's own work for the cycle. */
export function honestWork(world: World, node: SimNode, cycle: number): WorkRecord {
  return { status: "done", proofDigest: world.proofs.work(cycle, node.account), salt: world.salt(node, cycle) };
}

/** Fetch and check: unavailable when the proof cannot be fetched, else valid exactly for real work of the cycle. */
export function honestAudit(world: World, node: SimNode, request: AuditRequest): Verdict {
  if (request.published !== true && !world.canFetch(node, request.target)) return "unavailable";
  return world.proofs.isValidFor(request.proofDigest, request.cycle) ? "valid" : "invalid";
}

export function honestList(world: World, _node: SimNode, cycle: number, attempt: number): ListRecord {
  return world.honestList(cycle, attempt);
}

/** Follows decide() to the letter: the reference every other strategy is measured against. */
export const honest: Strategy = {
  name: "honest",
  nodeClass: "honest",
  checksProofs: true,
  work: honestWork,
  audit: honestAudit,
  computeList: honestList,
};
