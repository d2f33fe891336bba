import type { Account, DistributionEntry, Hash } from "@gradual/protocol";
import type { LedgerReader, RouteRequest, RouteResponse, Submitter, TaskLogger, TaskStore } from "@gradual/sdk";

/**
 * How a node runs task code (protocol.md §2, docs/writing-a-task.md). The runtime and `gradual task test` talk only
 * to this interface; the sandboxed implementation runs the bundle in a worker thread with a memory limit and a
 * time limit per call, and survives any task that throws, hangs, loops or exhausts memory.
 */

export type TaskLimits = {
  /** Old-generation heap limit of the worker, in MB. */
  readonly memoryMb: number;
  /** Wall-time limit of one call (task, submission, audit, distribution, a route), in ms. */
  readonly callTimeoutMs: number;
  /** Largest proof accepted from `submission`, in bytes (the task's maxProofBytes). */
  readonly maxProofBytes: number;
};

export const DEFAULT_TASK_LIMITS: TaskLimits = { memoryMb: 128, callTimeoutMs: 30_000, maxProofBytes: 256 * 1024 };

export type TaskHost = {
  readonly taskId: Hash;
  readonly node: Account;
  readonly sign: (bytes: Uint8Array) => Promise<string>;
  readonly store: TaskStore;
  readonly ledger: LedgerReader;
  readonly log: TaskLogger;
  readonly config: Readonly<Record<string, string>>;
  /** The task's current round, for route calls made outside a cycle. */
  readonly currentRound: () => number;
};

/** Why a call produced no result: the node logs it and misses that duty for the cycle; it never crashes. */
export type TaskFailure = {
  readonly ok: false;
  readonly reason: "threw" | "timeout" | "out-of-memory" | "invalid-result" | "proof-too-large" | "crashed";
  readonly message: string;
};

export type TaskCallResult<T> = { readonly ok: true; readonly value: T } | TaskFailure;

export interface TaskRunner {
  /** Runs `setup` once (if defined). */
  setup(): Promise<TaskCallResult<void>>;
  /** Runs `task(ctx)` then `submission(ctx)` for `cycle`; returns the encoded proof bytes. */
  work(cycle: number, round: number): Promise<TaskCallResult<Uint8Array>>;
  /** Runs `audit(ctx, proof, submitter)` on bytes whose digest the caller already checked. */
  audit(cycle: number, round: number, proof: Uint8Array, submitter: Account): Promise<TaskCallResult<boolean>>;
  /** Runs `distribution` (or the default equal split) and checks the result's shape. */
  distribution(
    cycle: number,
    round: number,
    submitters: readonly Submitter[],
    bounty: bigint,
  ): Promise<TaskCallResult<DistributionEntry[]>>;
  /** Serves one HTTP request on the task's routes (404 when no route matches). */
  route(request: RouteRequest): Promise<RouteResponse>;
  /** Stops the worker; pending calls fail with reason "crashed". */
  close(): Promise<void>;
}
