import type { CreditReason, ProtocolEventType } from "@gradual/protocol";
import type { WireEvent, WireEventOf } from "./events.ts";

/**
 * Protocol events in plain words: one description per event type, written once for every reader (the dashboard's
 * activity feeds, the devnet's round-by-round story). A description is a title and a sentence made of parts, so
 * each renderer shows accounts and amounts its own way (a link and a formatted amount in the browser, a node's
 * label and tokens in a terminal). The switch is exhaustive: an event type added to the protocol does not compile
 * until it is described here.
 */

export type EventTone = "good" | "bad" | "warn" | "neutral";

export type EventPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "account"; readonly account: string }
  | { readonly kind: "amount"; readonly amount: string };

export type EventDescription = {
  readonly tone: EventTone;
  /** A short headline ("Slashed"). */
  readonly title: string;
  /** The sentence that follows the title, with the accounts and amounts it involves as parts. */
  readonly parts: readonly EventPart[];
  /** The task and cycle the event belongs to, when it has them. */
  readonly task: string | undefined;
  readonly cycle: number | undefined;
};

/** Events a newcomer should notice: tasks opening, pausing and closing, audits, slashes, lists and payments. */
export const NOTABLE_EVENT_TYPES: ReadonlySet<ProtocolEventType> = new Set<ProtocolEventType>([
  "TaskCreated",
  "TaskPaused",
  "TaskResumed",
  "TaskClosed",
  "AuditTriggered",
  "TriggerResolved",
  "Slashed",
  "BondForfeited",
  "Equivocated",
  "DistributionAccepted",
  "DistributionRejected",
  "CycleCompleted",
]);

const account = (value: string): EventPart => ({ kind: "account", account: value });
const amount = (value: string): EventPart => ({ kind: "amount", amount: value });

/** A sentence from a template: accounts and amounts stay parts, everything else becomes text. */
function say(
  strings: TemplateStringsArray,
  ...values: readonly (EventPart | readonly EventPart[] | string | number)[]
): EventPart[] {
  const parts: EventPart[] = [];
  const text = (value: string) => {
    if (value === "") return;
    const last = parts[parts.length - 1];
    if (last?.kind === "text") parts[parts.length - 1] = { kind: "text", text: last.text + value };
    else parts.push({ kind: "text", text: value });
  };
  strings.forEach((literal, index) => {
    text(literal);
    if (index >= values.length) return;
    const value = values[index] as EventPart | readonly EventPart[] | string | number;
    for (const part of typeof value === "object" ? (Array.isArray(value) ? value : [value]) : []) {
      if (part.kind === "text") text(part.text);
      else parts.push(part);
    }
    if (typeof value !== "object") text(String(value));
  });
  return parts;
}

type Told = { readonly tone: EventTone; readonly title: string; readonly parts: readonly EventPart[] };

const weights = (event: WireEventOf<"TriggerResolved">) =>
  say`invalid ${amount(event.invalidWeight)}, valid ${amount(event.validWeight)} of ${amount(event.activeWeight)} active weight`;

function describeAudit(event: WireEventOf<"AuditTriggered">): Told {
  const late = event.late ? ", late" : "";
  if (event.verdict === "unavailable") {
    return {
      tone: "warn",
      title: "Availability challenge",
      parts: say`${account(event.triggerer)} could not fetch ${account(event.target)}'s proof (#${event.trigger}${late}): it must publish it on the ledger`,
    };
  }
  if (event.verdict === "valid") {
    return {
      tone: "warn",
      title: "Appeal",
      parts: say`${account(event.triggerer)} appeals ${account(event.target)}'s proof found invalid (#${event.trigger}): if the weight now present finds it valid, it is reinstated and those who voted it down are slashed; bond ${amount(event.bond)}`,
    };
  }
  const what = event.kind === "proof" ? "proof" : "distribution list";
  return {
    tone: "warn",
    title: event.kind === "proof" ? "Audit raised" : "List challenged",
    parts: say`${account(event.triggerer)} found ${account(event.target)}'s ${what} wrong (#${event.trigger}${event.late ? ", late: the cycle is paid but still vesting" : ""}); bond ${amount(event.bond)}`,
  };
}

function describeResolution(event: WireEventOf<"TriggerResolved">): Told {
  const target = account(event.target);
  // Only an appeal (protocol.md §5.8) may have its target as triggerer: a node appealing its own proof.
  if (event.triggerer === event.target && event.kind === "proof") {
    const outcome =
      event.resolution === "upheld"
        ? "reinstated (not paid); above the slash supermajority, those who voted it down are slashed"
        : event.resolution === "disputed"
          ? "stays invalid; bond returned"
          : "stays invalid; bond burned";
    return {
      tone: event.resolution === "upheld" ? "good" : "warn",
      title: event.resolution === "upheld" ? "Appeal upheld" : "Appeal lost",
      parts: say`#${event.trigger}, ${target}'s own proof: ${weights(event)}; ${outcome}`,
    };
  }
  switch (event.resolution) {
    case "upheld":
      return { tone: "bad", title: "Audit upheld", parts: say`#${event.trigger} against ${target}: ${weights(event)}` };
    case "rejected":
      return {
        tone: "good",
        title: "Audit rejected",
        parts: say`#${event.trigger} against ${target}: ${weights(event)}; ${account(event.triggerer)} loses its bond`,
      };
    case "disputed":
      return {
        tone: "warn",
        title: "Audit disputed",
        parts: say`#${event.trigger} against ${target}: ${weights(event)}; over a third found it wrong: unpaid, nobody slashed`,
      };
    case "answered":
      return {
        tone: "good",
        title: "Proof available",
        parts: say`${target} published its challenged proof (#${event.trigger}) on the ledger: judged like any other`,
      };
    case "unavailable":
      return {
        tone: "warn",
        title: "Proof unavailable",
        parts: say`${target} did not publish its challenged proof (#${event.trigger}) in time: unpaid, not slashed`,
      };
    default:
      return unreachable(event.resolution);
  }
}

function unreachable(value: never): never {
  throw new TypeError(`describeEvent: unexpected ${JSON.stringify(value)}`);
}

function tell(event: WireEvent): Told {
  switch (event.type) {
    case "Transferred":
      return {
        tone: "neutral",
        title: "Transfer",
        parts: say`${account(event.from)} sent ${amount(event.amount)} to ${account(event.to)}`,
      };
    case "TaskCreated":
      return {
        tone: "good",
        title: "Task created",
        parts: say`${account(event.creator)} created it with ${amount(event.funding)} of bounty`,
      };
    case "TaskFunded":
      return {
        tone: "good",
        title: "Task funded",
        parts: say`${account(event.from)} added ${amount(event.amount)} to the escrow`,
      };
    case "TaskPaused":
      return {
        tone: "warn",
        title: "Task paused",
        parts: say`the escrow (${amount(event.escrow)}) cannot cover a round's bounty; fund the task to resume`,
      };
    case "TaskResumed":
      return { tone: "good", title: "Task resumed", parts: say`the escrow covers a round's bounty again` };
    case "TaskClosing":
      return { tone: "warn", title: "Task closing", parts: say`no new cycles; open ones finish` };
    case "TaskClosed":
      return {
        tone: "neutral",
        title: "Task closed",
        parts: say`${amount(event.refunded)} credited to the creator to claim`,
      };
    case "Staked":
      return {
        tone: "neutral",
        title: "Staked",
        parts: say`${account(event.node)} staked ${amount(event.amount)}, active from round ${event.activationRound} (its weight ramps up)`,
      };
    case "Unstaked":
      return {
        tone: "neutral",
        title: "Unbonding",
        parts: say`${account(event.node)} started unbonding ${amount(event.amount)}, unbonded from round ${event.untilRound}`,
      };
    case "Withdrawn":
      return {
        tone: "neutral",
        title: "Withdrawn",
        parts: say`${account(event.node)} withdrew ${amount(event.amount)} and left the task`,
      };
    case "CycleStarted":
      return {
        tone: "neutral",
        title: "Cycle started",
        parts: say`cycle ${event.cycle} reserved ${amount(event.reserved)} of bounty`,
      };
    case "Committed":
      return {
        tone: "neutral",
        title: "Commit",
        parts: say`${account(event.node)} committed its proof's hash (nobody can copy a proof yet)`,
      };
    case "Revealed":
      return {
        tone: "neutral",
        title: "Reveal",
        parts: say`${account(event.node)} revealed its proof (now served to its auditors)`,
      };
    case "SeedFixed":
      return {
        tone: "neutral",
        title: "Seed fixed",
        parts: say`reveals closed with ${event.revealCount} proof${event.revealCount === 1 ? "" : "s"}; seed ${event.seed.slice(0, 10)}… fixes who audits whom`,
      };
    case "AuditTriggered":
      return describeAudit(event);
    case "ProofPublished":
      return {
        tone: "good",
        title: "Proof published",
        parts: say`${account(event.node)} answered availability challenge #${event.trigger} with its proof on the ledger (${event.bytes} bytes)`,
      };
    case "RewardClawedBack":
      return {
        tone: "bad",
        title: "Reward clawed back",
        parts: say`${amount(event.amount)} of ${account(event.node)}'s unclaimed reward went back to the escrow (late challenge #${event.trigger})`,
      };
    case "Voted":
      return {
        tone: "neutral",
        title: "Vote",
        parts: say`${account(event.voter)} voted ${event.choice} on #${event.trigger}`,
      };
    case "Equivocated":
      return {
        tone: "bad",
        title: "Equivocation",
        parts: say`${account(event.voter)} tried to change its vote on #${event.trigger} (recorded, not counted)`,
      };
    case "TriggerResolved":
      return describeResolution(event);
    case "Slashed":
      return {
        tone: "bad",
        title: "Slashed",
        parts: say`${account(event.node)} lost ${amount(event.fromStake)} of stake and ${amount(event.fromVesting)} of locked rewards; ${amount(event.toWhistleblower)} to the whistleblower, ${amount(event.burned)} burned`,
      };
    case "BondForfeited":
      return {
        tone: "good",
        title: "Bond forfeited",
        parts: say`false alarm: ${account(event.triggerer)}'s bond of ${amount(event.amount)} goes to ${account(event.target)}`,
      };
    case "LosingVotePenalized":
      return {
        tone: "warn",
        title: "Losing vote",
        parts: say`${account(event.node)} paid ${amount(event.amount)} for voting on the losing side of #${event.trigger}`,
      };
    case "DistributionSubmitted":
      return {
        tone: "neutral",
        title: "List posted",
        parts:
          event.replaced === null
            ? say`${account(event.distributor)} posted a list of ${event.entries} entries paying ${amount(event.total)} (attempt ${event.attempt}); the others recompute and compare its root`
            : say`${account(event.distributor)} posted a list of ${event.entries} entries paying ${amount(event.total)}, replacing the list of ${account(event.replaced)}, whose poster it beats in the race (attempt ${event.attempt})`,
      };
    case "DistributionAccepted":
      return {
        tone: "good",
        title: "List accepted",
        parts: say`${amount(event.total)} to ${event.entries} nodes; each claims its entry into vesting (unlocks slowly)`,
      };
    case "DistributionRejected":
      return {
        tone: "bad",
        title: "List failed",
        parts:
          event.distributor === null
            ? say`nobody posted a list in time (attempt ${event.attempt}); the next attempt runs next round`
            : say`the list of ${account(event.distributor)} (attempt ${event.attempt}) was rejected (${event.reason}); the next attempt runs next round`,
      };
    case "CycleCompleted":
      return {
        tone: event.outcome === "paid" ? "good" : "warn",
        title: "Cycle complete",
        parts:
          event.outcome === "paid"
            ? say`paid ${amount(event.paid)} into vesting, returned ${amount(event.returned)} to the escrow`
            : say`${event.outcome}: paid ${amount(event.paid)}, returned ${amount(event.returned)} to the escrow`,
      };
    case "CyclePruned":
      return {
        tone: "neutral",
        title: "Cycle pruned",
        parts: say`its commits, reveals, votes and lists were deleted; its summary stays`,
      };
    case "ListClaimWindowClosed":
      return {
        tone: "neutral",
        title: "List claims closed",
        parts: say`the list's entries can no longer be claimed; ${amount(event.unclaimed)} unclaimed returned to the escrow`,
      };
    case "Vested":
      return {
        tone: "good",
        title: "Reward vesting",
        parts: say`${account(event.node)} earned ${amount(event.amount)}, unlocking until round ${event.endRound}`,
      };
    case "Claimed":
      return { tone: "good", title: "Claimed", parts: say`${account(event.node)} claimed ${amount(event.amount)}` };
    case "Credited":
      return {
        tone: "neutral",
        title: "Credited",
        parts: say`${amount(event.amount)} for ${account(event.node)} to claim (${CREDIT_WORDS[event.reason]})`,
      };
    default:
      return unreachable(event);
  }
}

const CREDIT_WORDS: Readonly<Record<CreditReason, string>> = {
  "bond-returned": "its trigger bond back",
  "bond-won": "the bond of a trigger rejected against it",
  whistleblower: "its whistleblower share of a slash",
  escrow: "the escrow of its closed task",
  clawback: "a reward clawed back after the task closed",
};

export function describeEvent(event: WireEvent): EventDescription {
  return {
    ...tell(event),
    task: "task" in event ? event.task : undefined,
    cycle: "cycle" in event ? event.cycle : undefined,
  };
}

export type PartRenderer = {
  readonly account: (account: string) => string;
  readonly amount: (amount: string) => string;
};

/** The sentence as text, accounts and amounts rendered by the caller (a terminal's labels and tokens). */
export function partsToText(parts: readonly EventPart[], render: PartRenderer): string {
  return parts
    .map((part) =>
      part.kind === "text"
        ? part.text
        : part.kind === "account"
          ? render.account(part.account)
          : render.amount(part.amount),
    )
    .join("");
}

/**
 * A description as one line of a terminal's story (the devnet's, a local run's): `cycle N: ✔ title: sentence`, with
 * ✔ or ✘ before the title of a good or bad outcome when `marked`.
 */
export function describeEventLine(description: EventDescription, render: PartRenderer, marked: boolean): string {
  const mark = !marked ? "" : description.tone === "good" ? "✔ " : description.tone === "bad" ? "✘ " : "";
  const prefix = description.cycle === undefined ? "" : `cycle ${description.cycle}: `;
  return `${prefix}${mark}${description.title.toLowerCase()}: ${partsToText(description.parts, render)}`;
}
