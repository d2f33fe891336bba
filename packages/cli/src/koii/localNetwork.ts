import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair, type KeyPair, keyPairFromSecret, signBytes } from "@gradual/ledger/client";
import {
  answerTaskRoute,
  DEFAULT_DECIDE_OPTIONS,
  DEFAULT_TASK_LIMITS,
  decide,
  deriveTaskLimits,
  describeTaskLimits,
  type ListRecord,
  listSubmitters,
  MemoryChain,
  type NodeAction,
  sendReply,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
  type TransactionBody,
  type Verdict,
  type WorkRecord,
} from "@gradual/node";
import {
  type Account,
  getChain,
  getCycle,
  getReveal,
  getTask,
  listDigest,
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

type LocalNode = {
  readonly index: number;
  readonly keyPair: KeyPair;
  runner: TaskRunner;
  readonly work: Map<number, WorkRecord>;
  readonly verdicts: Map<string, Verdict>;
  readonly lists: Map<string, ListRecord>;
  readonly done: Set<string>;
  readonly proofs: Map<string, { cycle: number; bytes: Uint8Array }>;
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
      nodes.push({
        index,
        keyPair,
        runner,
        work: new Map(),
        verdicts: new Map(),
        lists: new Map(),
        done: new Set(),
        proofs: new Map(),
      });
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
        await stepNode(
          node,
          nodes,
          chain.state,
          taskId,
          (body) => chain.send(node.keyPair.publicKey, body),
          calls,
          report,
        );
      produce();
    }
  } finally {
    for (const node of nodes) await node.runner.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return { state: chain.state, taskId, accounts: nodes.map((node) => node.keyPair.publicKey), events, calls };
}

async function stepNode(
  node: LocalNode,
  nodes: readonly LocalNode[],
  state: State,
  taskId: string,
  send: (body: TransactionBody) => void,
  calls: KoiiCallRecord[],
  report: (line: string) => void,
): Promise<void> {
  // Results of IO actions feed the next decision at once: repeat until the node has nothing new to do this slot.
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
      await execute(node, nodes, state, taskId, action, send, calls, report);
    }
  }
}

function label(nodes: readonly LocalNode[], account: string): string {
  const index = nodes.findIndex((peer) => peer.keyPair.publicKey === account);
  return index < 0 ? account.slice(0, 8) : `node ${index}`;
}

async function execute(
  node: LocalNode,
  nodes: readonly LocalNode[],
  state: State,
  taskId: string,
  action: NodeAction,
  send: (body: TransactionBody) => void,
  calls: KoiiCallRecord[],
  report: (line: string) => void,
): Promise<void> {
  const task = getTask(state, taskId) as NonNullable<ReturnType<typeof getTask>>;
  const round = roundOf(task, getChain(state).slot + 1);
  const record = (call: KoiiCallRecord["call"], cycle: number, ok: boolean, detail: string) => {
    calls.push({ node: node.index, cycle, call, ok, detail });
    report(`  node ${node.index} round ${cycle}: ${call} ${ok ? "->" : "FAILED:"} ${detail}`);
  };
  if (action.type === "send") {
    send(action.tx);
    return;
  }
  if (action.type === "runTask") {
    const result = await node.runner.work(action.cycle, round);
    if (!result.ok && result.reason === "nothing-submitted") {
      // submission(R) gave no string: as on Koii, the node submits nothing this round, and that is not a failure.
      node.work.set(action.cycle, { status: "failed", reason: result.message });
      record("task+submission", action.cycle, true, NOTHING_SUBMITTED);
      return;
    }
    if (!result.ok) {
      node.work.set(action.cycle, { status: "failed", reason: result.message });
      record("task+submission", action.cycle, false, `${result.reason}: ${result.message}`);
      return;
    }
    const proofDigest = sha256Hex(result.value);
    node.proofs.set(proofDigest, { cycle: action.cycle, bytes: result.value });
    node.work.set(action.cycle, {
      status: "done",
      proofDigest,
      salt: sha256Hex(`salt:${node.keyPair.publicKey}:${action.cycle}`),
    });
    const text = new TextDecoder().decode(result.value.slice(0, 100));
    record(
      "task+submission",
      action.cycle,
      true,
      JSON.stringify(text.length < result.value.length ? `${text}...` : text),
    );
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
        record("audit", action.cycle, false, `of ${label(nodes, action.target)}: ${result.reason}: ${result.message}`);
        return;
      }
      verdict = result.value ? "valid" : "invalid";
    }
    node.verdicts.set(`${action.cycle}/${action.target}`, verdict);
    record("audit", action.cycle, true, `${label(nodes, action.target)} is ${verdict}`);
    return;
  }
  const cycle = getCycle(state, taskId, action.cycle);
  if (cycle === undefined) return;
  const submitters = listSubmitters(state, taskId, action.cycle, cycle.attemptRound);
  const result = await node.runner.distribution(action.cycle, cycle.attemptRound, submitters, cycle.reserved);
  if (!result.ok) {
    record("distribution", action.cycle, false, `${result.reason}: ${result.message}`);
    return;
  }
  const entries = [...result.value];
  node.lists.set(`${action.cycle}/${action.attempt}`, { entries, digest: listDigest(entries) });
  const shown = entries.map((entry) => `${label(nodes, entry.recipient)}: ${entry.amount}`);
  record(
    "distribution",
    action.cycle,
    true,
    `[${shown.join(", ")}]${cycle.distributor === node.keyPair.publicKey ? " (distributor)" : ""}`,
  );
}
