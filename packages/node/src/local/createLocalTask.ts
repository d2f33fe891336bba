import type { KeyPair } from "@gradual/ledger/client";
import { GradualError, type TaskParams } from "@gradual/protocol";
import type { MemoryChain } from "./memoryChain.ts";

/** What a local run's task is: the fields of its createTask. */
export type LocalTask = {
  readonly name: string;
  readonly bundleHash: string;
  readonly params: TaskParams;
  readonly funding: bigint;
};

/**
 * Creates the task of a local run on its chain, in a block of its own, and returns its id. A refusal (parameters out
 * of range, a creator short of the funding) is thrown with the ledger's own code and message.
 */
export function createLocalTask(chain: MemoryChain, creator: KeyPair, task: LocalTask): string {
  chain.send(creator.publicKey, { kind: "createTask", metadataHash: null, ...task });
  // The last transaction of the block is this one (anything queued before it goes first).
  const outcome = chain.produce().outcomes.at(-1);
  if (outcome !== undefined && !outcome.ok) {
    throw new GradualError(outcome.code, {
      message: `the local ledger refused createTask: ${outcome.message}`,
      context: outcome.context,
    });
  }
  const created = outcome?.events.find((event) => event.type === "TaskCreated");
  // Only a bug can cause this: the ledger accepted createTask, which always emits TaskCreated.
  if (created?.type !== "TaskCreated") throw new Error("createTask was accepted without a TaskCreated event");
  return created.task;
}
