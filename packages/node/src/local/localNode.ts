import type { KeyPair } from "@gradual/ledger/client";
import {
  type Account,
  getChain,
  getCycle,
  getReveal,
  getTask,
  listDigest,
  roundOf,
  type State,
  sha256Hex,
} from "@gradual/protocol";
import {
  DEFAULT_DECIDE_OPTIONS,
  decide,
  type ListRecord,
  listSubmitters,
  type NodeAction,
  type TransactionBody,
  type Verdict,
  type WorkRecord,
} from "../decide.ts";
import { failureCode } from "../sandbox/codes.ts";
import type { TaskCallResult, TaskRunner } from "../sandbox/types.ts";

/**
 * One node of a local run (`gradual task test`, `gradual koii test`) on a `MemoryChain`: the real `decide`, the task's
 * real code through its runner, and the node's memory in maps. Both local runs step their nodes with this; they
 * differ only in how they report a call.
 */

export type LocalNode = {
  readonly index: number;
  readonly keyPair: KeyPair;
  runner: TaskRunner;
  readonly work: Map<number, WorkRecord>;
  readonly verdicts: Map<string, Verdict>;
  readonly lists: Map<string, ListRecord>;
  readonly done: Set<string>;
  /** This node's proofs by digest; peers read them here (only once revealed), as they would from its server. */
  readonly proofs: Map<string, { readonly cycle: number; readonly bytes: Uint8Array }>;
};

/** A fresh node with empty memory. */
export function localNode(index: number, keyPair: KeyPair, runner: TaskRunner): LocalNode {
  const empty = { work: new Map(), verdicts: new Map(), lists: new Map(), done: new Set<string>() };
  return { index, keyPair, runner, ...empty, proofs: new Map() };
}

/** Why a task call failed: its stable code, the runner's reason and its message. */
export type LocalFailure = { readonly code: string; readonly reason: string; readonly message: string };

/** What one task call of a local node did, for its run's report. */
export type LocalCall =
  | { readonly call: "task+submission"; readonly cycle: number; readonly submitted: Uint8Array }
  | { readonly call: "task+submission"; readonly cycle: number; readonly nothing: string }
  | { readonly call: "task+submission"; readonly cycle: number; readonly failed: LocalFailure }
  | { readonly call: "audit"; readonly cycle: number; readonly target: Account; readonly verdict: Verdict }
  | { readonly call: "audit"; readonly cycle: number; readonly target: Account; readonly failed: LocalFailure }
  | {
      readonly call: "distribution";
      readonly cycle: number;
      readonly entries: readonly { recipient: Account; amount: bigint }[];
      /** The node is the cycle's drawn distributor (its list is the one posted). */
      readonly distributor: boolean;
    }
  | { readonly call: "distribution"; readonly cycle: number; readonly failed: LocalFailure };

export type LocalStepOptions = {
  /** Queues a transaction of this node for the next block. */
  readonly send: (body: TransactionBody) => void;
  readonly onCall: (call: LocalCall) => void;
  /** A cycle the node does no work for (past the rounds asked for): the reason, recorded instead of a call. */
  readonly skipWork?: (cycle: number) => string | undefined;
};

function failureOf(result: Extract<TaskCallResult<unknown>, { ok: false }>): LocalFailure {
  return { code: failureCode(result), reason: result.reason, message: result.message };
}

/**
 * One slot of one node: decide, then carry out each action. Results of task calls feed the next decision at once,
 * so this repeats (at most four passes) until the node has nothing new to do this slot.
 */
export async function stepLocalNode(
  node: LocalNode,
  nodes: readonly LocalNode[],
  state: State,
  taskId: string,
  options: LocalStepOptions,
): Promise<void> {
  for (let pass = 0; pass < 4; pass += 1) {
    const actions = decide({
      state,
      task: taskId,
      me: node.keyPair.publicKey,
      memory: node,
      options: DEFAULT_DECIDE_OPTIONS,
      payloadOf: (digest) => {
        const proof = node.proofs.get(digest);
        return proof === undefined ? undefined : Buffer.from(proof.bytes).toString("hex");
      },
    });
    if (actions.length === 0) return;
    for (const action of actions) {
      node.done.add(action.key);
      await execute(node, nodes, state, taskId, action, options);
    }
  }
}

async function execute(
  node: LocalNode,
  nodes: readonly LocalNode[],
  state: State,
  taskId: string,
  action: NodeAction,
  options: LocalStepOptions,
): Promise<void> {
  const task = getTask(state, taskId);
  if (task === undefined) return;
  const round = roundOf(task, getChain(state).slot + 1);
  if (action.type === "send") {
    options.send(action.tx);
    return;
  }
  if (action.type === "runTask") {
    const skipped = options.skipWork?.(action.cycle);
    if (skipped !== undefined) {
      // No work, so no commit; the node still reviews and distributes.
      node.work.set(action.cycle, { status: "failed", reason: skipped });
      return;
    }
    const result = await node.runner.work(action.cycle, round);
    if (!result.ok) {
      // A task that chose to submit nothing (submission gave no value) did not fail, but commits nothing either.
      node.work.set(action.cycle, { status: "failed", reason: result.message });
      options.onCall(
        result.reason === "nothing-submitted"
          ? { call: "task+submission", cycle: action.cycle, nothing: result.message }
          : { call: "task+submission", cycle: action.cycle, failed: failureOf(result) },
      );
      return;
    }
    const proofDigest = sha256Hex(result.value);
    node.proofs.set(proofDigest, { cycle: action.cycle, bytes: result.value });
    // A salt derived from the node and cycle keeps seeded local runs reproducible (a real node draws it at random).
    const salt = sha256Hex(`salt:${node.keyPair.publicKey}:${action.cycle}`);
    node.work.set(action.cycle, { status: "done", proofDigest, salt });
    options.onCall({ call: "task+submission", cycle: action.cycle, submitted: result.value });
    return;
  }
  if (action.type === "auditProof") {
    const owner = nodes.find((peer) => peer.keyPair.publicKey === action.target);
    const revealed = getReveal(state, taskId, action.cycle, action.target)?.proofDigest === action.proofDigest;
    const bytes =
      action.published !== undefined
        ? Buffer.from(action.published, "hex")
        : revealed
          ? owner?.proofs.get(action.proofDigest)?.bytes
          : undefined;
    let verdict: Verdict = "unavailable";
    if (bytes !== undefined) {
      const result = await node.runner.audit(action.cycle, round, bytes, action.target);
      if (!result.ok) {
        options.onCall({ call: "audit", cycle: action.cycle, target: action.target, failed: failureOf(result) });
        return;
      }
      verdict = result.value ? "valid" : "invalid";
    }
    node.verdicts.set(`${action.cycle}/${action.target}`, verdict);
    options.onCall({ call: "audit", cycle: action.cycle, target: action.target, verdict });
    return;
  }
  const cycle = getCycle(state, taskId, action.cycle);
  if (cycle === undefined) return;
  const submitters = listSubmitters(state, taskId, action.cycle, cycle.attemptRound);
  const result = await node.runner.distribution(action.cycle, cycle.attemptRound, submitters, cycle.reserved);
  if (!result.ok) {
    options.onCall({ call: "distribution", cycle: action.cycle, failed: failureOf(result) });
    return;
  }
  const entries = [...result.value];
  node.lists.set(`${action.cycle}/${action.attempt}`, { entries, digest: listDigest(entries) });
  options.onCall({
    call: "distribution",
    cycle: action.cycle,
    entries,
    distributor: cycle.distributor === node.keyPair.publicKey,
  });
}
