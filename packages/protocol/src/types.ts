import type { TaskParams } from "./params.ts";

/** An ed25519 public key as 64 lowercase hex characters; string order is byte order. */
export type Account = string;
/** A 32-byte hash as 64 lowercase hex characters. */
export type Hash = string;

export type Env = {
  /** The slot of the block this transaction lands in (protocol.md §1: the only clock). */
  readonly slot: number;
  /**
   * The id a `createTask` gives its task, when a settlement names tasks itself (the EVM contract's
   * `keccak256(chainid, contract, creator, taskCount)`, replayed by its indexer). Default: the transaction's hash.
   */
  readonly taskId?: Hash;
};

// ---------------------------------------------------------------------------------------------------------------
// State records (protocol.md §9.3). Each lives under one key of the state trie and is never mutated in place.

export type ChainRecord = {
  readonly chainId: string;
  readonly slot: number;
  readonly supply: bigint;
  readonly taskCount: number;
};

/** Running totals of every place money can sit; the full conservation check recomputes them from every record. */
export type TotalsRecord = {
  readonly balances: bigint;
  readonly stakes: bigint;
  readonly unbonding: bigint;
  readonly escrows: bigint;
  readonly reserved: bigint;
  readonly vesting: bigint;
  readonly bonds: bigint;
  /** Slashed stake and losing-vote penalties: out of circulation, paid to nobody (protocol.md §5.5). */
  readonly burned: bigint;
};

export type AccountRecord = { readonly balance: bigint; readonly nonce: number };

export type TaskStatus = "active" | "paused" | "closing" | "closed";

export type TaskRecord = {
  readonly id: Hash;
  readonly creator: Account;
  readonly name: string;
  readonly bundleHash: Hash;
  readonly metadataHash: Hash | null;
  readonly params: TaskParams;
  readonly createdSlot: number;
  readonly startSlot: number;
  readonly index: number;
  readonly status: TaskStatus;
  readonly escrow: bigint;
  readonly nodeCount: number;
  /** Cycles started and not yet complete, ascending (at most 3 + allowedFailedDistributions). */
  readonly openCycles: readonly number[];
  /** Seed chain head: the last fixed cycle seed, or the task's genesis seed. */
  readonly seedHead: Hash;
  readonly seedCycle: number;
  /** Trust ramp aggregate (protocol.md §3.3): stake by activation round, folded once fully ramped. */
  readonly ramp: RampAggregate;
  readonly totalPaid: bigint;
  readonly totalSlashed: bigint;
  /** What slashes and penalties of this task burned (the task's share of the `burned` total). */
  readonly burned: bigint;
  /** Late triggers (§5.7) still open, in the order they close; resolved by `advanceSlot` at `closesAt`. */
  readonly lateTriggers: readonly LateTriggerRef[];
  /** Cycles up to this number are pruned (§9.3): only their cycle records remain. -1 before any. */
  readonly prunedThrough: number;
  /** Vesting slashes so far (each numbered in the node's slash log, §7.2). */
  readonly slashCount: number;
};

export type LateTriggerRef = { readonly cycle: number; readonly trigger: number; readonly closesAt: number };

export type RampAggregate = {
  /** Stake whose activation round is at most `foldedThrough`: it weighs in full. */
  readonly fullStake: bigint;
  readonly foldedThrough: number;
  /** Activation round -> stake, for rounds after `foldedThrough`, sorted by round. */
  readonly buckets: readonly (readonly [round: number, stake: bigint])[];
};

export type StakeLot = { readonly amount: bigint; readonly activationRound: number };

export type NodeRecord = {
  readonly task: Hash;
  readonly account: Account;
  readonly index: number;
  readonly url: string;
  /** Lots not yet fully ramped; `rampedStake` holds the rest. */
  readonly lots: readonly StakeLot[];
  readonly rampedStake: bigint;
  readonly unbonding: bigint;
  readonly unbondingUntilRound: number;
  readonly slashedTotal: bigint;
  readonly slashCount: number;
  readonly missedDuties: number;
  readonly losingVotes: number;
  readonly equivocations: number;
  /** The last cycle the node revealed in (-1 if none): withdrawal waits until it can no longer be challenged. */
  readonly lastRevealCycle: number;
};

export type CycleRecord = {
  readonly task: Hash;
  readonly cycle: number;
  readonly reserved: bigint;
  readonly commitCount: number;
  readonly revealCount: number;
  readonly validCount: number;
  /**
   * The denominators of the ledger-computed rules (§6.2): the weight (in the work round) and the number of the
   * cycle's reveals, less those found `invalid` by an upheld trigger. Disputed and unavailable proofs stay in, so
   * knocking a proof out without a slash never raises anyone's share.
   */
  readonly revealedWeight: bigint;
  readonly shareCount: number;
  /** Running hash over revealed salts in ledger order; folded into the seed when the reveal window closes. */
  readonly saltAccumulator: Hash;
  readonly seed: Hash | null;
  /**
   * The cycle's `revealedWeight` when its seed was fixed (end of its reveal window, §4.4): the weight of the nodes
   * that worked and reviewed it. A late trigger or an appeal of the cycle needs more than `1 − slashQuorumBps` of it
   * to decide anything (§5.7, deviations 39 and 40). 0 until the seed is fixed.
   */
  readonly reviewWeight: bigint;
  readonly triggerCount: number;
  /** Distribution attempt in progress (0-based) and the round it runs in. */
  readonly attempt: number;
  readonly attemptRound: number;
  readonly distributor: Account | null;
  readonly failedDistributors: readonly Account[];
  readonly paid: bigint;
  /**
   * What a ledger-computed rule (§6.2) paid from, frozen at the payment: the cycle's `reserved`, `revealedWeight` and
   * `shareCount` just before it (0 until then, and under `custom`). A late challenge (§5.7) holds and claws back the
   * share they give.
   */
  readonly ruleBase: bigint;
  readonly ruleWeight: bigint;
  readonly ruleShares: number;
  readonly outcome: CycleOutcome | null;
  /** The round the cycle completed in; late challenges run from it for `vestingRounds` rounds (§5.7). */
  readonly completedRound: number | null;
};

export type CycleOutcome = "paid" | "no-submitters" | "distribution-failed";

/** `weight`: the node's weight in the work round, its share under the `weighted` rule once revealed (§6.2). */
export type CommitRecord = { readonly commitment: Hash; readonly slot: number; readonly weight: bigint };

export type RevealStatus = "valid" | "invalid" | "unavailable" | "disputed";
export type RevealRecord = {
  readonly proofDigest: Hash;
  readonly salt: Hash;
  readonly index: number;
  readonly slot: number;
  readonly status: RevealStatus;
  /** The node's weight when it revealed: its share under the `weighted` rule (§6.2). */
  readonly weight: bigint;
  /** True once the node published the payload on the ledger to answer an availability challenge (§5.6). */
  readonly published: boolean;
};

/** Per node per cycle counters that bound what one node may do in one cycle. */
export type NodeCycleRecord = { readonly triggers: number };

export type TriggerKind = "proof" | "distribution";
/**
 * What a trigger claims (§5.2): the proof is wrong, its payload cannot be had (an availability challenge), or, for an
 * appeal (§5.8), that a proof found `invalid` was valid.
 */
export type Verdict = "invalid" | "unavailable" | "valid";
export type TriggerResolution = "upheld" | "disputed" | "rejected" | "unavailable" | "answered";
export type TriggerRecord = {
  readonly index: number;
  readonly kind: TriggerKind;
  readonly verdict: Verdict;
  /** Raised after the cycle completed, against a proof that was paid or could have been (§5.7). */
  readonly late: boolean;
  readonly attempt: number;
  readonly target: Account;
  readonly triggerer: Account;
  readonly reasonDigest: Hash;
  readonly bond: bigint;
  readonly slot: number;
  /** Votes are accepted until this slot; the trigger resolves at it (protocol.md §5.4). */
  readonly closesAt: number;
  readonly validWeight: bigint;
  readonly invalidWeight: bigint;
  readonly unavailableWeight: bigint;
  readonly voteCount: number;
  readonly resolution: TriggerResolution | null;
  readonly slashed: bigint;
  /**
   * A late proof or availability trigger (§5.7): what the cycle paid the target, kept from its claims while the trigger
   * is open and clawed back if it is upheld (its vesting's `held` counts it). 0 otherwise.
   */
  readonly held: bigint;
};

export type VoteChoice = "valid" | "invalid" | "unavailable";
export type VoteRecord = { readonly choice: VoteChoice; readonly weight: bigint; readonly slot: number };

export type DistributionEntry = { readonly recipient: Account; readonly amount: bigint };
export type DistributionStatus = "complete" | "accepted" | "rejected";
/**
 * A posted list (protocol.md §6.2, deviation 34): its Merkle root over `(recipient, amount)` leaves, its total and
 * size, and the blob that serves it. The ledger holds no entries: auditors compare the root with their own list's,
 * and each recipient claims its entry with a proof (`claimDistribution`).
 */
export type DistributionRecord = {
  readonly attempt: number;
  readonly distributor: Account;
  /** The slot it was posted in (Koii reports a list submission's slot). */
  readonly slot: number;
  readonly entryCount: number;
  readonly total: bigint;
  readonly listRoot: Hash;
  /** sha256 of the list's canonical bytes, where the blob store serves it. */
  readonly listBlob: Hash;
  /** The poster's race time and weight (§6.1): a later list replaces this one only with a better score. */
  readonly raceTime: bigint;
  readonly raceWeight: bigint;
  readonly status: DistributionStatus;
  readonly triggered: boolean;
  /** At acceptance, the task's slash count: an entry claimed later replays the recipient's later slashes on it. */
  readonly slashSeq: number | null;
};

/** One vesting slash of a node in a task (§7.2), replayed on list entries it claims later. */
export type SlashLogEntry = { readonly seq: number; readonly round: number; readonly fractionBps: number };

/**
 * An account's vesting in a task (protocol.md §7, deviation 42): what it may claim, and one pool that releases linearly
 * from `lockedRound` to its end `endAt` (in 1/65,536 of a round, `VESTING_END_SCALE`; both 0 when it is empty).
 * Every operation is O(1) whatever `vestingRounds` is.
 */
export type VestingRecord = {
  /** Released and not yet claimed. */
  readonly unlocked: bigint;
  /** Not released yet, as of `lockedRound`. */
  readonly locked: bigint;
  readonly lockedRound: number;
  /** The pool's end, in 1/65,536 of a round. */
  readonly endAt: number;
  /** What open late challenges against the account's proofs keep from its claims (their triggers' `held`). */
  readonly held: bigint;
  readonly totalVested: bigint;
  readonly totalClaimed: bigint;
  readonly totalSlashed: bigint;
  readonly totalClawedBack: bigint;
};

/** A tranche: one payment's linear schedule, only while a list entry's replayed slashes are worked out (§7.2). */
export type VestingTranche = {
  readonly cycle: number;
  readonly amount: bigint;
  readonly startRound: number;
  readonly endRound: number;
  readonly claimed: bigint;
};

// ---------------------------------------------------------------------------------------------------------------
// Transactions (protocol.md §9.1)

type TxBase = { readonly chainId: string; readonly from: Account; readonly nonce: number };

export type TransferTx = TxBase & { readonly kind: "transfer"; readonly to: Account; readonly amount: bigint };
export type CreateTaskTx = TxBase & {
  readonly kind: "createTask";
  readonly name: string;
  readonly bundleHash: Hash;
  readonly metadataHash: Hash | null;
  readonly params: TaskParams;
  readonly funding: bigint;
};
export type FundTaskTx = TxBase & { readonly kind: "fundTask"; readonly task: Hash; readonly amount: bigint };
export type CloseTaskTx = TxBase & { readonly kind: "closeTask"; readonly task: Hash };
export type StakeTx = TxBase & {
  readonly kind: "stake";
  readonly task: Hash;
  readonly amount: bigint;
  readonly nodeUrl: string;
};
export type UnstakeTx = TxBase & { readonly kind: "unstake"; readonly task: Hash };
export type WithdrawTx = TxBase & { readonly kind: "withdraw"; readonly task: Hash };
export type CommitTx = TxBase & {
  readonly kind: "commit";
  readonly task: Hash;
  readonly cycle: number;
  readonly commitment: Hash;
};
export type RevealTx = TxBase & {
  readonly kind: "reveal";
  readonly task: Hash;
  readonly cycle: number;
  readonly proofDigest: Hash;
  readonly salt: Hash;
};
/**
 * Paired reveals (§2.2, `revealSlots` 0): the sender's reveal of cycle `cycle − 1` and its commit of cycle `cycle`,
 * applied in that order as one transaction (both stand or neither does).
 */
export type CommitAndRevealTx = TxBase & {
  readonly kind: "commitAndReveal";
  readonly task: Hash;
  /** The cycle committed to; the reveal is of the cycle before. */
  readonly cycle: number;
  readonly commitment: Hash;
  /** The proof digest and salt that open the commitment of cycle `cycle − 1`. */
  readonly proofDigest: Hash;
  readonly salt: Hash;
};
export type TriggerAuditTx = TxBase & {
  readonly kind: "triggerAudit";
  readonly task: Hash;
  readonly cycle: number;
  readonly target: Account;
  readonly triggerKind: TriggerKind;
  readonly verdict: Verdict;
  readonly attempt: number;
  readonly reasonDigest: Hash;
};
export type PublishProofTx = TxBase & {
  readonly kind: "publishProof";
  readonly task: Hash;
  readonly cycle: number;
  readonly trigger: number;
  /** The proof payload as lowercase hex; its SHA-256 must be the revealed `proofDigest`. */
  readonly payload: string;
};
export type VoteTx = TxBase & {
  readonly kind: "vote";
  readonly task: Hash;
  readonly cycle: number;
  readonly trigger: number;
  readonly choice: VoteChoice;
};
export type SubmitDistributionTx = TxBase & {
  readonly kind: "submitDistribution";
  readonly task: Hash;
  readonly cycle: number;
  readonly attempt: number;
  readonly listRoot: Hash;
  readonly listBlob: Hash;
  readonly total: bigint;
  readonly entryCount: number;
};
/** Claims one entry of a cycle's accepted list into its recipient's vesting (anyone may send it). */
export type ClaimDistributionTx = TxBase & {
  readonly kind: "claimDistribution";
  readonly task: Hash;
  readonly cycle: number;
  readonly recipient: Account;
  readonly amount: bigint;
  readonly index: number;
  readonly proof: readonly Hash[];
};
export type ClaimTx = TxBase & { readonly kind: "claim"; readonly task: Hash };

export type Transaction =
  | TransferTx
  | CreateTaskTx
  | FundTaskTx
  | CloseTaskTx
  | StakeTx
  | UnstakeTx
  | WithdrawTx
  | CommitTx
  | RevealTx
  | CommitAndRevealTx
  | TriggerAuditTx
  | PublishProofTx
  | VoteTx
  | SubmitDistributionTx
  | ClaimDistributionTx
  | ClaimTx;

export type TransactionKind = Transaction["kind"];

export type SignedTransaction = { readonly tx: Transaction; readonly signature: string };
