import type { TransitionContext } from "../context.ts";
import { hexToBytes, sha256Hex } from "../encoding/hash.ts";
import { type Rejection, reject } from "../errors.ts";
import { stateKeys } from "../state/keys.ts";
import { revealRecord } from "../state/records.ts";
import { closedCycleWindow, findTask, isRejection } from "../tasks.ts";
import type { PublishProofTx, RevealRecord, TriggerRecord } from "../types.ts";
import { settleAvailability } from "../windows/resolveTrigger.ts";

/**
 * protocol.md §5.6: the target of an availability challenge answers it by publishing its payload on the ledger.
 * The ledger checks the payload against the revealed digest, so availability is a fact, not a vote: once published,
 * the payload is in the state for every auditor to read, and the challenge is settled as `answered`.
 */
export function applyPublishProof(context: TransitionContext, tx: PublishProofTx): Rejection | null {
  const { draft, slot } = context;
  const task = findTask(draft, tx.task);
  if (isRejection(task)) return task;
  const ref = { task: task.id, cycle: tx.cycle, trigger: tx.trigger };
  // A cycle closed for good (§9.3) is answered from its cycle record, before its triggers are read (pruning).
  const closed = closedCycleWindow(draft, task, tx.cycle, slot);
  if (closed !== null) return reject("PUBLISH__WINDOW_CLOSED", { ...ref, slot, closesAt: closed.closesAt });
  const trigger = draft.get<TriggerRecord>(stateKeys.trigger(task.id, tx.cycle, tx.trigger));
  if (trigger === undefined || trigger.verdict !== "unavailable" || trigger.target !== tx.from) {
    return reject("PUBLISH__NO_CHALLENGE", ref);
  }
  if (trigger.resolution !== null || slot >= trigger.closesAt) {
    return reject("PUBLISH__WINDOW_CLOSED", { ...ref, slot, closesAt: trigger.closesAt });
  }
  const bytes = tx.payload.length / 2;
  if (bytes > task.params.maxProofBytes) {
    return reject("PUBLISH__TOO_LARGE", { task: task.id, cycle: tx.cycle, bytes, limit: task.params.maxProofBytes });
  }
  const revealKey = stateKeys.reveal(task.id, tx.cycle, tx.from);
  const reveal = draft.get<RevealRecord>(revealKey) as RevealRecord;
  const digest = sha256Hex(hexToBytes(tx.payload));
  if (digest !== reveal.proofDigest) {
    return reject("PUBLISH__DIGEST_MISMATCH", {
      task: task.id,
      cycle: tx.cycle,
      expected: reveal.proofDigest,
      got: digest,
    });
  }
  draft.set(stateKeys.published(task.id, tx.cycle, tx.from), tx.payload);
  draft.set(revealKey, revealRecord(reveal, { published: true }));
  context.events.push({
    type: "ProofPublished",
    task: task.id,
    cycle: tx.cycle,
    trigger: tx.trigger,
    node: tx.from,
    bytes,
  });
  settleAvailability(context, task.id, tx.cycle, trigger, "answered");
  return null;
}
