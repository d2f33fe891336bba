/**
 * The `Gradual` contract's logs in the core's terms. Every event that records a call carries the call's inputs and
 * its sender (an indexed `bytes32` account), so it is turned back into the core's transaction of that kind (without
 * its chain id and nonce, which the replayer fills in). What the contract computed in the call (a commit's weight, a
 * reveal's index, a stake's activation round, a task's id) is kept beside it as `expected`, for the replayer to
 * compare with the core's own result. The window ends the contract settles lazily (`CycleStarted`, `SeedFixed`,
 * `TaskPaused`, `TaskResumed`, `TaskClosed`, `TriggerResolved`, `Slashed`, `DistributionAccepted`,
 * `DistributionRejected`, `ListClaimWindowClosed`) are not calls: they are only compared.
 *
 * Money: the contract's token pool is one synthetic account of the core (`poolAccount`, the contract's own account
 * id), created at genesis with `POOL_SUPPLY`. A `Deposited` is a `transfer` from it, a `BalanceWithdrawn` a `transfer`
 * to it, so the core's conservation check holds and its supply never changes; the money the contract holds is
 * `POOL_SUPPLY` minus the pool's balance.
 */
import type { TransactionBody } from "@gradual/node/decide";
import { AUDIT_MODES, DISTRIBUTION_RULES, type TaskParams } from "@gradual/protocol";
import { type Abi, type Address, decodeEventLog, type Hex } from "viem";
import type { StoredLog } from "../logStore.ts";

/** The pool's balance at genesis: the most the core's amounts allow, far above any token's supply the contract holds. */
export const POOL_SUPPLY = 2n ** 128n - 1n;

/** The core's account id of an EVM address (`bytes32(uint256(uint160(address)))`, 64 lowercase hex). */
export function accountOf(address: Address): string {
  return address.slice(2).toLowerCase().padStart(64, "0");
}

/** The synthetic account holding the contract's token pool: the contract's own account id. */
export function poolAccount(contract: Address): string {
  return accountOf(contract);
}

/** The contract's uint8 indexes of the core's enum-like fields (GradualTypes; `RESOLUTIONS[0]` is "none"). */
export const TRIGGER_KINDS = ["proof", "distribution"] as const;
export const VERDICTS = ["invalid", "unavailable", "valid"] as const;
export const VOTE_CHOICES = ["valid", "invalid", "unavailable"] as const;
export const RESOLUTIONS = [null, "upheld", "disputed", "rejected", "unavailable", "answered"] as const;
/** `DistributionRejected.reason`. */
export const LIST_REJECTIONS = ["upheld", "disputed", "missing"] as const;

const unhex = (value: unknown): string => (value as Hex).slice(2).toLowerCase();
const ZERO = "0".repeat(64);

export type DecodedLog =
  | {
      readonly kind: "call";
      readonly event: string;
      readonly from: string;
      readonly body: TransactionBody;
      /** A createTask's id, as the contract named it. */
      readonly taskId?: string;
      /** The core event's fields as the contract computed them (only the keys the core's event has). */
      readonly expected: Readonly<Record<string, unknown>>;
      /** A commit's weight (the core's event has none: compared with the commit record). */
      readonly weight?: bigint;
      /** An `Equivocated` vote: its choice is the other one of the voter's recorded vote (at replay). */
      readonly equivocation?: boolean;
    }
  | { readonly kind: "derived"; readonly event: string; readonly expected: Readonly<Record<string, unknown>> }
  | { readonly kind: "unknown"; readonly event: string };

/** The contract's `TaskParams` struct as the core's `TaskParams` (enums by their index; unknown ones stay numbers). */
export function paramsFromStruct(struct: Readonly<Record<string, unknown>>): TaskParams {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct)) {
    if (key === "auditMode") out[key] = AUDIT_MODES[Number(value)] ?? Number(value);
    else if (key === "distributionRule") out[key] = DISTRIBUTION_RULES[Number(value)] ?? Number(value);
    else out[key] = value;
  }
  return out as TaskParams;
}

/** The core's `TaskParams` as the contract's struct. */
export function paramsToStruct(params: TaskParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "auditMode") out[key] = AUDIT_MODES.indexOf(value as never);
    else if (key === "distributionRule") out[key] = DISTRIBUTION_RULES.indexOf(value as never);
    else out[key] = value;
  }
  return out;
}

/** Decodes one of the contract's logs (a log the ABI does not know is `unknown`). */
export function decodeGradualLog(abi: Abi, contract: Address, log: StoredLog): DecodedLog {
  let decoded: { eventName: string; args: Record<string, unknown> };
  try {
    decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as {
      eventName: string;
      args: Record<string, unknown>;
    };
  } catch {
    return { kind: "unknown", event: log.topics[0] ?? "(no topic)" };
  }
  const { eventName: event, args: a } = decoded;
  const call = (from: unknown, body: TransactionBody, expected: Record<string, unknown>, extra = {}): DecodedLog => ({
    kind: "call",
    event,
    from: unhex(from),
    body,
    expected: { type: event, ...expected },
    ...extra,
  });
  const pool = poolAccount(contract);
  switch (event) {
    case "Deposited":
      return {
        kind: "call",
        event,
        from: pool,
        body: { kind: "transfer", to: unhex(a.account), amount: a.amount as bigint },
        expected: { type: "Transferred", from: pool, to: unhex(a.account), amount: a.amount },
      };
    case "BalanceWithdrawn":
      return call(
        a.account,
        { kind: "transfer", to: pool, amount: a.amount as bigint },
        { type: "Transferred", from: unhex(a.account), to: pool, amount: a.amount },
      );
    case "Transferred":
      return call(
        a.from,
        { kind: "transfer", to: unhex(a.to), amount: a.amount as bigint },
        { from: unhex(a.from), to: unhex(a.to), amount: a.amount },
      );
    case "TaskCreated": {
      const metadataHash = unhex(a.metadataHash);
      return call(
        a.creator,
        {
          kind: "createTask",
          name: a.name as string,
          bundleHash: unhex(a.bundleHash),
          metadataHash: metadataHash === ZERO ? null : metadataHash,
          params: paramsFromStruct(a.params as Record<string, unknown>),
          funding: a.funding as bigint,
        },
        { task: unhex(a.task), creator: unhex(a.creator), funding: a.funding },
        { taskId: unhex(a.task) },
      );
    }
    case "TaskFunded":
      return call(
        a.from,
        { kind: "fundTask", task: unhex(a.task), amount: a.amount as bigint },
        { task: unhex(a.task), from: unhex(a.from), amount: a.amount },
      );
    case "TaskClosing":
      return call(a.creator, { kind: "closeTask", task: unhex(a.task) }, { task: unhex(a.task) });
    case "Staked":
      return call(
        a.node,
        { kind: "stake", task: unhex(a.task), amount: a.amount as bigint, nodeUrl: a.nodeUrl as string },
        {
          task: unhex(a.task),
          node: unhex(a.node),
          amount: a.amount,
          activationRound: Number(a.activationRound),
        },
      );
    case "Unstaked":
      return call(
        a.node,
        { kind: "unstake", task: unhex(a.task) },
        { task: unhex(a.task), node: unhex(a.node), amount: a.amount, untilRound: Number(a.untilRound) },
      );
    case "Withdrawn":
      return call(
        a.node,
        { kind: "withdraw", task: unhex(a.task) },
        { task: unhex(a.task), node: unhex(a.node), amount: a.amount },
      );
    case "Committed":
      return call(
        a.node,
        { kind: "commit", task: unhex(a.task), cycle: Number(a.cycle), commitment: unhex(a.commitment) },
        { task: unhex(a.task), cycle: Number(a.cycle), node: unhex(a.node) },
        { weight: a.weight as bigint },
      );
    case "Revealed":
      return call(
        a.node,
        {
          kind: "reveal",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          proofDigest: unhex(a.proofDigest),
          salt: unhex(a.salt),
        },
        {
          task: unhex(a.task),
          cycle: Number(a.cycle),
          node: unhex(a.node),
          proofDigest: unhex(a.proofDigest),
          index: Number(a.index),
        },
      );
    case "AuditTriggered":
      return call(
        a.triggerer,
        {
          kind: "triggerAudit",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          triggerKind: TRIGGER_KINDS[Number(a.kind)] ?? (Number(a.kind) as never),
          verdict: VERDICTS[Number(a.verdict)] ?? (Number(a.verdict) as never),
          attempt: Number(a.attempt),
          target: unhex(a.target),
          reasonDigest: unhex(a.reasonDigest),
        },
        {
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          kind: TRIGGER_KINDS[Number(a.kind)],
          verdict: VERDICTS[Number(a.verdict)],
          late: a.late,
          attempt: Number(a.attempt),
          target: unhex(a.target),
          triggerer: unhex(a.triggerer),
          bond: a.bond,
        },
      );
    case "Voted":
      return call(
        a.voter,
        {
          kind: "vote",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          choice: VOTE_CHOICES[Number(a.choice)] ?? (Number(a.choice) as never),
        },
        {
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          voter: unhex(a.voter),
          choice: VOTE_CHOICES[Number(a.choice)],
          weight: a.weight,
        },
      );
    case "Equivocated":
      // A second vote with the other choice: the log has no choice, the replayer takes the other one of the
      // voter's recorded vote (votes are valid or invalid: the contract refuses unavailable).
      return call(
        a.voter,
        {
          kind: "vote",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          choice: "valid",
        },
        { task: unhex(a.task), cycle: Number(a.cycle), trigger: Number(a.trigger), voter: unhex(a.voter) },
        { equivocation: true },
      );
    case "ProofPublished":
      return call(
        a.node,
        {
          kind: "publishProof",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          payload: unhex(a.payload),
        },
        {
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          node: unhex(a.node),
          bytes: Number(a.byteCount),
        },
      );
    case "Claimed":
      return call(
        a.node,
        { kind: "claim", task: unhex(a.task) },
        { task: unhex(a.task), node: unhex(a.node), amount: a.amount },
      );
    case "DistributionSubmitted":
      return call(
        a.distributor,
        {
          kind: "submitDistribution",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          attempt: Number(a.attempt),
          listRoot: unhex(a.listRoot),
          listBlob: unhex(a.listBlob),
          total: a.total as bigint,
          entryCount: Number(a.entries),
        },
        {
          task: unhex(a.task),
          cycle: Number(a.cycle),
          attempt: Number(a.attempt),
          distributor: unhex(a.distributor),
          replaced: unhex(a.replaced) === ZERO ? null : unhex(a.replaced),
          entries: Number(a.entries),
          total: a.total,
          listRoot: unhex(a.listRoot),
          listBlob: unhex(a.listBlob),
        },
      );
    case "ListEntryClaimed":
      // The core's claimDistribution emits a Vested (or nothing, when the replayed slashes took the whole entry):
      // only its outcome is checked (the contract's Vested is not compared, see the README).
      return call(
        a.claimer,
        {
          kind: "claimDistribution",
          task: unhex(a.task),
          cycle: Number(a.cycle),
          recipient: unhex(a.recipient),
          amount: a.amount as bigint,
          index: Number(a.index),
          proof: (a.proof as readonly Hex[]).map(unhex),
        },
        {},
      );
    case "DistributionAccepted":
      return {
        kind: "derived",
        event,
        expected: {
          type: event,
          task: unhex(a.task),
          cycle: Number(a.cycle),
          attempt: Number(a.attempt),
          distributor: unhex(a.distributor),
          total: a.total,
          entries: Number(a.entries),
          listRoot: unhex(a.listRoot),
        },
      };
    case "DistributionRejected":
      return {
        kind: "derived",
        event,
        expected: {
          type: event,
          task: unhex(a.task),
          cycle: Number(a.cycle),
          attempt: Number(a.attempt),
          distributor: unhex(a.distributor) === ZERO ? null : unhex(a.distributor),
          reason: LIST_REJECTIONS[Number(a.reason)],
        },
      };
    case "TriggerResolved":
      return {
        kind: "derived",
        event,
        expected: {
          type: event,
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          kind: TRIGGER_KINDS[Number(a.kind)],
          target: unhex(a.target),
          triggerer: unhex(a.triggerer),
          resolution: RESOLUTIONS[Number(a.resolution)],
          validWeight: a.validWeight,
          invalidWeight: a.invalidWeight,
          unavailableWeight: a.unavailableWeight,
          activeWeight: a.activeWeight,
        },
      };
    case "Slashed":
      return {
        kind: "derived",
        event,
        expected: {
          type: event,
          task: unhex(a.task),
          cycle: Number(a.cycle),
          trigger: Number(a.trigger),
          node: unhex(a.node),
          fromStake: a.fromStake,
          fromVesting: a.fromVesting,
          toWhistleblower: a.toWhistleblower,
          burned: a.burned,
        },
      };
    case "CycleStarted":
      return {
        kind: "derived",
        event,
        expected: { type: event, task: unhex(a.task), cycle: Number(a.cycle), reserved: a.reserved },
      };
    case "SeedFixed":
      return {
        kind: "derived",
        event,
        expected: {
          type: event,
          task: unhex(a.task),
          cycle: Number(a.cycle),
          seed: unhex(a.seed),
          revealCount: Number(a.revealCount),
        },
      };
    case "TaskPaused":
      return {
        kind: "derived",
        event,
        expected: { type: event, task: unhex(a.task), round: Number(a.round), escrow: a.escrow },
      };
    case "TaskResumed":
      return { kind: "derived", event, expected: { type: event, task: unhex(a.task), round: Number(a.round) } };
    case "TaskClosed":
      return { kind: "derived", event, expected: { type: event, task: unhex(a.task), refunded: a.refunded } };
    case "ListClaimWindowClosed":
      return {
        kind: "derived",
        event,
        expected: { type: event, task: unhex(a.task), cycle: Number(a.cycle), unclaimed: a.unclaimed },
      };
    default:
      return { kind: "unknown", event };
  }
}

/** The key under which a window end's event is matched between the contract and the core. */
export function derivedKey(event: Readonly<Record<string, unknown>>): string {
  const { type, task } = event as { type: string; task: string };
  if (type === "CycleStarted" || type === "SeedFixed" || type === "ListClaimWindowClosed")
    return `${type}/${task}/${String(event.cycle)}`;
  if (type === "TriggerResolved") return `${type}/${task}/${String(event.cycle)}/${String(event.trigger)}`;
  if (type === "Slashed")
    return `${type}/${task}/${String(event.cycle)}/${String(event.trigger)}/${String(event.node)}`;
  if (type === "TaskPaused" || type === "TaskResumed") return `${type}/${task}/${String(event.round)}`;
  if (type === "DistributionAccepted" || type === "DistributionRejected")
    return `${type}/${task}/${String(event.cycle)}/${String(event.attempt)}`;
  return `${type}/${task}`;
}
