import type { KeyPair } from "@gradual/ledger";
import { type Account, DEVNET_PARAMS, type Hash, type TaskParams, TOKEN, type Transaction } from "@gradual/protocol";
import type { TaskDefinition } from "@gradual/sdk";
import type { NodeLog, TaskNode } from "../../src/runtime/taskNode.ts";
import { createInProcessTaskRunner } from "../../src/sandbox/inProcessRunner.ts";
import type { TaskLimits, TaskRunner } from "../../src/sandbox/types.ts";
import type { Settlement } from "../../src/settlement/settlement.ts";
import { startNode } from "../../src/startNode.ts";
import type { TestLedger } from "./testLedger.ts";

/**
 * A task node under test: the real runtime (replica, decide, executor, durable outbox, proof server) on a
 * TestLedger, running the task's code in this process. Tests drive it one ledger slot at a time and observe what it
 * sends by reading the ledger's blocks, so they keep their meaning whatever shape the runtime takes inside.
 */

/** Short windows, no warm-up and no ramp: a cycle is reviewed and paid within a few dozen slots. */
export const FAST_PARAMS: TaskParams = {
  ...DEVNET_PARAMS,
  roundSlots: 10,
  commitSlots: 2,
  revealSlots: 2,
  auditSlots: 2,
  voteSlots: 2,
  distributionSlots: 2,
  distributionAuditSlots: 2,
  warmupRounds: 0,
  rampRounds: 0,
  vestingRounds: 0,
};

/** Creates a task whose bundle is on the ledger (the runtime downloads it; the test runs `definition` instead). */
export async function createTestTask(
  ledger: TestLedger,
  creator: KeyPair,
  params: Partial<TaskParams> = {},
): Promise<{ taskId: Hash; params: TaskParams }> {
  const bundle = new TextEncoder().encode("export default {};");
  const hash = await ledger.uploadBlob(bundle, creator);
  const full = { ...FAST_PARAMS, ...params };
  const taskId = await ledger.send(creator, {
    kind: "createTask",
    name: "node-test",
    bundleHash: hash,
    metadataHash: null,
    params: full,
    funding: full.bountyPerRound * 50n,
  });
  await ledger.advance();
  return { taskId, params: full };
}

/** Counts the calls a node has in flight on its ledger and its runner, so a test can wait until it is idle. */
class InFlight {
  count = 0;
  #waiters: (() => void)[] = [];
  /** Called on every new call while idle() waits (it may end the wait with an error). */
  #onTrack: (() => void) | undefined;

  track<T>(promise: Promise<T>): Promise<T> {
    this.#onTrack?.();
    this.count += 1;
    const done = () => {
      this.count -= 1;
      if (this.count === 0) for (const wake of this.#waiters.splice(0)) wake();
    };
    promise.then(done, done);
    return promise;
  }

  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, key) => {
        const value = Reflect.get(object, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result = value.apply(object, args);
          return result instanceof Promise ? this.track(result) : result;
        };
      },
    });
  }

  /**
   * Resolves once nothing has been in flight for two turns of the event loop and `busy` (work the node does off its
   * ledger and runner, such as a proof fetch) says none is left; `check` may fail the wait.
   */
  idle(check: () => void = () => {}, busy: () => boolean = () => false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#onTrack = () => {
        try {
          check();
        } catch (error) {
          reject(error);
        }
      };
      this.#quiet(busy)
        .then(resolve, reject)
        .finally(() => {
          this.#onTrack = undefined;
        });
    });
  }

  async #quiet(busy: () => boolean): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.count > 0) {
        quiet = 0;
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      } else if (busy()) {
        quiet = 0;
        await new Promise((resolve) => setTimeout(resolve, 2));
      } else quiet += 1;
    }
  }
}

/** Polls until `predicate` holds (for work a node does off its passes, such as a proof fetch it retries). */
export async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  for (let attempt = 0; !predicate(); attempt += 1) {
    if (attempt > 3_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type LogLine = { level: string; message: string; fields: Record<string, unknown> | undefined };

export type TestNode = {
  readonly node: TaskNode;
  readonly account: Account;
  readonly url: string;
  readonly logs: LogLine[];
  /** Calls the task code received, in order (`work:3`, `audit:3`, `distribution:3`). */
  readonly calls: string[];
  /** One pass of the node, then waits until every action it started (task calls, fetches, sends) has finished. */
  settle(): Promise<void>;
  close(): Promise<void>;
};

export type TestNodeOptions = {
  readonly ledger: TestLedger;
  readonly key: KeyPair;
  readonly taskId: Hash;
  readonly definition: TaskDefinition;
  readonly dataDir: string;
  /** Staked at start when the node holds less (default 100 tokens). */
  readonly stake?: bigint;
  readonly limits?: Partial<TaskLimits>;
  /** Wraps the node's ledger source (faults: a submit that throws, a refusal). */
  readonly source?: (source: Settlement) => Settlement;
  /** Wraps the node's task runner (a cheat, a failing call). */
  readonly runner?: (runner: TaskRunner) => TaskRunner;
  /** The URL staked on the ledger for this node's proofs (default: its own server). */
  readonly publicUrl?: string;
  /** Leave the task (`gradual node --leave`): nothing more committed, the last reveals, then an unstake. */
  readonly leaving?: boolean;
};

/** More task calls than any one pass makes: a node past it restarts a call each time one ends, and never settles. */
const MAX_CALLS_PER_PASS = 50;

export async function startTestNode(options: TestNodeOptions): Promise<TestNode> {
  const inFlight = new InFlight();
  const logs: LogLine[] = [];
  const calls: string[] = [];
  const log: NodeLog = (level, message, fields) => logs.push({ level, message, fields });
  const base = options.source?.(options.ledger.source) ?? options.ledger.source;
  const running = await startNode({
    ledgerUrl: options.ledger.url,
    settlement: inFlight.wrap(base),
    keyPair: options.key,
    taskId: options.taskId,
    dataDir: options.dataDir,
    port: 0,
    stake: options.stake ?? 100n * TOKEN,
    autoClaim: true,
    // Passes happen when the test asks (settle), never on a timer.
    pollMs: 3_600_000,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    ...(options.leaving === undefined ? {} : { leaving: options.leaving }),
    log,
    verifierWorkers: 0,
    createRunner: async (_bundlePath, host, limits) => {
      const inner = createInProcessTaskRunner(options.definition, host, limits);
      const recorded: TaskRunner = {
        ...inner,
        setup: () => inner.setup(),
        work: (cycle, round) => {
          calls.push(`work:${cycle}`);
          return inner.work(cycle, round);
        },
        audit: (cycle, round, proof, submitter) => {
          calls.push(`audit:${cycle}`);
          return inner.audit(cycle, round, proof, submitter);
        },
        distribution: (cycle, round, submitters, bounty) => {
          calls.push(`distribution:${cycle}`);
          return inner.distribution(cycle, round, submitters, bounty);
        },
        route: (request) => inner.route(request),
        close: () => inner.close(),
      };
      return inFlight.wrap(options.runner?.(recorded) ?? recorded);
    },
  });
  const busy = () => running.node.actionsInFlight > 0;
  await inFlight.idle(undefined, busy);
  return {
    node: running.node,
    account: options.key.publicKey,
    url: running.url,
    logs,
    calls,
    async settle() {
      const before = calls.length;
      const bounded = () => {
        if (calls.length - before > MAX_CALLS_PER_PASS)
          throw new Error(`the node never settles: ${calls.length - before} task calls in one pass`);
      };
      await running.node.tick();
      await inFlight.idle(bounded, busy);
    },
    async close() {
      await running.close();
    },
  };
}

export type IncludedTx = {
  readonly block: number;
  readonly tx: Transaction;
  readonly ok: boolean;
  readonly code: string | undefined;
};

/** The transactions `account` got into blocks `from..to` (all of them when omitted), with their results. */
export async function sentBy(ledger: TestLedger, account: Account, from = 1, to?: number): Promise<IncludedTx[]> {
  const last = to ?? (await ledger.head());
  const included: IncludedTx[] = [];
  for (let start = from; start <= last; start += 100) {
    for (const block of await ledger.included(start, Math.min(start + 99, last))) {
      for (const entry of block.txs) {
        if (entry.tx.from === account) included.push({ block: block.number, ...entry });
      }
    }
  }
  return included;
}

/** `kind` or `kind:cycle` for each transaction, for compact assertions. */
export function describeTxs(txs: readonly IncludedTx[]): string[] {
  return txs.map(({ tx, ok, code }) => {
    const cycle = "cycle" in tx ? `:${tx.cycle}` : "";
    return `${tx.kind}${cycle}${ok ? "" : ` (${code})`}`;
  });
}

/**
 * Produces blocks up to the one holding `slot`, letting each node decide and send after every block: a node
 * decides at slot s what lands at s + 1.
 */
export async function runTo(ledger: TestLedger, slot: number, nodes: readonly TestNode[]): Promise<void> {
  for (;;) {
    for (const node of nodes) await node.settle();
    const head = await ledger.head();
    if (head >= slot) return;
    await ledger.advance();
  }
}
