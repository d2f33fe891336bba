import { formatTokenAmount } from "@gradual/protocol";
import type { StoredEvent } from "../api/live.ts";
import { SCREEN_AMOUNT } from "./amounts.ts";
import type { VestingEvent } from "./vestingCurve.ts";

/**
 * A node's recent history in one task, from the ledger's events: its proof in each cycle and what became of it,
 * the audits it raised, its votes, its slashes and its rewards.
 */

export type ProofRow = {
  readonly cycle: number;
  readonly committedAt: number | undefined;
  readonly revealedAt: number | undefined;
  readonly proofDigest: string | undefined;
  /** "valid" unless an audit against it resolved otherwise. */
  readonly status: "committed" | "valid" | "invalid" | "unavailable";
  readonly slashed: bigint;
  readonly paid: bigint;
  /** Paid, slashed or judged, but its commit and reveal came before the blocks seen (not "not yet"). */
  readonly beforeHistory: boolean;
};

export type NodeHistory = {
  readonly proofs: readonly ProofRow[];
  /** Triggers it raised, votes it cast, slashes it took: the raw events, newest first. */
  readonly audits: readonly StoredEvent[];
  readonly votes: readonly StoredEvent[];
  readonly slashes: readonly StoredEvent[];
  readonly vesting: readonly StoredEvent[];
};

const big = (value: string) => BigInt(value);

export function nodeHistory(events: readonly StoredEvent[], task: string, node: string): NodeHistory {
  const proofs = new Map<number, { -readonly [K in keyof ProofRow]: ProofRow[K] }>();
  const proofOf = (cycle: number) => {
    let row = proofs.get(cycle);
    if (row === undefined) {
      row = {
        cycle,
        committedAt: undefined,
        revealedAt: undefined,
        proofDigest: undefined,
        status: "committed",
        slashed: 0n,
        paid: 0n,
        beforeHistory: false,
      };
      proofs.set(cycle, row);
    }
    return row;
  };
  const audits: StoredEvent[] = [];
  const votes: StoredEvent[] = [];
  const slashes: StoredEvent[] = [];
  const vesting: StoredEvent[] = [];
  // Appeals (verdict `valid`, protocol.md §5.8) by cycle/trigger: an upheld one reinstates its proof.
  const appeals = new Set<string>();
  for (const item of events) {
    const event = item.event;
    if (!("task" in event) || event.task !== task) continue;
    switch (event.type) {
      case "Committed":
        if (event.node === node) proofOf(event.cycle).committedAt = item.slot;
        break;
      case "Revealed":
        if (event.node === node) {
          const row = proofOf(event.cycle);
          row.revealedAt = item.slot;
          row.proofDigest = event.proofDigest;
          row.status = "valid";
        }
        break;
      case "AuditTriggered":
        if (event.verdict === "valid") appeals.add(`${event.cycle}/${event.trigger}`);
        if (event.triggerer === node || event.target === node) audits.push(item);
        break;
      case "TriggerResolved":
        if (event.target === node) {
          audits.push(item);
          if (appeals.has(`${event.cycle}/${event.trigger}`)) {
            if (event.resolution === "upheld") proofOf(event.cycle).status = "valid";
          } else if (event.kind === "proof" && (event.resolution === "upheld" || event.resolution === "unavailable")) {
            proofOf(event.cycle).status = event.resolution === "upheld" ? "invalid" : "unavailable";
          }
        } else if (event.triggerer === node) {
          audits.push(item);
        }
        break;
      case "Voted":
      case "Equivocated":
        if (event.voter === node) votes.push(item);
        break;
      case "Slashed":
        if (event.node === node) {
          slashes.push(item);
          proofOf(event.cycle).slashed += big(event.fromStake) + big(event.fromVesting);
        }
        break;
      case "Vested":
        if (event.node === node) {
          vesting.push(item);
          proofOf(event.cycle).paid += big(event.amount);
        }
        break;
      case "Claimed":
        if (event.node === node) vesting.push(item);
        break;
    }
  }
  for (const row of proofs.values()) {
    if (row.committedAt !== undefined || row.revealedAt !== undefined) continue;
    // Only later events of this cycle were seen: its commit and reveal are older than the history.
    row.beforeHistory = true;
    if (row.status === "committed") row.status = "valid";
  }
  const newestFirst = (list: StoredEvent[]) => list.reverse();
  return {
    proofs: [...proofs.values()].sort((a, b) => b.cycle - a.cycle),
    audits: newestFirst(audits),
    votes: newestFirst(votes),
    slashes: newestFirst(slashes),
    vesting: newestFirst(vesting),
  };
}

/** The vesting events of a node (oldest first) with the round each landed in, for `replayVesting`. */
export function vestingEventsOf(
  events: readonly StoredEvent[],
  task: string,
  node: string,
  roundOfSlot: (slot: number) => number,
): VestingEvent[] {
  const out: VestingEvent[] = [];
  for (const item of events) {
    const event = item.event;
    if (event.type !== "Vested" && event.type !== "Claimed" && event.type !== "Slashed") continue;
    if (event.task !== task || event.node !== node) continue;
    const round = roundOfSlot(item.slot);
    if (event.type === "Vested") {
      out.push({ type: "Vested", round, cycle: event.cycle, amount: big(event.amount), endRound: event.endRound });
    } else if (event.type === "Claimed") {
      out.push({ type: "Claimed", round, amount: big(event.amount) });
    } else {
      out.push({ type: "Slashed", round, fromVesting: big(event.fromVesting) });
    }
  }
  return out;
}

/**
 * The slashes in words, counted the same way as their event lines: stake and locked rewards taken, and how many
 * slashes (of the node's total) happened before the blocks this page has seen.
 */
export function slashSummary(slashes: readonly StoredEvent[], slashCount: number): string {
  const taken = (item: StoredEvent, field: "fromStake" | "fromVesting") =>
    item.event.type === "Slashed" ? big(item.event[field]) : 0n;
  const stake = slashes.reduce((sum, item) => sum + taken(item, "fromStake"), 0n);
  const vesting = slashes.reduce((sum, item) => sum + taken(item, "fromVesting"), 0n);
  const earlier = Math.max(0, slashCount - slashes.length);
  const shown = `${slashes.length} slash${slashes.length === 1 ? "" : "es"} below: ${formatTokenAmount(stake, SCREEN_AMOUNT)} from stake + ${formatTokenAmount(vesting, SCREEN_AMOUNT)} from locked rewards = ${formatTokenAmount(stake + vesting, SCREEN_AMOUNT)}`;
  return earlier === 0 ? `${shown}.` : `${shown}; ${earlier} earlier, before the blocks this page has seen.`;
}
