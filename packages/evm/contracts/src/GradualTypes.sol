// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Gradual Consensus on an EVM chain: records, errors and events.
/// @notice The records mirror the TypeScript core's (`packages/protocol/src/types.ts`, docs/protocol.md §9.3); every
/// revert is a custom error named exactly after the core's rejection code (`packages/protocol/src/errors.ts`).

/// @notice Task parameters (protocol.md §10, `params.ts`). Enums are plain integers so that an unknown value is the
/// core's `TASK__INVALID_PARAMS`, not an ABI decoding failure. `auditMode`: 0 sampled, 1 all. `distributionRule`:
/// 0 weighted, 1 equal, 2 custom (the order of `AUDIT_MODES` and `DISTRIBUTION_RULES`).
struct TaskParams {
    uint32 roundSlots;
    uint32 commitSlots;
    uint32 revealSlots;
    uint32 auditSlots;
    uint32 voteSlots;
    uint32 distributionSlots;
    uint32 distributionAuditSlots;
    uint128 minimumStake;
    uint128 bountyPerRound;
    uint32 maxNodes;
    uint32 auditsPerNode;
    uint8 auditMode;
    uint128 triggerBond;
    uint32 slashQuorumBps;
    uint32 slashSupermajorityBps;
    uint32 minParticipationBps;
    uint32 slashFractionBps;
    uint32 whistleblowerShareBps;
    uint128 losingVotePenalty;
    uint32 maxTriggersPerNodePerCycle;
    uint32 allowedFailedDistributions;
    uint32 warmupRounds;
    uint32 rampRounds;
    uint32 unbondingRounds;
    uint32 vestingRounds;
    uint32 maxProofBytes;
    uint8 distributionRule;
}

/// @notice `TaskStatus` of the core, in its order.
enum TaskStatus {
    Active,
    Paused,
    Closing,
    Closed
}

/// @notice A task record (`TaskRecord`), without its ramp buckets and open cycles (stored beside it).
struct Task {
    // slot 0: what every call reads to settle the task and to place a slot in its round
    bool exists;
    TaskStatus status;
    /// @dev Slots fit 48 bits (`MAX_SLOT`: 8,900 years of 1 ms slots), so that slot 0 holds `cycleMark`.
    uint48 startSlot;
    /// @dev Lazy window ends: every round start and reveal close at a slot <= settledSlot has been applied. In slot 0
    /// beside `exists`: a call on a task settled through its slot reads one slot of the task to know it.
    uint48 settledSlot;
    /// @dev The last cycle started, plus one (EVM only, a cache; 0: none known): a commit of that cycle knows it exists
    /// without reading the cycle's slot (cycle records are never deleted). 0 in a record loaded by the test harness.
    uint32 cycleMark;
    /// @dev `params.distributionRule` is `custom`: kept in slot 0, which every settlement reads, so that a
    /// settlement reads no parameter slot to know whether list windows are due.
    bool customRule;
    /// @dev Slots from `settledSlot` to the next window end (EVM only, a cache; at most 255, saturated): a call in a
    /// slot before `settledSlot + dueGap` has nothing to settle and neither settles nor writes. Valid while nothing
    /// that the next window end depends on changes; a call that changes it first settles through its slot and sets
    /// the gap to 1 (`_beforeDueChange`). 0 only in a record loaded by the test harness (settled at the next call).
    uint8 dueGap;
    /// @dev `params.roundSlots`, `commitSlots` and `revealSlots` (EVM only, copies: parameters never change; each at
    /// most MAX_ROUND_SLOTS), in slot 0 so that a commit, a reveal or a claim places its slot in the round without
    /// reading a parameter slot.
    uint24 roundSlots;
    uint24 commitSlots;
    uint24 revealSlots;
    /// @dev The size of each node's ring of commit and reveal records (EVM only, from the parameters:
    /// `_entryRingOf`).
    uint24 entryRing;
    // slot 1
    uint32 index;
    uint32 nodeCount;
    uint64 createdSlot;
    int64 seedCycle;
    int64 rampFoldedThrough;
    // slot 2
    /// @dev Ramp buckets not yet folded start at this position of the task's bucket queue.
    uint64 rampHead;
    /// @dev Vesting slashes under the `custom` rule so far (`slashCount`): the next slash log entry's `seq` (§7.2).
    uint32 slashCount;
    bytes32 creator;
    bytes32 bundleHash;
    /// @dev bytes32(0) stands for the core's `metadataHash: null`.
    bytes32 metadataHash;
    bytes32 seedHead;
    uint256 escrow;
    uint256 rampFullStake;
    uint256 totalPaid;
    uint256 totalSlashed;
    uint256 burned;
    string name;
    TaskParams params;
}

/// @notice One lot of stake (`StakeLot`).
struct StakeLot {
    uint128 amount;
    int64 activationRound;
}

/// @notice A node record (`NodeRecord`) as the views return it; stored as a `NodeState`. `lots` holds at most
/// MAX_UNRAMPED_LOTS entries. `voterId` (EVM only) is the account's permanent voter id in the task (from 1; 0: none
/// yet): votes are kept by it (`_voteBits`). Unlike `index`, which moves when another node leaves, it never changes
/// and is never given to another account; it stays when the node leaves (`exists` false).
struct Node {
    bool exists;
    uint32 index;
    uint32 slashCount;
    uint32 missedDuties;
    uint32 losingVotes;
    uint32 equivocations;
    int56 lastRevealCycle;
    uint32 voterId;
    int64 unbondingUntilRound;
    uint256 rampedStake;
    uint256 unbonding;
    uint256 slashedTotal;
    string url;
    StakeLot[] lots;
}

/// @notice How a node record is stored. Slot 0 holds everything a commit, a reveal and a vote read of the node:
/// `exists`, `revealHead`, `voterId`, the ramped stake (below 2^128, as all money held), the count of lots and
/// `revealGap`, so that a node whose lots are all folded (most) is weighed from one slot. `revealHead` is the
/// account's last revealed cycle in the task plus one, 0 for none (cycles are uint32s: it fits 40 bits with a sign):
/// positive while it is the node record's (the core's `lastRevealCycle` is `revealHead - 1`), negated when the node
/// leaves and kept, like `voterId`, when it stakes again (the core's new record has -1 until it reveals). It heads the
/// chain of the account's reveals (`Entry.previousGap`) that `_materialize` walks for the rule shares not made yet,
/// and `revealGap` is that reveal's `previousGap`, so that the walk starts without reading its record. The counters
/// that resolutions write are in slot 1. The lots are a map with that count (at most MAX_UNRAMPED_LOTS; entries at
/// and beyond the count are stale).
struct NodeState {
    // slot 0
    bool exists;
    /// @dev At most MAX_NODES.
    uint24 index;
    /// @dev `rampedStake` is at least the task's `minimumStake` (EVM only, a cache; false: not known): a commit
    /// then knows the node's active stake is enough without reading the parameter. Set by `stake`; cleared where
    /// the ramped stake falls (unstake, penalties, slashes); a fold only adds to it.
    bool meetsMinimum;
    int40 revealHead;
    uint32 voterId;
    uint8 lotCount;
    uint128 rampedStake;
    uint8 revealGap;
    // slot 1
    uint32 slashCount;
    uint32 missedDuties;
    uint32 losingVotes;
    uint32 equivocations;
    int64 unbondingUntilRound;
    // slots 2 on
    uint256 unbonding;
    uint256 slashedTotal;
    string url;
    mapping(uint256 index => StakeLot) lots;
}

/// @notice A cycle record as stored. `outcome`: 0 none, 1 paid, 2 no-submitters, 3 distribution-failed.
/// Without the core's `commitCount`: the `Committed` logs count the commits (the indexer serves it), so that a commit
/// writes no cycle slot. Slot 0 holds all that a reveal writes: the reveal count, the revealed weight and the salt
/// accumulator (96 bits, §4.4, which is why the core keeps 96 of them). The valid and share counts are kept as what
/// slashes and resolutions took out of the reveal count (`invalidCount`, `unsharedCount` in slot 3), which only they
/// write: `_validCount`, `_shareCount`. The seed's and the completion's flags sit in slot 2 beside the review weight,
/// which the reveal close writes anyway. Slot 1 holds the reservation and what was paid from it, which a rule share's
/// materialization moves together. Without `attemptRound` either: it is always cycle + 2 + attempt (the first
/// attempt's round is two rounds after the cycle's, and each failed attempt moves both by one), which `_attemptRound`
/// computes, so a round start writes two slots of the new cycle (slot 0 and the reservation). The views and the test
/// harness take the core's fields (`CycleRecord`).
struct Cycle {
    // slot 0: what a reveal writes
    bool exists;
    /// @dev At most MAX_NODES.
    uint24 revealCount;
    uint128 revealedWeight;
    bytes12 saltAccumulator;
    // slot 1
    uint128 reserved;
    uint128 paid;
    // slot 2: what the reveal close and the completion write (the reveal close writes it from zero, once)
    /// @dev At most allowedFailedDistributions (16).
    uint8 attempt;
    bool hasSeed;
    bool hasCompletedRound;
    uint8 outcome;
    int64 completedRound;
    uint32 triggerCount;
    /// @dev The task's total active weight when the seed was fixed (§4.4): the quorum base of the cycle's late
    /// triggers and appeals (§5.7, deviation 39).
    uint128 reviewWeight;
    // slot 3: written only by slashes and resolutions
    /// @dev Reveals out of the valid count (`validCount` = `revealCount` - `invalidCount`).
    uint24 invalidCount;
    /// @dev Reveals out of the share count (`shareCount` = `revealCount` - `unsharedCount`).
    uint24 unsharedCount;
    // slots 4 on
    bytes32 seed;
    /// @dev bytes32(0) stands for the core's `distributor: null`.
    bytes32 distributor;
    bytes32[] failedDistributors;
}

/// @notice A cycle record as the core has it (`CycleRecord`), which `getCycle` returns and the test harness loads;
/// stored as a `Cycle`.
struct CycleRecord {
    bool exists;
    bool hasSeed;
    bool hasCompletedRound;
    uint8 outcome;
    uint32 revealCount;
    uint32 validCount;
    uint32 shareCount;
    uint128 revealedWeight;
    uint128 reserved;
    uint128 paid;
    uint32 attempt;
    int64 completedRound;
    uint32 triggerCount;
    uint128 reviewWeight;
    bytes32 saltAccumulator;
    bytes32 seed;
    bytes32 distributor;
    bytes32[] failedDistributors;
}

/// @notice A distribution list posted for an attempt (`DistributionRecord`, §6.1-§6.4, deviations 34-35).
/// `status`: 0 complete, 1 accepted, 2 rejected. `hasSlashSeq` false stands for the core's `slashSeq: null`. Slot 0
/// holds what a claim and a race read besides the root; the poster's race time is below 2^55 (64 << 48).
struct Distribution {
    bool exists;
    uint8 status;
    bool triggered;
    bool hasSlashSeq;
    uint32 attempt;
    uint32 entryCount;
    uint32 slashSeq;
    uint64 slot;
    uint64 raceTime;
    uint128 total;
    uint128 raceWeight;
    bytes32 distributor;
    bytes32 listRoot;
    bytes32 listBlob;
}

/// @notice One vesting slash of a node in a `custom` task (`SlashLogEntry`, §7.2): replayed on the tranches its
/// list entries create when claimed later.
struct SlashLogEntry {
    uint32 seq;
    int64 round;
    uint32 fractionBps;
}

/// @notice A commit record (`CommitRecord`).
struct Commit {
    bool exists;
    uint64 slot;
    uint128 weight;
    bytes32 commitment;
}

/// @notice A reveal record (`RevealRecord`). `status`: 0 valid, 1 invalid, 2 unavailable, 3 disputed.
struct Reveal {
    bool exists;
    bool published;
    uint8 status;
    uint32 index;
    uint64 slot;
    uint128 weight;
    bytes32 proofDigest;
    bytes32 salt;
}

/// @notice A trigger record (`TriggerRecord`). `kind`: 0 proof, 1 distribution. `verdict`: 0 invalid, 1 unavailable,
/// 2 valid (an appeal, §5.8: a late trigger against a proof found invalid). `resolution`: 0 none (the core's null), 1 upheld, 2 disputed, 3 rejected, 4 unavailable, 5 answered. The field
/// order is the storage layout: a vote reads slot 0 only (its window, state, `targetVoter`, the target's voter id, and
/// `book`, where its votes are kept: both EVM only, see `Node.voterId` and `_voteBits`) and the tally; `attempt` shares
/// the last slot with `unavailableWeight`. Slots are below MAX_SLOT (2^48, as the task's); `voteCount` fits 24 bits
/// (one vote per voter id in a window of a few slots: 16.7 million would take 800 billion gas).
struct Trigger {
    bool exists;
    uint8 kind;
    uint8 verdict;
    bool late;
    uint8 resolution;
    uint32 index;
    uint24 voteCount;
    uint48 slot;
    uint48 closesAt;
    uint32 targetVoter;
    uint32 book;
    bytes32 target;
    bytes32 triggerer;
    bytes32 reasonDigest;
    uint128 bond;
    uint128 slashed;
    uint128 validWeight;
    uint128 invalidWeight;
    uint128 unavailableWeight;
    uint32 attempt;
    /// @dev A late proof or availability trigger (§5.7, deviation 42): what the cycle paid the target, kept from its
    /// claims while the trigger is open (its vesting's `held` counts it) and clawed back if upheld; 0 otherwise. Its
    /// own slot, written only by a late trigger that holds something.
    uint128 held;
}

/// @notice A task's vote books (EVM only, `_takeBook`): how many were made, and the queue of the triggers that took
/// them (from `head` to `tail`), in one slot.
struct VoteBooks {
    uint32 count;
    uint64 head;
    uint64 tail;
}

/// @notice A node's commit and reveal of one cycle, as stored (EVM only; `getCommit` and `getReveal` return the
/// `Commit` and `Reveal` records). A node's entries are a ring of `Task.entryRing` records, the cycle's at position
/// cycle mod the ring's size, tagged with its cycle: a commit rewrites the record of the cycle a ring earlier, which
/// no rule reads any more (see "A node's commits and reveals: a ring" in the contracts README). Slot 0: `flags`
/// (bit 0 committed, bit 1 revealed, bit 2 published, bits 3-4 the reveal's status), the reveal's index, the reveal's
/// slot less the commit's (at most commitSlots + revealSlots), the commit's slot less its window's opening (below
/// commitSlots), its weight (the reveal's weight is the commit's), the cycle and `previousGap`: a reveal's distance in
/// cycles to the account's previous reveal in the task (1 to 255), or 0 when no earlier reveal can still owe a rule
/// share (none, or further back: the commit made its shares first), so that an account's reveals are a chain from
/// its last reveal (`NodeState.revealHead`) down (`_materialize`); a commit leaves it (only a reveal's is read).
/// `digest`: the commitment until the reveal, then the proof's digest. The reveal's salt and a revealed commit's
/// commitment are not held: they are in the `Revealed` and `Committed` logs (nothing after the reveal reads them; see
/// "Records the contract does not hold" in the contracts README).
struct Entry {
    uint8 flags;
    uint32 index;
    uint24 revealDelay;
    uint24 commitOffset;
    uint128 weight;
    uint32 cycle;
    uint8 previousGap;
    bytes32 digest;
}

/// @notice A vote record (`VoteRecord`) as the contract holds it: the choice (0 valid, 1 invalid, 2 unavailable).
/// The core's record also has the vote's slot and weight: they are in the `Voted` log (block and `weight`), not in
/// storage (see "Storage layout (gas)" in the contracts README).
struct Vote {
    bool exists;
    uint8 choice;
}

/// @notice A vesting tranche (`VestingTranche`): only while a list entry's replayed slashes are worked out (§7.2,
/// `listTranche`); vesting itself is one pool per account (deviation 42).
struct Tranche {
    int64 startRound;
    int64 endRound;
    uint128 amount;
}

/// @notice A vesting record (`VestingRecord`, deviation 42) of one account in one task, as `getVesting` returns it:
/// `unlocked` (claimable), a pool `locked` that releases linearly from `lockedRound` to its end `endAt` (in
/// 1/VESTING_END_SCALE of a round; both 0 when it is empty), `held` (what open late challenges keep from its claims) and the totals. `pendingHead` (EVM only): the
/// first cycle whose rule share is not materialized yet (those of the account's reveals in earlier cycles are).
struct Vesting {
    bool exists;
    uint64 pendingHead;
    uint128 unlocked;
    uint128 locked;
    int64 lockedRound;
    /// @dev The pool's end in 1/VESTING_END_SCALE of a round.
    uint64 endAt;
    uint128 held;
    uint128 totalVested;
    uint128 totalClaimed;
    uint128 totalSlashed;
    uint128 totalClawedBack;
}

/// @notice A vesting record as stored (EVM only; `getVesting` returns `Vesting`). Slot 0: `exists`, `hasHeld` (`held`
/// is not 0), `pendingHead` (the first cycle whose rule share is not materialized yet: 32 bits, as a task reaches 2^32
/// cycles only after 2^32 rounds), the pool's `lockedRound` (a round of a payment or a later operation: 32 bits) and
/// its end `endAt` (in 1/VESTING_END_SCALE of a round: below (2^32 + vestingRounds) · 2^16, 56 bits; both 0 when the
/// pool is empty), and `totalVested` (120 bits); slot 1 `unlocked` and `locked`, which every release rewrites; slot 2
/// `held` (read only when `hasHeld`) and `totalCredited` (what `_credit` paid in unlocked: the core's `payUnlocked`,
/// which its totals do not count); slot 3 the slash and clawback totals. `totalClaimed` is not stored: everything that
/// came in (vested and credited) less what is still held (unlocked and locked) and what was cut (slashed and clawed
/// back) was claimed. So a claim reads slots 0 and 1 and writes slot 1 (and 0 when it releases or materializes),
/// whatever vestingRounds is.
struct VestingState {
    // slot 0
    bool exists;
    bool hasHeld;
    uint32 pendingHead;
    uint32 lockedRound;
    uint56 endAt;
    uint120 totalVested;
    // slot 1
    uint128 unlocked;
    uint128 locked;
    // slot 2
    uint128 held;
    uint128 totalCredited;
    // slot 3
    uint128 totalSlashed;
    uint128 totalClawedBack;
}

/// @notice What a cycle paid by rule (§6.2) owes its submitters, frozen at the payment: each share is materialized
/// on its recipient's first claim (or slash) from these denominators (see the contracts README). `base`,
/// `revealedWeight` and `shareCount` are the core's cycle fields `ruleBase`, `ruleWeight` and `ruleShares`; `round` is
/// the cycle's completedRound. `paid` false with nonzero denominators: a payment loaded by the test harness, whose
/// shares the loaded vesting records already hold.
struct RulePayment {
    bool paid;
    int64 round;
    uint32 shareCount;
    uint128 base;
    uint128 revealedWeight;
}

/// @notice A `RulePayment` as stored (EVM only; `getRulePayment` returns `RulePayment`). Slot 0 holds what making a
/// share reads besides the weight: `paid`, the task's rule (`weighted`) and `vestingRounds` (copies: parameters never
/// change; so that a claim reads no parameter slot), the payment's round (never negative: 32 bits, as the vesting
/// pool's rounds), the share count and the base. Slot 1: the revealed weight, and `materialized`, the shares made so
/// far: the cycle's `paid` and `reserved` as the core has them are its stored ones plus and less this (`getCycle`), so
/// that making a share writes the slot it reads instead of the cycle's.
struct RulePaymentState {
    // slot 0
    bool paid;
    bool weighted;
    uint32 vestingRounds;
    uint32 round;
    uint32 shareCount;
    uint128 base;
    // slot 1
    uint128 revealedWeight;
    uint128 materialized;
}

/// @notice Progress of a window end left half done when a call ran out of settlement steps (EVM only): the proof
/// vote close of the next due slot, trigger by trigger and, for a decided trigger, vote by vote.
struct SettleCursor {
    bool lateDone;
    bool penaltiesLate;
    bool voteCloseDone;
    bool inPenalties;
    uint8 losing;
    uint32 trigger;
    uint32 vote;
    /// @dev The `custom` rule's list window ends of the slot (before its reveal and proof vote closes): done, the
    /// list trigger's losing votes being penalized, and the first cycle not handled yet.
    bool listsDone;
    bool listPenalties;
    uint32 listCycle;
}

/// @notice A late trigger still to resolve (`LateTriggerRef`), in closing order.
struct LateRef {
    uint32 cycle;
    uint32 trigger;
    uint64 closesAt;
}

/// @notice Running totals of every place money can sit (`TotalsRecord`).
struct Totals {
    uint256 balances;
    uint256 stakes;
    uint256 unbonding;
    uint256 escrows;
    uint256 reserved;
    uint256 vesting;
    uint256 bonds;
    uint256 burned;
}

/// @notice The running totals as stored (EVM only; `chainTotals` returns `Totals`). Every total is at most the money
/// held, below 2^128, so the pair a call most often moves money between shares a slot: balances and vesting (a claim).
/// `reserved` is not stored: it is the supply less every other total (§11.1's conservation taken as its definition),
/// so that what moves into or out of a cycle's reservation (a round start, a rule share, a list entry, a cycle's end)
/// writes only the other side's total.
struct TotalsState {
    uint128 balances;
    uint128 vesting;
    uint128 escrows;
    uint256 stakes;
    uint256 unbonding;
    uint256 bonds;
    uint256 burned;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors: the core's rejection codes (packages/protocol/src/errors.ts), and the EVM-only ones the report proposes.

error TX__MALFORMED();
error ACCOUNT__INSUFFICIENT_BALANCE(bytes32 account, uint256 balance, uint256 needed);
error TRANSFER__TO_SELF();
error TASK__INVALID_PARAMS(uint8 field);
error TASK__BELOW_FIRST_BOUNTY();
error TASK__LIMIT_REACHED();
error TASK__NOT_FOUND();
error TASK__NOT_CREATOR();
error TASK__CLOSED();
error TASK__FULL();
error STAKE__BELOW_MINIMUM();
error STAKE__UNBONDING();
error NODE__NOT_STAKED();
error NODE__NOT_ACTIVE();
error WITHDRAW__NOTHING_UNBONDING();
error WITHDRAW__STILL_BONDED(int64 round, int64 untilRound);
error WITHDRAW__STILL_CHALLENGEABLE(int64 round, int64 untilRound);
error CYCLE__NOT_FOUND();
error COMMIT__WINDOW_CLOSED();
error COMMIT__DUPLICATE();
error REVEAL__WINDOW_CLOSED();
error REVEAL__NO_COMMIT();
error REVEAL__MISMATCH(bytes32 expected, bytes32 got);
error REVEAL__DUPLICATE();
error AUDIT__SELF_TARGET();
error AUDIT__WINDOW_CLOSED(uint64 slot, int256 opensAt, int256 closesAt);
error AUDIT__VERDICT_NOT_ALLOWED();
error AUDIT__NOT_APPEALABLE();
error AUDIT__LIST_CHECKED_BY_LEDGER();
error AUDIT__NO_DISTRIBUTION();
error AUDIT__TARGET_NOT_REVEALED();
error AUDIT__ALREADY_TRIGGERED(uint32 trigger);
error AUDIT__TRIGGER_LIMIT(uint32 limit);
error VOTE__TRIGGER_NOT_FOUND();
error VOTE__WINDOW_CLOSED();
error VOTE__OWN_TRIGGER();
error VOTE__AVAILABILITY_CHALLENGE();
error VOTE__UNAVAILABLE_NOT_ALLOWED();
error VOTE__DUPLICATE();
error VOTE__NO_WEIGHT();
error PUBLISH__NO_CHALLENGE();
error PUBLISH__WINDOW_CLOSED();
error PUBLISH__TOO_LARGE(uint256 size, uint256 limit);
error PUBLISH__DIGEST_MISMATCH(bytes32 expected, bytes32 got);
error CLAIM__NOTHING_CLAIMABLE();
error DISTRIBUTION__PAID_BY_RULE();
error DISTRIBUTION__WRONG_ATTEMPT(uint32 expected, uint32 got);
error DISTRIBUTION__WINDOW_CLOSED();
error DISTRIBUTION__NOT_A_SUBMITTER();
error DISTRIBUTION__OVER_BOUNTY(uint256 total, uint256 bounty);
error DISTRIBUTION__TOO_MANY_ENTRIES(uint256 entries, uint32 validCount);
error DISTRIBUTION__NOT_BETTER(bytes32 distributor);
error DISTRIBUTION__NO_LIST();
error DISTRIBUTION__ALREADY_CLAIMED();
error DISTRIBUTION__BAD_PROOF();
error DISTRIBUTION__CLAIM_WINDOW_CLOSED();
/// @notice EVM only (proposed for the core): a node holds MAX_UNRAMPED_LOTS lots still ramping; wait a round.
error STAKE__TOO_MANY_LOTS();
/// @notice EVM only: the task has more window ends due than one call settles; call `settle` first.
error TASK__NOT_SETTLED(uint64 settledSlot, uint64 slot);

// ---------------------------------------------------------------------------------------------------------------
// Events: the core's events (packages/protocol/src/events.ts), with every input of the call that caused them.

interface IGradualEvents {
    event Deposited(bytes32 indexed account, uint256 amount);
    event BalanceWithdrawn(bytes32 indexed account, address indexed to, uint256 amount);
    event Transferred(bytes32 indexed from, bytes32 indexed to, uint256 amount);
    event TaskCreated(
        bytes32 indexed task,
        bytes32 indexed creator,
        uint256 funding,
        string name,
        bytes32 bundleHash,
        bytes32 metadataHash,
        TaskParams params
    );
    event TaskFunded(bytes32 indexed task, bytes32 indexed from, uint256 amount);
    event TaskPaused(bytes32 indexed task, int64 round, uint256 escrow);
    event TaskResumed(bytes32 indexed task, int64 round);
    event TaskClosing(bytes32 indexed task, bytes32 indexed creator);
    event TaskClosed(bytes32 indexed task, uint256 refunded);
    event Staked(bytes32 indexed task, bytes32 indexed node, uint256 amount, int64 activationRound, string nodeUrl);
    event Unstaked(bytes32 indexed task, bytes32 indexed node, uint256 amount, int64 untilRound);
    event Withdrawn(bytes32 indexed task, bytes32 indexed node, uint256 amount);
    event CycleStarted(bytes32 indexed task, uint32 cycle, uint256 reserved);
    event Committed(bytes32 indexed task, uint32 cycle, bytes32 indexed node, bytes32 commitment, uint128 weight);
    event Revealed(
        bytes32 indexed task, uint32 cycle, bytes32 indexed node, bytes32 proofDigest, uint32 index, bytes32 salt
    );
    event SeedFixed(bytes32 indexed task, uint32 cycle, bytes32 seed, uint32 revealCount);
    event AuditTriggered(
        bytes32 indexed task,
        uint32 cycle,
        uint32 trigger,
        uint8 kind,
        uint8 verdict,
        bool late,
        uint32 attempt,
        bytes32 target,
        bytes32 indexed triggerer,
        uint256 bond,
        bytes32 reasonDigest
    );
    event Voted(bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 indexed voter, uint8 choice, uint256 weight);
    event Equivocated(bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 indexed voter);
    /// @dev `payload`: the published proof, so an indexer replays the call from the log alone.
    event ProofPublished(
        bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 indexed node, uint32 byteCount, bytes payload
    );
    event TriggerResolved(
        bytes32 indexed task,
        uint32 cycle,
        uint32 trigger,
        uint8 kind,
        bytes32 target,
        bytes32 triggerer,
        uint8 resolution,
        uint256 validWeight,
        uint256 invalidWeight,
        uint256 unavailableWeight,
        uint256 activeWeight
    );
    event Slashed(
        bytes32 indexed task,
        uint32 cycle,
        uint32 trigger,
        bytes32 indexed node,
        uint256 fromStake,
        uint256 fromVesting,
        uint256 toWhistleblower,
        uint256 burned
    );
    event BondForfeited(
        bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 triggerer, bytes32 target, uint256 amount
    );
    event LosingVotePenalized(bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 indexed node, uint256 amount);
    /// @dev `paid`: under a rule, what the cycle owes (its shares are materialized on claim; see the README).
    event CycleCompleted(bytes32 indexed task, uint32 cycle, uint8 outcome, uint256 paid, uint256 returned);
    /// @dev §6.4: the claim window of the cycle's accepted list closed at a round start; the unclaimed rest left the
    /// cycle for the escrow (or, the task closed, the creator's vesting: `Credited`).
    event ListClaimWindowClosed(bytes32 indexed task, uint32 cycle, uint256 unclaimed);
    event RewardClawedBack(bytes32 indexed task, uint32 cycle, uint32 trigger, bytes32 indexed node, uint256 amount);
    event Vested(bytes32 indexed task, uint32 cycle, bytes32 indexed node, uint256 amount, int64 endRound);
    event Claimed(bytes32 indexed task, bytes32 indexed node, uint256 amount);
    /// @dev `replaced`: the poster this list beat in the race, bytes32(0) for none.
    event DistributionSubmitted(
        bytes32 indexed task,
        uint32 cycle,
        uint32 attempt,
        bytes32 indexed distributor,
        bytes32 replaced,
        uint32 entries,
        uint256 total,
        bytes32 listRoot,
        bytes32 listBlob
    );
    event DistributionAccepted(
        bytes32 indexed task, uint32 cycle, uint32 attempt, bytes32 distributor, uint256 total, uint32 entries, bytes32 listRoot
    );
    /// @dev EVM only: a `claimDistribution` call with every input (the core's transaction: the Merkle proof too), so
    /// an indexer replays it from the log alone; its `Vested` (none when the replayed slashes took the whole entry)
    /// follows. `claimer` is the sender (anyone may claim an entry).
    event ListEntryClaimed(
        bytes32 indexed task,
        uint32 cycle,
        bytes32 indexed recipient,
        bytes32 indexed claimer,
        uint256 amount,
        uint256 index,
        bytes32[] proof
    );
    /// @dev `distributor`: bytes32(0) when no list was posted. `reason`: 0 upheld, 1 disputed, 2 missing.
    event DistributionRejected(bytes32 indexed task, uint32 cycle, uint32 attempt, bytes32 distributor, uint8 reason);
    /// @dev `reason`: 0 bond-returned, 1 bond-won, 2 whistleblower, 3 escrow, 4 clawback (`CREDIT_REASONS`).
    event Credited(bytes32 indexed task, bytes32 indexed node, uint256 amount, uint8 reason);
}
