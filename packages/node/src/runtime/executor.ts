import { randomBytes } from "node:crypto";
import {
  type Account,
  getChain,
  getCycle,
  getTask,
  listDigest,
  roundOf,
  type State,
  sha256Hex,
} from "@gradual/protocol";
import { listKey, listSubmitters, type NodeAction, type Verdict, verdictKey } from "../decide.ts";
import { failureCode } from "../sandbox/codes.ts";
import type { TaskRunner } from "../sandbox/types.ts";
import { HttpBodyTooLarge, httpExchange } from "./http.ts";
import type { NodeStore } from "./nodeStore.ts";

/**
 * Runs the IO actions decided by `decide` (task code, proof fetches, lists) and records their results in the node
 * store before anything is sent on the strength of them.
 */

export type ExecutorLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export type ExecutorOptions = {
  readonly taskId: string;
  readonly me: Account;
  readonly store: NodeStore;
  readonly runner: TaskRunner;
  readonly log: ExecutorLog;
  /** Time budget of one proof fetch, in ms. */
  readonly fetchTimeoutMs: number;
  readonly fetchAttempts: number;
};

export async function runTaskAction(options: ExecutorOptions, state: State, cycle: number): Promise<void> {
  const task = getTask(state, options.taskId);
  if (task === undefined) return;
  const round = roundOf(task, getChain(state).slot);
  const result = await options.runner.work(cycle, round);
  if (!result.ok) {
    // Nothing is committed for a failed cycle: missing a cycle costs its reward, a wrong commit costs the stake.
    const code = failureCode(result);
    if (result.reason === "nothing-submitted") options.log("info", "nothing to submit this cycle", { cycle, code });
    else options.log("warn", "task failed; this cycle is missed", { cycle, code, message: result.message });
    options.store.saveWork(cycle, { status: "failed", reason: `${code}: ${result.message}` }, null);
    return;
  }
  const proofDigest = sha256Hex(result.value);
  const salt = randomBytes(32).toString("hex");
  options.store.saveWork(cycle, { status: "done", proofDigest, salt }, result.value);
  options.log("info", "work done", { cycle, proofDigest, bytes: result.value.length });
}

function chainSlot(state: State): number {
  return getChain(state).slot;
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

/** Fetches a revealed proof from its node, checks digest and size, and runs the task's audit on it. */
export async function auditProofAction(
  options: ExecutorOptions,
  state: State,
  action: Extract<NodeAction, { type: "auditProof" }>,
): Promise<Verdict | null> {
  const task = getTask(state, options.taskId);
  if (task === undefined) return null;
  // A payload published on the ledger (an answered availability challenge, protocol.md §5.6) needs no fetch.
  const fetched =
    action.published !== undefined
      ? Buffer.from(action.published, "hex")
      : await fetchProof(options, action.url, action.proofDigest, task.params.maxProofBytes);
  let verdict: Verdict;
  if (fetched === null) verdict = "unavailable";
  else if (sha256Hex(fetched) !== action.proofDigest) verdict = "invalid";
  else {
    const result = await options.runner.audit(action.cycle, roundOf(task, chainSlot(state)), fetched, action.target);
    if (!result.ok) {
      options.log("warn", "own audit function failed; no verdict", {
        cycle: action.cycle,
        target: action.target,
        code: failureCode(result),
        message: result.message,
      });
      return null;
    }
    verdict = result.value ? "valid" : "invalid";
  }
  options.store.saveVerdict(verdictKey(action.cycle, action.target), verdict);
  options.log(verdict === "valid" ? "info" : "warn", "audited proof", {
    cycle: action.cycle,
    target: action.target,
    verdict,
  });
  return verdict;
}

async function fetchProof(
  options: ExecutorOptions,
  url: string,
  digest: string,
  maxBytes: number,
): Promise<Uint8Array | null> {
  for (let attempt = 0; attempt < options.fetchAttempts; attempt += 1) {
    try {
      const bytes = await fetchProofBytes(
        `${url.replace(/\/$/, "")}/proofs/${digest}`,
        options.fetchTimeoutMs,
        maxBytes,
      );
      if (bytes !== undefined) return bytes;
    } catch {
      // Unreachable or too slow: retried, then judged unavailable (downtime is not fraud, protocol.md §5.3).
    }
    await new Promise((resolve) => setTimeout(resolve, options.fetchTimeoutMs / 2));
  }
  return null;
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

/** Runs the task's distribution for a cycle's current attempt and stores the list and its digest. */
export async function computeListAction(
  options: ExecutorOptions,
  state: State,
  action: Extract<NodeAction, { type: "computeList" }>,
): Promise<void> {
  const task = getTask(state, options.taskId);
  const cycle = getCycle(state, options.taskId, action.cycle);
  if (task === undefined || cycle === undefined) return;
  const submitters = listSubmitters(state, task.id, action.cycle, cycle.attemptRound);
  const result = await options.runner.distribution(action.cycle, cycle.attemptRound, submitters, cycle.reserved);
  if (!result.ok) {
    options.log("warn", "distribution function failed", {
      cycle: action.cycle,
      code: failureCode(result),
      message: result.message,
    });
    return;
  }
  const entries = result.value;
  options.store.saveList(listKey(action.cycle, action.attempt), { entries, digest: listDigest(entries) });
}
