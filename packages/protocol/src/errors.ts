/** A rejection code's entry: where it is found, the HTTP status the ledger answers it with, what it means. */
export type RejectionEntry = { readonly edge: boolean; readonly http: number; readonly meaning: string };

/**
 * Every rejection code of the protocol (protocol.md §9.5), the protocol's part of the one error registry
 * (`ERROR_REGISTRY` in errorRegistry.ts, from which docs/errors.md is generated). Codes are stable and never
 * renumbered or reused; each has a one-line meaning and a typed context (`ErrorContextMap`).
 *
 * - `edge` codes are found before a transaction is ordered (shape, chain id, signature, nonce): the transaction is
 *   never included and its nonce stays unused.
 * - every other code is found while applying an ordered transaction: it is included in its block with the code,
 *   its nonce is used, and nothing else changes (except an equivocation mark, protocol.md §5.4).
 * - `http` is the status of the ledger's API when it answers a request with the code. Codes other than the edge's
 *   normally arrive inside a 200 response, as the `result` of an included transaction (protocol decision 7); their
 *   status applies when one answers a request directly (a task or cycle that does not exist).
 */
export const ERROR_CODES = {
  TX__MALFORMED: { edge: true, http: 400, meaning: "A field is missing, of the wrong type or out of range" },
  TX__UNKNOWN_KIND: { edge: true, http: 400, meaning: "The transaction kind is not one the protocol knows" },
  TX__UNKNOWN_FIELD: { edge: true, http: 400, meaning: "The transaction carries a field its kind does not define" },
  TX__WRONG_CHAIN: { edge: true, http: 400, meaning: "The transaction was signed for another chain id" },
  TX__BAD_SIGNATURE: {
    edge: true,
    http: 401,
    meaning: "The ed25519 signature does not verify against the sender's key",
  },
  TX__NONCE_TOO_LOW: { edge: true, http: 409, meaning: "The nonce was already used by this sender (a replay)" },
  TX__NONCE_TOO_HIGH: { edge: true, http: 409, meaning: "The nonce skips ahead of the sender's next nonce" },
  TX__TOO_LARGE: { edge: true, http: 413, meaning: "The encoded transaction exceeds the chain's size limit" },
  ACCOUNT__INSUFFICIENT_BALANCE: { edge: false, http: 422, meaning: "The sender's balance does not cover the amount" },
  TRANSFER__TO_SELF: { edge: false, http: 422, meaning: "A transfer names its sender as recipient" },
  TASK__INVALID_PARAMS: {
    edge: false,
    http: 422,
    meaning: "A task parameter is out of range or the windows do not fit a round",
  },
  TASK__BELOW_FIRST_BOUNTY: { edge: false, http: 422, meaning: "Initial funding does not cover one round's bounty" },
  TASK__LIMIT_REACHED: { edge: false, http: 422, meaning: "The chain holds its maximum number of tasks" },
  TASK__NOT_FOUND: { edge: false, http: 404, meaning: "No task has this id" },
  TASK__NOT_CREATOR: { edge: false, http: 422, meaning: "Only the task's creator may do this" },
  TASK__CLOSED: { edge: false, http: 422, meaning: "The task is closing or closed" },
  TASK__FULL: { edge: false, http: 422, meaning: "The task already has maxNodes nodes" },
  STAKE__BELOW_MINIMUM: { edge: false, http: 422, meaning: "The node's stake would be below the task's minimumStake" },
  STAKE__UNBONDING: { edge: false, http: 422, meaning: "The node is unbonding; withdraw before staking again" },
  STAKE__TOO_MANY_LOTS: {
    edge: false,
    http: 422,
    meaning: "The node already has the most stake lots still ramping (16); stake again once one has fully ramped",
  },
  NODE__NOT_STAKED: { edge: false, http: 404, meaning: "The sender has no stake in this task" },
  NODE__NOT_ACTIVE: {
    edge: false,
    http: 422,
    meaning: "The node's stake is not active in this round (warm-up or unbonding)",
  },
  WITHDRAW__NOTHING_UNBONDING: { edge: false, http: 422, meaning: "The node has nothing unbonding" },
  WITHDRAW__STILL_BONDED: { edge: false, http: 422, meaning: "The unbonding period has not ended" },
  WITHDRAW__STILL_CHALLENGEABLE: {
    edge: false,
    http: 422,
    meaning: "The node's rewards are still vesting or its last proof can still be challenged late",
  },
  CYCLE__NOT_FOUND: {
    edge: false,
    http: 404,
    meaning: "The cycle was never started (task paused or not yet at that round)",
  },
  COMMIT__WINDOW_CLOSED: { edge: false, http: 422, meaning: "The slot is outside the cycle's commit window" },
  COMMIT__DUPLICATE: { edge: false, http: 422, meaning: "The node already committed in this cycle" },
  REVEAL__WINDOW_CLOSED: { edge: false, http: 422, meaning: "The slot is outside the cycle's reveal window" },
  REVEAL__NO_COMMIT: { edge: false, http: 422, meaning: "The node did not commit in this cycle" },
  REVEAL__MISMATCH: { edge: false, http: 422, meaning: "The revealed digest and salt do not hash to the commitment" },
  REVEAL__DUPLICATE: { edge: false, http: 422, meaning: "The node already revealed in this cycle" },
  AUDIT__WINDOW_CLOSED: {
    edge: false,
    http: 422,
    meaning: "The slot is outside the audit window for this kind of trigger",
  },
  AUDIT__TARGET_NOT_REVEALED: { edge: false, http: 422, meaning: "The target has no revealed proof in this cycle" },
  AUDIT__SELF_TARGET: { edge: false, http: 422, meaning: "A node cannot trigger an audit against itself" },
  AUDIT__ALREADY_TRIGGERED: {
    edge: false,
    http: 422,
    meaning: "An audit of this proof or list is already open; vote on it",
  },
  AUDIT__TRIGGER_LIMIT: { edge: false, http: 422, meaning: "The node reached maxTriggersPerNodePerCycle" },
  AUDIT__NO_DISTRIBUTION: {
    edge: false,
    http: 422,
    meaning: "No complete distribution list for this cycle and attempt",
  },
  AUDIT__VERDICT_NOT_ALLOWED: {
    edge: false,
    http: 422,
    meaning: "Only proof triggers may claim 'unavailable' or appeal ('valid'): a list is on the ledger",
  },
  AUDIT__NOT_APPEALABLE: {
    edge: false,
    http: 422,
    meaning:
      "An appeal (verdict 'valid') needs a proof that a proof trigger found invalid, and its cycle's late-challenge window",
  },
  AUDIT__LIST_CHECKED_BY_LEDGER: {
    edge: false,
    http: 422,
    meaning: "The task's distribution rule is computed by the ledger: its lists cannot be wrong, nor triggered",
  },
  VOTE__TRIGGER_NOT_FOUND: { edge: false, http: 404, meaning: "No trigger has this index in this cycle" },
  VOTE__WINDOW_CLOSED: { edge: false, http: 422, meaning: "The trigger's voting window is over" },
  VOTE__DUPLICATE: { edge: false, http: 422, meaning: "The node already cast this same vote" },
  VOTE__EQUIVOCATION: {
    edge: false,
    http: 422,
    meaning: "A vote conflicting with the node's earlier vote; recorded, not counted",
  },
  VOTE__OWN_TRIGGER: { edge: false, http: 422, meaning: "The target of a trigger cannot vote on it" },
  VOTE__NO_WEIGHT: {
    edge: false,
    http: 422,
    meaning: "The node has no voting weight this round (warm-up, ramp or unbonding)",
  },
  VOTE__UNAVAILABLE_NOT_ALLOWED: {
    edge: false,
    http: 422,
    meaning: "'unavailable' is not a vote: open an availability challenge, which the target answers on the ledger",
  },
  VOTE__AVAILABILITY_CHALLENGE: {
    edge: false,
    http: 422,
    meaning: "An availability challenge is settled by publication, not by votes",
  },
  PUBLISH__NO_CHALLENGE: {
    edge: false,
    http: 422,
    meaning: "No open availability challenge against the sender's proof has this index",
  },
  PUBLISH__WINDOW_CLOSED: { edge: false, http: 422, meaning: "The availability challenge was already settled" },
  PUBLISH__DIGEST_MISMATCH: {
    edge: false,
    http: 422,
    meaning: "The payload's SHA-256 is not the revealed proof digest",
  },
  PUBLISH__TOO_LARGE: { edge: false, http: 422, meaning: "The payload exceeds the task's maxProofBytes" },
  DISTRIBUTION__WINDOW_CLOSED: {
    edge: false,
    http: 422,
    meaning: "The slot is outside the cycle's distribution window",
  },
  DISTRIBUTION__NOT_SELECTED: {
    edge: false,
    http: 422,
    meaning:
      "Retired (protocol.md deviation 35): the sender was not the drawn distributor; any valid submitter may post now",
  },
  DISTRIBUTION__WRONG_ATTEMPT: {
    edge: false,
    http: 422,
    meaning: "The attempt number is not the cycle's current attempt",
  },
  DISTRIBUTION__CHUNK_OUT_OF_ORDER: {
    edge: false,
    http: 422,
    meaning: "Retired (protocol.md deviation 34): lists were posted in chunks; a list is one Merkle root now",
  },
  DISTRIBUTION__NOT_SORTED: {
    edge: false,
    http: 422,
    meaning:
      "Retired (protocol.md deviation 34): the ledger checked a list's order; auditors compare its Merkle root now",
  },
  DISTRIBUTION__NOT_A_SUBMITTER: {
    edge: false,
    http: 422,
    meaning:
      "The account (a list's poster or a claimed entry's recipient) has no valid revealed proof in this cycle, or already failed as its distributor",
  },
  DISTRIBUTION__NOT_BETTER: {
    edge: false,
    http: 422,
    meaning: "A list whose poster has a better race score is already posted for this attempt",
  },
  DISTRIBUTION__TOO_MANY_ENTRIES: {
    edge: false,
    http: 422,
    meaning: "The list has more entries than the cycle has valid submitters",
  },
  DISTRIBUTION__NO_LIST: { edge: false, http: 422, meaning: "The cycle has no accepted list to claim an entry of" },
  DISTRIBUTION__CLAIM_WINDOW_CLOSED: {
    edge: false,
    http: 422,
    meaning:
      "The cycle's list claim window closed listClaimRounds after its completion; the rest returned to the escrow",
  },
  DISTRIBUTION__ALREADY_CLAIMED: { edge: false, http: 422, meaning: "The recipient's entry was already claimed" },
  DISTRIBUTION__BAD_PROOF: {
    edge: false,
    http: 422,
    meaning: "The entry and its Merkle proof do not lead to the accepted list's root",
  },
  DISTRIBUTION__OVER_BOUNTY: { edge: false, http: 422, meaning: "The list pays more than the cycle's reserved bounty" },
  DISTRIBUTION__WRONG_AMOUNT: {
    edge: false,
    http: 422,
    meaning:
      "Retired (protocol.md deviation 32): an amount differed from what a ledger-computed rule gives; those rules take no list now",
  },
  DISTRIBUTION__INCOMPLETE: {
    edge: false,
    http: 422,
    meaning:
      "Retired (protocol.md deviation 32): a ledger-computed list left out a valid submitter; those rules take no list now",
  },
  DISTRIBUTION__PAID_BY_RULE: {
    edge: false,
    http: 422,
    meaning:
      "The task's rule (weighted or equal) pays each valid submitter itself: it has no distributor and takes no list",
  },
  CLAIM__NOTHING_CLAIMABLE: { edge: false, http: 422, meaning: "Nothing has vested yet" },
  TX__APPLY_FAILED: {
    edge: false,
    http: 422,
    meaning: "A rule threw (a bug); included, nonce used, nothing else changed",
  },
} as const satisfies Readonly<Record<string, RejectionEntry>>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Rejection codes no rule raises any more; kept, never reused (protocol.md deviations 32, 34, 35). */
export const RETIRED_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "DISTRIBUTION__WRONG_AMOUNT",
  "DISTRIBUTION__INCOMPLETE",
  "DISTRIBUTION__NOT_SELECTED",
  "DISTRIBUTION__CHUNK_OUT_OF_ORDER",
  "DISTRIBUTION__NOT_SORTED",
]);

type Field = { readonly field: string };
type TaskRef = { readonly task: string };
type CycleRef = TaskRef & { readonly cycle: number };
type WindowRef = CycleRef & { readonly slot: number; readonly opensAt: number; readonly closesAt: number };

/** The typed context of each code: what a client needs to explain or fix the rejection. */
export type ErrorContextMap = {
  TX__MALFORMED: Field & { readonly expected: string; readonly got: string };
  TX__UNKNOWN_KIND: { readonly kind: string };
  TX__UNKNOWN_FIELD: Field;
  TX__WRONG_CHAIN: { readonly expected: string; readonly got: string };
  TX__BAD_SIGNATURE: { readonly from: string };
  TX__NONCE_TOO_LOW: { readonly expected: number; readonly got: number };
  TX__NONCE_TOO_HIGH: { readonly expected: number; readonly got: number };
  TX__TOO_LARGE: { readonly bytes: number; readonly limit: number };
  ACCOUNT__INSUFFICIENT_BALANCE: { readonly account: string; readonly balance: bigint; readonly needed: bigint };
  TRANSFER__TO_SELF: { readonly account: string };
  TASK__INVALID_PARAMS: Field & { readonly reason: string };
  TASK__BELOW_FIRST_BOUNTY: { readonly funding: bigint; readonly bountyPerRound: bigint };
  TASK__LIMIT_REACHED: { readonly limit: number };
  TASK__NOT_FOUND: TaskRef;
  TASK__NOT_CREATOR: TaskRef & { readonly creator: string };
  TASK__CLOSED: TaskRef & { readonly status: string };
  TASK__FULL: TaskRef & { readonly maxNodes: number };
  STAKE__BELOW_MINIMUM: TaskRef & { readonly stake: bigint; readonly minimumStake: bigint };
  STAKE__UNBONDING: TaskRef & { readonly untilRound: number };
  STAKE__TOO_MANY_LOTS: TaskRef & { readonly lots: number; readonly max: number };
  NODE__NOT_STAKED: TaskRef & { readonly node: string };
  NODE__NOT_ACTIVE: TaskRef & { readonly node: string; readonly round: number; readonly activeStake: bigint };
  WITHDRAW__NOTHING_UNBONDING: TaskRef;
  WITHDRAW__STILL_BONDED: TaskRef & { readonly round: number; readonly untilRound: number };
  WITHDRAW__STILL_CHALLENGEABLE: TaskRef & { readonly round: number; readonly untilRound: number };
  CYCLE__NOT_FOUND: CycleRef;
  COMMIT__WINDOW_CLOSED: WindowRef;
  COMMIT__DUPLICATE: CycleRef;
  REVEAL__WINDOW_CLOSED: WindowRef;
  REVEAL__NO_COMMIT: CycleRef;
  REVEAL__MISMATCH: CycleRef & { readonly expected: string; readonly got: string };
  REVEAL__DUPLICATE: CycleRef;
  AUDIT__WINDOW_CLOSED: WindowRef;
  AUDIT__TARGET_NOT_REVEALED: CycleRef & { readonly target: string };
  AUDIT__SELF_TARGET: CycleRef;
  AUDIT__ALREADY_TRIGGERED: CycleRef & { readonly trigger: number };
  AUDIT__TRIGGER_LIMIT: CycleRef & { readonly limit: number };
  AUDIT__NO_DISTRIBUTION: CycleRef & { readonly attempt: number };
  AUDIT__VERDICT_NOT_ALLOWED: CycleRef;
  AUDIT__NOT_APPEALABLE: CycleRef & { readonly target: string; readonly status: string };
  AUDIT__LIST_CHECKED_BY_LEDGER: CycleRef & { readonly rule: string };
  VOTE__TRIGGER_NOT_FOUND: CycleRef & { readonly trigger: number };
  VOTE__WINDOW_CLOSED: WindowRef & { readonly trigger: number };
  VOTE__DUPLICATE: CycleRef & { readonly trigger: number };
  VOTE__EQUIVOCATION: CycleRef & { readonly trigger: number; readonly first: string; readonly second: string };
  VOTE__OWN_TRIGGER: CycleRef & { readonly trigger: number };
  VOTE__NO_WEIGHT: CycleRef & { readonly round: number };
  VOTE__UNAVAILABLE_NOT_ALLOWED: CycleRef & { readonly trigger: number };
  VOTE__AVAILABILITY_CHALLENGE: CycleRef & { readonly trigger: number };
  PUBLISH__NO_CHALLENGE: CycleRef & { readonly trigger: number };
  PUBLISH__WINDOW_CLOSED: CycleRef & { readonly trigger: number; readonly slot: number; readonly closesAt: number };
  PUBLISH__DIGEST_MISMATCH: CycleRef & { readonly expected: string; readonly got: string };
  PUBLISH__TOO_LARGE: CycleRef & { readonly bytes: number; readonly limit: number };
  DISTRIBUTION__WINDOW_CLOSED: WindowRef;
  DISTRIBUTION__NOT_SELECTED: CycleRef & { readonly distributor: string | null };
  DISTRIBUTION__WRONG_ATTEMPT: CycleRef & { readonly expected: number; readonly got: number };
  DISTRIBUTION__CHUNK_OUT_OF_ORDER: CycleRef & { readonly expected: number; readonly got: number };
  DISTRIBUTION__NOT_SORTED: CycleRef & { readonly recipient: string };
  DISTRIBUTION__NOT_A_SUBMITTER: CycleRef & { readonly account: string };
  DISTRIBUTION__NOT_BETTER: CycleRef & { readonly attempt: number; readonly distributor: string };
  DISTRIBUTION__TOO_MANY_ENTRIES: CycleRef & { readonly entries: number; readonly validCount: number };
  DISTRIBUTION__NO_LIST: CycleRef;
  DISTRIBUTION__CLAIM_WINDOW_CLOSED: CycleRef & { readonly slot: number; readonly closesAt: number };
  DISTRIBUTION__ALREADY_CLAIMED: CycleRef & { readonly recipient: string };
  DISTRIBUTION__BAD_PROOF: CycleRef & { readonly recipient: string; readonly index: number };
  DISTRIBUTION__OVER_BOUNTY: CycleRef & { readonly total: bigint; readonly bounty: bigint };
  DISTRIBUTION__WRONG_AMOUNT: CycleRef & {
    readonly recipient: string;
    readonly expected: bigint;
    readonly got: bigint;
  };
  DISTRIBUTION__INCOMPLETE: CycleRef & { readonly expected: number; readonly got: number };
  DISTRIBUTION__PAID_BY_RULE: CycleRef & { readonly rule: string };
  CLAIM__NOTHING_CLAIMABLE: TaskRef;
  TX__APPLY_FAILED: { readonly kind: string };
};

export type Rejection<C extends ErrorCode = ErrorCode> = {
  [K in C]: { readonly ok: false; readonly code: K; readonly context: ErrorContextMap[K]; readonly message: string };
}[C];

export function reject<C extends ErrorCode>(code: C, context: ErrorContextMap[C], message?: string): Rejection<C> {
  return { ok: false, code, context, message: message ?? ERROR_CODES[code].meaning } as Rejection<C>;
}

export function isEdgeCode(code: ErrorCode): boolean {
  return ERROR_CODES[code].edge;
}
