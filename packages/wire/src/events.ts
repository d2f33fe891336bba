import { CREDIT_REASONS, type ProtocolEvent, type ProtocolEventType } from "@gradual/protocol";
import type { Wire } from "./bigints.ts";
import { boolean, type Decoder, type Infer, literal, nullable, object, oneOf, tagged } from "./decoder.ts";
import { amount, hex64, int, uint } from "./primitives.ts";
import { cycleOutcome, triggerKind, triggerResolution, verdict, voteChoice } from "./records.ts";
import type { Assert, Equals } from "./typeCheck.ts";

/**
 * The protocol's events (`ProtocolEvent`, packages/protocol/src/events.ts) as they travel in blocks and on the
 * event stream: bigints as decimal strings. One decoder per event type, in a table keyed by the type, so that an
 * event type added to the protocol does not compile until it is here (and `describeEvent` says it in words).
 */

const task = hex64;
const cycle = uint;
const trigger = uint;

export const EVENT_DECODERS = {
  Transferred: object({ type: literal("Transferred"), from: hex64, to: hex64, amount }),
  TaskCreated: object({ type: literal("TaskCreated"), task, creator: hex64, funding: amount }),
  TaskFunded: object({ type: literal("TaskFunded"), task, from: hex64, amount }),
  TaskPaused: object({ type: literal("TaskPaused"), task, round: int, escrow: amount }),
  TaskResumed: object({ type: literal("TaskResumed"), task, round: int }),
  TaskClosing: object({ type: literal("TaskClosing"), task }),
  TaskClosed: object({ type: literal("TaskClosed"), task, refunded: amount }),
  Staked: object({ type: literal("Staked"), task, node: hex64, amount, activationRound: int }),
  Unstaked: object({ type: literal("Unstaked"), task, node: hex64, amount, untilRound: int }),
  Withdrawn: object({ type: literal("Withdrawn"), task, node: hex64, amount }),
  CycleStarted: object({ type: literal("CycleStarted"), task, cycle, reserved: amount }),
  Committed: object({ type: literal("Committed"), task, cycle, node: hex64 }),
  Revealed: object({ type: literal("Revealed"), task, cycle, node: hex64, proofDigest: hex64, index: uint }),
  SeedFixed: object({ type: literal("SeedFixed"), task, cycle, seed: hex64, revealCount: uint }),
  AuditTriggered: object({
    type: literal("AuditTriggered"),
    task,
    cycle,
    trigger,
    kind: triggerKind,
    verdict,
    late: boolean(),
    attempt: uint,
    target: hex64,
    triggerer: hex64,
    bond: amount,
  }),
  ProofPublished: object({ type: literal("ProofPublished"), task, cycle, trigger, node: hex64, bytes: uint }),
  RewardClawedBack: object({ type: literal("RewardClawedBack"), task, cycle, trigger, node: hex64, amount }),
  Voted: object({ type: literal("Voted"), task, cycle, trigger, voter: hex64, choice: voteChoice, weight: amount }),
  Equivocated: object({ type: literal("Equivocated"), task, cycle, trigger, voter: hex64 }),
  TriggerResolved: object({
    type: literal("TriggerResolved"),
    task,
    cycle,
    trigger,
    kind: triggerKind,
    target: hex64,
    triggerer: hex64,
    resolution: triggerResolution,
    validWeight: amount,
    invalidWeight: amount,
    unavailableWeight: amount,
    activeWeight: amount,
  }),
  Slashed: object({
    type: literal("Slashed"),
    task,
    cycle,
    trigger,
    node: hex64,
    fromStake: amount,
    fromVesting: amount,
    toWhistleblower: amount,
    burned: amount,
  }),
  BondForfeited: object({
    type: literal("BondForfeited"),
    task,
    cycle,
    trigger,
    triggerer: hex64,
    target: hex64,
    amount,
  }),
  LosingVotePenalized: object({ type: literal("LosingVotePenalized"), task, cycle, trigger, node: hex64, amount }),
  DistributionSubmitted: object({
    type: literal("DistributionSubmitted"),
    task,
    cycle,
    attempt: uint,
    distributor: hex64,
    replaced: nullable(hex64),
    entries: uint,
    total: amount,
    listRoot: hex64,
    listBlob: hex64,
  }),
  DistributionAccepted: object({
    type: literal("DistributionAccepted"),
    task,
    cycle,
    attempt: uint,
    distributor: hex64,
    total: amount,
    entries: uint,
    listRoot: hex64,
  }),
  DistributionRejected: object({
    type: literal("DistributionRejected"),
    task,
    cycle,
    attempt: uint,
    distributor: nullable(hex64),
    reason: oneOf(["upheld", "disputed", "missing"]),
  }),
  CycleCompleted: object({
    type: literal("CycleCompleted"),
    task,
    cycle,
    outcome: cycleOutcome,
    paid: amount,
    returned: amount,
  }),
  CyclePruned: object({ type: literal("CyclePruned"), task, cycle }),
  ListClaimWindowClosed: object({ type: literal("ListClaimWindowClosed"), task, cycle, unclaimed: amount }),
  Vested: object({ type: literal("Vested"), task, cycle, node: hex64, amount, endRound: int }),
  Claimed: object({ type: literal("Claimed"), task, node: hex64, amount }),
  Credited: object({ type: literal("Credited"), task, node: hex64, amount, reason: oneOf(CREDIT_REASONS) }),
} as const satisfies { readonly [K in ProtocolEventType]: Decoder<{ readonly type: K }> };

/** Every event type the protocol emits, in the order of its definition. */
export const EVENT_TYPES = Object.keys(EVENT_DECODERS) as readonly ProtocolEventType[];

/** Any protocol event in wire form. */
export const wireEvent = tagged("type", EVENT_DECODERS, { description: "A protocol event (events.ts)" });
export type WireEvent = Infer<typeof wireEvent>;
export type WireEventCheck = Assert<Equals<WireEvent, Wire<ProtocolEvent>>>;

/** One event type's wire form. */
export type WireEventOf<K extends ProtocolEventType> = Extract<WireEvent, { readonly type: K }>;
