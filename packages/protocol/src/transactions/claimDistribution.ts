import type { TransitionContext } from "../context.ts";
import { verifyListProof } from "../distributionList.ts";
import { type Rejection, reject } from "../errors.ts";
import { holdForOpenChallenges } from "../holds.ts";
import { listClaimClosesAt, roundOf } from "../schedule.ts";
import { stateKeys } from "../state/keys.ts";
import { findTask, isRejection } from "../tasks.ts";
import type {
  ClaimDistributionTx,
  DistributionRecord,
  RevealRecord,
  SlashLogEntry,
  TaskRecord,
  VestingRecord,
} from "../types.ts";
import { addListEntry, EMPTY_VESTING, listTranche } from "../vesting.ts";

/**
 * protocol.md §6.4 (deviation 34): moves one entry of a cycle's accepted list into its recipient's vesting, against a
 * Merkle proof of the entry under the list's root. Anyone may send it. The entry vests from the round the list was
 * accepted, and the recipient's slashes since then are replayed on it (§7.2), so claiming late neither speeds up nor
 * shields a reward. An entry is paid only while its recipient's proof of the cycle is still valid, only once, and
 * never beyond what the cycle still holds, and only until the list's claim window closes, `listClaimRounds` after the
 * acceptance: what nobody claimed by then returns to the escrow at that round start (`closeListClaims`).
 */
export function applyClaimDistribution(context: TransitionContext, tx: ClaimDistributionTx): Rejection | null {
  const { draft } = context;
  const found = findTask(draft, tx.task);
  if (isRejection(found)) return found;
  const ref = { task: found.id, cycle: tx.cycle };
  const cycle = draft.cycle(found.id, tx.cycle);
  // The claim window closes at a fixed round (§6.4), read from the cycle record: pruning, later, changes nothing.
  if (cycle !== undefined && cycle.completedRound !== null) {
    const closesAt = listClaimClosesAt(found, cycle.completedRound);
    if (context.slot >= closesAt)
      return reject("DISTRIBUTION__CLAIM_WINDOW_CLOSED", { ...ref, slot: context.slot, closesAt });
  }
  const list =
    cycle === undefined
      ? undefined
      : draft.get<DistributionRecord>(stateKeys.distribution(found.id, tx.cycle, cycle.attempt));
  if (cycle === undefined || cycle.completedRound === null || list?.status !== "accepted") {
    return reject("DISTRIBUTION__NO_LIST", ref);
  }
  const claimKey = stateKeys.listClaim(found.id, tx.cycle, tx.recipient);
  if (draft.get<bigint>(claimKey) !== undefined) {
    return reject("DISTRIBUTION__ALREADY_CLAIMED", { ...ref, recipient: tx.recipient });
  }
  if (!verifyListProof(list.listRoot, list.entryCount, tx.index, tx.recipient, tx.amount, tx.proof)) {
    return reject("DISTRIBUTION__BAD_PROOF", { ...ref, recipient: tx.recipient, index: tx.index });
  }
  if (tx.amount === 0n) return reject("CLAIM__NOTHING_CLAIMABLE", { task: found.id });
  const reveal = draft.get<RevealRecord>(stateKeys.reveal(found.id, tx.cycle, tx.recipient));
  if (reveal?.status !== "valid") return reject("DISTRIBUTION__NOT_A_SUBMITTER", { ...ref, account: tx.recipient });
  if (tx.amount > cycle.reserved) {
    return reject("DISTRIBUTION__OVER_BOUNTY", { ...ref, total: tx.amount, bounty: cycle.reserved });
  }
  const log = draft.get<readonly SlashLogEntry[]>(stateKeys.slashLog(found.id, tx.recipient)) ?? [];
  const { unlocked, tranche, slashed } = listTranche(
    tx.cycle,
    tx.amount,
    cycle.completedRound,
    found.params.vestingRounds,
    log.filter((entry) => entry.seq >= (list.slashSeq ?? 0)),
  );
  const vestingKey = stateKeys.vesting(found.id, tx.recipient);
  const vesting = draft.get<VestingRecord>(vestingKey) ?? EMPTY_VESTING;
  const vested = tx.amount - slashed;
  // The claim records what entered the vesting: a late challenge of this proof holds and claws back that (§5.7).
  draft.set(claimKey, vested);
  const added = addListEntry(vesting, roundOf(found, context.slot), { unlocked, tranche }, tx.amount, slashed);
  draft.set(vestingKey, added);
  // Late challenges of this proof already open hold the entry too (they opened when nothing was claimed). Only late
  // triggers are open once a cycle has paid, and the task lists them: most claims look nothing up.
  if (found.lateTriggers.some((ref) => ref.cycle === tx.cycle)) {
    holdForOpenChallenges(draft, found.id, tx.cycle, tx.recipient, vested);
  }
  draft.updateCycle(cycle, { reserved: cycle.reserved - tx.amount });
  draft.move("reserved", "vesting", tx.amount);
  draft.move("vesting", "burned", slashed);
  const task = draft.task(found.id) as TaskRecord;
  draft.updateTask(task, {
    totalPaid: task.totalPaid + tx.amount,
    burned: task.burned + slashed,
    totalSlashed: task.totalSlashed + slashed,
  });
  // An entry whose whole tranche the replayed slashes burned vests nothing: no event (a payment is never zero).
  if (tx.amount === slashed) return null;
  context.events.push({
    type: "Vested",
    task: found.id,
    cycle: tx.cycle,
    node: tx.recipient,
    // What enters the vesting: the entry less the slashes replayed on it (those are burned, as they were when the
    // slash happened to everything else the node had locked).
    amount: tx.amount - slashed,
    endRound: cycle.completedRound + found.params.vestingRounds,
  });
  return null;
}
