import type { BlockEventData } from "@gradual/ledger/client";
import { formatTokenAmount } from "@gradual/protocol";

/**
 * Turns the ledger's event stream into the devnet's round-by-round story (protocol.md §2): which cycle is in which
 * period, then what happened to each cycle in plain words, with node labels instead of keys.
 */

export type EventPrinterOptions = {
  readonly task: { startSlot: number; params: { roundSlots: number; bountyPerRound: string } };
  readonly taskId: string;
  readonly labels: Map<string, string>;
  readonly quiet: boolean;
  readonly write: (line: string) => void;
};

type Event = { type: string } & Record<string, unknown>;

const tokens = (value: unknown) => formatTokenAmount(BigInt(String(value ?? "0")));

export function createEventPrinter(options: EventPrinterOptions) {
  const { task, taskId, labels, quiet, write } = options;
  const label = (account: unknown) => labels.get(String(account)) ?? `${String(account).slice(0, 8)}…`;
  const roundOf = (slot: number) => Math.floor((slot - task.startSlot) / task.params.roundSlots);
  let lastRound = Number.NEGATIVE_INFINITY;

  function header(round: number, slot: number): void {
    const start = task.startSlot + round * task.params.roundSlots;
    const parts = [`cycle ${round} working`];
    if (round >= 1) parts.push(`cycle ${round - 1} in review`);
    if (round >= 2) parts.push(`cycle ${round - 2} distributing`);
    write(`\n── round ${round} · slots ${start}–${start + task.params.roundSlots - 1} · ${parts.join(" · ")}`);
    void slot;
  }

  function describe(slot: number, events: Event[]): string[] {
    const lines: string[] = [];
    const after: string[] = [];
    const counts = new Map<string, number>();
    const claims: string[] = [];
    const votes = new Map<string, Map<string, number>>();
    for (const event of events) {
      const cycle = `cycle ${String(event.cycle ?? "")}`;
      switch (event.type) {
        case "Vested":
          break;
        case "Committed":
        case "Revealed":
          counts.set(
            `${event.type}/${String(event.cycle)}`,
            (counts.get(`${event.type}/${String(event.cycle)}`) ?? 0) + 1,
          );
          break;
        case "Voted": {
          const key = `${String(event.cycle)}/${String(event.trigger)}`;
          const tally = votes.get(key) ?? new Map<string, number>();
          tally.set(String(event.choice), (tally.get(String(event.choice)) ?? 0) + 1);
          votes.set(key, tally);
          break;
        }
        case "Claimed":
          claims.push(`${label(event.node)} ${tokens(event.amount)}`);
          break;
        case "SeedFixed":
          lines.push(
            `${cycle}: reveals closed, ${String(event.revealCount)} proofs revealed; seed ${String(event.seed).slice(0, 10)}… fixes who audits whom`,
          );
          break;
        case "AuditTriggered":
          lines.push(
            event.verdict === "unavailable"
              ? `${cycle}: ${label(event.triggerer)} could not fetch ${label(event.target)}'s proof and challenged its availability (#${String(event.trigger)}${event.late ? ", late" : ""}): it must publish the payload on the ledger`
              : `${cycle}: ${label(event.triggerer)} found ${label(event.target)}'s ${event.kind === "proof" ? "proof" : "distribution list"} wrong and triggered an audit (#${String(event.trigger)}${event.late ? ", late: the cycle is paid but still vesting" : ""}, bond ${tokens(event.bond)})`,
          );
          break;
        case "ProofPublished":
          lines.push(
            `${cycle}: ${label(event.node)} published its proof on the ledger (${String(event.bytes)} bytes): available, judged like any other`,
          );
          break;
        case "RewardClawedBack":
          after.push(
            `${cycle}: ↩ ${tokens(event.amount)} of ${label(event.node)}'s unclaimed reward for this cycle clawed back into the escrow`,
          );
          break;
        case "TriggerResolved": {
          const outcome = String(event.resolution).toUpperCase();
          lines.push(
            event.resolution === "answered" || event.resolution === "unavailable"
              ? `${cycle}: availability challenge #${String(event.trigger)} of ${label(event.target)} ${outcome}${event.resolution === "unavailable" ? " — not published in time: unpaid, not slashed" : ""}`
              : `${cycle}: audit #${String(event.trigger)} of ${label(event.target)} ${outcome} — invalid ${tokens(event.invalidWeight)}, valid ${tokens(event.validWeight)} of ${tokens(event.activeWeight)} active weight${event.resolution === "disputed" ? " (over a third found it wrong: unpaid, nobody slashed)" : ""}`,
          );
          break;
        }
        case "Slashed":
          after.push(
            `${cycle}: ✂ ${label(event.node)} SLASHED ${tokens(event.fromStake)} stake + ${tokens(event.fromVesting)} locked rewards; ${tokens(event.toWhistleblower)} to the whistleblower, ${tokens(event.burned)} burned`,
          );
          break;
        case "BondForfeited":
          lines.push(
            `${cycle}: false alarm — ${label(event.triggerer)}'s bond of ${tokens(event.amount)} goes to ${label(event.target)}`,
          );
          break;
        case "DistributorSelected":
          lines.push(
            `${cycle}: ${label(event.distributor)} drawn to post the distribution list (attempt ${String(event.attempt)})`,
          );
          break;
        case "DistributionSubmitted":
          if (!quiet)
            lines.push(
              `${cycle}: list posted (chunk ${Number(event.chunk) + 1}/${String(event.chunkCount)}, ${String(event.entries)} entries); the others recompute and compare`,
            );
          break;
        case "DistributionAccepted":
          lines.push(
            `${cycle}: ✔ list accepted — ${tokens(event.total)} tokens to ${String(event.entries)} nodes, into vesting (paid out slowly)`,
          );
          break;
        case "DistributionRejected":
          lines.push(
            `${cycle}: ✘ list of attempt ${String(event.attempt)} rejected (${String(event.reason)}); a new distributor is drawn next round`,
          );
          break;
        case "CycleCompleted":
          if (!quiet)
            lines.push(
              `${cycle}: complete (${String(event.outcome)}; paid ${tokens(event.paid)}, returned ${tokens(event.returned)} to the escrow)`,
            );
          break;
        case "TaskPaused":
          lines.push(
            `task paused: the escrow (${tokens(event.escrow)}) cannot cover a round's bounty; fund it to resume: gradual task fund ${taskId} --amount N --key KEY`,
          );
          break;
        case "TaskResumed":
          lines.push("task resumed");
          break;
        case "Staked":
          lines.push(
            `${label(event.node)} staked ${tokens(event.amount)} (active from round ${String(event.activationRound)}, weight ramps up)`,
          );
          break;
        default:
          break;
      }
    }
    for (const [key, count] of counts) {
      const [type, cycle] = key.split("/");
      if (quiet) continue;
      const noun = type === "Committed" ? "commits" : "reveals (proofs now served to auditors)";
      lines.unshift(
        `cycle ${cycle}: ${count} ${noun}${type === "Committed" ? " (proof hashes only: nobody can copy a proof yet)" : ""}`,
      );
    }
    for (const [key, tally] of votes) {
      const [cycle, trigger] = key.split("/");
      const parts = [...tally].map(([choice, count]) => `${count} ${choice}`);
      if (!quiet) lines.push(`cycle ${cycle}: votes on audit #${trigger}: ${parts.join(", ")}`);
    }
    lines.push(...after);
    if (claims.length > 0 && !quiet) lines.push(`claimed vested rewards: ${claims.join(", ")}`);
    return lines.map((line) => `  slot ${String(slot).padStart(5)}  ${line}`);
  }

  return {
    /** Prints one block's story; returns the task round of the block. */
    block(data: BlockEventData): number | undefined {
      const slot = data.header.slot;
      if (slot < task.startSlot) return undefined;
      const round = roundOf(slot);
      if (round !== lastRound) {
        lastRound = round;
        header(round, slot);
      }
      const events = data.events
        .map((item) => item.event as Event)
        .filter((event) => event.task === undefined || event.task === taskId);
      // --quiet keeps the round headers and whatever needs the operator (the task paused or resumed).
      for (const line of describe(slot, events)) if (!quiet || /task (paused|resumed)/.test(line)) write(line);
      for (const tx of data.txs) {
        if (!tx.result.ok && !quiet)
          write(
            `  slot ${String(slot).padStart(5)}  ${label(tx.from)}: ${tx.kind} refused (${tx.result.code})${REFUSAL_HINTS[tx.result.code] ?? ""}`,
          );
      }
      return round;
    },
  };
}

/** What a refusal the devnet often shows means to someone watching it (the code alone says little). */
const REFUSAL_HINTS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    NODE__NOT_ACTIVE: ": no active stake this round (warming up, unbonding, or slashed below the minimum); it sits out",
  }),
);
