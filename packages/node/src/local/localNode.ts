import type { KeyPair } from "@gradual/ledger/client";
import { encodeList, getReveal, type State, sha256Hex } from "@gradual/protocol";
import type { TaskBlobs } from "@gradual/sdk";
import { DEFAULT_DECIDE_OPTIONS, decide, listKey, stepNode, type TransactionBody } from "../decide.ts";
import { Executor, MemoryNodeStore, type TaskCall } from "../runtime/executor.ts";
import type { TaskRunner } from "../sandbox/types.ts";

/**
 * One node of a local run (`gradual task test`, `gradual koii test`) on a `MemoryChain`: the decision loop every node
 * runs (`stepNode`), the same executor a running node uses, the task's real code through its runner, and the node's
 * memory in maps. Peers read each other's proofs in this process, once revealed, as they would from a node's server.
 */

export class LocalNode extends MemoryNodeStore {
  readonly index: number;
  readonly keyPair: KeyPair;
  runner: TaskRunner;

  constructor(index: number, keyPair: KeyPair, runner: TaskRunner) {
    super();
    this.index = index;
    this.keyPair = keyPair;
    this.runner = runner;
  }
}

/** A fresh node with empty memory. */
export function localNode(index: number, keyPair: KeyPair, runner: TaskRunner): LocalNode {
  return new LocalNode(index, keyPair, runner);
}

export type LocalStepOptions = {
  /** Queues a transaction of this node for the next block. */
  readonly send: (body: TransactionBody) => void;
  readonly onCall: (call: TaskCall) => void;
  /** A cycle the node does no work for (past the rounds asked for): the reason, recorded instead of a call. */
  readonly skipWork?: (cycle: number) => string | undefined;
  /** The run's blob store: a posted list goes there first (§6.2), and a node fetches an accepted list from it. */
  readonly blobs: TaskBlobs;
};

/**
 * One slot of one node: decide, then carry out each action. Results of task calls feed the next decision at once,
 * so this repeats (at most MAX_PASSES passes) until the node has nothing new to do this slot.
 */
export async function stepLocalNode(
  node: LocalNode,
  nodes: readonly LocalNode[],
  state: State,
  taskId: string,
  options: LocalStepOptions,
): Promise<void> {
  const me = node.keyPair.publicKey;
  const executor = new Executor({
    taskId,
    me,
    store: node,
    runner: node.runner,
    // A peer's proof, only once revealed (as a node's server serves it).
    proofs: async (action) => {
      const owner = nodes.find((peer) => peer.keyPair.publicKey === action.target);
      const revealed = getReveal(state, taskId, action.cycle, action.target)?.proofDigest === action.proofDigest;
      return (revealed ? owner?.proofs.get(action.proofDigest)?.bytes : undefined) ?? null;
    },
    // A salt derived from the node and cycle keeps seeded local runs reproducible (a real node draws it at random).
    salt: (cycle) => sha256Hex(`salt:${me}:${cycle}`),
    onCall: options.onCall,
    blob: (hash) => options.blobs.get(hash),
    ...(options.skipWork === undefined ? {} : { skipWork: options.skipWork }),
  });
  const decideNow = () =>
    decide({
      state,
      task: taskId,
      me,
      memory: node,
      options: DEFAULT_DECIDE_OPTIONS,
      payloadOf: (digest) => {
        const proof = node.proofs.get(digest);
        return proof === undefined ? undefined : Buffer.from(proof.bytes).toString("hex");
      },
    });
  await stepNode(decideNow, async (action) => {
    node.done.add(action.key);
    if (action.type === "send") {
      if (action.tx.kind === "submitDistribution") {
        const list = node.lists.get(listKey(action.tx.cycle, action.tx.attempt));
        if (list !== undefined) await options.blobs.put(encodeList(list.entries));
      }
      options.send(action.tx);
    } else await executor.execute(state, action);
    // The memory changed (or a transaction is queued): decide again until nothing is new.
    return true;
  });
}
