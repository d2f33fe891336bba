import type { TransitionContext } from "../context.ts";
import { type Rejection, reject } from "../errors.ts";
import { findParamsProblems, LIMITS } from "../params.ts";
import { taskGenesisSeed } from "../random.ts";
import { stateKeys } from "../state/keys.ts";
import { chainRecord, taskRecord } from "../state/records.ts";
import type { CreateTaskTx } from "../types.ts";

/** protocol.md §8.1: locks the creator's funding in a new task's escrow; round 0 starts at the next slot. */
function validateCreateTask(context: TransitionContext, tx: CreateTaskTx): Rejection | null {
  const problem = findParamsProblems(tx.params)[0];
  if (problem !== undefined) {
    return reject("TASK__INVALID_PARAMS", problem, `params.${problem.field}: ${problem.reason}`);
  }
  if (tx.funding < tx.params.bountyPerRound) {
    return reject("TASK__BELOW_FIRST_BOUNTY", { funding: tx.funding, bountyPerRound: tx.params.bountyPerRound });
  }
  const chain = context.draft.chain();
  if (chain.taskCount >= LIMITS.maxTasks) return reject("TASK__LIMIT_REACHED", { limit: LIMITS.maxTasks });
  const balance = context.draft.account(tx.from).balance;
  if (balance < tx.funding) {
    return reject("ACCOUNT__INSUFFICIENT_BALANCE", { account: tx.from, balance, needed: tx.funding });
  }
  return null;
}

export function applyCreateTask(context: TransitionContext, tx: CreateTaskTx, taskId: string): Rejection | null {
  const rejection = validateCreateTask(context, tx);
  if (rejection !== null) return rejection;
  const { draft, slot } = context;
  const chain = draft.chain();
  draft.debit(tx.from, tx.funding);
  draft.move("balances", "escrows", tx.funding);
  const task = taskRecord({
    id: taskId,
    creator: tx.from,
    name: tx.name,
    bundleHash: tx.bundleHash,
    metadataHash: tx.metadataHash,
    params: tx.params,
    createdSlot: slot,
    startSlot: slot + 1,
    index: chain.taskCount,
    status: "active",
    escrow: tx.funding,
    nodeCount: 0,
    openCycles: [],
    seedHead: taskGenesisSeed(taskId),
    seedCycle: -1,
    ramp: { fullStake: 0n, foldedThrough: -(2 ** 31), buckets: [] },
    totalPaid: 0n,
    totalSlashed: 0n,
    burned: 0n,
    lateTriggers: [],
    prunedThrough: -1,
    slashCount: 0,
  });
  draft.setTask(task);
  draft.set(stateKeys.taskAt(chain.taskCount), taskId);
  draft.set(stateKeys.chain(), chainRecord(chain, { taskCount: chain.taskCount + 1 }));
  context.events.push({ type: "TaskCreated", task: taskId, creator: tx.from, funding: tx.funding });
  return null;
}
