import { generateKeyPair, type KeyPair, keyPairFromSecret, signBytes } from "@gradual/ledger/client";
import {
  type Account,
  DEVNET_PARAMS,
  getNode,
  getTask,
  type ProtocolEvent,
  roundOf,
  roundStart,
  type State,
  sha256Hex,
  type TaskParams,
  type TaskRecord,
  TOKEN,
} from "@gradual/protocol";
import { type LedgerReader, memoryBlobs, memoryStore, type TaskBlobs } from "@gradual/sdk";
import { firstClaimSlot } from "../decide.ts";
import type { TaskCall } from "../runtime/executor.ts";
import { failureCode } from "../sandbox/codes.ts";
import {
  DEFAULT_TASK_LIMITS,
  deriveTaskLimits,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "../sandbox/types.ts";
import { createLocalTask } from "./createLocalTask.ts";
import { type LocalNode, localNode, stepLocalNode } from "./localNode.ts";
import { type LocalNodeServer, startLocalNodeServer } from "./localNodeServer.ts";
import { type CallRecord, type LocalReportFormat, type LocalRounds, TASK_TEST_REPORT } from "./localReport.ts";
import { MemoryChain } from "./memoryChain.ts";
import { createMemoryLedgerReader } from "./memoryLedgerReader.ts";

/**
 * Several task nodes in one process on an in-memory ledger, the harness of `gradual task test`, `gradual task dev` and
 * `gradual koii test`: the real protocol core, the real `decide`, the task's real code through a `TaskRunner` per
 * node, a ledger reader over the chain (`createMemoryLedgerReader`), and virtual time (one block per step, as fast as
 * the nodes answer). Unlike Koii's single-key local simulation, nodes audit each other, under the custom rule
 * valid submitters race to post the list, and rewards vest. What the run says goes through its caller's `LocalReportFormat`.
 */

export type LocalNetworkOptions<Recorded = CallRecord> = {
  readonly nodes: number;
  /** Rounds of work, from the round the stakes become active. */
  readonly rounds: number;
  /** The task's createTask fields (default "local-test", the hash of "local-bundle"). */
  readonly taskName?: string;
  readonly bundleHash?: string;
  /** The chain id, which the task id and so every seed derive from (default "gradual-local"). */
  readonly chainId?: string;
  /** Over the devnet's parameters. */
  readonly params?: Partial<TaskParams>;
  /** The task's escrow (default: a bounty for each round of work, of the warm-up and of the rounds that settle them). */
  readonly funding?: bigint;
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Explicit limits; time limits not given here follow the round's windows at `slotMs` (deriveTaskLimits), as on a
   * real node.
   */
  readonly limits?: Partial<TaskLimits>;
  /** The slot length the time limits are derived from and GET /chain answers, in ms (default 400, the devnet's). */
  readonly slotMs?: number;
  /** Creates the runner of one node (in-process or sandboxed). */
  readonly createRunner: (host: TaskHost, limits: TaskLimits, index: number) => Promise<TaskRunner>;
  /** Deterministic node keys from this seed (default: fresh random keys). */
  readonly seed?: string;
  /**
   * Serve each node's revealed proofs and task routes over HTTP on 127.0.0.1 (`startLocalNodeServer`) and stake with
   * those URLs, so a task can read its peers as on a devnet (default false: node URLs nothing answers).
   */
  readonly serveHttp?: boolean;
  /**
   * When the run ends: `"rounds"` (default) three rounds after the last round of work, whatever happened;
   * `"settled"` as soon as the last cycle of work completes, at the latest when its last allowed list is due.
   */
  readonly until?: "rounds" | "settled";
  /**
   * No work in the cycles after the rounds asked for, which then only review and pay the last ones (default true);
   * false: the nodes go on working until the run ends.
   */
  readonly skipWork?: boolean;
  /** The words of the report and the records of the calls (default `TASK_TEST_REPORT`). */
  readonly format?: LocalReportFormat<Recorded>;
  readonly onReport?: (line: string) => void;
  /** Called once with the limits every node's runner gets (`gradual task test` prints them). */
  readonly onLimits?: (limits: TaskLimits) => void;
  /**
   * Stops the run early (`gradual task dev` on Ctrl-C or a new change): checked between slots; the runners are
   * closed and the promise rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
};

export type LocalNetworkResult<Recorded = CallRecord> = {
  readonly state: State;
  readonly taskId: string;
  readonly accounts: readonly Account[];
  readonly events: readonly ProtocolEvent[];
  readonly calls: readonly Recorded[];
  /** The run's blob store (posted lists among what it holds). */
  readonly blobs: Pick<TaskBlobs, "get">;
};

const CHAIN_ID = "gradual-local";
/** The devnet's slot length, which the local network's time limits assume unless told otherwise, in ms. */
const LOCAL_SLOT_MS = 400;
/** What every account holds beyond what the run makes it spend (the task's funding, a node's stake): trigger bonds. */
const SPARE_BALANCE = 1_000n * TOKEN;

/** One node's keys: from the seed (index -1 is the task's creator), or fresh. */
function localKeyPair(seed: string | undefined, index: number): KeyPair {
  return seed === undefined ? generateKeyPair() : keyPairFromSecret(sha256Hex(`${seed}:${index}`));
}

/** `gradual task test`'s run, reported in its words (`TASK_TEST_REPORT`), or a run reported in the caller's `format`. */
export function runLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetworkResult>;
export function runLocalNetwork<Recorded>(
  options: LocalNetworkOptions<Recorded> & { readonly format: LocalReportFormat<Recorded> },
): Promise<LocalNetworkResult<Recorded>>;
export async function runLocalNetwork<Recorded>(
  options: LocalNetworkOptions<Recorded>,
): Promise<LocalNetworkResult<Recorded>> {
  const run: LocalRun<Recorded> = {
    ...options,
    report: options.onReport ?? (() => {}),
    // The overloads give a format whenever the records are not `CallRecord`s.
    format: options.format ?? (TASK_TEST_REPORT as LocalReportFormat<unknown> as LocalReportFormat<Recorded>),
    params: { ...DEVNET_PARAMS, ...options.params },
    slotMs: options.slotMs ?? LOCAL_SLOT_MS,
  };
  const { chain, taskId, nodeKeys, nameOf } = openLocalChain(run);
  const nodes: LocalNode[] = [];
  const server = options.serveHttp
    ? await startLocalNodeServer({ nodes: () => nodes, state: () => chain.state, taskId })
    : undefined;
  const calls: Recorded[] = [];
  // One blob store for the whole local network, as a ledger's is: what one node stores, the others fetch.
  const blobs = memoryBlobs();
  try {
    nodes.push(...(await startNodes(run, chain, taskId, nodeKeys, server, blobs)));
    await stepRounds(run, chain, nodes, taskId, blobs, (node, call) => {
      const { record, line } = run.format.call(node.index, call, nameOf);
      calls.push(record);
      run.report(line);
    });
  } finally {
    for (const node of nodes) await node.runner.close();
    await server?.close();
  }
  const accounts = nodeKeys.map((keyPair) => keyPair.publicKey);
  return { state: chain.state, taskId, accounts, events: chain.events, calls, blobs };
}

/** The options of a run with their defaults in place. */
type LocalRun<Recorded> = LocalNetworkOptions<Recorded> & {
  readonly report: (line: string) => void;
  readonly format: LocalReportFormat<Recorded>;
  readonly params: TaskParams;
  readonly slotMs: number;
};

/** The chain of a run, its accounts funded, the task created; every refusal and told event goes to the report. */
function openLocalChain<Recorded>(run: LocalRun<Recorded>) {
  const { format, report, params } = run;
  const creator = localKeyPair(run.seed, -1);
  const nodeKeys = Array.from({ length: run.nodes }, (_, index) => localKeyPair(run.seed, index));
  const nameOf = (account: Account) => {
    const index = nodeKeys.findIndex((keyPair) => keyPair.publicKey === account);
    return index < 0 ? `${account.slice(0, 8)}…` : format.nodeName(index);
  };
  // Enough for the warm-up, the rounds asked for and the rounds that settle them.
  const funding = run.funding ?? params.bountyPerRound * BigInt(run.rounds + params.warmupRounds + 8);
  const chain = new MemoryChain({
    chainId: run.chainId ?? CHAIN_ID,
    accounts: [
      { account: creator.publicKey, balance: funding + SPARE_BALANCE },
      ...nodeKeys.map((keyPair) => ({ account: keyPair.publicKey, balance: stakeOf(params) + SPARE_BALANCE })),
    ],
    keepBlocks: true,
    onRefused: (tx, refusal) => report(format.refused(tx, refusal)),
    onEvents: (produced) => {
      for (const event of produced) {
        const line = format.event(event, nameOf);
        if (line !== undefined) report(line);
      }
    },
  });
  const name = run.taskName ?? "local-test";
  const bundleHash = run.bundleHash ?? sha256Hex("local-bundle");
  const taskId = createLocalTask(chain, creator, { name, bundleHash, params, funding });
  return { chain, taskId, nodeKeys, nameOf };
}

/** What each node stakes: ten times the minimum. */
const stakeOf = (params: TaskParams): bigint => params.minimumStake * 10n;

/** Each node's runner, its stake (in one block), then its task's setup. */
async function startNodes<Recorded>(
  run: LocalRun<Recorded>,
  chain: MemoryChain,
  taskId: string,
  nodeKeys: readonly KeyPair[],
  server: LocalNodeServer | undefined,
  blobs: TaskBlobs,
): Promise<LocalNode[]> {
  const { format, report, params } = run;
  const limits = deriveTaskLimits(params, run.slotMs, DEFAULT_TASK_LIMITS, {
    ...run.limits,
    maxProofBytes: params.maxProofBytes,
  });
  run.onLimits?.(limits);
  const ledger = createMemoryLedgerReader(chain, { slotMs: run.slotMs });
  const shared = { taskId, chain, ledger, blobs, config: run.config ?? {} };
  const nodes: LocalNode[] = [];
  for (const [index, keyPair] of nodeKeys.entries()) {
    const say = (level: "info" | "warn" | "error", message: string) => report(format.log(index, level, message));
    nodes.push(localNode(index, keyPair, await run.createRunner(localHost(shared, keyPair, say), limits, index)));
    const nodeUrl = server?.nodeUrl(index) ?? `http://local/${index}`;
    chain.send(keyPair.publicKey, { kind: "stake", task: taskId, amount: stakeOf(params), nodeUrl });
  }
  chain.produce();
  for (const node of nodes) {
    const setup = await node.runner.setup();
    if (!setup.ok) {
      const failure = { code: failureCode(setup), reason: setup.reason, message: setup.message };
      report(format.setupFailed(node.index, failure));
    }
  }
  return nodes;
}

/** The TaskHost of one node: its own store and key; the ledger reader, blob store and config of the run. */
function localHost(
  shared: {
    readonly taskId: string;
    readonly chain: MemoryChain;
    readonly ledger: LedgerReader;
    readonly blobs: TaskBlobs;
    readonly config: Readonly<Record<string, string>>;
  },
  keyPair: KeyPair,
  log: (level: "info" | "warn" | "error", message: string) => void,
): TaskHost {
  const { taskId, chain } = shared;
  return {
    taskId,
    node: keyPair.publicKey,
    sign: async (bytes) => signBytes(keyPair, bytes),
    store: memoryStore(),
    blobs: shared.blobs,
    ledger: shared.ledger,
    log: {
      info: (message) => log("info", message),
      warn: (message) => log("warn", message),
      error: (message) => log("error", message),
    },
    config: shared.config,
    currentRound: () => roundOf(getTask(chain.state, taskId) as TaskRecord, chain.slot),
  };
}

/** Steps every node, then produces a block, slot after slot until the run ends (`until`); says each round. */
async function stepRounds<Recorded>(
  run: LocalRun<Recorded>,
  chain: MemoryChain,
  nodes: readonly LocalNode[],
  taskId: string,
  blobs: TaskBlobs,
  onCall: (node: LocalNode, call: TaskCall) => void,
): Promise<void> {
  const { format, report } = run;
  const task = getTask(chain.state, taskId) as TaskRecord;
  const rounds = roundsOfWork(chain.state, task, nodes, run.rounds);
  const { lastRound } = rounds;
  const settling = run.until === "settled";
  // Settling, the last attempt's entry claims may wait for the next round's quiet slots (protocol.md §7.1).
  const endSlot = roundStart(task, lastRound + 4 + (settling ? task.params.allowedFailedDistributions : 0));
  const settled = () => chain.events.some((event) => event.type === "CycleCompleted" && event.cycle >= lastRound);
  const started = format.start(rounds);
  if (started !== undefined) report(started);
  let saidRound = Number.NEGATIVE_INFINITY;
  // Settled: the last cycle completed and its list's entries are claimed (§6.4), which the nodes do in the first
  // quiet slot after (protocol.md §7.1), with a slot to spare.
  let settledAt: number | undefined;
  const done = () => {
    if (!settling) return false;
    if (settledAt === undefined && settled()) settledAt = chain.slot;
    return settledAt !== undefined && chain.slot >= firstClaimSlot(task, settledAt + 1) + 1;
  };
  while (chain.slot < endSlot && !done()) {
    const round = roundOf(task, chain.slot + 1);
    const header = round === saidRound ? undefined : format.round(round, rounds);
    saidRound = round;
    if (header !== undefined) report(header);
    if (run.signal?.aborted) throw run.signal.reason;
    for (const node of nodes)
      await stepLocalNode(node, nodes, chain.state, taskId, {
        send: (body) => chain.send(node.keyPair.publicKey, body),
        onCall: (call) => onCall(node, call),
        blobs,
        ...(run.skipWork !== false
          ? { skipWork: (cycle: number) => (cycle > lastRound ? "after the last round asked for" : undefined) }
          : {}),
      });
    chain.produce();
  }
}

/** The rounds asked for are rounds of work: they start when the stakes are active (after the warm-up). */
function roundsOfWork(state: State, task: TaskRecord, nodes: readonly LocalNode[], rounds: number): LocalRounds {
  const activation = nodes.flatMap(
    (node) => getNode(state, task.id, node.keyPair.publicKey)?.lots.map((lot) => lot.activationRound) ?? [],
  );
  const firstRound = Math.max(0, ...activation);
  return { firstRound, lastRound: firstRound + rounds - 1 };
}
