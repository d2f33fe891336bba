import {
  type Account,
  decodeList,
  getAcceptedList,
  getChain,
  getCycle,
  getTask,
  type Hash,
  listRoot,
  roundOf,
  type State,
  sha256Hex,
} from "@gradual/protocol";
import {
  type ListRecord,
  listKey,
  listSubmitters,
  type NodeAction,
  type NodeMemory,
  postedListKey,
  type Verdict,
  verdictKey,
  type WorkRecord,
} from "../decide.ts";
import { failureCode } from "../sandbox/codes.ts";
import type { TaskCallResult, TaskRunner } from "../sandbox/types.ts";
import { HttpBodyTooLarge, httpExchange } from "./http.ts";

/**
 * The executor: what a node does with the IO actions `decide` hands it (run the task, fetch and audit a proof,
 * compute a list), the same in a running node (`TaskNode`: SQLite memory, proofs over HTTP, random salts) and in a
 * local run (`gradual task test`, `gradual koii test`: memory in maps, peers' proofs in the same process, derived
 * salts). Each result is stored in the node's memory before anything is sent on the strength of it; every task call
 * and what came of it is reported (`onCall`), which a node logs and a local run prints.
 */

/** The node's memory the executor writes and `decide` reads. */
export interface NodeMemoryStore {
  readonly nodeMemory: NodeMemory;
  saveWork(cycle: number, record: WorkRecord, proof: Uint8Array | null): void;
  saveVerdict(key: string, verdict: Verdict): void;
  saveList(key: string, list: ListRecord): void;
  /** One of the node's own proofs (to serve to its peers, or to publish when challenged). */
  proof(digest: Hash): { readonly cycle: number; readonly bytes: Uint8Array } | undefined;
}

/** A node's memory in maps: local runs and tests (a running node keeps it in SQLite, `NodeStore`). */
export class MemoryNodeStore implements NodeMemoryStore, NodeMemory {
  readonly work = new Map<number, WorkRecord>();
  readonly verdicts = new Map<string, Verdict>();
  readonly lists = new Map<string, ListRecord>();
  readonly done = new Set<string>();
  /** This node's proofs by digest. */
  readonly proofs = new Map<string, { readonly cycle: number; readonly bytes: Uint8Array }>();

  get nodeMemory(): NodeMemory {
    return this;
  }

  saveWork(cycle: number, record: WorkRecord, proof: Uint8Array | null): void {
    if (proof !== null && record.status === "done") this.proofs.set(record.proofDigest, { cycle, bytes: proof });
    this.work.set(cycle, record);
  }

  saveVerdict(key: string, verdict: Verdict): void {
    this.verdicts.set(key, verdict);
  }

  saveList(key: string, list: ListRecord): void {
    this.lists.set(key, list);
  }

  proof(digest: Hash): { readonly cycle: number; readonly bytes: Uint8Array } | undefined {
    return this.proofs.get(digest);
  }
}

/** Where a revealed proof's bytes come from: its node's server over HTTP, or a peer in the same process. */
export type ProofSource = (
  action: Extract<NodeAction, { type: "auditProof" }>,
  maxBytes: number,
) => Promise<Uint8Array | null>;

/** Why a task call failed: its stable code, the runner's reason and its message. */
export type TaskFailure = { readonly code: string; readonly reason: string; readonly message: string };

/** What one task call did: a node logs it, a local run prints it. */
export type TaskCall =
  | {
      readonly call: "task+submission";
      readonly cycle: number;
      readonly submitted: Uint8Array;
      readonly proofDigest: Hash;
    }
  | { readonly call: "task+submission"; readonly cycle: number; readonly nothing: string; readonly code: string }
  | { readonly call: "task+submission"; readonly cycle: number; readonly failed: TaskFailure }
  | { readonly call: "audit"; readonly cycle: number; readonly target: Account; readonly verdict: Verdict }
  | { readonly call: "audit"; readonly cycle: number; readonly target: Account; readonly failed: TaskFailure }
  | {
      readonly call: "distribution";
      readonly cycle: number;
      readonly entries: readonly { recipient: Account; amount: bigint }[];
    }
  | { readonly call: "distribution"; readonly cycle: number; readonly failed: TaskFailure };

export type ExecutorOptions = {
  readonly taskId: Hash;
  readonly me: Account;
  readonly store: NodeMemoryStore;
  readonly runner: TaskRunner;
  readonly proofs: ProofSource;
  /** The salt of a cycle's commitment: random on a running node, derived in a seeded local run. */
  readonly salt: (cycle: number) => Hash;
  readonly onCall?: (call: TaskCall) => void;
  /** A cycle the node does no work for (a local run past its last round): the reason, stored instead of a call. */
  readonly skipWork?: (cycle: number) => string | undefined;
  /** A blob from the settlement's store, checked against its hash (lists posted by other nodes). */
  readonly blob?: (hash: Hash) => Promise<Uint8Array>;
};

export type IoAction = Exclude<NodeAction, { type: "send" }>;

function failureOf(result: Extract<TaskCallResult<unknown>, { ok: false }>): TaskFailure {
  return { code: failureCode(result), reason: result.reason, message: result.message };
}

export class Executor {
  readonly #options: ExecutorOptions;

  constructor(options: ExecutorOptions) {
    this.#options = options;
  }

  /** Carries out one IO action on `state`; resolves with whether it stored a result `decide` can act on. */
  async execute(state: State, action: IoAction): Promise<boolean> {
    if (action.type === "runTask") return this.runTask(state, action.cycle);
    if (action.type === "auditProof") return (await this.auditProof(state, action)) !== null;
    if (action.type === "fetchList") return (await this.fetchList(state, action)) !== null;
    return (await this.computeList(state, action)) !== null;
  }

  /** Runs the task for `cycle` and stores its proof with a fresh salt, or the failure (nothing is committed). */
  async runTask(state: State, cycle: number): Promise<boolean> {
    const { store, runner } = this.#options;
    const round = this.#round(state);
    if (round === undefined) return false;
    const skipped = this.#options.skipWork?.(cycle);
    if (skipped !== undefined) {
      store.saveWork(cycle, { status: "failed", reason: skipped }, null);
      return true;
    }
    const result = await runner.work(cycle, round);
    if (!result.ok) {
      // Missing a cycle costs its reward; a wrong commit costs the stake. A task that submitted nothing did not
      // fail, but commits nothing either.
      const failed = failureOf(result);
      store.saveWork(cycle, { status: "failed", reason: `${failed.code}: ${failed.message}` }, null);
      this.#report(
        result.reason === "nothing-submitted"
          ? { call: "task+submission", cycle, nothing: result.message, code: failed.code }
          : { call: "task+submission", cycle, failed },
      );
      return true;
    }
    const proofDigest = sha256Hex(result.value);
    store.saveWork(cycle, { status: "done", proofDigest, salt: this.#options.salt(cycle) }, result.value);
    this.#report({ call: "task+submission", cycle, submitted: result.value, proofDigest });
    return true;
  }

  /**
   * Gets a revealed proof (published on the ledger, or from its node), checks its digest, and runs the task's audit
   * on it; stores and returns the verdict, or null when the task's audit itself failed (no verdict, no vote).
   */
  async auditProof(state: State, action: Extract<NodeAction, { type: "auditProof" }>): Promise<Verdict | null> {
    const task = getTask(state, this.#options.taskId);
    const round = this.#round(state);
    if (task === undefined || round === undefined) return null;
    // A payload published on the ledger (an answered availability challenge, protocol.md §5.6) needs no fetch.
    const bytes =
      action.published !== undefined
        ? Buffer.from(action.published, "hex")
        : await this.#options.proofs(action, task.params.maxProofBytes);
    let verdict: Verdict;
    if (bytes === null) verdict = "unavailable";
    else if (sha256Hex(bytes) !== action.proofDigest) verdict = "invalid";
    else {
      const result = await this.#options.runner.audit(action.cycle, round, bytes, action.target);
      if (!result.ok) {
        this.#report({ call: "audit", cycle: action.cycle, target: action.target, failed: failureOf(result) });
        return null;
      }
      verdict = result.value ? "valid" : "invalid";
    }
    this.#options.store.saveVerdict(verdictKey(action.cycle, action.target), verdict);
    this.#report({ call: "audit", cycle: action.cycle, target: action.target, verdict });
    return verdict;
  }

  /** Runs the task's distribution for a cycle's current attempt and stores the list and its digest. */
  async computeList(state: State, action: Extract<NodeAction, { type: "computeList" }>): Promise<ListRecord | null> {
    const { taskId, runner, store } = this.#options;
    const cycle = getCycle(state, taskId, action.cycle);
    if (cycle === undefined) return null;
    const submitters = listSubmitters(state, taskId, action.cycle, cycle.attemptRound);
    const result = await runner.distribution(action.cycle, cycle.attemptRound, submitters, cycle.reserved);
    if (!result.ok) {
      this.#report({ call: "distribution", cycle: action.cycle, failed: failureOf(result) });
      return null;
    }
    const entries = [...result.value];
    const list = { entries, root: listRoot(entries) };
    store.saveList(listKey(action.cycle, action.attempt), list);
    this.#report({ call: "distribution", cycle: action.cycle, entries });
    return list;
  }

  /**
   * Fetches a cycle's accepted list from its blob (§6.4: a node claims its entry with a proof from the list in force,
   * when that is not the one it computed) and stores it once its entries hash to the accepted root.
   */
  async fetchList(state: State, action: Extract<NodeAction, { type: "fetchList" }>): Promise<ListRecord | null> {
    const { taskId, store, blob } = this.#options;
    const list = getAcceptedList(state, taskId, action.cycle);
    if (blob === undefined || list === undefined || list.attempt !== action.attempt) return null;
    const entries = decodeList(await blob(list.listBlob));
    if (entries === null || entries.length !== list.entryCount || listRoot(entries) !== list.listRoot) return null;
    const record = { entries, root: list.listRoot };
    store.saveList(postedListKey(action.cycle, action.attempt), record);
    return record;
  }

  /** The round the node's transactions land in (decide targets the next slot). */
  #round(state: State): number | undefined {
    const task = getTask(state, this.#options.taskId);
    return task === undefined ? undefined : roundOf(task, getChain(state).slot + 1);
  }

  #report(call: TaskCall): void {
    this.#options.onCall?.(call);
  }
}

/** Failed calls of the task's own audit on one proof before the node stops trying (no verdict, no vote). */
export const MAX_AUDIT_FAILURES = 3;

/**
 * An audit whose task function fails (throws, times out) would be decided again on every block: a task that throws
 * on some input made its node retry hundreds of times a minute. After MAX_AUDIT_FAILURES failures in a row the
 * node gives up on that proof: no verdict and no vote, as Koii's node casts none for an audit that throws.
 */
export class AuditAttempts {
  readonly #failures = new Map<string, number>();
  readonly gaveUp = new Set<string>();

  /** Records one finished audit call (`ok`: it produced a verdict); says whether the node now gives up. */
  record(key: string, ok: boolean): "done" | "retry" | "gave-up" {
    if (ok) {
      this.#failures.delete(key);
      return "done";
    }
    const failures = (this.#failures.get(key) ?? 0) + 1;
    if (failures < MAX_AUDIT_FAILURES) {
      this.#failures.set(key, failures);
      return "retry";
    }
    this.#failures.delete(key);
    this.gaveUp.add(key);
    return "gave-up";
  }
}

/**
 * Proofs from their nodes' servers (GET {url}/proofs/{digest}), each try within `timeoutMs`, `attempts` tries: null
 * when none answers (judged unavailable: downtime is not fraud, protocol.md §5.3).
 */
export function httpProofSource(options: { readonly timeoutMs: number; readonly attempts: number }): ProofSource {
  return async (action, maxBytes) => {
    const url = `${action.url.replace(/\/$/, "")}/proofs/${action.proofDigest}`;
    for (let attempt = 0; attempt < options.attempts; attempt += 1) {
      try {
        const bytes = await fetchProofBytes(url, options.timeoutMs, maxBytes);
        if (bytes !== undefined) return bytes;
      } catch {
        // Unreachable or too slow: tried again, then judged unavailable.
      }
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs / 2));
    }
    return null;
  };
}

/**
 * GET of a proof: its bytes; empty bytes when it is larger than `maxBytes` (announced or received: the proof is then
 * judged against its digest, and fails); undefined when the node answers with an error status.
 */
export async function fetchProofBytes(
  url: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  try {
    const reply = await httpExchange(url, { timeoutMs, maxBytes });
    return reply.status === 200 ? new Uint8Array(reply.body) : undefined;
  } catch (error) {
    if (error instanceof HttpBodyTooLarge) return new Uint8Array(0);
    throw error;
  }
}
