import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import type { TransferTx } from "../types.ts";

/** protocol.md §3.1: moves balance between accounts. */
function validateTransfer(context: TransitionContext, tx: TransferTx): Rejection | null {
  if (tx.to === tx.from) return reject("TRANSFER__TO_SELF", { account: tx.from });
  const balance = context.draft.account(tx.from).balance;
  if (balance < tx.amount) {
    return reject("ACCOUNT__INSUFFICIENT_BALANCE", { account: tx.from, balance, needed: tx.amount });
  }
  return null;
}

export function applyTransfer(context: TransitionContext, tx: TransferTx): Rejection | null {
  const rejection = validateTransfer(context, tx);
  if (rejection !== null) return rejection;
  context.draft.debit(tx.from, tx.amount);
  context.draft.credit(tx.to, tx.amount);
  context.events.push({ type: "Transferred", from: tx.from, to: tx.to, amount: tx.amount });
  return null;
}
