import type { Account, DistributionEntry, Hash } from "@gradual/protocol";
import type { LedgerReader, RouteRequest, RouteResponse, Submitter, TaskLogger, TaskStore } from "@gradual/sdk";

/**
 * How a node runs task code (protocol.md §2, docs/writing-a-task.md). The runtime and `gradual task test` talk only
 * to this interface; the sandboxed implementation runs the bundle in its own process under Node's permission model,
 * with a memory limit and a time limit per call, and survives any task that throws, hangs, loops, exhausts memory,
 * floods its output, exits or sends garbage.
 */

export type TaskLimits = {
  /** Old-generation heap limit of the task process, in MB (its resident memory may exceed it by RSS_HEADROOM_MB). */
  readonly memoryMb: number;
  /** Wall-time limit of a call that has no limit of its own (setup, a route), in ms. */
  readonly callTimeoutMs: number;
  /** Wall-time limit of `task` plus `submission`, in ms (deriveTaskLimits: the round's work period). */
  readonly workTimeoutMs?: number;
  /** Wall-time limit of one `audit`, in ms (deriveTaskLimits: the audit window). */
  readonly auditTimeoutMs?: number;
  /** Wall-time limit of `distribution`, in ms (deriveTaskLimits: the list window). */
  readonly distributionTimeoutMs?: number;
  /** Largest proof accepted from `submission`, in bytes (the task's maxProofBytes). */
  readonly maxProofBytes: number;
  /** Share of one core the task process may use on average, in percent (default: none); above it, it is paused. */
  readonly cpuPercent?: number;
};

export const DEFAULT_TASK_LIMITS: TaskLimits = { memoryMb: 128, callTimeoutMs: 30_000, maxProofBytes: 256 * 1024 };

/** The wall-time limit of one call of this kind, in ms. */
export function callTimeoutMs(limits: TaskLimits, kind: "setup" | "work" | "audit" | "distribution" | "route"): number {
  switch (kind) {
    case "work":
      return limits.workTimeoutMs ?? limits.callTimeoutMs;
    case "audit":
      return limits.auditTimeoutMs ?? limits.callTimeoutMs;
    case "distribution":
      return limits.distributionTimeoutMs ?? limits.callTimeoutMs;
    default:
      return limits.callTimeoutMs;
  }
}

/** The windows of a task's round that bound its calls (protocol.md §2), in slots. */
export type RoundWindows = {
  readonly roundSlots: number;
  readonly commitSlots: number;
  readonly auditSlots: number;
  readonly distributionSlots: number;
};

/**
 * Time limits that fit the task's round (docs/writing-a-task.md "Limits"): `task` plus `submission` may use the
 * whole work period, the round less its commit window ((roundSlots - commitSlots) x slotMs); an `audit` the audit
 * window; `distribution` the list window. Explicit values (task.yml `limits:`, node flags) win over the derived ones.
 * A call that overruns is ended; the node commits nothing for that cycle rather than something late or wrong.
 */
export function deriveTaskLimits(
  windows: RoundWindows,
  slotMs: number,
  base: TaskLimits,
  overrides: { readonly [Name in keyof TaskLimits]?: TaskLimits[Name] | undefined } = {},
): TaskLimits {
  if (!Number.isSafeInteger(slotMs) || slotMs < 1) throw new RangeError(`expected slotMs >= 1, got ${String(slotMs)}`);
  const slots = (count: number, name: string): number => {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`expected ${name} >= 1, got ${String(count)}`);
    return count * slotMs;
  };
  const derived: TaskLimits = {
    ...base,
    workTimeoutMs: slots(windows.roundSlots - windows.commitSlots, "roundSlots - commitSlots"),
    auditTimeoutMs: slots(windows.auditSlots, "auditSlots"),
    distributionTimeoutMs: slots(windows.distributionSlots, "distributionSlots"),
  };
  const explicit = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...derived, ...explicit };
}

export type HostBlobs = {
  readonly put: (bytes: Uint8Array) => Promise<Hash>;
  readonly get: (hash: Hash) => Promise<Uint8Array>;
};

export type TaskHost = {
  readonly taskId: Hash;
  readonly node: Account;
  /**
   * Signs exactly these bytes with the node's key. Task code never reaches it directly: the sandbox passes only
   * domain-tagged task payloads and JSON texts (protocol taskPayload.ts), which can never be a ledger transaction.
   */
  readonly sign: (bytes: Uint8Array) => Promise<string>;
  readonly store: TaskStore;
  /** The ledger's content-addressed blob store; the host signs uploads with the node's key (ctx.blobs). */
  readonly blobs: HostBlobs;
  readonly ledger: LedgerReader;
  readonly log: TaskLogger;
  readonly config: Readonly<Record<string, string>>;
  /** The task's current round, for route calls made outside a cycle. */
  readonly currentRound: () => number;
};

/**
 * Why a call produced no result: the node logs it (with its stable code, codes.ts) and misses that duty for the
 * cycle; it never crashes. The last three end the task process, which the next call restarts.
 */
export type TaskFailure = {
  readonly ok: false;
  readonly reason:
    | "threw"
    /** Node's permission model refused task code something (a program, a file outside its folders): refusals.ts. */
    | "access-denied"
    | "invalid-result"
    | "proof-too-large"
    | "timeout"
    | "out-of-memory"
    | "crashed"
    | "bad-message"
    | "output-flood"
    /** Not a fault: `submission` returned null or undefined, so the node submits nothing this cycle. */
    | "nothing-submitted";
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

/** One line for operators and task authors: what each call may use (`gradual task test`, node start). */
export function describeTaskLimits(limits: TaskLimits): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  return (
    `limits: memory ${limits.memoryMb} MB heap, CPU ${limits.cpuPercent === undefined ? "unshared" : `${limits.cpuPercent}% of a core`}; task+submission ${seconds(callTimeoutMs(limits, "work"))}, ` +
    `audit ${seconds(callTimeoutMs(limits, "audit"))}, distribution ${seconds(callTimeoutMs(limits, "distribution"))}, ` +
    `setup and routes ${seconds(limits.callTimeoutMs)}; proofs up to ${limits.maxProofBytes} bytes`
  );
}
