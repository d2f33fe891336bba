// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "../src/GradualTypes.sol";
import {Gradual} from "../src/Gradual.sol";

/// @title Test-only Gradual: settable caller id, slot and next task id, and loaders that write records directly, so
/// that a spec vector's pre-state can be loaded (packages/evm/test/specVectors.evm.test.ts). Never deployed.
contract GradualHarness is Gradual {
    bytes32 private _caller;
    uint64 private _currentSlot;
    bytes32 private _presetTaskId;

    constructor(IERC20 token_) Gradual(token_, 0, 1000) {}

    /// @notice Sets the account id the next calls act as (a vector's ed25519 key, unchanged).
    function setSender(bytes32 caller) external {
        _caller = caller;
    }

    /// @notice Sets the current slot.
    function setSlot(uint64 slot) external {
        _currentSlot = slot;
    }

    /// @notice Sets the id the next createTask gives its task (the core's: the transaction's hash).
    function setNextTaskId(bytes32 id) external {
        _presetTaskId = id;
    }

    function _sender() internal view override returns (bytes32) {
        return _caller;
    }

    function _slot() internal view override returns (uint64) {
        return _currentSlot;
    }

    function _newTaskId(bytes32, uint32) internal view override returns (bytes32) {
        return _presetTaskId;
    }

    // Loaders.

    /// @notice Writes an account's balance.
    function loadAccount(bytes32 account, uint256 balance) external {
        _balances[account] = balance;
    }

    /// @notice Writes the totals, the supply and the task count.
    function loadChain(Totals calldata totals, uint256 supply, uint32 taskCount) external {
        _totals = totals;
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
        _taskAt[task.index] = id;
        _openCycles[id] = openCycles;
        delete _bucketRounds[id];
        for (uint256 i = 0; i < bucketRounds.length; i += 1) {
            _bucketRounds[id].push(bucketRounds[i]);
            _bucketStake[id][bucketRounds[i]] = bucketStakes[i];
        }
    }

    /// @notice Writes a node record (its `nodeAt` entry separately).
    function loadNode(bytes32 id, bytes32 account, Node calldata node) external {
        Node storage stored = _nodes[id][account];
        stored.exists = true;
        stored.index = node.index;
        stored.slashCount = node.slashCount;
        stored.missedDuties = node.missedDuties;
        stored.losingVotes = node.losingVotes;
        stored.equivocations = node.equivocations;
        stored.unbondingUntilRound = node.unbondingUntilRound;
        stored.lastRevealCycle = node.lastRevealCycle;
        stored.rampedStake = node.rampedStake;
        stored.unbonding = node.unbonding;
        stored.slashedTotal = node.slashedTotal;
        stored.url = node.url;
        delete stored.lots;
        for (uint256 i = 0; i < node.lots.length; i += 1) stored.lots.push(node.lots[i]);
    }

    /// @notice Writes a `nodeAt` entry.
    function loadNodeAt(bytes32 id, uint32 index, bytes32 account) external {
        _nodeAt[id][index] = account;
    }

    /// @notice Writes a cycle record.
    function loadCycle(bytes32 id, uint32 cycle, Cycle calldata record) external {
        _cycles[id][cycle] = record;
    }

    /// @notice Writes a commit record.
    function loadCommit(bytes32 id, uint32 cycle, bytes32 node, Commit calldata record) external {
        _commits[id][cycle][node] = record;
    }

    /// @notice Writes a reveal record.
    function loadReveal(bytes32 id, uint32 cycle, bytes32 node, Reveal calldata record) external {
        _reveals[id][cycle][node] = record;
    }

    /// @notice Writes a `revealAt` entry.
    function loadRevealAt(bytes32 id, uint32 cycle, uint32 index, bytes32 node) external {
        _revealAt[id][cycle][index] = node;
    }
}
