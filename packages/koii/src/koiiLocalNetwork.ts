import {
  type CallRecord,
  describeTaskLimits,
  type LocalNetworkResult,
  type LocalReportFormat,
  runLocalNetwork,
  type TaskCall,
  type TaskFailure,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "@gradual/node/local";
import type { Account, TaskParams } from "@gradual/protocol";

/**
 * `gradual koii test`: several nodes running one Koii task bundle on the in-memory ledger of the local runs
 * (`runLocalNetwork` of @gradual/node/local), each node's task in the runner its caller gives (a sandbox), the
 * namespace wrapper reading the chain through the local ledger reader, and each node's revealed proofs and routes
 * served on 127.0.0.1, so getTaskSubmissionInfo and a read of a peer's route work as on a devnet. The run ends once
 * the last round asked for is settled. What it says is in Koii's words: nodes from 0, rounds, what each Koii
 * function returned (`KOII_TEST_REPORT`).
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
  /** config-task.yml's `limits:`; time limits not given follow the mapped windows (task() the work period, ...). */
  readonly limits?: Partial<TaskLimits>;
  /** Deterministic node keys from this seed (default: fresh keys). */
  readonly seed?: string;
  /** What `getAverageSlotTime` answers (the slots themselves pass as fast as the nodes work). */
  readonly slotMs?: number;
  readonly onReport?: (line: string) => void;
};

/** The detail of a task+submission call whose submission(R) returned no string. */
export const NOTHING_SUBMITTED = "nothing submitted";

/** A call of `gradual koii test`: its node by index (from 0, as Koii's report numbers them). */
export type KoiiCallRecord = CallRecord<number>;

export type KoiiLocalNetworkResult = LocalNetworkResult<KoiiCallRecord>;

/** The local chain's id: the task id, and so every seed of a run, derive from it. */
const CHAIN_ID = "gradual-koii-local";

const koiiNodeName = (index: number) => `node ${index}`;

/** A task call: whether it went well, and what it gave, as Koii's functions return it. */
function describeCall(call: TaskCall, nameOf: (account: Account) => string): { ok: boolean; detail: string } {
  const failure = (failed: TaskFailure) => `${failed.reason}: ${failed.message}`;
  if (call.call === "task+submission") {
    if ("submitted" in call) {
      const text = new TextDecoder().decode(call.submitted.slice(0, 100));
      return { ok: true, detail: JSON.stringify(text.length < call.submitted.length ? `${text}...` : text) };
    }
    // submission(R) gave no string: as on Koii, the node submits nothing this round, and that is not a failure.
    if ("nothing" in call) return { ok: true, detail: NOTHING_SUBMITTED };
    return { ok: false, detail: failure(call.failed) };
  }
  if (call.call === "audit") {
    if ("failed" in call) return { ok: false, detail: `of ${nameOf(call.target)}: ${failure(call.failed)}` };
    return { ok: true, detail: `${nameOf(call.target)} is ${call.verdict}` };
  }
  if ("failed" in call) return { ok: false, detail: failure(call.failed) };
  const shown = call.entries.map((entry) => `${nameOf(entry.recipient)}: ${entry.amount}`);
  return { ok: true, detail: `[${shown.join(", ")}]` };
}

/** `gradual koii test`'s report: Koii's round numbers (every round, the warm-up's too), nodes from 0, base units. */
export const KOII_TEST_REPORT: LocalReportFormat<KoiiCallRecord> = {
  nodeName: koiiNodeName,
  start: () => undefined,
  round: (round) => (round >= 0 ? `round ${round}` : undefined),
  log: (index, level, message) =>
    `  ${koiiNodeName(index)}${level === "info" ? "" : ` ${level.toUpperCase()}`}: ${message}`,
  setupFailed: (index, failure) => `${koiiNodeName(index)}: setup failed (${failure.reason}: ${failure.message})`,
  refused: (tx, refusal) => `  ledger refused ${tx.kind}: ${refusal.code}`,
  // What the ledger recorded is told once the run is over (the command's story of each round).
  event: () => undefined,
  call: (index, call, nameOf) => {
    const { ok, detail } = describeCall(call, nameOf);
    return {
      record: { node: index, cycle: call.cycle, call: call.call, ok, detail },
      line: `  ${koiiNodeName(index)} round ${call.cycle}: ${call.call} ${ok ? "->" : "FAILED:"} ${detail}`,
    };
  },
};

export function runKoiiLocalNetwork(options: KoiiLocalNetworkOptions): Promise<KoiiLocalNetworkResult> {
  const report = options.onReport ?? (() => {});
  return runLocalNetwork({
    ...options,
    chainId: CHAIN_ID,
    serveHttp: true,
    until: "settled",
    // Koii's nodes work every round of the run, the settling ones too.
    skipWork: false,
    format: KOII_TEST_REPORT,
    onReport: report,
    // Time limits follow the mapped windows (task() the work period, audit the audit window) unless the task's
    // config-task.yml `limits:` say otherwise.
    onLimits: (limits) => report(describeTaskLimits(limits)),
  });
}
