import {
  type Account,
  formatTokenAmount,
  type ProtocolEvent,
  type ProtocolEventType,
  type Transaction,
} from "@gradual/protocol";
import { describeEvent, describeEventLine, toWire } from "@gradual/wire";
import type { TaskCall, TaskFailure } from "../runtime/executor.ts";

/**
 * How a local run (`runLocalNetwork`) says what happens: a line (or none) for each thing, and a record of each task
 * call for the run's result. The run decides what happens; its caller's format decides the words: `gradual task test`
 * uses `TASK_TEST_REPORT`, `gradual koii test` the Koii layer's own (Koii's round numbers and vocabulary).
 */
export type LocalReportFormat<Recorded> = {
  /** A node's name in lines and records. */
  readonly nodeName: (index: number) => string;
  /** Said once, before the first round: when the stakes become active (undefined: nothing). */
  readonly start: (rounds: LocalRounds) => string | undefined;
  /** A round's header, said as the round begins (undefined: none). */
  readonly round: (round: number, rounds: LocalRounds) => string | undefined;
  /** A line the task of node `index` logged. */
  readonly log: (index: number, level: "info" | "warn" | "error", message: string) => string;
  readonly setupFailed: (index: number, failure: TaskFailure) => string;
  /** A transaction the local ledger refused. */
  readonly refused: (tx: Transaction, refusal: { readonly code: string; readonly message: string }) => string;
  /** An event of the ledger (undefined: not told). */
  readonly event: (event: ProtocolEvent, nameOf: (account: Account) => string) => string | undefined;
  /** A task call of node `index`: its record, and its line. */
  readonly call: (
    index: number,
    call: TaskCall,
    nameOf: (account: Account) => string,
  ) => { readonly record: Recorded; readonly line: string };
};

/** The rounds of work of a local run: from the round the stakes become active, as many as asked for. */
export type LocalRounds = { readonly firstRound: number; readonly lastRound: number };

/** Nodes are named from 1, as on the devnet (node-1, node-2, ...). */
export function localNodeName(index: number): string {
  return `node-${index + 1}`;
}

/** One task call of a local run, for its summary and its --json output. */
export type CallRecord<NodeName = string> = {
  /** The node as the report names it: node-1, node-2, ... in `gradual task test`. */
  readonly node: NodeName;
  readonly cycle: number;
  readonly call: TaskCall["call"];
  readonly ok: boolean;
  readonly detail: string;
};

/** The outcomes a task developer wants to see in `gradual task test`: audits, slashes, lists, payments, a pause. */
const TOLD_EVENTS: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>([
  "AuditTriggered",
  "TriggerResolved",
  "Slashed",
  "DistributionAccepted",
  "DistributionRejected",
  "CycleCompleted",
  "TaskPaused",
]);

/** Amounts as the devnet's story shows them: in tokens. */
const tokens = (amount: string) => formatTokenAmount(BigInt(amount));

/** An event as one line, in the words and the form of the devnet's story (@gradual/wire `describeEventLine`). */
function eventLine(event: ProtocolEvent, nameOf: (account: Account) => string): string {
  return describeEventLine(describeEvent(toWire(event)), { account: nameOf, amount: tokens }, true);
}

function describeCall(
  call: TaskCall,
  nameOf: (account: Account) => string,
): { readonly ok: boolean; readonly detail: string; readonly said: string } {
  const failed = (failure: TaskFailure) => `${failure.code}: ${failure.message}`;
  if (call.call === "task+submission") {
    if ("submitted" in call) {
      const preview = new TextDecoder().decode(call.submitted.slice(0, 80)).replace(/\s+/g, " ");
      const detail = `${call.submitted.length} bytes`;
      return { ok: true, detail, said: `task+submission -> ${detail} "${preview}"` };
    }
    if ("nothing" in call)
      return { ok: true, detail: "nothing submitted", said: "task+submission -> nothing submitted (returned null)" };
    const detail = failed(call.failed);
    return { ok: false, detail, said: `task+submission FAILED (${detail}); nothing committed` };
  }
  if (call.call === "audit") {
    const target = nameOf(call.target);
    if ("failed" in call)
      return {
        ok: false,
        detail: `${target}: ${failed(call.failed)}`,
        said: `audit of ${target} FAILED (${call.failed.code})`,
      };
    return { ok: true, detail: `${target}: ${call.verdict}`, said: `audit(${target}) -> ${call.verdict}` };
  }
  if ("failed" in call) {
    const detail = failed(call.failed);
    return { ok: false, detail, said: `distribution FAILED (${detail})` };
  }
  const shown = call.entries.map((entry) => `${nameOf(entry.recipient)} ${formatTokenAmount(entry.amount)}`);
  return {
    ok: true,
    detail: shown.join(" "),
    said: `distribution -> ${call.entries.length} entries [${shown.join(", ")}]`,
  };
}

/** `gradual task test`'s report: nodes named from 1, cycles, amounts in tokens, the outcomes in words. */
export const TASK_TEST_REPORT: LocalReportFormat<CallRecord> = {
  nodeName: localNodeName,
  start: ({ firstRound }) => (firstRound > 0 ? `warm-up: stakes become active in round ${firstRound}` : undefined),
  round: (round, { firstRound, lastRound }) => {
    if (round < firstRound || round > lastRound + 1) return undefined;
    // The rounds after the last one asked for do no new work: they only review and pay the last cycles.
    return round <= lastRound
      ? `round ${round}`
      : `after round ${lastRound}: no new work; the last cycles finish review and payment`;
  },
  log: (index, level, message) => `  ${localNodeName(index)} ${level === "info" ? "log" : level}: ${message}`,
  setupFailed: (index, failure) => `${localNodeName(index)}: setup failed (${failure.code}: ${failure.message})`,
  refused: (tx, refusal) => `  refused ${tx.kind}: ${refusal.code} ${refusal.message}`,
  event: (event, nameOf) => (TOLD_EVENTS.has(event.type) ? `  ${eventLine(event, nameOf)}` : undefined),
  call: (index, call, nameOf) => {
    const node = localNodeName(index);
    const { ok, detail, said } = describeCall(call, nameOf);
    return {
      record: { node, cycle: call.cycle, call: call.call, ok, detail },
      line: `  ${node} cycle ${call.cycle}: ${said}`,
    };
  },
};
