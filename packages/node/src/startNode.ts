import type { KeyPair } from "@gradual/ledger/client";
import type { Hash, ProtocolEvent } from "@gradual/protocol";
import { createNodeServer } from "./runtime/server.ts";
import { type NodeLog, type RunnerFactory, TaskNode } from "./runtime/taskNode.ts";
import type { TaskLimits } from "./sandbox/types.ts";
import { httpSettlement } from "./settlement/httpSettlement.ts";
import type { Settlement } from "./settlement/settlement.ts";

export type StartNodeOptions = {
  readonly ledgerUrl: string;
  readonly keyPair: KeyPair;
  readonly taskId: Hash;
  readonly dataDir: string;
  /** A name for people (the devnet's node-1, ...), served in /health. */
  readonly name?: string;
  /** Port to listen on (0 picks a free one); the node listens on `host`, 127.0.0.1 by default. */
  readonly port: number;
  readonly host?: string;
  /** URL other nodes use to reach this one; defaults to http://{host}:{port}. */
  readonly publicUrl?: string;
  readonly stake?: bigint;
  readonly autoClaim?: boolean;
  /** With auto-claim, claim only in rounds that are a multiple of this (default 1). */
  readonly claimEveryRounds?: number;
  /** Leave the task: no new commit, the last reveals, then the unstake (TaskNodeOptions.leaving). */
  readonly leaving?: boolean;
  readonly pollMs?: number;
  readonly taskVars?: Readonly<Record<string, string>>;
  readonly limits?: Partial<TaskLimits>;
  readonly log?: NodeLog;
  readonly createRunner: RunnerFactory;
  /** Where the task settles; default the gradual ledger at `ledgerUrl` (`httpSettlement`). */
  readonly settlement?: Settlement;
  readonly onEvents?: (events: readonly ProtocolEvent[], slot: number) => void;
  /** Signature verifier threads for the replica (default 1; 0 verifies on the main thread). */
  readonly verifierWorkers?: number;
};

export type RunningNode = { readonly node: TaskNode; readonly url: string; close(): Promise<void> };

const quietLog: NodeLog = () => {};

/** Starts a task node: its HTTP server first (so its URL is known when it stakes), then the follow-and-act loop. */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const host = options.host ?? "127.0.0.1";
  const settlement = options.settlement ?? httpSettlement(options.ledgerUrl);
  let node: TaskNode | undefined;
  const placeholder = {} as TaskNode;
  const server = createNodeServer(
    new Proxy(placeholder, { get: (_target, key) => Reflect.get(node ?? placeholder, key) }),
  );
  const { port } = await server.listen({ port: options.port, host });
  const url = options.publicUrl ?? `http://${host}:${port}`;
  node = new TaskNode({
    settlement,
    keyPair: options.keyPair,
    taskId: options.taskId,
    dataDir: options.dataDir,
    ...(options.name === undefined ? {} : { name: options.name }),
    publicUrl: url,
    ...(options.stake === undefined ? {} : { stake: options.stake }),
    autoClaim: options.autoClaim ?? true,
    ...(options.claimEveryRounds === undefined ? {} : { claimEveryRounds: options.claimEveryRounds }),
    ...(options.leaving === true ? { leaving: true } : {}),
    pollMs: options.pollMs ?? 200,
    taskVars: options.taskVars ?? {},
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    log: options.log ?? quietLog,
    createRunner: options.createRunner,
    ...(options.onEvents === undefined ? {} : { onEvents: options.onEvents }),
    ...(options.verifierWorkers === undefined ? {} : { verifierWorkers: options.verifierWorkers }),
  });
  try {
    await node.start();
  } catch (error) {
    await server.close();
    await node.close();
    throw error;
  }
  const running = node;
  return {
    node: running,
    url,
    close: async () => {
      await server.close();
      await running.close();
    },
  };
}
