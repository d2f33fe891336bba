import type { Account, CycleOutcome, Hash, TriggerKind, TriggerResolution, Verdict, VoteChoice } from "./types.ts";

/** What a transition did, for logs, the ledger's event stream, the dashboard and the simulator's accounting. */
export type ProtocolEvent =
  | { readonly type: "Transferred"; readonly from: Account; readonly to: Account; readonly amount: bigint }
  | { readonly type: "TaskCreated"; readonly task: Hash; readonly creator: Account; readonly funding: bigint }
  | { readonly type: "TaskFunded"; readonly task: Hash; readonly from: Account; readonly amount: bigint }
  | { readonly type: "TaskPaused"; readonly task: Hash; readonly round: number; readonly escrow: bigint }
  | { readonly type: "TaskResumed"; readonly task: Hash; readonly round: number }
  | { readonly type: "TaskClosing"; readonly task: Hash }
  | { readonly type: "TaskClosed"; readonly task: Hash; readonly refunded: bigint }
  | {
      readonly type: "Staked";
      readonly task: Hash;
      readonly node: Account;
      readonly amount: bigint;
      readonly activationRound: number;
    }
  | {
      readonly type: "Unstaked";
      readonly task: Hash;
      readonly node: Account;
      readonly amount: bigint;
      readonly untilRound: number;
    }
  | { readonly type: "Withdrawn"; readonly task: Hash; readonly node: Account; readonly amount: bigint }
  | { readonly type: "CycleStarted"; readonly task: Hash; readonly cycle: number; readonly reserved: bigint }
  | { readonly type: "Committed"; readonly task: Hash; readonly cycle: number; readonly node: Account }
  | {
      readonly type: "Revealed";
      readonly task: Hash;
      readonly cycle: number;
      readonly node: Account;
      readonly proofDigest: Hash;
      readonly index: number;
    }
  | {
      readonly type: "SeedFixed";
      readonly task: Hash;
      readonly cycle: number;
      readonly seed: Hash;
      readonly revealCount: number;
    }
  | {
      readonly type: "AuditTriggered";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly kind: TriggerKind;
      readonly verdict: Verdict;
      readonly late: boolean;
      readonly attempt: number;
      readonly target: Account;
      readonly triggerer: Account;
      readonly bond: bigint;
    }
  | {
      readonly type: "ProofPublished";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly node: Account;
      readonly bytes: number;
    }
  | {
      readonly type: "RewardClawedBack";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly node: Account;
      readonly amount: bigint;
    }
  | {
      readonly type: "Voted";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly voter: Account;
      readonly choice: VoteChoice;
      readonly weight: bigint;
    }
  | {
      readonly type: "Equivocated";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly voter: Account;
    }
  | {
      readonly type: "TriggerResolved";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly kind: TriggerKind;
      readonly target: Account;
      readonly triggerer: Account;
      readonly resolution: TriggerResolution;
      readonly validWeight: bigint;
      readonly invalidWeight: bigint;
      readonly unavailableWeight: bigint;
      readonly activeWeight: bigint;
    }
  | {
      readonly type: "Slashed";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly node: Account;
      readonly fromStake: bigint;
      readonly fromVesting: bigint;
      readonly toWhistleblower: bigint;
      readonly burned: bigint;
    }
  | {
      readonly type: "BondForfeited";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly triggerer: Account;
      readonly target: Account;
      readonly amount: bigint;
    }
  | {
      readonly type: "LosingVotePenalized";
      readonly task: Hash;
      readonly cycle: number;
      readonly trigger: number;
      readonly node: Account;
      readonly amount: bigint;
    }
  | {
      /** A list posted for the attempt (§6.2); `replaced` names the poster it beat in the race, if any. */
      readonly type: "DistributionSubmitted";
      readonly task: Hash;
      readonly cycle: number;
      readonly attempt: number;
      readonly distributor: Account;
      readonly replaced: Account | null;
      readonly entries: number;
      readonly total: bigint;
      readonly listRoot: Hash;
      readonly listBlob: Hash;
    }
  | {
      /** The attempt's list is accepted (§6.4): its recipients claim their entries against `listRoot`. */
      readonly type: "DistributionAccepted";
      readonly task: Hash;
      readonly cycle: number;
      readonly attempt: number;
      readonly distributor: Account;
      readonly total: bigint;
      readonly entries: number;
      readonly listRoot: Hash;
    }
  | {
      readonly type: "DistributionRejected";
      readonly task: Hash;
      readonly cycle: number;
      readonly attempt: number;
      /** Null when no list was posted (`missing`). */
      readonly distributor: Account | null;
      readonly reason: "upheld" | "disputed" | "missing";
    }
  | {
      readonly type: "CycleCompleted";
      readonly task: Hash;
      readonly cycle: number;
      readonly outcome: CycleOutcome;
      readonly paid: bigint;
      readonly returned: bigint;
    }
  | {
      /**
       * §9.3: the cycle's commits, reveals, triggers, votes and lists were deleted; its summary record stays. A
       * storage step of the core only: it changes no amount and no transaction's result (a contract never prunes).
       */
      readonly type: "CyclePruned";
      readonly task: Hash;
      readonly cycle: number;
    }
  | {
      /**
       * §6.4: the claim window of the cycle's accepted list closed at this round start (`listClaimRounds` after the
       * acceptance); what nobody claimed moved from the cycle's reservation to the escrow (credited to the creator
       * when the task is closed).
       */
      readonly type: "ListClaimWindowClosed";
      readonly task: Hash;
      readonly cycle: number;
      readonly unclaimed: bigint;
    }
  | {
      readonly type: "Vested";
      readonly task: Hash;
      readonly cycle: number;
      readonly node: Account;
      /** What entered the node's vesting; a list entry claimed late is net of the slashes replayed on it (§6.4). */
      readonly amount: bigint;
      readonly endRound: number;
    }
  | { readonly type: "Claimed"; readonly task: Hash; readonly node: Account; readonly amount: bigint }
  | {
      /** A payment from the task into the account's vesting record, unlocked at once, for `claim` (§7.1). */
      readonly type: "Credited";
      readonly task: Hash;
      readonly node: Account;
      readonly amount: bigint;
      readonly reason: CreditReason;
    };

/**
 * Why a window end or a resolution paid an account (protocol.md §5.5, §5.6, §5.7, §8.3): its trigger bond back, the
 * bond of a trigger rejected against it, its whistleblower share of a slash, a closed task's escrow, or a reward
 * clawed back after the task closed.
 */
export const CREDIT_REASONS = ["bond-returned", "bond-won", "whistleblower", "escrow", "clawback"] as const;
export type CreditReason = (typeof CREDIT_REASONS)[number];

export type ProtocolEventType = ProtocolEvent["type"];
