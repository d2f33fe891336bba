import type { ListRecord, WorkRecord } from "@gradual/node";
import { getCycle, getReveal, listRoot } from "@gradual/protocol";
import { equalSplit } from "@gradual/sdk";
import type { SimGroup, SimNode, Strategy, World } from "../world.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * The list a colluding group wants for a cycle: the whole bounty split among its own members with a valid
 * submission (the ledger refuses anyone else). Every member computes the same list, so they agree with each other's.
 * Null when no member has a valid submission in the cycle.
 */
export function groupList(world: World, group: SimGroup, cycle: number): ListRecord | null {
  const key = `list/${cycle}`;
  const cached = group.shared.get(key) as ListRecord | null | undefined;
  if (cached !== undefined) return cached;
  const record = getCycle(world.state, world.task, cycle);
  const members = group.nodes
    .filter((member) => getReveal(world.state, world.task, cycle, member.account)?.status === "valid")
    .map((member) => ({ account: member.account, weight: 0n, proofDigest: "" }));
  const entries = record === undefined || members.length === 0 ? null : equalSplit(members, record.reserved);
  const list = entries === null ? null : { entries, root: listRoot(entries) };
  group.shared.set(key, list);
  return list;
}

/** Whether the group attacks in `round` (a patient group behaves honestly before its strikeRound). */
export function striking(node: SimNode, round: number): boolean {
  const { strikeRound, strikeUntil } = node.group.spec;
  return round >= strikeRound && (strikeUntil === null || round < strikeUntil);
}

/** Garbage work once striking, passed by its own members: nobody's work, the group's verdict on it is `valid`. */
export function groupWork(world: World, node: SimNode, cycle: number): WorkRecord {
  if (!striking(node, cycle)) return honestWork(world, node, cycle);
  return { status: "done", proofDigest: world.proofs.garbage(cycle, node.account), salt: world.salt(node, cycle) };
}

/**
 * A group run by one operator: its members submit garbage, vote each other's proofs valid, audit outsiders
 * honestly, post lists that pay the whole bounty to the group (and contest every other list).
 */
export const colluding: Strategy = {
  name: "colluding",
  nodeClass: "attacker",
  checksProofs: true,
  work: groupWork,
  audit: (world, node, request) =>
    striking(node, world.round) && node.group.members.has(request.target) ? "valid" : honestAudit(world, node, request),
  // Any valid submitter may post (protocol.md §6.1): every striking member computes the group's list, posts it when
  // it wins the race, and contests any other list.
  computeList(world, node, cycle, attempt) {
    if (!striking(node, world.round)) return honestList(world, node, cycle, attempt);
    return groupList(world, node.group, cycle) ?? honestList(world, node, cycle, attempt);
  },
};
