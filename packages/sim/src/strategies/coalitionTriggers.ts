import type { TransactionBody } from "@gradual/node";
import {
  getAccount,
  getNode,
  getReveal,
  listRevealers,
  nodeActiveStake,
  proofTriggerWindow,
  reviewLag,
} from "@gradual/protocol";
import type { SimGroup, SimNode, World } from "../world.ts";
import { proofTrigger, proofTriggerOf, type TriggerVerdict } from "./adapters.ts";

/**
 * Coordinated triggers of a coalition acting as one operator: one trigger against each chosen proof, spread over
 * the members, keeping one trigger per member free for the cycle's list (the per-cycle limit counts both kinds).
 */

function canTrigger(world: World, member: SimNode, bonds: number): boolean {
  if (!member.joined || member.left || member.down) return false;
  const record = getNode(world.state, world.task, member.account);
  if (record === undefined || nodeActiveStake(record, world.round) < world.params.minimumStake) return false;
  return getAccount(world.state, member.account).balance >= world.params.triggerBond * BigInt(bonds + 1);
}

export function taskTiming(world: World) {
  return { startSlot: world.startSlot, params: world.params };
}

/** Triggers from `group` against every valid, untriggered outsider proof of `cycle` that `choose` picks. */
export function coalitionTriggers(
  world: World,
  group: SimGroup,
  cycle: number,
  verdict: TriggerVerdict,
  choose: (target: string) => boolean,
): { node: SimNode; tx: TransactionBody }[] {
  const used = group.shared.get(`triggers/${cycle}`) as Map<SimNode, number> | undefined;
  const counts = used ?? new Map<SimNode, number>();
  group.shared.set(`triggers/${cycle}`, counts);
  const perMember = Math.max(world.params.maxTriggersPerNodePerCycle - 1, 0);
  const members = group.nodes;
  const sent: { node: SimNode; tx: TransactionBody }[] = [];
  let next = 0;
  for (const target of listRevealers(world.state, world.task, cycle)) {
    if (group.members.has(target) || getReveal(world.state, world.task, cycle, target)?.status !== "valid") continue;
    if (!choose(target) || proofTriggerOf(world.state, world.task, cycle, target) !== undefined) continue;
    if (group.shared.has(`triggered/${cycle}/${target}`)) continue;
    let chosen: SimNode | undefined;
    for (let tries = 0; tries < members.length && chosen === undefined; tries += 1) {
      const member = members[(next + tries) % members.length] as SimNode;
      const count = counts.get(member) ?? 0;
      if (count < perMember && canTrigger(world, member, count)) chosen = member;
    }
    if (chosen === undefined) break;
    next = (members.indexOf(chosen) + 1) % members.length;
    counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
    group.shared.set(`triggered/${cycle}/${target}`, true);
    sent.push({ node: chosen, tx: proofTrigger(world.task, cycle, target, verdict) });
  }
  return sent;
}

/**
 * The cycle whose proof triggers and votes run in the current round: round − 1, or round − 2 when the task pairs
 * its reveals with the next commits (protocol.md §2.2).
 */
export function cycleUnderReview(world: World): number {
  return world.round - reviewLag(world.params);
}

/** Whether `slot` is the first slot of the proof trigger window of the cycle under review (`cycleUnderReview`). */
export function reviewOpens(world: World): number | null {
  const cycle = cycleUnderReview(world);
  if (cycle < 0 || world.slot !== proofTriggerWindow(taskTiming(world), cycle).opensAt) return null;
  return cycle;
}
