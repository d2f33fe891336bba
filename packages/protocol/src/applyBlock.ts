import { advanceSlotInSession } from "./advanceSlot.ts";
import { type ApplyFailureListener, applyTransactionInDraft, type TransactionOutcome } from "./applyTransaction.ts";
import type { ProtocolEvent } from "./events.ts";
import { Draft, type State } from "./state/store.ts";
import { createEditSession } from "./state/trie.ts";
import type { Hash, Transaction } from "./types.ts";

export type { TransactionOutcome };

export type BlockResult = {
  readonly state: State;
  /** Window ends and round starts processed at the start of the slot, before the transactions. */
  readonly slotEvents: readonly ProtocolEvent[];
  readonly outcomes: readonly TransactionOutcome[];
};

/**
 * A whole block (protocol.md §9.1): `advanceSlot(slot)` then every transaction in order. Exactly the same result as
 * calling those one by one, but on one draft in one edit session: the trie paths a block touches are copied once per
 * block, not once per write, and a record the block already changed is changed in place (a refused transaction is
 * rolled back from the draft's undo journal). Transactions refused at the edge (`included: false`) leave no trace,
 * as with `applyTransaction`. A transaction whose handler throws is included as `TX__APPLY_FAILED` (§9.1);
 * `onApplyFailure` hears about it.
 */
export function applyBlock(
  state: State,
  slot: number,
  transactions: readonly Transaction[],
  onApplyFailure?: ApplyFailureListener,
  /** Per transaction, by position: the id its `createTask` gives its task (`Env.taskId`; default its hash). */
  taskIds?: readonly (Hash | undefined)[],
): BlockResult {
  const session = createEditSession();
  const advanced = advanceSlotInSession(state, slot, session);
  const draft = new Draft(advanced.state, session);
  const outcomes: TransactionOutcome[] = [];
  for (let index = 0; index < transactions.length; index += 1) {
    const taskId = taskIds?.[index];
    const env = taskId === undefined ? { slot } : { slot, taskId };
    outcomes.push(applyTransactionInDraft(draft, transactions[index] as Transaction, env, onApplyFailure));
  }
  return { state: draft.finish(), slotEvents: advanced.events, outcomes };
}
