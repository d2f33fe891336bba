import {
  addToTotals,
  type ChainRecord,
  checkConservation,
  checkTotals,
  forEachStateChange,
  GradualError,
  getReveal,
  type Hash,
  keys,
  ProtocolError,
  type ProtocolEvent,
  readRecord,
  recomputeTotals,
  type State,
  type TotalsRecord,
  type TriggerRecord,
  type VoteRecord,
  ZERO_TOTALS,
} from "@gradual/protocol";

/**
 * protocol.md §11, asserted by the simulator (docs/simulator.md "Invariants"): conservation (the O(1) running totals
 * every slot; a recount from the records every round, kept up to date from the records each round changed; the
 * protocol's own full recount every few rounds and at the end), the payout bound per cycle, and no slash without an
 * upheld trigger.
 * Determinism (§11.4) is checked by running a seed twice (test/determinism.test.ts).
 */

const INVARIANTS = ["conservation", "payout-bound", "paid-once", "slash-needs-upheld-trigger", "engine"] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** An invariant broken inside a run; the driver turns it into a SimulationError with the seed and the replay. */
export class InvariantBreak extends GradualError<"SIM__INVARIANT_BROKEN"> {
  override readonly name = "InvariantBreak";
  constructor(
    readonly invariant: InvariantName,
    readonly detail: string,
  ) {
    super("SIM__INVARIANT_BROKEN", { message: `${invariant}: ${detail}`, context: { invariant } });
  }
}

export class InvariantMonitor {
  readonly #task: Hash;
  readonly #bountyPerRound: bigint;
  readonly #paidByCycle = new Map<number, bigint>();
  readonly #acceptedCycles = new Set<number>();
  totalsChecks = 0;
  recordChecks = 0;
  fullChecks = 0;
  /** The state the record recount was last brought up to date with, and the recount itself. */
  #counted: State | null = null;
  /** `${cycle}/${node}` of every payment seen. */
  readonly #payees = new Set<string>();
  readonly #recount: Record<keyof TotalsRecord, bigint> = { ...ZERO_TOTALS };

  constructor(task: Hash, bountyPerRound: bigint) {
    this.#task = task;
    this.#bountyPerRound = bountyPerRound;
  }

  /** The checks that need a block's events, on the state after the block. */
  checkBlock(state: State, events: readonly ProtocolEvent[]): void {
    const acceptedHere = new Set<number>();
    const upheld = new Set<string>();
    for (const event of events) {
      // A cycle is paid once: by its accepted list (custom) or by its rule when its proof votes close (§6.2).
      if (event.type === "CycleCompleted" && event.outcome === "paid") {
        if (this.#acceptedCycles.has(event.cycle)) {
          throw new InvariantBreak("paid-once", `cycle ${event.cycle} was paid a second time`);
        }
        this.#acceptedCycles.add(event.cycle);
        acceptedHere.add(event.cycle);
      } else if (event.type === "TriggerResolved" && event.resolution === "upheld") {
        upheld.add(`${event.cycle}/${event.trigger}/${event.target}`);
      }
    }
    for (const event of events) {
      if (event.type === "Vested") this.#checkPayment(state, event, acceptedHere);
      else if (
        event.type === "Slashed" &&
        !upheld.has(`${event.cycle}/${event.trigger}/${event.node}`) &&
        !this.#votedDownAppealed(state, event)
      ) {
        throw new InvariantBreak(
          "slash-needs-upheld-trigger",
          `node ${event.node} was slashed in cycle ${event.cycle} (trigger ${event.trigger}) without an upheld trigger against it, nor an upheld appeal of a proof it voted invalid`,
        );
      }
    }
  }

  /** §5.8: the slash's trigger is an upheld appeal, and the node voted `invalid` on the trigger it appealed. */
  #votedDownAppealed(state: State, event: Extract<ProtocolEvent, { type: "Slashed" }>): boolean {
    const appeal = readRecord<TriggerRecord>(state, keys.trigger(this.#task, event.cycle, event.trigger));
    if (appeal?.verdict !== "valid" || appeal.resolution !== "upheld") return false;
    const appealed = readRecord<number>(state, keys.triggerOf(this.#task, event.cycle, "proof", 0, appeal.target));
    if (appealed === undefined) return false;
    const vote = readRecord<VoteRecord>(state, keys.vote(this.#task, event.cycle, appealed, event.node));
    return vote?.choice === "invalid";
  }

  #checkPayment(state: State, event: Extract<ProtocolEvent, { type: "Vested" }>, acceptedHere: Set<number>): void {
    // A rule pays in the block that completes the cycle; a custom list's entries are claimed then or later (§6.4),
    // never before the list is accepted, and each recipient's once.
    if (!acceptedHere.has(event.cycle) && !this.#acceptedCycles.has(event.cycle)) {
      throw new InvariantBreak("paid-once", `payment for cycle ${event.cycle} before the cycle was paid`);
    }
    const payee = `${event.cycle}/${event.node}`;
    if (this.#payees.has(payee)) {
      throw new InvariantBreak("paid-once", `cycle ${event.cycle} paid ${event.node} a second time`);
    }
    this.#payees.add(payee);
    const paid = (this.#paidByCycle.get(event.cycle) ?? 0n) + event.amount;
    this.#paidByCycle.set(event.cycle, paid);
    if (paid > this.#bountyPerRound) {
      throw new InvariantBreak(
        "payout-bound",
        `cycle ${event.cycle} paid ${paid} base units, more than bountyPerRound ${this.#bountyPerRound}`,
      );
    }
    const reveal = getReveal(state, this.#task, event.cycle, event.node);
    if (reveal?.status !== "valid") {
      throw new InvariantBreak(
        "payout-bound",
        `cycle ${event.cycle} paid ${event.node}, which has no valid submission in it (${reveal?.status ?? "none"})`,
      );
    }
  }

  checkTotals(state: State): void {
    this.totalsChecks += 1;
    try {
      checkTotals(state);
    } catch (error) {
      if (error instanceof ProtocolError) throw new InvariantBreak("conservation", error.message);
      throw error;
    }
  }

  checkConservation(state: State): void {
    this.fullChecks += 1;
    try {
      checkConservation(state);
    } catch (error) {
      if (error instanceof ProtocolError) throw new InvariantBreak("conservation", error.message);
      throw error;
    }
  }

  /**
   * The records' sums against the running totals and the supply, like checkConservation, but brought up to date
   * from the records that changed since the last call (forEachStateChange skips shared subtrees), so it costs what the
   * round changed rather than the size of the state.
   */
  checkRecords(state: State): void {
    this.recordChecks += 1;
    if (this.#counted === null) {
      Object.assign(this.#recount, recomputeTotals(state));
    } else {
      const recount = this.#recount;
      forEachStateChange(this.#counted, state, (key, old, value) => {
        addToTotals(recount, key, old, -1n);
        addToTotals(recount, key, value, 1n);
      });
    }
    this.#counted = state;
    const totals = readRecord<TotalsRecord>(state, "totals");
    const chain = readRecord<ChainRecord>(state, "chain");
    if (totals === undefined || chain === undefined)
      throw new InvariantBreak("conservation", "no totals or chain record");
    let sum = 0n;
    for (const bucket of Object.keys(this.#recount) as (keyof TotalsRecord)[]) {
      sum += this.#recount[bucket];
      if (this.#recount[bucket] !== totals[bucket]) {
        throw new InvariantBreak(
          "conservation",
          `running total ${bucket} is ${totals[bucket]}, the records hold ${this.#recount[bucket]}`,
        );
      }
    }
    if (sum !== chain.supply) {
      throw new InvariantBreak("conservation", `the records hold ${sum} in all, the supply is ${chain.supply}`);
    }
  }
}
