// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "./GradualTypes.sol";
import {GradualDelegating} from "./GradualDelegating.sol";

/// @title Gradual's tasks module: creating, funding and closing a task (§8), with the name and parameter checks.
/// @notice Deployed before `Gradual` and run only by `delegatecall` from it (its own storage is never used): it shares
/// `GradualState`'s layout, and settles through the audits module (`GradualDelegating`). A task's creator calls these
/// a few times in the task's life, so they live outside `Gradual`, whose size (EIP-170) goes to what every node calls
/// every round (commits, reveals, votes and claims).
contract GradualTasks is GradualDelegating {
    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_, address audits_)
        GradualDelegating(token_, genesisTimestamp_, slotMs_, audits_)
    {}

    // ------------------------------------------------------------------------------------------------------------
    // Tasks (§8).

    /// @notice §8.1 (`createTask.ts`): locks the caller's funding in a new task's escrow; round 0 starts next slot.
    /// @param name Letters, digits, space, '.', '_' or '-', starting with a letter or digit, at most 64 bytes.
    /// @param bundleHash The task bundle's hash.
    /// @param metadataHash The metadata's hash, or bytes32(0) for none.
    /// @param params The task's parameters (validated as `findParamsProblems`).
    /// @param funding Base units moved from the balance into the escrow, at least `params.bountyPerRound`.
    /// @return id The new task's id.
    function createTask(
        string calldata name,
        bytes32 bundleHash,
        bytes32 metadataHash,
        TaskParams calldata params,
        uint256 funding
    ) external returns (bytes32 id) {
        _requireAmount(funding);
        _requireName(name);
        _validateParams(params);
        if (funding < params.bountyPerRound) revert TASK__BELOW_FIRST_BOUNTY();
        uint32 count = _taskCount;
        if (count >= MAX_TASKS) revert TASK__LIMIT_REACHED();
        bytes32 creator = _sender();
        _requireBalance(creator, funding);
        id = _newTaskId(creator, count);
        uint64 slot = _slot();
        // The task's slots are kept in 48 bits: a chain's clock stays below MAX_SLOT (an invariant, not a rule).
        assert(slot < MAX_SLOT);
        _balances[creator] -= funding;
        _totals.balances -= uint128(funding);
        _totals.escrows += uint128(funding);
        Task storage task = _tasks[id];
        task.exists = true;
        task.status = TaskStatus.Active;
        task.index = count;
        task.createdSlot = slot;
        task.startSlot = uint48(slot + 1);
        task.settledSlot = uint48(slot);
        task.dueGap = 1;
        task.seedCycle = -1;
        task.rampFoldedThrough = FOLDED_NEVER;
        task.creator = creator;
        task.bundleHash = bundleHash;
        task.metadataHash = metadataHash;
        task.seedHead = _genesisSeed(id);
        task.escrow = funding;
        task.name = name;
        task.params = params;
        _keepParams(task, params);
        task.customRule = params.distributionRule == 2;
        _taskAt[count] = id;
        _taskCount = count + 1;
        emit TaskCreated(id, creator, funding, name, bundleHash, metadataHash, params);
    }

    /// @notice §8.1 (`fundTask.ts`): adds to a task's escrow; a paused task resumes at its next round start.
    /// @param id The task.
    /// @param amount Base units, in (0, 2^128).
    function fundTask(bytes32 id, uint256 amount) external {
        _requireAmount(amount);
        Task storage task = _touch(id);
        _requireOpen(task);
        bytes32 from = _sender();
        _requireBalance(from, amount);
        // A paused task's next round start depends on the escrow.
        _beforeDueChange(id, task);
        _balances[from] -= amount;
        _totals.balances -= uint128(amount);
        _totals.escrows += uint128(amount);
        task.escrow += amount;
        emit TaskFunded(id, from, amount);
    }

    /// @notice §8.3 (`closeTask.ts`): no new cycle starts; with no open cycle the escrow returns at once.
    /// @param id The task; only its creator may close it.
    function closeTask(bytes32 id) external {
        Task storage task = _touch(id);
        bytes32 from = _sender();
        if (task.creator != from) revert TASK__NOT_CREATOR();
        _requireOpen(task);
        _beforeDueChange(id, task);
        task.status = TaskStatus.Closing;
        emit TaskClosing(id, from);
        _finishClosing(id, task);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Input checks (the core's wire schema and `findParamsProblems`).

    /// @dev A task name: [A-Za-z0-9][A-Za-z0-9 ._-]*, at most MAX_TASK_NAME_LENGTH bytes (the loop's bound), and not
    /// the text of a bigint ("12n": the core's canonical encoding would read it back as a number).
    function _requireName(string calldata name) internal pure {
        bytes calldata text = bytes(name);
        uint256 length = text.length;
        if (length == 0 || length > MAX_TASK_NAME_LENGTH) revert TX__MALFORMED();
        bool digitsOnly = true;
        for (uint256 i = 0; i < length; i += 1) {
            bytes1 c = text[i];
            bool digit = c >= "0" && c <= "9";
            bool alnum = digit || (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
            if (!alnum && (i == 0 || (c != " " && c != "." && c != "_" && c != "-"))) revert TX__MALFORMED();
            if (i + 1 < length && !digit) digitsOnly = false;
        }
        // /^-?(0|[1-9][0-9]*)n$/ (a name cannot start with '-').
        if (length >= 2 && digitsOnly && text[length - 1] == "n" && (length == 2 || text[0] != "0")) {
            revert TX__MALFORMED();
        }
    }

    /// @dev `findParamsProblems` (params.ts): the first problem is reported with the field's position in TaskParams.
    function _validateParams(TaskParams calldata p) internal pure {
        _range(p.roundSlots, 2, MAX_ROUND_SLOTS, 0);
        _range(p.commitSlots, 1, MAX_ROUND_SLOTS, 1);
        // 0: the task pairs its reveals with its commits (§2.2).
        _range(p.revealSlots, 0, MAX_ROUND_SLOTS, 2);
        _range(p.auditSlots, 1, MAX_ROUND_SLOTS, 3);
        _range(p.voteSlots, 0, MAX_ROUND_SLOTS, 4);
        _range(p.distributionSlots, 1, MAX_ROUND_SLOTS, 5);
        _range(p.distributionAuditSlots, 1, MAX_ROUND_SLOTS, 6);
        _range(p.maxNodes, 1, MAX_NODES, 9);
        _range(p.auditsPerNode, 1, MAX_AUDITS_PER_NODE, 10);
        _range(p.slashQuorumBps, 0, BPS, 13);
        _range(p.slashSupermajorityBps, 0, BPS, 14);
        _range(p.minParticipationBps, 0, BPS, 15);
        _range(p.slashFractionBps, 0, BPS, 16);
        _range(p.whistleblowerShareBps, 0, BPS, 17);
        _range(p.maxTriggersPerNodePerCycle, 1, MAX_TRIGGERS_PER_NODE_PER_CYCLE, 19);
        _range(p.allowedFailedDistributions, 0, MAX_ALLOWED_FAILED_DISTRIBUTIONS, 20);
        _range(p.warmupRounds, 0, MAX_RAMP_ROUNDS, 21);
        _range(p.rampRounds, 0, MAX_RAMP_ROUNDS, 22);
        _range(p.unbondingRounds, 2, MAX_ROUNDS, 23);
        _range(p.vestingRounds, 0, MAX_ROUNDS, 24);
        _range(p.maxProofBytes, 1, MAX_PROOF_BYTES, 25);
        if (p.minimumStake == 0) revert TASK__INVALID_PARAMS(7);
        if (p.bountyPerRound == 0) revert TASK__INVALID_PARAMS(8);
        if (p.auditMode > 1) revert TASK__INVALID_PARAMS(11);
        if (p.distributionRule > 2) revert TASK__INVALID_PARAMS(26);
        if (p.slashSupermajorityBps < p.slashQuorumBps) revert TASK__INVALID_PARAMS(14);
        if (p.commitSlots > p.roundSlots) revert TASK__INVALID_PARAMS(1);
        if (uint256(p.revealSlots) + p.auditSlots + p.voteSlots > p.roundSlots) revert TASK__INVALID_PARAMS(2);
        if (uint256(p.distributionSlots) + p.distributionAuditSlots + p.voteSlots > p.roundSlots) {
            revert TASK__INVALID_PARAMS(5);
        }
    }

    function _range(uint256 value, uint256 min, uint256 max, uint8 field) private pure {
        if (value < min || value > max) revert TASK__INVALID_PARAMS(field);
    }
}
