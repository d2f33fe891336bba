import { advanceSlotInSession } from "./advanceSlot.ts";
import { type ApplyFailureListener, applyTransactionInSession } from "./applyTransaction.ts";
import type { Rejection } from "./errors.ts";
import type { ProtocolEvent } from "./events.ts";
import type { State } from "./state/store.ts";
import { createEditSession } from "./state/trie.ts";
import type { Hash, Transaction } from "./types.ts";

/** One transaction's outcome inside a block (no per-transaction state: only the block's end state is exposed). */
export type TransactionOutcome =
  | { readonly ok: true; readonly events: readonly ProtocolEvent[] }
  | (Rejection & { readonly included: boolean; readonly events: readonly ProtocolEvent[] });

export type BlockResult = {
  readonly state: State;
  /** Window ends and round starts processed at the start of the slot, before the transactions. */
  readonly slotEvents: readonly ProtocolEvent[];
  readonly outcomes: readonly TransactionOutcome[];
};

/**
 * A whole block (protocol.md §9.1): `advanceSlot(slot)` then every transaction in order. Exactly the same result as
 * calling those one by one, but the trie paths a block touches are copied once per block, not once per write.
 * Transactions refused at the edge (`included: false`) leave no trace, as with `applyTransaction`. A transaction
 * whose handler throws is included as `TX__APPLY_FAILED` (§9.1); `onApplyFailure` hears about it.
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
  let current = advanced.state;
  const outcomes: TransactionOutcome[] = [];
  for (const [index, tx] of transactions.entries()) {
    const taskId = taskIds?.[index];
    const env = taskId === undefined ? { slot } : { slot, taskId };
    const result = applyTransactionInSession(current, tx, env, session, onApplyFailure);
    current = result.state;
    if (result.ok) outcomes.push({ ok: true, events: result.events });
    else {
      const { state: _ignored, ...outcome } = result;
      outcomes.push(outcome);
    }
  }
  return { state: current, slotEvents: advanced.events, outcomes };
}
