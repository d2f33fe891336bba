import type { TransitionContext } from "./context.ts";
import { isEdgeCode, type Rejection, reject } from "./errors.ts";
import type { ProtocolEvent } from "./events.ts";
import { ProtocolError } from "./gradualError.ts";
import { stateKeys } from "./state/keys.ts";
import { accountRecord, nodeRecord } from "./state/records.ts";
import { Draft, type State } from "./state/store.ts";
import { applyClaim } from "./transactions/claim.ts";
import { applyClaimDistribution } from "./transactions/claimDistribution.ts";
import { applyCloseTask } from "./transactions/closeTask.ts";
import { applyCommit } from "./transactions/commit.ts";
import { applyCreateTask } from "./transactions/createTask.ts";
import { transactionHash } from "./transactions/encoding.ts";
import { applyFundTask } from "./transactions/fundTask.ts";
import { applyPublishProof } from "./transactions/publishProof.ts";
import { applyCommitAndReveal, applyReveal } from "./transactions/reveal.ts";
import { decodeTransaction, isDecodeRejection } from "./transactions/schema.ts";
import { applyStake } from "./transactions/stake.ts";
import { applySubmitDistribution } from "./transactions/submitDistribution.ts";
import { applyTransfer } from "./transactions/transfer.ts";
import { applyTriggerAudit } from "./transactions/triggerAudit.ts";
import { applyUnstake } from "./transactions/unstake.ts";
import { applyVote } from "./transactions/vote.ts";
import { applyWithdraw } from "./transactions/withdraw.ts";
import type { Env, Transaction, VoteTx } from "./types.ts";

export type Applied = { readonly ok: true; readonly state: State; readonly events: readonly ProtocolEvent[] };

/**
 * A refusal. `included: false` (edge codes: shape, chain, nonce) leaves the state as it was and the transaction is
 * never ordered. `included: true` means the transaction is in its block with this code: its nonce is used and
 * nothing else changes (an equivocating vote also marks its node, protocol.md §5.4).
 */
export type Refused = Rejection & {
  readonly included: boolean;
  readonly state: State;
  readonly events: readonly ProtocolEvent[];
};

export type ApplyResult = Applied | Refused;

function dispatch(context: TransitionContext, tx: Transaction, env: Env): Rejection | null {
  switch (tx.kind) {
    case "transfer":
      return applyTransfer(context, tx);
    case "createTask":
      return applyCreateTask(context, tx, env.taskId ?? transactionHash(tx));
    case "fundTask":
      return applyFundTask(context, tx);
    case "closeTask":
      return applyCloseTask(context, tx);
    case "stake":
      return applyStake(context, tx);
    case "unstake":
      return applyUnstake(context, tx);
    case "withdraw":
      return applyWithdraw(context, tx);
    case "commit":
      return applyCommit(context, tx);
    case "reveal":
      return applyReveal(context, tx);
    case "commitAndReveal":
      return applyCommitAndReveal(context, tx);
    case "triggerAudit":
      return applyTriggerAudit(context, tx);
    case "publishProof":
      return applyPublishProof(context, tx);
    case "vote":
      return applyVote(context, tx);
    case "submitDistribution":
      return applySubmitDistribution(context, tx);
    case "claimDistribution":
      return applyClaimDistribution(context, tx);
    case "claim":
      return applyClaim(context, tx);
    default: {
      // Unreachable after decodeTransaction; a refusal rather than a throw all the same (§9.1).
      const kind = String((tx as { kind?: unknown }).kind);
      return reject("TX__UNKNOWN_KIND", { kind }, `unknown transaction kind ${JSON.stringify(kind)}`);
    }
  }
}

/** Told about a transaction whose handler threw (a bug): the ledger logs it and counts it (§9.1). */
export type ApplyFailureListener = (error: unknown, tx: Transaction) => void;

/**
 * The one entry point for transactions (protocol.md §9.1). `tx` must have passed signature verification at the
 * edge; its shape, chain id and nonce are checked here again. Never throws for a bad transaction: a refusal is a
 * value with a stable code. Throws `ProtocolError` only on misuse (`env.slot` not the state's slot) or a bug.
 */
export function applyTransaction(
  state: State,
  input: Transaction,
  env: Env,
  onApplyFailure?: ApplyFailureListener,
): ApplyResult {
  const draft = new Draft(state);
  const outcome = applyTransactionInDraft(draft, input, env, onApplyFailure);
  if (outcome.ok) return { ...outcome, state: draft.finish() };
  return { ...outcome, state: outcome.included ? draft.finish() : state };
}

/** One transaction's outcome inside a block's draft (see `applyBlock`). */
export type TransactionOutcome =
  | { readonly ok: true; readonly events: readonly ProtocolEvent[] }
  | (Rejection & { readonly included: boolean; readonly events: readonly ProtocolEvent[] });

/**
 * `applyTransaction` on a draft that goes on to the block's next transaction: the same rules, with the transaction
 * committed to the draft when it stands and rolled back when it is refused (then, if it is included, only its nonce
 * and an equivocation mark are written). The draft must have nothing pending (`commit`ted or fresh).
 */
export function applyTransactionInDraft(
  draft: Draft,
  input: Transaction,
  env: Env,
  onApplyFailure?: ApplyFailureListener,
): TransactionOutcome {
  const decoded = decodeTransaction(input);
  if (isDecodeRejection(decoded)) return { ...decoded, included: false, events: [] };
  const tx = decoded;
  const chain = draft.chain();
  if (env.slot !== chain.slot) {
    throw new ProtocolError(
      `applyTransaction: env.slot ${env.slot} is not the state's slot ${chain.slot}`,
      "call advanceSlot first",
    );
  }
  if (tx.chainId !== chain.chainId) {
    return { ...reject("TX__WRONG_CHAIN", { expected: chain.chainId, got: tx.chainId }), included: false, events: [] };
  }
  const account = draft.account(tx.from);
  if (tx.nonce !== account.nonce) {
    const code = tx.nonce < account.nonce ? "TX__NONCE_TOO_LOW" : "TX__NONCE_TOO_HIGH";
    return { ...reject(code, { expected: account.nonce, got: tx.nonce }), included: false, events: [] };
  }
  draft.update(stateKeys.account(tx.from), account, { nonce: account.nonce + 1 }, accountRecord);
  const context: TransitionContext = { draft, slot: env.slot, events: [] };
  let rejection: Rejection | null;
  try {
    rejection = dispatch(context, tx, env);
    if (rejection === null) {
      draft.commit();
      return { ok: true, events: context.events };
    }
    if (rejection.code === "TX__UNKNOWN_KIND") {
      draft.rollback();
      return { ...rejection, included: false, events: [] };
    }
    if (isEdgeCode(rejection.code)) throw new ProtocolError(`handler returned edge code ${rejection.code}`);
  } catch (error) {
    // A handler that throws is a bug. It must not stop the chain: the transaction is included as TX__APPLY_FAILED,
    // its nonce used, nothing else changed (the draft's writes are rolled back). Deterministic, so replicas agree.
    onApplyFailure?.(error, tx);
    rejection = reject("TX__APPLY_FAILED", { kind: tx.kind });
  }
  draft.rollback();
  return { ...rejection, included: true, events: consumeNonce(draft, tx, rejection) };
}

/** What an included refusal leaves (§9.1): its nonce used and, for an equivocating vote, the mark on its node. */
function consumeNonce(draft: Draft, tx: Transaction, rejection: Rejection): ProtocolEvent[] {
  const account = draft.account(tx.from);
  draft.update(stateKeys.account(tx.from), account, { nonce: account.nonce + 1 }, accountRecord);
  const events: ProtocolEvent[] = [];
  if (rejection.code === "VOTE__EQUIVOCATION") {
    const vote = tx as VoteTx;
    const node = draft.node(vote.task, vote.from);
    if (node !== undefined)
      draft.update(stateKeys.node(vote.task, vote.from), node, { equivocations: node.equivocations + 1 }, nodeRecord);
    events.push({ type: "Equivocated", task: vote.task, cycle: vote.cycle, trigger: vote.trigger, voter: vote.from });
  }
  draft.commit();
  return events;
}

export { keys } from "./state/keys.ts";
