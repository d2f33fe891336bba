import type { LedgerClient } from "@gradual/ledger/client";
import { formatTokenAmount, type ProtocolEventType } from "@gradual/protocol";
import type { WireEvent, WireEventOf } from "@gradual/wire";

/**
 * `gradual node status`: what the ledger says about one node of one task, read over the ledger's HTTP API. The
 * node's record (stake, vesting, slashes, losing votes) comes from GET /tasks/{id}/nodes/{account}; its history
 * (duties done, payments, audits against it, slashes) from the blocks' events since the task was created, each
 * with the block and the transaction that shows it.
 */

export type HistoryEntry<E extends WireEvent = WireEvent> = {
  readonly block: number;
  readonly slot: number;
  /** The transaction that caused the event, or null for a window end. */
  readonly tx: string | null;
  readonly event: E;
};

/** A transaction of the node's that the ledger included but refused (a stale or late duty, usually). */
export type RefusedEntry = {
  readonly block: number;
  readonly slot: number;
  readonly tx: string;
  readonly kind: string;
  readonly code: string;
};

export type NodeHistory = {
  readonly task: string;
  readonly account: string;
  readonly head: number;
  readonly entries: readonly HistoryEntry[];
  readonly done: Readonly<Record<string, number>>;
  readonly refused: readonly RefusedEntry[];
};

/** Blocks per request (the ledger answers at most 100). */
const PAGE_BLOCKS = 100;
/** Events that matter for every node of the task: cycles starting and completing, pauses. */
const TASK_WIDE: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>([
  "CycleStarted",
  "CycleCompleted",
  "TaskPaused",
  "TaskResumed",
  "DistributionAccepted",
]);
/** The fields in which an event names a node that it concerns. */
const NODE_ROLES = ["node", "voter", "triggerer", "target", "distributor"] as const;

function concerns(event: WireEvent, account: string): boolean {
  return NODE_ROLES.some(
    (role) => role in event && (event as { readonly [K in typeof role]?: string })[role] === account,
  );
}

/** Reads every block from the task's creation to the head and keeps what concerns the node (bounded by the chain). */
export async function readNodeHistory(
  client: LedgerClient,
  task: string,
  account: string,
  fromBlock: number,
): Promise<NodeHistory> {
  const head = (await client.getHead()).number;
  const entries: HistoryEntry[] = [];
  const refused: RefusedEntry[] = [];
  const done: Record<string, number> = {};
  // Votes are kept for the triggers against this node: who judged its proof, and how.
  const triggersAgainst = new Set<string>();
  for (let from = fromBlock; from <= head; from += PAGE_BLOCKS) {
    for (const block of await client.getBlocks(from, Math.min(head, from + PAGE_BLOCKS - 1))) {
      const mine = new Set<string>();
      for (const entry of block.txs) {
        const { tx } = entry;
        if (tx.from !== account || ("task" in tx && tx.task !== task)) continue;
        mine.add(entry.hash);
        if (entry.result.ok) done[entry.tx.kind] = (done[entry.tx.kind] ?? 0) + 1;
        else
          refused.push({
            block: block.number,
            slot: block.slot,
            tx: entry.hash,
            kind: entry.tx.kind,
            code: entry.result.code,
          });
      }
      for (const { tx, event } of block.events) {
        if (!("task" in event) || event.task !== task) continue;
        const against = "trigger" in event && triggersAgainst.has(`${event.cycle}/${event.trigger}`);
        if (event.type === "AuditTriggered" && event.target === account) {
          triggersAgainst.add(`${event.cycle}/${event.trigger}`);
        }
        const keep =
          concerns(event, account) ||
          TASK_WIDE.has(event.type) ||
          ((event.type === "Voted" || event.type === "TriggerResolved") && against) ||
          (event.type === "DistributionSubmitted" && tx !== null && mine.has(tx));
        if (keep) entries.push({ block: block.number, slot: block.slot, tx, event });
      }
    }
  }
  return { task, account, head, entries, done, refused };
}

export type CycleVerdict = "paid" | "not paid" | "slashed" | "open" | "not started";

export type CycleExplanation = {
  readonly cycle: number;
  readonly verdict: CycleVerdict;
  readonly paid: string;
  readonly reasons: readonly { readonly text: string; readonly block?: number; readonly tx?: string | null }[];
};

const tokens = (value: unknown) => `${formatTokenAmount(BigInt(String(value ?? "0")))} tokens`;
const short = (account: unknown) => `${String(account).slice(0, 8)}…`;

/** Why the node was or was not paid (or was slashed) for one cycle, each reason with the block and tx that shows it. */
export function explainCycle(history: NodeHistory, cycle: number, label = short): CycleExplanation {
  const me = history.account;
  const inCycle = history.entries.filter((entry) => "cycle" in entry.event && entry.event.cycle === cycle);
  const find = <K extends ProtocolEventType>(type: K, where: (event: WireEventOf<K>) => boolean = () => true) =>
    inCycle.filter(
      (entry): entry is HistoryEntry<WireEventOf<K>> =>
        entry.event.type === type && where(entry.event as WireEventOf<K>),
    );
  const reasons: { text: string; block?: number; tx?: string | null }[] = [];
  const cite = (text: string, at?: { readonly block: number; readonly tx: string | null }) =>
    reasons.push(at === undefined ? { text } : { text, block: at.block, tx: at.tx });
  const started = find("CycleStarted")[0];
  const completed = find("CycleCompleted")[0];
  const vested = find("Vested", (event) => event.node === me);
  const paid = vested.reduce((sum, entry) => sum + BigInt(entry.event.amount), 0n);
  const slashes = find("Slashed", (event) => event.node === me);
  if (started === undefined) {
    const paused = history.entries.filter(
      (entry): entry is HistoryEntry<WireEventOf<"TaskPaused">> =>
        entry.event.type === "TaskPaused" && entry.event.round <= cycle,
    );
    const last = paused.at(-1);
    if (last !== undefined)
      cite(
        `task paused in round ${last.event.round} (escrow ${tokens(last.event.escrow)}): no cycle starts until it is funded (gradual task fund)`,
        last,
      );
    else cite(`cycle ${cycle} has not started (or is older than the blocks read)`);
    return { cycle, verdict: "not started", paid: "0", reasons };
  }
  const commit = find("Committed", (event) => event.node === me)[0];
  const reveal = find("Revealed", (event) => event.node === me)[0];
  for (const entry of vested) cite(`paid ${tokens(entry.event.amount)} into vesting`, entry);
  if (commit === undefined)
    cite("no commit in time: the node did not commit in this cycle's commit window (not active yet, or down)");
  else if (reveal === undefined) cite("committed, but the reveal was missed: an unrevealed proof is not paid", commit);
  else cite("committed and revealed", reveal);
  for (const trigger of find("AuditTriggered", (event) => event.target === me)) {
    const number = trigger.event.trigger;
    const resolved = find("TriggerResolved", (event) => event.trigger === number && event.target === me)[0];
    const votes = find("Voted", (event) => event.trigger === number);
    const byChoice = new Map<string, string[]>();
    for (const vote of votes) {
      const choice = vote.event.choice;
      byChoice.set(choice, [...(byChoice.get(choice) ?? []), label(vote.event.voter)]);
    }
    const voters = [...byChoice].map(([choice, names]) => `${choice}: ${names.join(", ")}`).join("; ");
    const what =
      trigger.event.verdict === "unavailable"
        ? "availability challenge"
        : trigger.event.verdict === "valid"
          ? "appeal"
          : "audit";
    cite(`${what} #${String(number)} triggered by ${label(trigger.event.triggerer)}`, trigger);
    const resolution = resolved?.event.resolution;
    if (resolution === undefined) cite(`${what} #${String(number)} not resolved yet`);
    else if (what === "appeal") {
      const outcome =
        resolution === "upheld"
          ? "upheld: the proof is valid again (the cycle's pay is not re-run); above the slash supermajority, the nodes that voted it invalid are slashed"
          : resolution === "disputed"
            ? "disputed: the proof stays invalid, the bond came back"
            : "rejected: the proof stays invalid, the bond was burned";
      cite(`appeal #${String(number)} ${outcome} (votes ${voters || "none"})`, resolved);
    } else if (resolution === "upheld")
      cite(`proof judged INVALID (audit #${String(number)} upheld; votes ${voters || "none"})`, resolved);
    else if (resolution === "disputed")
      cite(`proof DISPUTED (over a third judged it invalid; votes ${voters || "none"}): unpaid, not slashed`, resolved);
    else if (resolution === "unavailable")
      cite(`availability challenge #${String(number)} unanswered: the proof was not published in time`, resolved);
    else if (resolution === "answered")
      cite(`availability challenge #${String(number)} answered: the proof was published`, resolved);
    else cite(`audit #${String(number)} rejected: the proof was judged valid (votes ${voters || "none"})`, resolved);
  }
  for (const slash of slashes)
    cite(
      `SLASHED ${tokens(slash.event.fromStake)} of stake and ${tokens(slash.event.fromVesting)} of locked rewards`,
      slash,
    );
  for (const clawback of find("RewardClawedBack", (event) => event.node === me))
    cite(`reward clawed back: ${tokens(clawback.event.amount)} (a late audit)`, clawback);
  for (const rejected of find("DistributionRejected", (event) => event.distributor === me))
    cite(
      `this node's distribution list (attempt ${String(rejected.event.attempt)}) was rejected: ${String(rejected.event.reason)}`,
      rejected,
    );
  for (const refusal of history.refused.filter((entry) => cycleOfRefusal(history, entry) === cycle))
    cite(`${refusal.kind} refused by the ledger: ${refusal.code}`, refusal);
  if (completed === undefined) cite("cycle still open: nodes are paid when its distribution list is accepted");
  else if (paid === 0n && slashes.length === 0 && reveal !== undefined && reasons.length <= 1)
    cite(`cycle completed (${String(completed.event.outcome)}) without paying this node`, completed);
  const verdict: CycleVerdict =
    slashes.length > 0 ? "slashed" : paid > 0n ? "paid" : completed === undefined ? "open" : "not paid";
  return { cycle, verdict, paid: paid.toString(), reasons };
}

/** Refused transactions carry no event: they belong to the cycle whose events share their block, when known. */
function cycleOfRefusal(history: NodeHistory, refusal: RefusedEntry): number | undefined {
  const started = history.entries.filter(
    (entry): entry is HistoryEntry<WireEventOf<"CycleStarted">> =>
      entry.event.type === "CycleStarted" && entry.slot <= refusal.slot,
  );
  return started.at(-1)?.event.cycle;
}

export type NodeStatusSummary = {
  readonly paidTotal: string;
  readonly claimedTotal: string;
  readonly cyclesPaid: number;
  readonly slashes: number;
  readonly done: Readonly<Record<string, number>>;
  readonly refused: number;
};

export function summarize(history: NodeHistory): NodeStatusSummary {
  const me = history.account;
  type NodeEvent = WireEventOf<"Vested" | "Claimed" | "Slashed">;
  const mine = <K extends NodeEvent["type"]>(type: K) =>
    history.entries.filter(
      (entry): entry is HistoryEntry<WireEventOf<K>> =>
        entry.event.type === type && (entry.event as NodeEvent).node === me,
    );
  const sum = (type: "Vested" | "Claimed") =>
    mine(type).reduce((total, entry) => total + BigInt(entry.event.amount), 0n);
  const cycles = new Set(mine("Vested").map((entry) => entry.event.cycle));
  return {
    paidTotal: sum("Vested").toString(),
    claimedTotal: sum("Claimed").toString(),
    cyclesPaid: cycles.size,
    slashes: mine("Slashed").length,
    done: history.done,
    refused: history.refused.length,
  };
}
