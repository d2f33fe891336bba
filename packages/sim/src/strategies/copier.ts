import type { WorkRecord } from "@gradual/node";
import type { SimNode, Strategy, World } from "../world.ts";
import { honestAudit, honestList } from "./honest.ts";

/**
 * Does no work and submits another node's proof. Under Koii's rules proofs are visible before the submission
 * window closes, so it copies a current proof of an honest node: valid content, paid like real work. Under
 * gradual's commit-reveal the proofs of this cycle are served only after the commit window closed, so the best it
 * can commit to is a replay of the victim's previous proof, which audits as invalid.
 */
function copyWork(world: World, node: SimNode, cycle: number): WorkRecord {
  const victims = world.nodes.filter(
    (other) => other.group.strategy.nodeClass === "honest" && other.joined && !other.left && !other.down,
  );
  const salt = world.salt(node, cycle);
  if (victims.length === 0) return { status: "done", proofDigest: world.proofs.garbage(cycle, node.account), salt };
  const victim = world.random(`copier/${node.account}`).pick(victims);
  if (world.rules.flags.proofsVisibleEarly) {
    return { status: "done", proofDigest: world.proofs.work(cycle, victim.account), salt };
  }
  const replay = cycle > 0 ? world.proofs.work(cycle - 1, victim.account) : world.proofs.garbage(cycle, node.account);
  return { status: "done", proofDigest: replay, salt };
}

export const copier: Strategy = {
  name: "copier",
  nodeClass: "attacker",
  checksProofs: true,
  work: copyWork,
  audit: honestAudit,
  computeList: honestList,
};
