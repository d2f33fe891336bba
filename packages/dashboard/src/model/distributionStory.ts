import { type DistributionEntry, decodeList, distributionWindow, listClaimClosesAt, listRoot } from "@gradual/protocol";
import type { BlockWire, CycleView, DistributionRecordWire, TriggerRecordWire } from "@gradual/wire";
import { isPaidByRule, type Timing } from "./windowLayout.ts";

/**
 * What the cycle page says about a cycle's payment, from what the read API holds: the cycle record, its list records
 * (one per attempt, the list in force), its list triggers and the blocks of each attempt's list window. Under
 * `weighted` and `equal` the cycle pays itself at the first slot of round c+2 (protocol.md §6.2, deviation 32): no
 * list, no poster. Under `custom` any candidate may post in an attempt's list window, and a post replaces the list
 * in force only when its poster wins the race (§6.1, deviation 35); nobody is drawn, so an attempt without a post is
 * nobody's missed duty. An accepted list is a Merkle root whose entries are claimed one by one (§6.4, deviation 34).
 */

// ------------------------------------------------------------------------------------------------------------------
// Weighted and equal: paid by rule

export type RulePayment = {
  /** The first slot of round c+2, at whose start the ledger pays the cycle. */
  readonly slot: number;
  readonly round: number;
  /** upcoming: the slot has not come; paid: shares went into vesting; none: nobody to pay (no valid submitter). */
  readonly state: "upcoming" | "paid" | "none";
  /** What happens (or happened) at that slot, in a sentence. */
  readonly text: string;
};

const SHARE_OF = {
  weighted: "a share of the bounty in proportion to its weight (⌊B · w / W⌋)",
  equal: "an equal share of the bounty (⌊B / N⌋)",
} as const;

/** The payment of a `weighted` or `equal` cycle (§6.2). */
export function rulePayment(view: Pick<CycleView, "cycle" | "record" | "windows">, rule: "weighted" | "equal") {
  // The ledger lays a rule task's distribution windows at its first attempt's round (c+2, or c+3 with paired
  // reveals), where the cycle pays itself; a rule-paid cycle has no other attempt.
  const slot = view.windows.distribution.opensAt;
  const round = view.record.attemptRound;
  const share = SHARE_OF[rule];
  if (view.record.outcome === null) {
    return {
      slot,
      round,
      state: "upcoming",
      text: `At slot ${slot}, the first of round ${round}, the ledger pays each valid submitter ${share} into its vesting, and the rest of the bounty returns to the escrow. There is no list and no distributor under the ${rule} rule.`,
    } as const satisfies RulePayment;
  }
  if (view.record.outcome === "no-submitters") {
    return {
      slot,
      round,
      state: "none",
      text: `No valid submitter: at slot ${slot}, the first of round ${round}, nothing was paid and the whole bounty returned to the escrow.`,
    } as const satisfies RulePayment;
  }
  return {
    slot,
    round,
    state: "paid",
    text: `Paid by the ${rule} rule at slot ${slot}, the first of round ${round}: each valid submitter got ${share} into its vesting; the rest of the bounty returned to the escrow. No list, no distributor.`,
  } as const satisfies RulePayment;
}

// ------------------------------------------------------------------------------------------------------------------
// Custom: the posting race

/** One `submitDistribution` of an attempt, in ledger order, as its block recorded it. */
export type ListPost = {
  readonly slot: number;
  readonly tx: string;
  readonly poster: string;
  /** The ledger's code when it refused the post (`DISTRIBUTION__NOT_BETTER`: its poster lost the race). */
  readonly refused: string | null;
  /** The poster whose list this post replaced; null for the first list or a refused post. */
  readonly replaced: string | null;
  /** The later poster that beat this one, and when; null while this list is in force (or for a refused post). */
  readonly replacedBy: { readonly poster: string; readonly slot: number } | null;
  readonly total: string;
  readonly entryCount: number;
  readonly listRoot: string;
};

/** The posts of attempt `attempt` of a cycle, from the blocks of its list window (any order, any overlap). */
export function listPosts(
  blocks: readonly BlockWire[],
  task: string,
  cycle: number,
  attempt: number,
): readonly ListPost[] {
  const seen = new Set<number>();
  const ordered = [...blocks]
    .sort((a, b) => a.number - b.number)
    .filter((block) => !seen.has(block.number) && seen.add(block.number));
  const posts: Omit<ListPost, "replacedBy">[] = [];
  for (const block of ordered) {
    for (const { hash, tx, result } of block.txs) {
      if (tx.kind !== "submitDistribution" || tx.task !== task || tx.cycle !== cycle || tx.attempt !== attempt)
        continue;
      const submitted = block.events.find(
        (item) => item.tx === hash && item.event.type === "DistributionSubmitted",
      )?.event;
      posts.push({
        slot: block.slot,
        tx: hash,
        poster: tx.from,
        refused: result.ok ? null : result.code,
        replaced: submitted?.type === "DistributionSubmitted" ? submitted.replaced : null,
        total: tx.total,
        entryCount: tx.entryCount,
        listRoot: tx.listRoot,
      });
    }
  }
  // Each accepted post replaced the one accepted before it (§6.1): the holder is always the latest winner.
  const accepted = posts.filter((post) => post.refused === null);
  return posts.map((post) => {
    const next = post.refused === null ? accepted[accepted.indexOf(post) + 1] : undefined;
    return { ...post, replacedBy: next === undefined ? null : { poster: next.poster, slot: next.slot } };
  });
}

export type AttemptState =
  /** The attempt's list window has not opened. */
  | "upcoming"
  /** The window is open and nobody has posted yet. */
  | "open"
  /** Nobody posted a list in time: the attempt failed, nobody is marked or slashed (§6.5). */
  | "missing"
  /** A list is in force (the window may still be open) or under audit. */
  | "posted"
  | "accepted"
  | "rejected";

export type AttemptStory = {
  readonly attempt: number;
  readonly round: number;
  readonly listWindow: { readonly opensAt: number; readonly closesAt: number };
  readonly state: AttemptState;
  /** The list in force at the end of the window (or now, while it is open). */
  readonly list: DistributionRecordWire | undefined;
  /** The list audit of this attempt's list, if one was triggered. */
  readonly trigger: TriggerRecordWire | undefined;
  /** What happened, in a sentence or two. */
  readonly text: string;
};

/** The label of a list record's status, for people: the ledger's `complete` means posted and not yet settled. */
export function listStatusLabel(status: DistributionRecordWire["status"]): string {
  return status === "complete" ? "posted" : status;
}

function missingText(attempt: number, round: number, last: boolean, noCandidate: boolean): string {
  if (noCandidate) {
    return `Attempt ${attempt}: no candidate was left to post (every valid submitter's list had been rejected), so the cycle completed as distribution-failed.`;
  }
  const after = last
    ? "no attempt was left, so the cycle completed as distribution-failed and its bounty returned to the escrow"
    : `the next attempt opened in round ${round + 1}`;
  return `Attempt ${attempt}: nobody posted a list in time; ${after}. Posting is optional, so nobody is slashed or marked for it.`;
}

function listText(
  story: Omit<AttemptStory, "text">,
  nextSlot: number,
  listVotesCloseAt: number,
  outcome: string | null,
): string {
  const { attempt, list, trigger, listWindow } = story;
  if (list === undefined) return "";
  const lead = `Attempt ${attempt}: the list in force is the one posted at slot ${list.slot}`;
  if (list.status === "accepted") {
    return `${lead}; nobody's list audit rejected it, so it was accepted and the cycle completed as ${outcome ?? "paid"}. Its entries are claimed one by one (by anyone, with a Merkle proof) into the recipients' vesting.`;
  }
  if (list.status === "rejected") {
    const how = trigger?.resolution === "disputed" ? "disputed (no slash)" : "upheld (its poster was slashed)";
    return `${lead}; a list audit found it wrong and the trigger was ${how}, so the attempt failed and its poster may not post again in this cycle.`;
  }
  if (nextSlot < listWindow.closesAt) {
    return `${lead}; it leads the race. Any other candidate may still post until slot ${listWindow.closesAt - 1}; a post replaces it only if its poster wins the race.`;
  }
  return `${lead}; the window has closed. Nodes recompute the list and compare roots; unless a list audit rejects it by slot ${listVotesCloseAt - 1}, it is accepted.`;
}

/**
 * The attempts of a `custom` cycle, oldest first (§6.1-§6.5). `timing` gives each attempt's list window; attempts
 * run one round apart from round c+2. A cycle that completed as `no-submitters` had no attempt, and a pruned cycle's
 * lists are gone from the state (§9.3): neither has a story to tell.
 */
export function attemptStories(
  view: Pick<CycleView, "cycle" | "record" | "distributions" | "triggers" | "nextSlot" | "windows" | "pruned">,
  timing: Timing,
): readonly AttemptStory[] {
  const { record } = view;
  if (record.outcome === "no-submitters" || view.pruned) return [];
  const stories: AttemptStory[] = [];
  for (let attempt = 0; attempt <= record.attempt; attempt += 1) {
    // Failed attempts ran one round apart, the current one in `attemptRound` (§6.5).
    const round = record.attemptRound - (record.attempt - attempt);
    const listWindow = distributionWindow(timing, round);
    const list = view.distributions.find((item) => item.attempt === attempt);
    const trigger = view.triggers.find((item) => item.kind === "distribution" && item.attempt === attempt);
    const last = attempt === record.attempt;
    let state: AttemptState;
    if (list !== undefined) state = list.status === "complete" ? "posted" : list.status;
    else if (!last || record.outcome === "distribution-failed") state = "missing";
    else if (view.nextSlot < listWindow.opensAt) state = "upcoming";
    else state = "open";
    const base = { attempt, round, listWindow, state, list, trigger };
    let text: string;
    if (state === "missing") {
      const noCandidate =
        last && record.failedDistributors.length > 0 && record.failedDistributors.length >= record.validCount;
      text = missingText(attempt, round, last, noCandidate);
    } else if (state === "upcoming") {
      text = `Attempt ${attempt}: in round ${round} (slots ${listWindow.opensAt}–${listWindow.closesAt - 1}) any valid, staked submitter that has not failed in this cycle may post its list; the list in force is the one whose poster wins the race.`;
    } else if (state === "open") {
      text = `Attempt ${attempt}: the list window is open until slot ${listWindow.closesAt - 1} and nobody has posted yet. If nobody posts in time, the next attempt opens next round.`;
    } else {
      const votesCloseAt = attempt === record.attempt ? view.windows.distributionVotes.closesAt : listWindow.closesAt;
      text = listText(base, view.nextSlot, votesCloseAt, record.outcome);
    }
    stories.push({ ...base, text });
  }
  return stories;
}

/** The blocks to read for an attempt's posts: its list window, at most `maxBlocks` per request. */
export function listWindowRanges(
  window: { readonly opensAt: number; readonly closesAt: number },
  headSlot: number,
  maxBlocks: number,
): readonly (readonly [number, number])[] {
  const ranges: [number, number][] = [];
  const last = Math.min(window.closesAt - 1, headSlot);
  for (let from = window.opensAt; from <= last; from += maxBlocks)
    ranges.push([from, Math.min(last, from + maxBlocks - 1)]);
  return ranges;
}

// ------------------------------------------------------------------------------------------------------------------
// Custom: the accepted list's entries and claims

export type ListClaims = {
  /** The list's total, reserved in the cycle at acceptance. */
  readonly total: bigint;
  /** Claimed so far (the total less what the cycle still holds); null once the claim window closed. */
  readonly claimed: bigint | null;
  /** Still claimable; null once the claim window closed (what was left then returned to the escrow). */
  readonly unclaimed: bigint | null;
  readonly text: string;
};

/**
 * How much of an accepted list has been claimed (§6.4). Each claim moves its entry out of the cycle's reservation, so
 * the cycle record gives the sum until the list's claim window closes (`listClaimRounds` after the acceptance), when
 * the rest returns to the escrow; which entries were claimed is not in the read API.
 */
export function listClaims(
  view: Pick<CycleView, "record" | "pruned" | "slot">,
  list: DistributionRecordWire,
  timing: Timing,
): ListClaims {
  const total = BigInt(list.total);
  const completedRound = view.record.completedRound;
  if (view.pruned || (completedRound !== null && view.slot >= listClaimClosesAt(timing, completedRound))) {
    return {
      total,
      claimed: null,
      unclaimed: null,
      text: "The claim window closed (listClaimRounds after the acceptance): entries nobody had claimed by then returned to the escrow.",
    };
  }
  const unclaimed = BigInt(view.record.reserved);
  const claimed = total > unclaimed ? total - unclaimed : 0n;
  return {
    total,
    claimed,
    unclaimed,
    text:
      unclaimed === 0n
        ? "The whole total has been claimed into the recipients' vesting."
        : "Entries stay claimable for listClaimRounds rounds after the acceptance; what is unclaimed then returns to the escrow. Which entries were claimed is not in the read API; a recipient's node page shows its vesting.",
  };
}

export type ListEntries =
  | { readonly kind: "entries"; readonly entries: readonly DistributionEntry[]; readonly matchesRoot: boolean }
  | { readonly kind: "unreadable" };

/** A list blob's entries (`recipient amount` lines, §6.2), checked against the posted root. */
export function listEntriesOf(bytes: Uint8Array, root: string): ListEntries {
  const entries = decodeList(bytes);
  if (entries === null) return { kind: "unreadable" };
  return { kind: "entries", entries, matchesRoot: listRoot(entries) === root };
}

/** Whether the cycle page should tell the posting race (custom) or the rule's payment. */
export function distributionKind(timing: Timing | undefined): "custom" | "rule" | "unknown" {
  if (timing === undefined) return "unknown";
  return isPaidByRule(timing) ? "rule" : "custom";
}

// ------------------------------------------------------------------------------------------------------------------
// The cycle page's windows table

export type CycleWindowRow = {
  readonly key: keyof CycleView["windows"] | "rulePayment";
  readonly label: string;
  readonly what: string;
  readonly opensAt: number;
  readonly closesAt: number;
  /** The distribution attempt these slots belong to, when it is a retry (custom only). */
  readonly attempt: number | null;
};

/**
 * The windows of a cycle (§2.2) for its table. A `custom` task has the list, list audit and list vote windows of the
 * current attempt; a `weighted` or `equal` task has none, only the slot at whose start it is paid (§6.2). While the
 * task's rule is unknown (still loading) the distribution rows are left out rather than guessed.
 */
export function cycleWindowRows(
  kind: ReturnType<typeof distributionKind>,
  view: Pick<CycleView, "windows" | "record">,
): readonly CycleWindowRow[] {
  const { windows } = view;
  const row = (key: keyof CycleView["windows"], label: string, what: string): CycleWindowRow => ({
    key,
    label,
    what,
    ...windows[key],
    attempt: key.startsWith("distribution") && view.record.attempt > 0 ? view.record.attempt : null,
  });
  const rows = [
    row("commit", "Commit", "nodes post a hash of their proof (end of the work round)"),
    row("reveal", "Reveal", "nodes reveal digest and salt; the audit seed is fixed at the end"),
    row("proofTriggers", "Audit", "auditors trigger against bad proofs (bond locked)"),
    row("proofVotes", "Proof votes", "nodes vote on each trigger; triggers resolve at the end"),
  ];
  if (kind === "rule") {
    const opensAt = windows.distribution.opensAt;
    rows.push({
      key: "rulePayment",
      label: "Payment",
      what: "paid by rule at the start of this slot, the first of round c+2: each valid submitter's share goes into its vesting (no list, no distributor)",
      opensAt,
      closesAt: opensAt + 1,
      attempt: null,
    });
  } else if (kind === "custom") {
    rows.push(
      row(
        "distribution",
        "List",
        "any valid, staked submitter may post its list (a Merkle root); a post replaces the list in force only if its poster wins the race",
      ),
      row("distributionTriggers", "List audit", "nodes recompute the list and trigger if its root differs"),
      row(
        "distributionVotes",
        "List votes",
        "votes on a list trigger; then the list is accepted (its entries become claimable) or rejected",
      ),
    );
  }
  return rows;
}
