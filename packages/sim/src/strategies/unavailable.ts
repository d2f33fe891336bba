import { getCycle, getTask, lateChallengeWindow } from "@gradual/protocol";
import type { SimGroup, Strategy, World } from "../world.ts";
import type { TriggerVerdict } from "./adapters.ts";
import { coalitionTriggers, reviewOpens } from "./coalitionTriggers.ts";
import { striking } from "./colluding.ts";
import { honestAudit, honestList, honestWork } from "./honest.ts";

/**
 * Late triggers (§5.7) from `group` against every still-valid outsider proof of each cycle before `cycle` whose
 * late-challenge window is open at this slot.
 */
function lateTriggers(world: World, group: SimGroup, cycle: number, verdict: TriggerVerdict) {
  const task = getTask(world.state, world.task);
  if (task === undefined) return [];
  const sent = [];
  for (let past = cycle - 1; past >= 0; past -= 1) {
    const record = getCycle(world.state, world.task, past);
    if (record === undefined) break;
    const window = lateChallengeWindow(task, record);
    // A cycle still distributing (a `custom` list's later attempt) has no window yet; an earlier one may.
    if (window === null) continue;
    if (world.slot >= window.closesAt) break;
    if (world.slot < window.opensAt) continue;
    sent.push(...coalitionTriggers(world, group, past, verdict, () => true));
  }
  return sent;
}

/**
 * A coalition that does real work and posts honest lists (so nothing of its own can be slashed or refused), and from
 * its strike round triggers with `verdict` against every honest proof as soon as the review's trigger window opens
 * and gives that verdict on every outsider's proof (`valid` on its members'). With `late`, the same slot it also
 * challenges late every outsider proof still valid in the earlier cycles whose late-challenge window is open.
 */
function votingDown(name: "unavailable" | "disputer" | "holdout", verdict: TriggerVerdict, late: boolean): Strategy {
  return {
    name,
    nodeClass: "attacker",
    checksProofs: false,
    work: honestWork,
    audit: (world, node, request) => {
      if (!striking(node, world.round)) return honestAudit(world, node, request);
      return node.group.members.has(request.target) ? "valid" : verdict;
    },
    computeList: honestList,
    // A late trigger is against a proof its members may have checked honestly before the strike: they forget that
    // verdict when a trigger lands, so that they vote as they now audit.
    revisitsOnTrigger: late,
    groupTransactions(world, group) {
      const first = group.nodes[0];
      const cycle = reviewOpens(world);
      if (first === undefined || cycle === null || !striking(first, world.round)) return [];
      const sent = coalitionTriggers(world, group, cycle, verdict, () => true);
      return late ? [...sent, ...lateTriggers(world, group, cycle, verdict)] : sent;
    },
  };
}

/**
 * The unavailable-voting coalition: votes `unavailable` on every outsider's proof, so that honest proofs resolve
 * unavailable (unpaid) and the honest list pays the coalition what honest nodes lose. Its triggers claim
 * `unavailable` (adapters.ts `proofTrigger`); today the triggerer's automatic vote still counts as `invalid`.
 */
export const unavailable: Strategy = votingDown("unavailable", "unavailable", false);

/**
 * The disputing coalition (a blocker): votes `invalid` on every outsider's proof, and challenges late every honest
 * proof still in its late-challenge window. It extracts nothing: with more than a third of the weight that takes part
 * its triggers resolve `disputed` (§5.5), its bonds come back, and the honest proofs under review go unpaid (their
 * shares back to the escrow); a disputed late trigger takes nothing (deviation 37), an upheld one claws back. It
 * measures what blocking costs honest nodes and the coalition (P7), and, with lazy followers joining its votes, what
 * upholding below the slash supermajority brings it (P3).
 */
export const disputer: Strategy = votingDown("disputer", "invalid", true);

/**
 * The disputer's answer to appeals (§5.8): it strikes as the disputer does from its strike round to `strikeUntil`,
 * then works and votes honestly on new cycles but stays, and keeps voting `invalid` on every outsider proof of the
 * cycles it struck (so an appeal of one meets its weight), until every late-challenge window of those cycles has
 * closed; only then does it leave (`leaveRound`). Honest nodes appeal only once its weight is gone, which is too late.
 */
export const holdout: Strategy = {
  ...votingDown("holdout", "invalid", true),
  audit(world, node, request) {
    const { strikeRound, strikeUntil } = node.group.spec;
    const struck = request.cycle >= strikeRound - 1 && (strikeUntil === null || request.cycle < strikeUntil);
    if (!striking(node, world.round) && !(struck && world.round >= strikeRound))
      return honestAudit(world, node, request);
    return node.group.members.has(request.target) ? "valid" : "invalid";
  },
};
