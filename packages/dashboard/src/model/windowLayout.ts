import {
  commitWindow,
  distributionTriggerWindow,
  distributionVoteWindow,
  distributionWindow,
  firstAttemptRound,
  pairsReveals,
  proofTriggerWindow,
  proofVoteWindow,
  revealWindow,
  reviewLag,
  roundOf,
  roundStart,
  type TaskParams,
} from "@gradual/protocol";

/**
 * What the task view draws: the windows of every cycle around the current slot, laid out from the task's
 * parameters with the protocol's own window arithmetic (protocol.md §2.2), so the picture cannot disagree with
 * the rules. In round r, cycle r works, cycle r-1 is reviewed and cycle r-2 is distributed (§2.1): one cycle
 * starts and one completes every round.
 */

export type Timing = { readonly startSlot: number; readonly params: TaskParams };

export type Period = "work" | "review" | "distribution";

export type WindowName =
  | "work"
  | "commit"
  | "reveal"
  | "proofTriggers"
  | "proofVotes"
  | "distribution"
  | "distributionTriggers"
  | "distributionVotes"
  | "rulePayment";

export type WindowState = "past" | "open" | "future";

export type WindowBar = {
  readonly name: WindowName;
  readonly label: string;
  /** What a node does in this window, in a sentence. */
  readonly description: string;
  readonly opensAt: number;
  readonly closesAt: number;
  readonly state: WindowState;
  /** 0 = main track; 1 = a second, thinner track for vote windows that overlap their trigger window. */
  readonly track: 0 | 1;
};

export type PeriodBand = {
  readonly period: Period;
  readonly cycle: number;
  /** The round this period occupies. */
  readonly round: number;
  /** Distribution attempt (0-based) for the distribution period. */
  readonly attempt: number;
  readonly opensAt: number;
  readonly closesAt: number;
  readonly state: WindowState;
  readonly windows: readonly WindowBar[];
};

export type CycleLane = {
  readonly cycle: number;
  /** complete: paid or given up; live: started and not complete; upcoming: not started yet. */
  readonly status: "complete" | "live" | "upcoming";
  readonly outcome: string | null;
  readonly periods: readonly PeriodBand[];
};

export type RoundMarker = {
  readonly round: number;
  readonly opensAt: number;
  readonly closesAt: number;
  readonly current: boolean;
};

/** What the ledger says about a cycle that the parameters alone cannot: retries and completion. */
export type KnownCycle = {
  readonly cycle: number;
  readonly attempt: number;
  readonly attemptRound: number;
  readonly outcome: string | null;
};

export type WindowLayoutOptions = {
  /** Rounds shown before the current one (default 2). */
  readonly roundsBefore?: number;
  /** Rounds shown after the current one (default 1). */
  readonly roundsAfter?: number;
  /** Cycles the ledger reported (live cycles of the task view, or cycle records). */
  readonly knownCycles?: readonly KnownCycle[];
  /**
   * The newest cycle that started, for a task that starts no new cycles (paused, closing or closed, §8): later
   * cycles are not drawn. Leave it out for an active task, whose coming cycles are drawn as upcoming.
   */
  readonly lastStartedCycle?: number;
  /**
   * The task's open cycles (started, not complete) as the ledger reported them. A cycle whose distribution round has
   * come and that is not among them is complete, even before that round ends (a `custom` list accepted early).
   */
  readonly openCycles?: readonly number[];
};

export type WindowLayout = {
  readonly currentSlot: number;
  /** The task's round at the current slot (negative before the task starts). */
  readonly currentRound: number;
  readonly fromSlot: number;
  readonly toSlot: number;
  readonly rounds: readonly RoundMarker[];
  /** The three live cycles of the current round, one above the other. */
  readonly now: {
    readonly work: PeriodBand | undefined;
    readonly review: PeriodBand | undefined;
    readonly distribution: readonly PeriodBand[];
  };
  /** Cycles whose periods touch the shown range, oldest first (a staircase: one lane starts per round). */
  readonly lanes: readonly CycleLane[];
  /** Whether cycles pay themselves by rule (`weighted`, `equal`) rather than by a posted list (`custom`). */
  readonly paidByRule: boolean;
  /** What the distribution period is under the task's rule, in a sentence ({@link distributionHint}). */
  readonly distributionHint: string;
  /** The cycle that starts in the current round and the one whose distribution runs in it. */
  readonly startingCycle: number | undefined;
  readonly completingCycles: readonly number[];
};

function stateOf(opensAt: number, closesAt: number, slot: number): WindowState {
  if (slot < opensAt) return "future";
  if (slot >= closesAt) return "past";
  return "open";
}

function bar(
  name: WindowName,
  label: string,
  description: string,
  window: { readonly opensAt: number; readonly closesAt: number },
  slot: number,
  track: 0 | 1 = 0,
): WindowBar {
  return { name, label, description, ...window, state: stateOf(window.opensAt, window.closesAt, slot), track };
}

/** The work period of cycle c: round c, ending with the commit window (§2.2, §4.1). */
function workPeriod(task: Timing, cycle: number, slot: number): PeriodBand {
  const opensAt = roundStart(task, cycle);
  const closesAt = roundStart(task, cycle + 1);
  const commit = commitWindow(task, cycle);
  const windows: WindowBar[] = [];
  if (commit.opensAt > opensAt) {
    windows.push(bar("work", "work", "nodes run the task off-chain", { opensAt, closesAt: commit.opensAt }, slot));
  }
  windows.push(bar("commit", "commit", "nodes post a hash of their proof", commit, slot));
  return {
    period: "work",
    cycle,
    round: cycle,
    attempt: 0,
    opensAt,
    closesAt,
    state: stateOf(opensAt, closesAt, slot),
    windows,
  };
}

/**
 * The review period of cycle c: round c+1 with reveals, then proof triggers and votes (§4.2, §5). With paired reveals
 * (§2.2) the reveals come at the end of round c+1 and the review ends with round c+2.
 */
function reviewPeriod(task: Timing, cycle: number, slot: number): PeriodBand {
  const reveal = revealWindow(task, cycle);
  const opensAt = roundStart(task, cycle + 1);
  const closesAt = roundStart(task, firstAttemptRound(task.params, cycle));
  const windows = [
    bar(
      "reveal",
      "reveal",
      pairsReveals(task.params)
        ? "nodes reveal proof digest and salt with their next commit; the seed is fixed at the end"
        : "nodes reveal proof digest and salt; the seed is fixed at the end",
      reveal,
      slot,
    ),
    bar(
      "proofTriggers",
      "audit",
      "auditors check their assigned proofs and trigger on bad ones",
      proofTriggerWindow(task, cycle),
      slot,
    ),
    bar("proofVotes", "votes", "every node votes on each trigger", proofVoteWindow(task, cycle), slot, 1),
  ];
  return {
    period: "review",
    cycle,
    round: cycle + reviewLag(task.params),
    attempt: 0,
    opensAt,
    closesAt,
    state: stateOf(opensAt, closesAt, slot),
    windows,
  };
}

/**
 * Whether the task's cycles pay themselves by rule (`weighted`, `equal`): no list, no poster, no list audit, no
 * retry; the cycle is paid at the first slot of round c+2 (protocol.md §6.2, deviation 32). Only `custom` tasks
 * have list windows (§6.1-§6.5).
 */
export function isPaidByRule(task: Timing): boolean {
  return task.params.distributionRule !== "custom";
}

/** What the distribution period is, in a sentence, under the task's rule (§6). */
export function distributionHint(task: Timing): string {
  return isPaidByRule(task)
    ? `paid by the ${task.params.distributionRule} rule into vesting at the round's first slot: no list, no distributor`
    : "valid submitters race to post the payment list (a Merkle root); unless a list audit rejects it, each entry is claimed into vesting";
}

/**
 * The distribution period of a `weighted` or `equal` cycle: the one slot, the first of round c+2, at whose start the
 * ledger pays every valid submitter its share (§2.3, §6.2). The cycle is complete after it.
 */
function rulePaymentPeriod(task: Timing, cycle: number, slot: number): PeriodBand {
  const round = firstAttemptRound(task.params, cycle);
  const opensAt = roundStart(task, round);
  const closesAt = opensAt + 1;
  // The payment runs at the start of its slot, before the slot's transactions: once that slot's block is the head,
  // the cycle is paid, so the window is past from its own slot on, never open.
  const state = stateOf(opensAt, opensAt, slot);
  const description = `the ledger pays each valid submitter its ${task.params.distributionRule} share into vesting; the rest returns to the escrow`;
  const windows: WindowBar[] = [
    { name: "rulePayment", label: "paid", description, opensAt, closesAt, state, track: 0 },
  ];
  return { period: "distribution", cycle, round, attempt: 0, opensAt, closesAt, state, windows };
}

/** The distribution period of attempt `attempt` of a `custom` cycle c, in round `attemptRound` (§6.1-§6.5). */
function distributionPeriod(
  task: Timing,
  cycle: number,
  attempt: number,
  attemptRound: number,
  slot: number,
): PeriodBand {
  const opensAt = roundStart(task, attemptRound);
  const closesAt = roundStart(task, attemptRound + 1);
  const windows = [
    bar(
      "distribution",
      "list",
      "any valid submitter may post its list; a post replaces the list in force only if its poster wins the race",
      distributionWindow(task, attemptRound),
      slot,
    ),
    bar(
      "distributionTriggers",
      "list audit",
      "nodes recompute the list and trigger if it differs",
      distributionTriggerWindow(task, attemptRound),
      slot,
    ),
    bar(
      "distributionVotes",
      "votes",
      "votes on a list trigger; an unrejected list is accepted and its entries become claimable",
      distributionVoteWindow(task, attemptRound),
      slot,
      1,
    ),
  ];
  return {
    period: "distribution",
    cycle,
    round: attemptRound,
    attempt,
    opensAt,
    closesAt,
    state: stateOf(opensAt, closesAt, slot),
    windows,
  };
}

function laneOf(
  task: Timing,
  cycle: number,
  slot: number,
  known: KnownCycle | undefined,
  openCycles: readonly number[] | undefined,
): CycleLane {
  const currentRound = roundOf(task, slot);
  const periods: PeriodBand[] = [workPeriod(task, cycle, slot), reviewPeriod(task, cycle, slot)];
  if (isPaidByRule(task)) {
    // No attempts to retry: the cycle pays itself at the start of round c+2 (§6.2).
    periods.push(rulePaymentPeriod(task, cycle, slot));
  } else {
    const lastAttempt = known?.attempt ?? 0;
    const lastRound = known?.attemptRound ?? firstAttemptRound(task.params, cycle);
    // Earlier failed attempts ran one round apart, each in its own round (§6.5).
    for (let attempt = 0; attempt <= lastAttempt; attempt += 1) {
      const round = lastRound - (lastAttempt - attempt);
      if (round >= firstAttemptRound(task.params, cycle))
        periods.push(distributionPeriod(task, cycle, attempt, round, slot));
    }
  }
  const last = periods[periods.length - 1] as PeriodBand;
  const outcome = known?.outcome ?? null;
  let status: CycleLane["status"];
  if (outcome !== null) status = "complete";
  else if (cycle > currentRound) status = "upcoming";
  else if (known === undefined && last.state === "past") status = "complete";
  else if (
    openCycles !== undefined &&
    firstAttemptRound(task.params, cycle) <= currentRound &&
    !openCycles.includes(cycle)
  )
    status = "complete";
  else status = "live";
  return { cycle, status, outcome, periods };
}

/**
 * Lays out the windows around `currentSlot` (the head slot): the rounds from `roundsBefore` before the current one
 * to `roundsAfter` after it, every cycle with a period in that range, and the three live cycles of the current
 * round. Cycles the ledger has not reported are drawn from the parameters alone (first attempt, no retries).
 */
export function windowLayout(task: Timing, currentSlot: number, options: WindowLayoutOptions = {}): WindowLayout {
  const roundsBefore = options.roundsBefore ?? 2;
  const roundsAfter = options.roundsAfter ?? 1;
  const currentRound = roundOf(task, currentSlot);
  const firstRound = Math.max(0, currentRound - roundsBefore);
  const lastRound = Math.max(firstRound, currentRound + roundsAfter);
  const known = new Map((options.knownCycles ?? []).map((cycle) => [cycle.cycle, cycle]));
  const rounds: RoundMarker[] = [];
  for (let round = firstRound; round <= lastRound; round += 1) {
    rounds.push({
      round,
      opensAt: roundStart(task, round),
      closesAt: roundStart(task, round + 1),
      current: round === currentRound,
    });
  }
  const fromSlot = roundStart(task, firstRound);
  const toSlot = roundStart(task, lastRound + 1);

  // A cycle touches the range if its work round is at most the last round and its last period ends after fromSlot.
  const lanes: CycleLane[] = [];
  const retries = isPaidByRule(task) ? 0 : Math.max(0, ...[...known.values()].map((cycle) => cycle.attempt));
  const oldest = Math.max(0, firstRound - 1 - reviewLag(task.params) - retries);
  const newest = options.lastStartedCycle === undefined ? lastRound : Math.min(lastRound, options.lastStartedCycle);
  for (let cycle = oldest; cycle <= newest; cycle += 1) {
    const lane = laneOf(task, cycle, currentSlot, known.get(cycle), options.openCycles);
    const last = lane.periods[lane.periods.length - 1];
    if (last !== undefined && last.closesAt > fromSlot) lanes.push(lane);
  }

  const inRound = (band: PeriodBand) => band.round === currentRound;
  const all = lanes.flatMap((lane) => lane.periods);
  const work = currentRound >= 0 ? all.find((band) => band.period === "work" && inRound(band)) : undefined;
  const review = all.find((band) => band.period === "review" && inRound(band));
  const distribution = all.filter((band) => band.period === "distribution" && inRound(band));
  return {
    currentSlot,
    currentRound,
    fromSlot,
    toSlot,
    rounds,
    now: { work, review, distribution },
    lanes,
    paidByRule: isPaidByRule(task),
    distributionHint: distributionHint(task),
    startingCycle: work?.cycle,
    completingCycles: distribution.map((band) => band.cycle),
  };
}

/** Position of a slot in [0, 1] across the layout (clamped), for drawing. */
export function slotFraction(layout: Pick<WindowLayout, "fromSlot" | "toSlot">, slot: number): number {
  const span = layout.toSlot - layout.fromSlot;
  if (span <= 0) return 0;
  return Math.min(1, Math.max(0, (slot - layout.fromSlot) / span));
}
