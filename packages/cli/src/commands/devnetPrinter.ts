import { formatTokenAmount, type ProtocolEventType, withdrawableFrom } from "@gradual/protocol";
import {
  type BlockEventData,
  describeEvent,
  describeEventLine,
  type EventDescription,
  NOTABLE_EVENT_TYPES,
  type TaskParamsWire,
  type WireEvent,
} from "@gradual/wire";

/**
 * Turns the ledger's event stream into the devnet's round-by-round story (protocol.md §2): which cycle is in which
 * period, then what happened to each cycle in plain words (the events' shared descriptions, @gradual/wire
 * `describeEvent`), with node labels instead of keys and amounts in tokens. The story groups what would repeat
 * once per node: commits, reveals and votes are counted, claims listed on one line.
 */

export type EventPrinterOptions = {
  readonly task: {
    readonly startSlot: number;
    readonly params: Pick<
      TaskParamsWire,
      "roundSlots" | "revealSlots" | "allowedFailedDistributions" | "vestingRounds"
    >;
  };
  readonly taskId: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly quiet: boolean;
  readonly write: (line: string) => void;
};

/** Left out of the story: the round header says a cycle started, the rewards table says what vested. */
const UNTOLD: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>([
  "CycleStarted",
  "Vested",
  "Transferred",
  "TaskFunded",
  "CyclePruned",
]);
/** Told after the block's other lines: a slash or a claw-back follows the verdict that caused it. */
const TOLD_LAST: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>(["Slashed", "RewardClawedBack"]);
/** What --quiet still prints: what needs the operator. */
const FOR_THE_OPERATOR: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>(["TaskPaused", "TaskResumed"]);

const tokens = (amount: string) => formatTokenAmount(BigInt(amount));

export function createEventPrinter(options: EventPrinterOptions) {
  const { task, taskId, labels, quiet, write } = options;
  const label = (account: string) => labels.get(account) ?? `${account.slice(0, 8)}…`;
  const roundOf = (slot: number) => Math.floor((slot - task.startSlot) / task.params.roundSlots);
  let lastRound = Number.NEGATIVE_INFINITY;
  /** The first round any node of the task was active in (its earliest `Staked` activation round), if one staked. */
  let firstActiveRound = Number.POSITIVE_INFINITY;
  /** Each node's newest revealed cycle: its stake stays until that cycle's late-challenge window ends (§3.4). */
  const lastReveal = new Map<string, number>();
  /** Cycles of the task with at least one commit. */
  const committed = new Set<number>();

  function header(round: number): void {
    const start = task.startSlot + round * task.params.roundSlots;
    const parts = [`cycle ${round} working`];
    // Paired reveals (protocol.md §2.2): cycle r − 1 reveals at the round's end, r − 2 is reviewed, r − 3 is paid.
    const lag = task.params.revealSlots === 0 ? 2 : 1;
    // A cycle nobody committed in has nothing to reveal.
    if (lag === 2 && round >= 1 && committed.has(round - 1))
      parts.push(`cycle ${round - 1} revealing with the commits`);
    if (round >= lag) parts.push(`cycle ${round - lag} in review`);
    if (round >= lag + 1) parts.push(`cycle ${round - lag - 1} distributing`);
    write(`\n── round ${round} · slots ${start}–${start + task.params.roundSlots - 1} · ${parts.join(" · ")}`);
  }

  /** One event as one line: `cycle N: ✔ title: sentence`, accounts as labels, amounts in tokens. */
  function tell(event: WireEvent, description: EventDescription): string {
    const notable = NOTABLE_EVENT_TYPES.has(event.type) || TOLD_LAST.has(event.type);
    // A cycle nobody revealed in: before any stake is active nobody may commit (stake is active once its warm-up is
    // over, §3.2); after that it usually means the task's code failed on every node, as the logs say.
    const hint =
      event.type === "Unstaked"
        ? `; ${withdrawHint(event.node, event.untilRound)}`
        : event.type === "TaskPaused"
          ? ` (gradual task fund ${taskId} --amount N --key KEY)`
          : event.type === "SeedFixed" && event.revealCount === 0
            ? event.cycle < firstActiveRound
              ? ` (no node was active in round ${event.cycle} yet: stake counts once its warm-up is over${Number.isFinite(firstActiveRound) ? `, here from round ${firstActiveRound}` : ""})`
              : " (no node submitted: the task's errors are in the nodes' logs, DATA/node-N.log)"
            : "";
    return `${describeEventLine(description, { account: label, amount: tokens }, notable)}${hint}`;
  }

  /** The first round `gradual withdraw` can succeed (the ledger's rule), and what holds the stake until then. */
  function withdrawHint(node: string, untilRound: number): string {
    const from = withdrawableFrom(task.params, {
      unbondingUntilRound: untilRound,
      lastRevealCycle: lastReveal.get(node) ?? -1,
    });
    return from.heldBy === "unbonding"
      ? `withdrawable from round ${from.round}`
      : `withdrawable from round ${from.round} (the late-challenge window of cycle ${from.cycle} holds it)`;
  }

  function describe(events: readonly WireEvent[]): string[] {
    const lines: string[] = [];
    const last: string[] = [];
    const counts = new Map<string, number>();
    const votes = new Map<string, Map<string, number>>();
    const claims: string[] = [];
    for (const event of events) {
      if (event.type === "Staked" && event.task === taskId) {
        firstActiveRound = Math.min(firstActiveRound, event.activationRound);
      }
      if (event.type === "Committed" && event.task === taskId) committed.add(event.cycle);
      if (event.type === "Revealed" && event.task === taskId) {
        lastReveal.set(event.node, Math.max(lastReveal.get(event.node) ?? -1, event.cycle));
      }
      if (quiet && !FOR_THE_OPERATOR.has(event.type)) continue;
      if (UNTOLD.has(event.type)) continue;
      if (event.type === "Committed" || event.type === "Revealed") {
        const key = `${event.type}/${event.cycle}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } else if (event.type === "Voted") {
        const key = `${event.cycle}/${event.trigger}`;
        const tally = votes.get(key) ?? new Map<string, number>();
        tally.set(event.choice, (tally.get(event.choice) ?? 0) + 1);
        votes.set(key, tally);
      } else if (event.type === "Claimed") {
        claims.push(`${label(event.node)} ${tokens(event.amount)}`);
      } else {
        (TOLD_LAST.has(event.type) ? last : lines).push(tell(event, describeEvent(event)));
      }
    }
    for (const [key, count] of counts) {
      const [type, cycle] = key.split("/");
      const plural = count === 1 ? "" : "s";
      const noun =
        type === "Committed"
          ? `commit${plural} (proof hashes only: nobody can copy a proof yet)`
          : `reveal${plural} (proofs now served to auditors)`;
      lines.unshift(`cycle ${cycle}: ${count} ${noun}`);
    }
    for (const [key, tally] of votes) {
      const [cycle, trigger] = key.split("/");
      lines.push(
        `cycle ${cycle}: votes on audit #${trigger}: ${[...tally].map(([choice, n]) => `${n} ${choice}`).join(", ")}`,
      );
    }
    lines.push(...last);
    if (claims.length > 0) lines.push(`claimed vested rewards: ${claims.join(", ")}`);
    return lines;
  }

  return {
    /** Said once before the story: how paired reveals (§2.2) shift a cycle's periods (nothing otherwise). */
    start(): void {
      if (task.params.revealSlots === 0)
        write(
          "paired reveals: a node's reveal of cycle c goes in one transaction with its commit of c + 1; review and pay come a round later",
        );
    },
    /** The task round of a block (undefined before the task starts), printing nothing. */
    roundOf(data: BlockEventData): number | undefined {
      const slot = data.header.slot;
      return slot < task.startSlot ? undefined : roundOf(slot);
    },
    /** Prints one block's story; returns the task round of the block. */
    block(data: BlockEventData): number | undefined {
      const slot = data.header.slot;
      if (slot < task.startSlot) return undefined;
      const round = roundOf(slot);
      if (round !== lastRound) {
        lastRound = round;
        header(round);
      }
      const events = data.events
        .map((item) => item.event)
        .filter((event) => !("task" in event) || event.task === taskId);
      const at = `  slot ${String(slot).padStart(5)}  `;
      for (const line of describe(events)) write(`${at}${line}`);
      // --quiet keeps the round headers and whatever needs the operator (the task paused or resumed).
      if (quiet) return round;
      for (const tx of data.txs) {
        if (!tx.result.ok)
          write(`${at}${label(tx.from)}: ${tx.kind} refused (${tx.result.code})${REFUSAL_HINTS[tx.result.code] ?? ""}`);
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

/**
 * Tells a devnet's story from the ledger's blocks after `after`: rounds 0 to `rounds - 1` are printed, and the first
 * block of round `rounds` ends it, unprinted. `onRound` runs once for each round shown, at its first block.
 */
export function followRounds(
  client: { subscribe(onBlock: (data: BlockEventData) => void, options: { after?: number }): { close(): void } },
  printer: ReturnType<typeof createEventPrinter>,
  rounds: number,
  after: number,
  onRound: (round: number) => void = () => {},
): Promise<void> {
  let shownRound = Number.NEGATIVE_INFINITY;
  return new Promise<void>((done) => {
    const subscription = client.subscribe(
      (data) => {
        const next = printer.roundOf(data);
        if (next !== undefined && next >= rounds) {
          subscription.close();
          done();
          return;
        }
        const round = printer.block(data);
        if (round !== undefined && round > shownRound) {
          shownRound = round;
          onRound(round);
        }
      },
      { after },
    );
  });
}
