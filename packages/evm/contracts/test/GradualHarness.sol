// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "../src/GradualTypes.sol";
import {Gradual} from "../src/Gradual.sol";
import {GradualAudits} from "../src/GradualAudits.sol";
import {GradualLists} from "../src/GradualLists.sol";
import {GradualTasks} from "../src/GradualTasks.sol";
import {GradualRace} from "../src/GradualRace.sol";

/// @dev The harness's caller, slot and next task id, at a fixed storage slot that `Gradual` and its audits module
/// (run by delegatecall on the same storage) both read.
library HarnessHooks {
    /// @dev keccak256("gradual.harness.hooks") - 1.
    bytes32 internal constant SLOT = 0xf1918a6465536a6bee13eab8c0d6b97d2e102e4da0a06b0b3bbfd51825eb32cc;

    struct Hooks {
        bytes32 caller;
        uint64 slot;
        bytes32 presetTaskId;
    }

    function hooks() internal pure returns (Hooks storage h) {
        bytes32 position = SLOT;
        assembly ("memory-safe") {
            h.slot := position
        }
    }
}

/// @title Test-only audits module: the harness's caller and slot.
contract GradualAuditsHarness is GradualAudits {
    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_)
        GradualAudits(token_, genesisTimestamp_, slotMs_)
    {}

    function _sender() internal view override returns (bytes32) {
        return HarnessHooks.hooks().caller;
    }

    function _slot() internal view override returns (uint64) {
        return HarnessHooks.hooks().slot;
    }
}

/// @title Test-only lists module: the harness's caller and slot.
contract GradualListsHarness is GradualLists {
    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_, address audits_)
        GradualLists(token_, genesisTimestamp_, slotMs_, audits_)
    {}

    function _sender() internal view override returns (bytes32) {
        return HarnessHooks.hooks().caller;
    }

    function _slot() internal view override returns (uint64) {
        return HarnessHooks.hooks().slot;
    }
}

/// @title Test-only tasks module: the harness's caller, slot and next task id.
contract GradualTasksHarness is GradualTasks {
    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_, address audits_)
        GradualTasks(token_, genesisTimestamp_, slotMs_, audits_)
    {}

    function _sender() internal view override returns (bytes32) {
        return HarnessHooks.hooks().caller;
    }

    function _slot() internal view override returns (uint64) {
        return HarnessHooks.hooks().slot;
    }

    function _newTaskId(bytes32, uint32) internal view override returns (bytes32) {
        return HarnessHooks.hooks().presetTaskId;
    }
}

/// @title Test-only: the distributor race's arithmetic (`GradualRace`), to compare with the core's `random.ts`.
contract GradualRaceHarness {
    function log2Fixed(uint256 x) external pure returns (uint256) {
        return GradualRace.log2Fixed(x);
    }

    function raceTime(bytes32 seed, uint32 attempt, bytes32 node) external pure returns (uint64) {
        return GradualRace.raceTime(seed, attempt, node);
    }

    function beats(
        bytes32 challenger,
        uint256 challengerTime,
        uint256 challengerWeight,
        bytes32 holder,
        uint256 holderTime,
        uint256 holderWeight
    ) external pure returns (bool) {
        return GradualRace.beats(challenger, challengerTime, challengerWeight, holder, holderTime, holderWeight);
    }
}

/// @title Test-only Gradual: settable caller id, slot and next task id, and loaders that write records directly, so
/// that a spec vector's pre-state can be loaded (packages/evm/test/specVectors.evm.test.ts). Never deployed.
contract GradualHarness is Gradual {
    /// @param audits_ A `GradualAuditsHarness(token_, 0, 1000)`.
    /// @param lists_ A `GradualListsHarness(token_, 0, 1000, audits_)`.
    /// @param tasks_ A `GradualTasksHarness(token_, 0, 1000, audits_)`.
    constructor(IERC20 token_, address audits_, address lists_, address tasks_)
        Gradual(token_, 0, 1000, audits_, lists_, tasks_)
    {}

    /// @notice Sets the account id the next calls act as (a vector's ed25519 key, unchanged).
    function setSender(bytes32 caller) external {
        HarnessHooks.hooks().caller = caller;
    }

    /// @notice Sets the current slot.
    function setSlot(uint64 slot) external {
        HarnessHooks.hooks().slot = slot;
    }

    /// @notice Sets the id the next createTask gives its task (the core's: the transaction's hash).
    function setNextTaskId(bytes32 id) external {
        HarnessHooks.hooks().presetTaskId = id;
    }

    function _sender() internal view override returns (bytes32) {
        return HarnessHooks.hooks().caller;
    }

    function _slot() internal view override returns (uint64) {
        return HarnessHooks.hooks().slot;
    }

    // Loaders.

    /// @notice Writes an account's balance.
    function loadAccount(bytes32 account, uint256 balance) external {
        _balances[account] = balance;
    }

    /// @notice Writes the totals, the supply and the task count (`reserved` is the supply less the other totals).
    function loadChain(Totals calldata totals, uint256 supply, uint32 taskCount) external {
        _totals = TotalsState({
            balances: uint128(totals.balances),
            vesting: uint128(totals.vesting),
            escrows: uint128(totals.escrows),
            stakes: totals.stakes,
            unbonding: totals.unbonding,
            bonds: totals.bonds,
            burned: totals.burned
        });
        _supply = supply;
        _taskCount = taskCount;
    }

    /// @notice Writes a task record, its index entry, open cycles and ramp buckets.
    function loadTask(
        bytes32 id,
        Task calldata task,
        uint32[] calldata openCycles,
        int64[] calldata bucketRounds,
        uint256[] calldata bucketStakes
    ) external {
        _tasks[id] = task;
        _tasks[id].rampHead = 0;
        // What the contract keeps in slot 0 from the parameters comes from them, whatever was passed.
        _keepParams(_tasks[id], task.params);
        _taskAt[task.index] = id;
        _openCycles[id] = openCycles;
        delete _lateRefs[id];
        _lateHead[id] = 0;
        delete _bucketRounds[id];
        for (uint256 i = 0; i < bucketRounds.length; i += 1) {
            _bucketRounds[id].push(bucketRounds[i]);
            _bucketStake[id][bucketRounds[i]] = bucketStakes[i];
        }
    }

    /// @notice Writes a node record (its `nodeAt` entry separately).
    function loadNode(bytes32 id, bytes32 account, Node calldata node) external {
        NodeState storage stored = _nodes[id][account];
        stored.exists = true;
        stored.index = uint24(node.index);
        stored.slashCount = node.slashCount;
        stored.missedDuties = node.missedDuties;
        stored.losingVotes = node.losingVotes;
        stored.equivocations = node.equivocations;
        stored.unbondingUntilRound = node.unbondingUntilRound;
        stored.revealHead = int40(node.lastRevealCycle + 1);
        stored.rampedStake = uint128(node.rampedStake);
        // Not known (the commit reads the parameter): the loaded task may come later.
        stored.meetsMinimum = false;
        stored.unbonding = node.unbonding;
        stored.slashedTotal = node.slashedTotal;
        stored.url = node.url;
        for (uint256 i = 0; i < node.lots.length; i += 1) stored.lots[i] = node.lots[i];
        stored.lotCount = uint8(node.lots.length);
        // The loaded `voterId` is ignored: the account keeps the id it has, or gets the next one.
        _voterIdOf(id, account);
        _loadRevealGap(id, account);
    }

    /// @dev The node's `revealGap`: its last reveal's `previousGap`, once that reveal is loaded (in either order).
    function _loadRevealGap(bytes32 id, bytes32 account) internal {
        NodeState storage node = _nodes[id][account];
        int256 last = _lastReveal(node);
        if (last < 0 || _tasks[id].entryRing == 0) return;
        Entry storage entry = _entryAt(id, _tasks[id], uint32(uint256(last)), account);
        if (_heldFlags(entry, uint32(uint256(last))) & ENTRY_REVEALED != 0) node.revealGap = entry.previousGap;
    }

    /// @notice Writes a `nodeAt` entry.
    function loadNodeAt(bytes32 id, uint32 index, bytes32 account) external {
        _nodeAt[id][index] = account;
    }

    /// @notice Writes a cycle record.
    /// (Its counts within the harness's bounds: the reveal count at most MAX_NODES, the valid and share counts at
    /// most the reveal count; the accumulator's last 20 bytes zero, as every accumulator's.)
    function loadCycle(bytes32 id, uint32 cycle, CycleRecord calldata record) external {
        Cycle storage stored = _cycles[id][cycle];
        stored.exists = record.exists;
        stored.revealCount = uint24(record.revealCount);
        stored.revealedWeight = record.revealedWeight;
        stored.saltAccumulator = bytes12(record.saltAccumulator);
        stored.reserved = record.reserved;
        stored.paid = record.paid;
        stored.attempt = uint8(record.attempt);
        stored.completedRound = record.completedRound;
        stored.triggerCount = record.triggerCount;
        stored.reviewWeight = record.reviewWeight;
        stored.hasSeed = record.hasSeed;
        stored.hasCompletedRound = record.hasCompletedRound;
        stored.outcome = record.outcome;
        stored.invalidCount = uint24(record.revealCount - record.validCount);
        stored.unsharedCount = uint24(record.revealCount - record.shareCount);
        stored.seed = record.seed;
        stored.distributor = record.distributor;
        stored.failedDistributors = record.failedDistributors;
    }

    /// @notice Writes a commit record.
    /// (Load the task first, and a commit before its reveal: the reveal's slot is kept relative to the commit's, and
    /// the commit's to its window.)
    function loadCommit(bytes32 id, uint32 cycle, bytes32 node, Commit calldata record) external {
        Task storage task = _tasks[id];
        require(task.exists, "load the task first");
        Entry storage entry = _entryAt(id, task, cycle, node);
        require(entry.cycle != cycle || entry.flags & ENTRY_REVEALED == 0, "load the commit first");
        require(entry.flags == 0 || entry.cycle == cycle, "another cycle's record at the ring position");
        int256 offset = int256(uint256(record.slot)) - _commitOpensAt(task, cycle);
        require(offset >= 0 && offset < int256(uint256(task.commitSlots)), "commit slot outside its window");
        entry.flags = ENTRY_COMMITTED;
        entry.index = 0;
        entry.revealDelay = 0;
        entry.commitOffset = uint24(uint256(offset));
        entry.weight = record.weight;
        entry.cycle = cycle;
        entry.previousGap = 0;
        entry.digest = record.commitment;
    }

    /// @notice Writes a reveal record; it joins the chain of the node's reveals (`Entry.previousGap`: linked to the
    /// nearest held reveal before it and from the nearest after it, each at most MAX_PREVIOUS_GAP cycles away, so
    /// reveals load in any order) and a disputed or unavailable reveal's weight the cycle's kept weight.
    function loadReveal(bytes32 id, uint32 cycle, bytes32 node, Reveal calldata record) external {
        Task storage task = _tasks[id];
        Entry storage entry = _entryAt(id, task, cycle, node);
        // The contract holds one weight, and the proof's digest in place of the commitment: a reveal must match its
        // commit, as every reveal the core accepted does.
        require(
            entry.cycle == cycle && entry.flags & ENTRY_COMMITTED != 0 && entry.weight == record.weight,
            "reveal without its commit"
        );
        uint64 committedAt = _commitSlotOf(task, cycle, entry);
        require(record.slot > committedAt && record.slot - committedAt < 1 << 24, "reveal slot");
        require(_commitment(id, cycle, node, record.proofDigest, record.salt) == entry.digest, "reveal mismatch");
        entry.flags = ENTRY_COMMITTED | ENTRY_REVEALED | (record.published ? ENTRY_PUBLISHED : 0)
            | (record.status << ENTRY_STATUS_SHIFT);
        entry.index = record.index;
        entry.revealDelay = uint24(record.slot - committedAt);
        entry.digest = record.proofDigest;
        if (record.status == 2 || record.status == 3) _keptWeight[id][cycle] += record.weight;
        entry.previousGap = 0;
        for (uint256 gap = 1; gap <= MAX_PREVIOUS_GAP && gap <= cycle; gap += 1) {
            if (_entryFlags(id, task, uint32(cycle - gap), node) & ENTRY_REVEALED != 0) {
                entry.previousGap = uint8(gap);
                break;
            }
        }
        for (uint256 gap = 1; gap <= MAX_PREVIOUS_GAP && cycle + gap <= type(uint32).max; gap += 1) {
            Entry storage next = _entryAt(id, task, uint32(cycle + gap), node);
            if (_heldFlags(next, uint32(cycle + gap)) & ENTRY_REVEALED != 0) {
                next.previousGap = uint8(gap);
                break;
            }
        }
        _loadRevealGap(id, node);
    }

    /// @notice Appends a late trigger still to resolve (`task.lateTriggers`, in order).
    function loadLateTrigger(bytes32 id, LateRef calldata ref) external {
        _lateRefs[id].push(ref);
    }

    /// @notice Queues an accepted list whose claim window is still open (§6.4), kept in closing order (slot, then
    /// cycle): what the contract queues at the list's acceptance, for a pre-state loaded record by record.
    function loadListClose(bytes32 id, uint64 closesAt, uint32 cycle) external {
        uint256[] storage queue = _listCloses[id];
        uint256 entry = uint256(closesAt) << 32 | cycle;
        queue.push(entry);
        uint256 i = queue.length - 1;
        for (; i > _listCloseHead[id] && queue[i - 1] > entry; i -= 1) queue[i] = queue[i - 1];
        queue[i] = entry;
    }

    /// @notice Writes a trigger record.
    function loadTrigger(bytes32 id, uint32 cycle, uint32 index, Trigger calldata record) external {
        _triggers[id][cycle][index] = record;
        // The loaded `targetVoter` is ignored: the target's permanent voter id (given now if it has none).
        _triggers[id][cycle][index].targetVoter = _voterIdOf(id, record.target);
        // The loaded `book` is ignored too: the trigger takes one as `triggerAudit` does.
        _triggers[id][cycle][index].book = _takeBook(id, cycle, _tasks[id].entryRing);
    }

    /// @notice Writes a `triggerOf` entry (slotKind 0 proof, 1 availability, 2 + attempt a list's).
    function loadTriggerOf(bytes32 id, uint32 cycle, uint8 slotKind, bytes32 target, uint32 index) external {
        _triggerOf[id][cycle][slotKind][target] = index + 1;
    }

    /// @notice Writes a `nodeCycle` record.
    function loadNodeCycle(bytes32 id, uint32 cycle, bytes32 node, uint32 triggers) external {
        _nodeCycleTriggers[id][cycle][node] = triggers;
    }

    /// @notice Writes a vote record (its choice: the contract holds no vote's slot or weight, nor its position, the
    /// core's `voteAt`). A vote into an empty choice word lists the word, as `vote` does.
    function loadVote(bytes32 id, uint32 cycle, uint32 trigger, bytes32 voter, Vote calldata record) external {
        uint32 voterId = _voterIdOf(id, voter);
        uint32 book = _triggers[id][cycle][trigger].book;
        uint256 choices = _choiceWord(id, cycle, book, voterId);
        uint256 others = choices & ~(uint256(3) << ((uint256(voterId) % VOTERS_PER_WORD) << 1));
        // A first choice in the word (none of other voters) lists the word, as `vote` does.
        _writeChoice(id, cycle, book, voterId, others, record.choice);
    }

    /// @notice Writes a vesting record (its rule shares all materialized: the loaded rule payments are not `paid`).
    function loadVesting(bytes32 id, bytes32 account, Vesting calldata record) external {
        VestingState storage stored = _vesting[id][account];
        stored.exists = true;
        stored.unlocked = record.unlocked;
        stored.locked = record.locked;
        stored.lockedRound = uint32(uint64(record.lockedRound));
        stored.endAt = uint56(record.endAt);
        stored.held = record.held;
        stored.hasHeld = record.held != 0;
        stored.totalVested = uint120(record.totalVested);
        stored.totalSlashed = record.totalSlashed;
        stored.totalClawedBack = record.totalClawedBack;
        // What the core's totals do not count: its `payUnlocked` credits (`totalClaimed` is derived from it).
        stored.totalCredited = uint128(
            uint256(record.totalClaimed) + record.unlocked + record.locked + record.totalSlashed
                + record.totalClawedBack - record.totalVested
        );
    }

    /// @notice Writes what a cycle paid by rule paid from (the core's cycle fields `ruleBase`, `ruleWeight`,
    /// `ruleShares`; the payment's round is its completedRound), not `paid`: the loaded vesting records hold its
    /// shares already, so `_materialize` makes none of them again.
    function loadRulePayment(bytes32 id, uint32 cycle, RulePayment calldata payment) external {
        TaskParams storage params = _tasks[id].params;
        _rulePayments[id][cycle] = RulePaymentState({
            paid: false,
            weighted: params.distributionRule == 0,
            vestingRounds: params.vestingRounds,
            round: uint32(uint64(payment.round)),
            shareCount: payment.shareCount,
            base: payment.base,
            revealedWeight: payment.revealedWeight,
            materialized: 0
        });
    }

    /// @notice Writes a distribution record (`distribution/{task}/{cycle}/{attempt}`).
    function loadDistribution(bytes32 id, uint32 cycle, uint32 attempt, Distribution calldata record) external {
        _distributions[id][cycle][attempt] = record;
    }

    /// @notice Marks a list entry claimed with what it vested (`listClaim`).
    function loadListClaim(bytes32 id, uint32 cycle, bytes32 recipient, uint256 vested) external {
        _listClaimed[id][cycle][recipient] = vested + 1;
    }

    /// @notice Writes a node's slash log (`slashLog`).
    function loadSlashLog(bytes32 id, bytes32 node, SlashLogEntry[] calldata entries) external {
        delete _slashLog[id][node];
        for (uint256 i = 0; i < entries.length; i += 1) _slashLog[id][node].push(entries[i]);
    }
}
