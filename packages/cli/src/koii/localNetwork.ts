import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair, keyPairFromSecret, signBytes } from "@gradual/ledger/client";
import {
  answerTaskRoute,
  DEFAULT_TASK_LIMITS,
  deriveTaskLimits,
  describeTaskLimits,
  type LocalCall,
  type LocalFailure,
  type LocalNode,
  localNode,
  MemoryChain,
  sendReply,
  stepLocalNode,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "@gradual/node";
import {
  type Account,
  getReveal,
  getTask,
  type ProtocolEvent,
  roundOf,
  roundStart,
  type State,
  sha256Hex,
  type TaskParams,
  TOKEN,
} from "@gradual/protocol";
import { memoryBlobs, memoryStore } from "@gradual/sdk";
import { createStateLedgerReader } from "./stateLedgerReader.ts";

/**
 * Several nodes running one Koii task bundle on an in-memory ledger (`gradual koii test`): the real protocol core and
 * the real `decide`, each node's task in its own sandbox worker, a ledger reader over the in-memory state for the
 * namespace wrapper, and a small HTTP server on 127.0.0.1 that serves each node's revealed proofs (as a node does),
 * so getTaskSubmissionInfo can read submission values. Time is virtual: one block per step, as fast as nodes answer.
 */

export type KoiiLocalNetworkOptions = {
  readonly nodes: number;
  readonly rounds: number;
  readonly params: TaskParams;
  readonly funding: bigint;
  readonly bundleHash: string;
  readonly taskName: string;
  readonly config: Readonly<Record<string, string>>;
  readonly createRunner: (host: TaskHost, limits: TaskLimits, index: number) => Promise<TaskRunner>;
  readonly limits?: Partial<TaskLimits>;
  /** Deterministic node keys from this seed (default: fresh keys). */
  readonly seed?: string;
  /** What `getAverageSlotTime` answers (the slots themselves pass as fast as the nodes work). */
  readonly slotMs?: number;
  readonly onReport?: (line: string) => void;
};

/** The detail of a task+submission call whose submission(R) returned no string. */
export const NOTHING_SUBMITTED = "nothing submitted";

export type KoiiCallRecord = {
  readonly node: number;
  readonly cycle: number;
  readonly call: "task+submission" | "audit" | "distribution";
  readonly ok: boolean;
  readonly detail: string;
};

export type KoiiLocalNetworkResult = {
  readonly state: State;
  readonly taskId: string;
  readonly accounts: readonly Account[];
  readonly events: readonly ProtocolEvent[];
  readonly calls: readonly KoiiCallRecord[];
};

const CHAIN_ID = "gradual-koii-local";

/**
 * Serves `/n/{index}/proofs/{digest}` for revealed proofs only, as each node's proof server does, and each node's
 * task routes under `/n/{index}/task/{id}/` and `/n/{index}/tasks/{id}/` (the id in hex or base58), so a task can
 * read another node's route as it would on a devnet.
 */
async function startProofServer(
  nodes: () => readonly LocalNode[],
  state: () => State,
  taskId: () => string,
): Promise<Server> {
  const server = createServer((request, response) => {
    // /n/{index}/task/... is node {index}'s /task/...: the node's own route handling answers it.
    const mounted = /^\/n\/(\d+)(\/tasks?\/[^?]*)(?:\?(.*))?$/.exec(request.url ?? "");
    if (mounted !== null) {
      const runner = nodes()[Number(mounted[1])]?.runner;
      const search = new URLSearchParams(mounted[3] ?? "");
      void answerTaskRoute(runner, taskId(), request, mounted[2] as string, search).then(
        (reply) => sendReply(response, reply ?? { status: 404, headers: {}, body: "" }),
        () => response.writeHead(500).end(),
      );
      return;
    }
    const match = /^\/n\/(\d+)\/proofs\/([0-9a-f]{64})$/.exec(request.url ?? "");
    const node = match === null ? undefined : nodes()[Number(match[1])];
    const proof = match === null ? undefined : node?.proofs.get(match[2] as string);
    const revealed =
      node !== undefined &&
      proof !== undefined &&
      getReveal(state(), taskId(), proof.cycle, node.keyPair.publicKey)?.proofDigest === match?.[2];
    if (!revealed || proof === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(proof.bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export async function runKoiiLocalNetwork(options: KoiiLocalNetworkOptions): Promise<KoiiLocalNetworkResult> {
  const report = options.onReport ?? (() => {});
  const { params } = options;
  // Time limits follow the mapped windows (task() the work period, audit the audit window) unless the task's
  // config-task.yml `limits:` or the caller say otherwise.
  const limits = deriveTaskLimits(params, options.slotMs ?? 400, DEFAULT_TASK_LIMITS, {
    ...options.limits,
    maxProofBytes: params.maxProofBytes,
  });
  report(describeTaskLimits(limits));
  const keyOf = (index: number) =>
    options.seed === undefined ? generateKeyPair() : keyPairFromSecret(sha256Hex(`${options.seed}:${index}`));
  const creator = keyOf(-1);
  const nodeKeys = Array.from({ length: options.nodes }, (_, index) => keyOf(index));
  const calls: KoiiCallRecord[] = [];
  const nodes: LocalNode[] = [];
  const chain = new MemoryChain({
    chainId: CHAIN_ID,
    accounts: [
      { account: creator.publicKey, balance: options.funding + 1_000n * TOKEN },
      ...nodeKeys.map((keyPair) => ({
        account: keyPair.publicKey,
        balance: params.minimumStake * 10n + 1_000n * TOKEN,
      })),
    ],
    onRefused: (tx, refusal) => report(`  ledger refused ${tx.kind}: ${refusal.code}`),
  });
  const { events } = chain;
  const produce = () => chain.produce();
  chain.send(creator.publicKey, {
    kind: "createTask",
    name: options.taskName,
    bundleHash: options.bundleHash,
    metadataHash: null,
    params,
    funding: options.funding,
  });
  produce();
  const created = events.find((event) => event.type === "TaskCreated") as { task: string } | undefined;
  if (created === undefined) throw new Error("the local ledger refused createTask: check the task parameters");
  const taskId = created.task;
  const server = await startProofServer(
    () => nodes,
    () => chain.state,
    () => taskId,
  );
  const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ledger = createStateLedgerReader(() => chain.state, { chainId: CHAIN_ID, slotMs: options.slotMs ?? 400 });
  try {
    // One blob store for the whole local network, as a ledger's is: what one node stores, the others fetch.
    const blobs = memoryBlobs();
    for (const [index, keyPair] of nodeKeys.entries()) {
      const host: TaskHost = {
        taskId,
        node: keyPair.publicKey,
        sign: async (bytes) => signBytes(keyPair, bytes),
        store: memoryStore(),
        blobs,
        ledger,
        log: {
          info: (message) => report(`  node ${index}: ${message}`),
          warn: (message) => report(`  node ${index} WARN: ${message}`),
          error: (message) => report(`  node ${index} ERROR: ${message}`),
        },
        config: options.config,
        currentRound: () =>
          roundOf(getTask(chain.state, taskId) as NonNullable<ReturnType<typeof getTask>>, chain.slot),
      };
      const runner = await options.createRunner(host, limits, index);
      nodes.push(localNode(index, keyPair, runner));
      chain.send(keyPair.publicKey, {
        kind: "stake",
        task: taskId,
        amount: params.minimumStake * 10n,
        nodeUrl: `${serverUrl}/n/${index}`,
      });
    }
    produce();
    for (const node of nodes) {
      const setup = await node.runner.setup();
      if (!setup.ok) report(`node ${node.index}: setup failed (${setup.reason}: ${setup.message})`);
    }
    const task = getTask(chain.state, taskId) as NonNullable<ReturnType<typeof getTask>>;
    // Stake works from warmupRounds on: rounds first..last do the work; the run ends once the last one is settled
    // (distributed two rounds later, plus any retries of a failed list).
    const firstCycle = roundOf(task, chain.slot) + params.warmupRounds;
    const lastCycle = firstCycle + options.rounds - 1;
    const endSlot = roundStart(task, lastCycle + 3 + params.allowedFailedDistributions);
    const settled = () => events.some((event) => event.type === "CycleCompleted" && event.cycle >= lastCycle);
    let reportedRound = -1;
    while (chain.slot < endSlot && !settled()) {
      const round = roundOf(task, chain.slot + 1);
      if (round !== reportedRound && round >= 0) {
        reportedRound = round;
        report(`round ${round}`);
      }
      for (const node of nodes)
        await stepLocalNode(node, nodes, chain.state, taskId, {
          send: (body) => chain.send(node.keyPair.publicKey, body),
          onCall: (call) => reportCall(node, nodes, call, calls, report),
        });
      produce();
    }
  } finally {
    for (const node of nodes) await node.runner.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return { state: chain.state, taskId, accounts: nodes.map((node) => node.keyPair.publicKey), events, calls };
}

function label(nodes: readonly LocalNode[], account: string): string {
  const index = nodes.findIndex((peer) => peer.keyPair.publicKey === account);
  return index < 0 ? account.slice(0, 8) : `node ${index}`;
}

/** One call of a local node, as `gradual koii test` reports it: a line, and a record for the summary. */
function reportCall(
  node: LocalNode,
  nodes: readonly LocalNode[],
  call: LocalCall,
  calls: KoiiCallRecord[],
  report: (line: string) => void,
): void {
  const record = (ok: boolean, detail: string) => {
    calls.push({ node: node.index, cycle: call.cycle, call: call.call, ok, detail });
    report(`  node ${node.index} round ${call.cycle}: ${call.call} ${ok ? "->" : "FAILED:"} ${detail}`);
  };
  const failure = (failed: LocalFailure) => `${failed.reason}: ${failed.message}`;
  if (call.call === "task+submission") {
    if ("submitted" in call) {
      const text = new TextDecoder().decode(call.submitted.slice(0, 100));
      record(true, JSON.stringify(text.length < call.submitted.length ? `${text}...` : text));
    } else if ("nothing" in call) {
      // submission(R) gave no string: as on Koii, the node submits nothing this round, and that is not a failure.
      record(true, NOTHING_SUBMITTED);
    } else record(false, failure(call.failed));
    return;
  }
  if (call.call === "audit") {
    if ("failed" in call) record(false, `of ${label(nodes, call.target)}: ${failure(call.failed)}`);
    else record(true, `${label(nodes, call.target)} is ${call.verdict}`);
    return;
  }
  if ("failed" in call) {
    record(false, failure(call.failed));
    return;
  }
  const shown = call.entries.map((entry) => `${label(nodes, entry.recipient)}: ${entry.amount}`);
  record(true, `[${shown.join(", ")}]${call.distributor ? " (distributor)" : ""}`);
}
