import type { WireEvent } from "../api/types.ts";

/**
 * Protocol events (packages/protocol/src/events.ts) in plain words, for the activity feeds. Each description
 * names the accounts and amounts it involves so the view can link and format them.
 */

export type EventTone = "good" | "bad" | "warn" | "neutral";

export type EventDescription = {
  readonly tone: EventTone;
  /** Short headline, e.g. "Slashed". */
  readonly title: string;
  /** Sentence with {actor}, {target} and {amount} placeholders the view fills in. */
  readonly text: string;
  readonly actor?: string | undefined;
  readonly target?: string | undefined;
  readonly amount?: string | undefined;
  readonly task?: string | undefined;
  readonly cycle?: number | undefined;
};

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** Events a newcomer should notice: audits, slashes, lists and payments. */
export const NOTABLE_EVENTS: ReadonlySet<string> = new Set([
  "TaskCreated",
  "TaskPaused",
  "TaskResumed",
  "TaskClosed",
  "AuditTriggered",
  "TriggerResolved",
  "Slashed",
  "BondForfeited",
  "Equivocated",
  "DistributorSelected",
  "DistributionAccepted",
  "DistributionRejected",
  "CycleCompleted",
]);

export function describeEvent(event: WireEvent): EventDescription {
  const task = str(event.task);
  const cycle = num(event.cycle);
  const base = { task, cycle };
  switch (event.type) {
    case "Transferred":
      return {
        ...base,
        tone: "neutral",
        title: "Transfer",
        text: "{actor} sent {amount} to {target}",
        actor: str(event.from),
        target: str(event.to),
        amount: str(event.amount),
      };
    case "TaskCreated":
      return {
        ...base,
        tone: "good",
        title: "Task created",
        text: "{actor} created a task with {amount} of bounty",
        actor: str(event.creator),
        amount: str(event.funding),
      };
    case "TaskFunded":
      return {
        ...base,
        tone: "good",
        title: "Task funded",
        text: "{actor} added {amount} to the escrow",
        actor: str(event.from),
        amount: str(event.amount),
      };
    case "TaskPaused":
      return {
        ...base,
        tone: "warn",
        title: "Task paused",
        text: "the escrow cannot cover the next cycle's bounty; fund the task to resume",
      };
    case "TaskResumed":
      return { ...base, tone: "good", title: "Task resumed", text: "the escrow covers a bounty again" };
    case "TaskClosing":
      return { ...base, tone: "warn", title: "Task closing", text: "no new cycles; open ones finish" };
    case "TaskClosed":
      return {
        ...base,
        tone: "neutral",
        title: "Task closed",
        text: "{amount} returned to the creator",
        amount: str(event.refunded),
      };
    case "Staked":
      return {
        ...base,
        tone: "neutral",
        title: "Staked",
        text: `{actor} staked {amount} (active from round ${num(event.activationRound)})`,
        actor: str(event.node),
        amount: str(event.amount),
      };
    case "Unstaked":
      return {
        ...base,
        tone: "neutral",
        title: "Unbonding",
        text: "{actor} started unbonding {amount}",
        actor: str(event.node),
        amount: str(event.amount),
      };
    case "Withdrawn":
      return {
        ...base,
        tone: "neutral",
        title: "Withdrawn",
        text: "{actor} withdrew {amount} and left the task",
        actor: str(event.node),
        amount: str(event.amount),
      };
    case "CycleStarted":
      return {
        ...base,
        tone: "neutral",
        title: "Cycle started",
        text: `cycle ${cycle} started and reserved {amount}`,
        amount: str(event.reserved),
      };
    case "Committed":
      return { ...base, tone: "neutral", title: "Commit", text: "{actor} committed a proof", actor: str(event.node) };
    case "Revealed":
      return { ...base, tone: "neutral", title: "Reveal", text: "{actor} revealed its proof", actor: str(event.node) };
    case "SeedFixed":
      return {
        ...base,
        tone: "neutral",
        title: "Seed fixed",
        text: `the audit seed of cycle ${cycle} is fixed (${num(event.revealCount)} reveals)`,
      };
    case "AuditTriggered":
      return {
        ...base,
        tone: "warn",
        title: event.kind === "distribution" ? "List challenged" : "Audit raised",
        text:
          event.kind === "distribution"
            ? "{actor} challenged the list of {target}"
            : "{actor} says the proof of {target} is bad",
        actor: str(event.triggerer),
        target: str(event.target),
        amount: str(event.bond),
      };
    case "ProofPublished":
      return {
        ...base,
        tone: "good",
        title: "Proof published",
        text: `{target} answered an availability challenge with ${num(event.bytes)} bytes on the ledger`,
        target: str(event.node),
      };
    case "RewardClawedBack":
      return {
        ...base,
        tone: "bad",
        title: "Reward clawed back",
        text: "{amount} of {target}'s unclaimed reward went back to the escrow (late challenge)",
        target: str(event.node),
        amount: str(event.amount),
      };
    case "Voted":
      return {
        ...base,
        tone: "neutral",
        title: "Vote",
        text: `{actor} voted ${str(event.choice)} on trigger ${num(event.trigger)}`,
        actor: str(event.voter),
      };
    case "Equivocated":
      return {
        ...base,
        tone: "bad",
        title: "Equivocation",
        text: "{actor} tried to change its vote (recorded, not counted)",
        actor: str(event.voter),
      };
    case "TriggerResolved": {
      const resolution = str(event.resolution);
      const tone: EventTone =
        resolution === "upheld" ? "bad" : resolution === "rejected" || resolution === "answered" ? "good" : "warn";
      const text =
        resolution === "upheld"
          ? "the audit against {target} was upheld"
          : resolution === "rejected"
            ? "the audit against {target} was rejected; {actor} loses its bond"
            : resolution === "disputed"
              ? "over a third of the voters found {target}'s proof or list wrong: unpaid, nobody slashed"
              : resolution === "answered"
                ? "{target} published its proof on the ledger: available"
                : "{target} did not publish its challenged proof: no pay, no slash";
      return {
        ...base,
        tone,
        title: `Audit ${resolution}`,
        text,
        actor: str(event.triggerer),
        target: str(event.target),
      };
    }
    case "Slashed":
      return {
        ...base,
        tone: "bad",
        title: "Slashed",
        text: "{target} lost {amount} from stake and unvested rewards",
        target: str(event.node),
        amount: (BigInt(str(event.fromStake) ?? "0") + BigInt(str(event.fromVesting) ?? "0")).toString(),
      };
    case "BondForfeited":
      return {
        ...base,
        tone: "good",
        title: "Bond forfeited",
        text: "{actor}'s false audit bond ({amount}) went to {target}",
        actor: str(event.triggerer),
        target: str(event.target),
        amount: str(event.amount),
      };
    case "LosingVotePenalized":
      return {
        ...base,
        tone: "warn",
        title: "Losing vote",
        text: "{target} paid {amount} for voting on the losing side",
        target: str(event.node),
        amount: str(event.amount),
      };
    case "DistributorSelected":
      return {
        ...base,
        tone: "neutral",
        title: "Distributor drawn",
        text: `{actor} was drawn to post the list of cycle ${cycle} (attempt ${num(event.attempt)})`,
        actor: str(event.distributor),
      };
    case "DistributionSubmitted":
      return {
        ...base,
        tone: "neutral",
        title: "List posted",
        text: `chunk ${(num(event.chunk) ?? 0) + 1} of ${num(event.chunkCount)} (${num(event.entries)} entries)`,
      };
    case "DistributionAccepted":
      return {
        ...base,
        tone: "good",
        title: "List accepted",
        text: `{amount} paid into vesting for ${num(event.entries)} nodes`,
        amount: str(event.total),
      };
    case "DistributionRejected":
      return {
        ...base,
        tone: "bad",
        title: "List failed",
        text:
          event.reason === "missing"
            ? "{actor} posted no list in time; a new distributor is drawn"
            : "the list of {actor} was rejected; a new distributor is drawn",
        actor: str(event.distributor),
      };
    case "CycleCompleted":
      return {
        ...base,
        tone: event.outcome === "paid" ? "good" : "warn",
        title: "Cycle complete",
        text: `cycle ${cycle}: ${str(event.outcome)}, paid {amount}`,
        amount: str(event.paid),
      };
    case "Vested":
      return {
        ...base,
        tone: "good",
        title: "Reward vesting",
        text: `{target} earned {amount}, unlocking until round ${num(event.endRound)}`,
        target: str(event.node),
        amount: str(event.amount),
      };
    case "Claimed":
      return {
        ...base,
        tone: "good",
        title: "Claimed",
        text: "{target} claimed {amount}",
        target: str(event.node),
        amount: str(event.amount),
      };
    default:
      return { ...base, tone: "neutral", title: event.type, text: event.type };
  }
}
