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
    bool exists;
    TaskStatus status;
    uint32 index;
    uint32 nodeCount;
    uint64 createdSlot;
    uint64 startSlot;
    /// @dev Lazy window ends: every round start and reveal close at a slot <= settledSlot has been applied.
    uint64 settledSlot;
    int64 seedCycle;
    int64 rampFoldedThrough;
    /// @dev Ramp buckets not yet folded start at this position of the task's bucket queue.
    uint64 rampHead;
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

/// @notice A node record (`NodeRecord`); `lots` holds at most MAX_UNRAMPED_LOTS entries.
struct Node {
    bool exists;
    uint32 index;
    uint32 slashCount;
    uint32 missedDuties;
    uint32 losingVotes;
    uint32 equivocations;
    int64 unbondingUntilRound;
    int64 lastRevealCycle;
    uint256 rampedStake;
    uint256 unbonding;
    uint256 slashedTotal;
    string url;
    StakeLot[] lots;
}

/// @notice A cycle record (`CycleRecord`). `outcome`: 0 none, 1 paid, 2 no-submitters, 3 distribution-failed.
struct Cycle {
    // slot 0
    bool exists;
    bool hasSeed;
    bool hasCompletedRound;
    uint8 outcome;
    uint32 commitCount;
    uint32 revealCount;
    uint32 validCount;
    uint32 shareCount;
    int64 attemptRound;
    uint32 triggerCount;
    // slot 1
    uint32 attempt;
    int64 completedRound;
    uint128 reserved;
    // slot 2 on
    uint128 revealedWeight;
    uint128 paid;
    bytes32 saltAccumulator;
    bytes32 seed;
    /// @dev bytes32(0) stands for the core's `distributor: null`.
    bytes32 distributor;
    bytes32[] failedDistributors;
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
}
