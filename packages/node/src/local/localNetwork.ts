import { generateKeyPair, keyPairFromSecret, signBytes } from "@gradual/ledger/client";
import {
  type Account,
  DEVNET_PARAMS,
  formatTokenAmount,
  GradualError,
  getChain,
  getCycle,
  getNode,
  getTask,
  type ProtocolEvent,
  roundOf,
  roundStart,
  type State,
  sha256Hex,
  type TaskParams,
  TOKEN,
} from "@gradual/protocol";
import { type LedgerReader, memoryBlobs, memoryStore } from "@gradual/sdk";
import { toWire } from "@gradual/wire";
import { failureCode } from "../sandbox/codes.ts";
import {
  DEFAULT_TASK_LIMITS,
  deriveTaskLimits,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "../sandbox/types.ts";
import { type LocalCall, type LocalNode, localNode, stepLocalNode } from "./localNode.ts";
import { type MemoryBlock, MemoryChain } from "./memoryChain.ts";

/**
 * Several task nodes in one process on an in-memory ledger (`gradual task test`): the real protocol core, the real
 * `decide`, the task's real code through a `TaskRunner`, and a virtual clock. Unlike Koii's single-key local
 * simulation, nodes audit each other, one is drawn as distributor, and rewards vest.
 */

export type LocalNetworkOptions = {
  readonly nodes: number;
  readonly rounds: number;
  readonly params?: Partial<TaskParams>;
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Explicit limits; time limits not given here follow the round's windows at `slotMs` (deriveTaskLimits), as on a
   * real node.
   */
  readonly limits?: Partial<TaskLimits>;
  /** The slot length the time limits are derived from, in ms (default 400, the devnet's). */
  readonly slotMs?: number;
  /** Creates the runner of one node (in-process or sandboxed). */
  readonly createRunner: (host: TaskHost, limits: TaskLimits, index: number) => Promise<TaskRunner>;
  /** Deterministic node keys from this seed (default: fresh random keys). */
  readonly seed?: string;
  readonly onReport?: (line: string) => void;
  /** Called once with the limits every node's runner gets (`gradual task test` prints them). */
  readonly onLimits?: (limits: TaskLimits) => void;
  /**
   * Stops the run early (`gradual task dev` on Ctrl-C or a new change): checked between slots; the runners are
   * closed and the promise rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
};

/** Nodes are named from 1, as on the devnet (node-1, node-2, ...). */
export function localNodeName(index: number): string {
  return `node-${index + 1}`;
}

export type CallRecord = {
  /** node-1, node-2, ... as in the report. */
  readonly node: string;
  readonly cycle: number;
  readonly call: "task+submission" | "audit" | "distribution";
  readonly ok: boolean;
  readonly detail: string;
};

export type LocalNetworkResult = {
  readonly state: State;
  readonly taskId: string;
  readonly accounts: readonly Account[];
  readonly events: readonly ProtocolEvent[];
  readonly calls: readonly CallRecord[];
};

const CHAIN_ID = "gradual-local";
/** The devnet's slot length, which the local network's time limits assume unless told otherwise, in ms. */
const LOCAL_SLOT_MS = 400;

export async function runLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetworkResult> {
  const report = options.onReport ?? (() => {});
  const params: TaskParams = { ...DEVNET_PARAMS, ...options.params };
  const limits = deriveTaskLimits(params, options.slotMs ?? LOCAL_SLOT_MS, DEFAULT_TASK_LIMITS, {
    ...options.limits,
    maxProofBytes: params.maxProofBytes,
  });
  options.onLimits?.(limits);
  const keyOf = (index: number) =>
    options.seed === undefined ? generateKeyPair() : keyPairFromSecret(sha256Hex(`${options.seed}:${index}`));
  const creator = keyOf(-1);
  const calls: CallRecord[] = [];
  const nodeKeys = Array.from({ length: options.nodes }, (_, index) => keyOf(index));
  const nameOf = (account: string) => {
    const index = nodeKeys.findIndex((keyPair) => keyPair.publicKey === account);
    return index < 0 ? `${account.slice(0, 8)}…` : localNodeName(index);
  };
  const chain = new MemoryChain({
    chainId: CHAIN_ID,
    accounts: [creator, ...nodeKeys].map((keyPair) => ({ account: keyPair.publicKey, balance: 10_000n * TOKEN })),
    keepBlocks: true,
    onRefused: (tx, refusal) => report(`  refused ${tx.kind}: ${refusal.code} ${refusal.message}`),
    onEvents: (produced) => {
      for (const event of produced) {
        const line = describeLocalEvent(event, nameOf);
        if (line !== undefined) report(`  ${line}`);
      }
    },
  });
  const { events } = chain;
  const produce = () => chain.produce();
  chain.send(creator.publicKey, {
    kind: "createTask",
    name: "local-test",
    bundleHash: sha256Hex("local-bundle"),
    metadataHash: null,
    params,
    // Enough for the warm-up, the rounds asked for and the rounds that settle them.
    funding: params.bountyPerRound * BigInt(options.rounds + params.warmupRounds + 8),
  });
  produce();
  const taskId = (events.find((event) => event.type === "TaskCreated") as { task: string }).task;
  const ledger = localLedgerReader(() => chain.state, chain.blocks);
  const nodes: LocalNode[] = [];
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
        info: (message) => report(`  ${localNodeName(index)} log: ${message}`),
        warn: (message) => report(`  ${localNodeName(index)} warn: ${message}`),
        error: (message) => report(`  ${localNodeName(index)} error: ${message}`),
      },
      config: options.config ?? {},
      currentRound: () => roundOf(getTask(chain.state, taskId) as NonNullable<ReturnType<typeof getTask>>, chain.slot),
    };
    const runner = await options.createRunner(host, limits, index);
    const setup = await runner.setup();
    if (!setup.ok) report(`${localNodeName(index)}: setup failed (${failureCode(setup)}: ${setup.message})`);
    const node = localNode(index, keyPair, runner);
    nodes.push(node);
    chain.send(keyPair.publicKey, {
      kind: "stake",
      task: taskId,
      amount: params.minimumStake * 10n,
      nodeUrl: `http://local/${index}`,
    });
  }
  produce();
  const task = getTask(chain.state, taskId) as NonNullable<ReturnType<typeof getTask>>;
  // The rounds asked for are rounds of work: they start when the stakes are active (after the warm-up).
  const firstRound = Math.max(
    0,
    ...nodes.flatMap(
      (node) => getNode(chain.state, taskId, node.keyPair.publicKey)?.lots.map((lot) => lot.activationRound) ?? [],
    ),
  );
  const lastRound = firstRound + options.rounds - 1;
  const endSlot = roundStart(task, lastRound + 4);
  if (firstRound > 0) report(`warm-up: stakes become active in round ${firstRound}`);
  let reportedRound = -1;
  while (chain.slot < endSlot) {
    const round = roundOf(task, chain.slot + 1);
    if (round !== reportedRound && round >= firstRound && round <= lastRound + 1) {
      reportedRound = round;
      // The rounds after the last one asked for do no new work: they only review and pay the last cycles.
      report(
        round <= lastRound
          ? `round ${round}`
          : `after round ${lastRound}: no new work; the last cycles finish review and payment`,
      );
    }
    if (options.signal?.aborted) {
      for (const node of nodes) await node.runner.close();
      throw options.signal.reason;
    }
    for (const node of nodes)
      await stepLocalNode(node, nodes, chain.state, taskId, {
        send: (body) => chain.send(node.keyPair.publicKey, body),
        onCall: (call) => reportCall(node, nodes, call, calls, report),
        skipWork: (cycle) => (cycle > lastRound ? "after the last round asked for" : undefined),
      });
    produce();
  }
  for (const node of nodes) await node.runner.close();
  return { state: chain.state, taskId, accounts: nodes.map((node) => node.keyPair.publicKey), events, calls };
}

/** Largest block range one GET /blocks answers, as on the real ledger. */
const MAX_BLOCK_RANGE = 100;

/**
 * ctx.ledger for `gradual task test`: the two reads the example tasks make, answered in the ledger's wire form
 * (bigints as decimal strings) from the local network's state and blocks. GET /tasks/{id} gives the task record and
 * its open cycles; GET /blocks?from=N&to=M gives blocks N..M (at most 100, none past the head).
 */
function localLedgerReader(currentState: () => State, blocks: readonly MemoryBlock[]): LedgerReader {
  const answer = (path: string): unknown => {
    const url = new URL(path.replace(/^\/v1(?=\/)/, ""), "http://local");
    const taskMatch = /^\/tasks\/([0-9a-f]{64})$/.exec(url.pathname);
    if (taskMatch !== null) {
      const state = currentState();
      const task = getTask(state, taskMatch[1] as string);
      if (task === undefined) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `GET ${path}: HTTP 404 no task ${taskMatch[1]}`,
          context: { path, status: 404 },
        });
      }
      const cycles = task.openCycles.map((cycle) => ({ cycle, record: toWire(getCycle(state, task.id, cycle)) }));
      return { task: toWire(task), slot: getChain(state).slot, round: roundOf(task, getChain(state).slot), cycles };
    }
    if (url.pathname === "/blocks") {
      const from = Number(url.searchParams.get("from"));
      const to = Number(url.searchParams.get("to") ?? from + MAX_BLOCK_RANGE - 1);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `GET ${path}: HTTP 400 expected 0 <= from <= to`,
          context: { path, status: 400 },
        });
      const last = Math.min(to, from + MAX_BLOCK_RANGE - 1);
      return { blocks: blocks.slice(from, last + 1) };
    }
    throw new GradualError("NODE__LOCAL_READ_UNSUPPORTED", {
      message: `GET ${path}: gradual task test serves only GET /tasks/{id} and GET /blocks?from&to`,
    });
  };
  // Through JSON, as over HTTP: the task gets a copy it may keep or change.
  return { get: async <T>(path: string) => JSON.parse(JSON.stringify(answer(path))) as T };
}

/** One call of a local node, as `gradual task test` reports it: a line, and a record for the summary. */
function reportCall(
  node: LocalNode,
  nodes: readonly LocalNode[],
  call: LocalCall,
  calls: CallRecord[],
  report: (line: string) => void,
): void {
  const name = localNodeName(node.index);
  const nameOf = (account: string) => {
    const peer = nodes.find((candidate) => candidate.keyPair.publicKey === account);
    return peer === undefined ? account.slice(0, 8) : localNodeName(peer.index);
  };
  const record = (ok: boolean, detail: string) =>
    calls.push({ node: name, cycle: call.cycle, call: call.call, ok, detail });
  if (call.call === "task+submission") {
    if ("submitted" in call) {
      const preview = new TextDecoder().decode(call.submitted.slice(0, 80)).replace(/\s+/g, " ");
      record(true, `${call.submitted.length} bytes`);
      report(`  ${name} cycle ${call.cycle}: task+submission -> ${call.submitted.length} bytes "${preview}"`);
    } else if ("nothing" in call) {
      record(true, "nothing submitted");
      report(`  ${name} cycle ${call.cycle}: task+submission -> nothing submitted (returned null)`);
    } else {
      record(false, `${call.failed.code}: ${call.failed.message}`);
      report(
        `  ${name} cycle ${call.cycle}: task+submission FAILED (${call.failed.code}: ${call.failed.message}); nothing committed`,
      );
    }
    return;
  }
  if (call.call === "audit") {
    if ("failed" in call) {
      report(`  ${name} cycle ${call.cycle}: audit of ${nameOf(call.target)} FAILED (${call.failed.code})`);
      return;
    }
    record(true, `${nameOf(call.target)}: ${call.verdict}`);
    report(`  ${name} cycle ${call.cycle}: audit(${nameOf(call.target)}) -> ${call.verdict}`);
    return;
  }
  if ("failed" in call) {
    record(false, `${call.failed.code}: ${call.failed.message}`);
    report(`  ${name} cycle ${call.cycle}: distribution FAILED (${call.failed.code}: ${call.failed.message})`);
    return;
  }
  const shown = call.entries.map((entry) => `${nameOf(entry.recipient)} ${formatTokenAmount(entry.amount)}`);
  record(true, shown.join(" "));
  report(`  ${name} cycle ${call.cycle}: distribution -> ${call.entries.length} entries [${shown.join(", ")}]`);
}

/** The outcome events a task developer wants to see in `gradual task test`, one line each, amounts in tokens. */
function describeLocalEvent(event: ProtocolEvent, nameOf: (account: string) => string): string | undefined {
  const tokens = formatTokenAmount;
  switch (event.type) {
    case "AuditTriggered":
      return `cycle ${event.cycle}: ${nameOf(event.triggerer)} triggered ${event.kind} audit #${event.trigger} of ${nameOf(event.target)} (bond ${tokens(event.bond)} tokens)`;
    case "TriggerResolved":
      return `cycle ${event.cycle}: audit #${event.trigger} of ${nameOf(event.target)} ${event.resolution === "upheld" ? "UPHELD" : event.resolution} (invalid ${tokens(event.invalidWeight)}, valid ${tokens(event.validWeight)}, unavailable ${tokens(event.unavailableWeight)} of ${tokens(event.activeWeight)} weight)`;
    case "Slashed":
      return `cycle ${event.cycle}: ${nameOf(event.node)} SLASHED ${tokens(event.fromStake)} stake + ${tokens(event.fromVesting)} locked rewards (${tokens(event.toWhistleblower)} to the whistleblower, ${tokens(event.burned)} burned)`;
    case "DistributionAccepted":
      return `cycle ${event.cycle}: list accepted, ${tokens(event.total)} tokens to ${event.entries} node(s), into vesting`;
    case "DistributionRejected":
      return `cycle ${event.cycle}: list of ${nameOf(event.distributor)} (attempt ${event.attempt}) rejected: ${event.reason}`;
    case "TaskPaused":
      return `task paused in round ${event.round}: escrow ${tokens(event.escrow)} tokens does not cover a round`;
    default:
      return undefined;
  }
}
