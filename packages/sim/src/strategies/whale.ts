import type { ListRecord, TransactionBody } from "@gradual/node";
import {
  appealableFinding,
  getAccount,
  getCycle,
  getNode,
  getReveal,
  getTask,
  keys,
  lateChallengeWindow,
  listRevealers,
  nodeActiveStake,
  proofTriggerWindow,
  readRecord,
  roundStart,
  sha256Hex,
} from "@gradual/protocol";
import type { SimGroup, SimNode, Strategy, World } from "../world.ts";
import { proofTrigger } from "./adapters.ts";
import { cycleUnderReview } from "./coalitionTriggers.ts";
import { groupList, groupWork, striking } from "./colluding.ts";
import { honestAudit, honestList } from "./honest.ts";

/**
 * A colluding group with a large share of the stake for a limited time (docs/simulator.md "Strategies"). It submits
 * garbage and passes it with its own votes; it calls every outsider's proof invalid, triggers against every honest
 * submission as soon as the trigger window opens (spreading the triggers over its members), and votes to slash;
 * it posts lists that pay only itself and contests every list that does not.
 */
function whaleList(world: World, node: SimNode, cycle: number, attempt: number): ListRecord {
  if (!striking(node, world.round)) return honestList(world, node, cycle, attempt);
  return (
    groupList(world, node.group, cycle) ?? {
      entries: [],
      root: sha256Hex(`gradual-sim/whale-contests/${cycle}/${attempt}`),
    }
  );
}

function canTrigger(world: World, member: SimNode, bonds: number): boolean {
  if (!member.joined || member.left || member.down) return false;
  const record = getNode(world.state, world.task, member.account);
  if (record === undefined || nodeActiveStake(record, world.round) < world.params.minimumStake) return false;
  return getAccount(world.state, member.account).balance >= world.params.triggerBond * BigInt(bonds + 1);
}

/** At the first slot of the review's trigger window: one trigger against each honest submission of the cycle. */
function whaleTriggers(world: World, group: SimGroup): { node: SimNode; tx: TransactionBody }[] {
  const cycle = cycleUnderReview(world);
  const first = group.nodes[0];
  if (first === undefined || !striking(first, world.round)) return [];
  if (cycle < 0 || world.slot !== proofTriggerWindow(taskTiming(world), cycle).opensAt) return [];
  // One trigger per member stays free for the cycle's list (the per-cycle limit counts both kinds).
  const perMember = Math.max(world.params.maxTriggersPerNodePerCycle - 1, 0);
  const used = new Map<SimNode, number>();
  const members = group.nodes;
  const sent: { node: SimNode; tx: TransactionBody }[] = [];
  let next = 0;
  for (const target of listRevealers(world.state, world.task, cycle)) {
    if (group.members.has(target) || getReveal(world.state, world.task, cycle, target)?.status !== "valid") continue;
    if (readRecord(world.state, keys.triggerOf(world.task, cycle, "proof", 0, target)) !== undefined) continue;
    let chosen: SimNode | undefined;
    for (let tries = 0; tries < members.length && chosen === undefined; tries += 1) {
      const member = members[(next + tries) % members.length] as SimNode;
      const count = used.get(member) ?? 0;
      if (count < perMember && canTrigger(world, member, count)) chosen = member;
    }
    if (chosen === undefined) break;
    next = (members.indexOf(chosen) + 1) % members.length;
    used.set(chosen, (used.get(chosen) ?? 0) + 1);
    sent.push({ node: chosen, tx: proofTrigger(world.task, cycle, target, "invalid") });
  }
  return sent;
}

/**
 * The whale's answer to appeals (§5.8): at each round's first slot, every member whose proof of a cycle still in its
 * late-challenge window was found invalid (its garbage, voted down by the honest weight) appeals it, once per proof,
 * while it has weight. Votes on the appeal are decide()'s, by each node's own check of the proof: the whale's members
 * vote `valid` on their own garbage, the honest nodes `invalid`.
 */
function whaleAppeals(world: World, group: SimGroup): { node: SimNode; tx: TransactionBody }[] {
  const task = getTask(world.state, world.task);
  if (task === undefined || world.slot !== roundStart(task, world.round)) return [];
  const sent: { node: SimNode; tx: TransactionBody }[] = [];
  for (let cycle = world.round - 2; cycle >= 0; cycle -= 1) {
    const record = getCycle(world.state, world.task, cycle);
    if (record === undefined || record.outcome === null) continue;
    const window = lateChallengeWindow(task, record);
    if (window === null || world.slot >= window.closesAt) break;
    if (world.slot < window.opensAt) continue;
    for (const member of group.nodes) {
      if (!canTrigger(world, member, 0)) continue;
      if (appealableFinding(world.state, world.task, cycle, member.account) === undefined) continue;
      sent.push({ node: member, tx: proofTrigger(world.task, cycle, member.account, "valid") });
    }
  }
  return sent;
}

function taskTiming(world: World) {
  return { startSlot: world.startSlot, params: world.params };
}

export const whale: Strategy = {
  name: "whale",
  nodeClass: "attacker",
  checksProofs: false,
  work: groupWork,
  audit: (world, node, request) => {
    if (!striking(node, world.round)) return honestAudit(world, node, request);
    return node.group.members.has(request.target) ? "valid" : "invalid";
  },
  computeList: whaleList,
  groupTransactions: (world, group) => [...whaleTriggers(world, group), ...whaleAppeals(world, group)],
};
