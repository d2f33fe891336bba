// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "./GradualTypes.sol";
import {GradualState} from "./GradualState.sol";

/// @title Gradual's audits module: window ends (trigger resolutions, the `custom` rule's list window ends and claim
/// windows, rule payments), availability answers and rule shares.
/// @notice Deployed before `Gradual` (its address passed to `Gradual`'s and `GradualLists`'s constructors) and run
/// only by `delegatecall` from them (its own storage is never used): it shares `GradualState`'s layout. Calling it
/// directly changes nothing of any task.
/// @dev Lazy settlement in the core's order (`advanceSlot.ts`): per task and slot, the late triggers due, then the
/// window ends of the open cycles in cycle order (the `custom` rule's list window ends of the older cycles, then the
/// reveal close and the proof vote close: every unresolved proof trigger of the cycle in index order, each a step,
/// and each losing vote of a decided trigger a step), then the round start (the rule payment or the attempts of the
/// cycles whose attempt round starts, then the new cycle). Every step is O(1) in the number of nodes.
contract GradualAudits is GradualState {
    /// @dev Bit 0 of every 2-bit field of a `_voteBits` word, and of its choices alone (below the cycle tag).
    uint256 private constant EVEN_BITS = 0x5555555555555555555555555555555555555555555555555555555555555555;
    uint256 private constant EVEN_CHOICE_BITS = EVEN_BITS >> 32;

    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_)
        GradualState(token_, genesisTimestamp_, slotMs_)
    {}

    // ------------------------------------------------------------------------------------------------------------
    // Settlement.

    /// @notice Applies up to `maxSteps` of the task's due window ends. Anyone may call it; transactions settle up to
    /// MAX_SETTLE_STEPS themselves and refuse with TASK__NOT_SETTLED beyond.
    /// @param id The task.
    /// @param maxSteps The most steps to apply in this call.
    /// @return done True when the task is settled through the current slot.
    function settle(bytes32 id, uint256 maxSteps) external returns (bool done) {
        _requireTask(id);
        return _settle(id, maxSteps);
    }

    /// @dev The window ends at slot `due`, in the core's order: a proof vote close (of cycle round - L, or
    /// round - L - 1 when it falls on the round start; L the review lag, `_reviewLag`), a reveal close (cycle
    /// round - L), then a round start.
    function _settle(bytes32 id, uint256 maxSteps) internal override returns (bool) {
        Task storage task = _tasks[id];
        uint64 slot = _slot();
        uint64 settled = task.settledSlot;
        uint256 steps = 0;
        SettleCursor storage cursor = _cursors[id];
        uint64 due;
        // Bounded by maxSteps: every iteration of the inner loops takes a step or ends the slot. The last iteration
        // finds the first window end after the slot, which sets `dueGap`.
        while (true) {
            bool pendingLate = _lateHead[id] < _lateRefs[id].length;
            bool closed = task.status == TaskStatus.Closed;
            // A closed task has no window ends; its late triggers and list claim windows still close (advanceSlot.ts).
            due = closed || (!pendingLate && _quiet(id, task)) ? type(uint64).max : _nextDue(task, settled);
            if (pendingLate) {
                uint64 lateDue = _lateRefs[id][_lateHead[id]].closesAt;
                if (lateDue < due) due = lateDue;
            }
            if (_listCloseDue(id) < due) due = _listCloseDue(id);
            if (due > slot) break;
            // Late triggers due (§5.7) first, as the core resolves them before the slot's window ends.
            if (!cursor.lateDone) {
                while (_lateDue(id, due, cursor)) {
                    if (steps == maxSteps) return _pause(task, settled);
                    steps += 1;
                    _lateStep(id, task, due, cursor);
                }
                cursor.lateDone = true;
            }
            // Then the list claim windows closing at this round start (§6.4): one cycle a step.
            while (_listCloseDue(id) <= due) {
                if (steps == maxSteps) return _pause(task, settled);
                steps += 1;
                _closeListClaims(id, task);
            }
            if (!closed) {
                uint64 offset = (due - task.startSlot) % task.roundSlots;
                int64 round = int64((due - task.startSlot) / task.roundSlots);
                uint64 voteClose = (uint64(task.revealSlots) + task.params.auditSlots + task.params.voteSlots)
                    % task.roundSlots;
                // The custom rule's list windows end before the reveal and proof vote closes of the same slot: they
                // are older cycles' (the core closes each open cycle's windows in cycle order).
                if (task.customRule && !cursor.listsDone) {
                    while (true) {
                        if (steps == maxSteps) return _pause(task, settled);
                        if (!_listStep(id, task, offset, round, due, cursor)) break;
                        steps += 1;
                    }
                    cursor.listsDone = true;
                }
                int64 lag = _reviewLag(task);
                // A proof vote close before a reveal close of the same slot: they meet only when reveals are paired
                // and the vote close falls on the round start, where it is the older cycle's (round - 3, the reveal
                // close's round - 2; the core closes each open cycle's windows in cycle order).
                if (offset == voteClose && !cursor.voteCloseDone) {
                    int64 cycle = voteClose == 0 ? round - lag - 1 : round - lag;
                    if (cycle >= 0) {
                        while (true) {
                            if (steps == maxSteps) return _pause(task, settled);
                            steps += 1;
                            if (_voteCloseStep(id, task, uint32(uint64(cycle)), due, cursor)) break;
                        }
                    }
                    cursor.voteCloseDone = true;
                }
                // Paired, the reveal close is at the round start: a call that pauses before the round start runs it
                // again on resuming, which finds the seed fixed and does nothing (`_closeReveal`).
                if (offset == task.revealSlots && round >= lag) {
                    if (steps == maxSteps) return _pause(task, settled);
                    _closeReveal(id, task, round - lag);
                    steps += 1;
                }
                if (offset == 0) {
                    if (steps == maxSteps) return _pause(task, settled);
                    _roundStart(id, task, round);
                    steps += 1;
                }
            }
            delete _cursors[id];
            settled = due;
        }
        uint64 gap = due - slot;
        // Below MAX_SLOT: the current slot, after the task's start.
        task.settledSlot = uint48(slot);
        task.dueGap = gap > type(uint8).max ? type(uint8).max : uint8(gap);
        return true;
    }

    function _pause(Task storage task, uint64 settled) private returns (bool) {
        task.settledSlot = uint48(settled);
        task.dueGap = 1;
        return false;
    }

    /// @dev The slot at which the first open list claim window closes, or the largest uint64 for none.
    function _listCloseDue(bytes32 id) internal view returns (uint64) {
        uint256 head = _listCloseHead[id];
        return head < _listCloses[id].length ? uint64(_listCloses[id][head] >> 32) : type(uint64).max;
    }

    /// @dev `closeListClaims` (listClaimEnd.ts) for the queue's head: the cycle's unclaimed rest returns to the
    /// escrow, or is credited to the creator once the task is closed. Each cycle is returned once (the head moves).
    function _closeListClaims(bytes32 id, Task storage task) internal {
        uint256 head = _listCloseHead[id];
        uint32 c = uint32(_listCloses[id][head]);
        _listCloseHead[id] = head + 1;
        Cycle storage cycle = _cycles[id][c];
        uint256 unclaimed = cycle.reserved;
        cycle.reserved = 0;
        if (task.status == TaskStatus.Closed) {
            _credit(id, task.creator, unclaimed, 3);
        } else {
            _totals.escrows += uint128(unclaimed);
            task.escrow += unclaimed;
        }
        emit ListClaimWindowClosed(id, c, unclaimed);
    }

    /// @dev Whether a late trigger's resolution (or one of its penalized votes) is due at slot `due`.
    function _lateDue(bytes32 id, uint64 due, SettleCursor storage cursor) internal view returns (bool) {
        if (cursor.penaltiesLate) return true;
        uint256 head = _lateHead[id];
        return head < _lateRefs[id].length && _lateRefs[id][head].closesAt <= due;
    }

    /// @dev One step of `resolveLateTriggers`: the head late trigger is resolved (unless an answer settled it), or
    /// one of its losing votes is penalized.
    function _lateStep(bytes32 id, Task storage task, uint64 due, SettleCursor storage cursor) internal {
        uint256 head = _lateHead[id];
        LateRef memory ref = _lateRefs[id][head];
        Trigger storage trigger = _triggers[id][ref.cycle][ref.trigger];
        if (cursor.penaltiesLate) {
            if (_penaltyStep(id, task, ref.cycle, trigger, cursor, due)) {
                cursor.penaltiesLate = false;
                _lateHead[id] = head + 1;
            }
            return;
        }
        if (trigger.resolution == 0) {
            uint8 losing = _resolve(id, task, ref.cycle, trigger, due);
            if (losing != 0 && trigger.voteCount > 0) {
                cursor.penaltiesLate = true;
                cursor.losing = losing;
                cursor.vote = 0;
                return;
            }
        }
        _lateHead[id] = head + 1;
    }

    /// @dev Whether no window end after now can change anything until a transaction touches the task: no open
    /// cycle, and no cycle can start (closing, or paused with an escrow below the bounty; the escrow only grows in a
    /// transaction, which settles first).
    function _quiet(bytes32 id, Task storage task) internal view returns (bool) {
        if (_openCycles[id].length > 0) return false;
        TaskStatus status = task.status;
        if (status == TaskStatus.Active) return false;
        return !(status == TaskStatus.Paused && task.escrow >= task.params.bountyPerRound);
    }

    /// @dev The first slot after `afterSlot` with a window end: a round start (offset 0), a reveal close (offset
    /// revealSlots, from round 1; paired reveals close at a round start) or a proof vote close (offset revealSlots +
    /// auditSlots + voteSlots, from round 1; from round 2 when paired, where round 1's is no window end).
    function _nextDue(Task storage task, uint64 afterSlot) internal view returns (uint64) {
        uint64 start = task.startSlot;
        if (afterSlot < start) return start;
        uint64 size = task.roundSlots;
        uint64 round = (afterSlot - start) / size;
        uint64 base = start + round * size;
        uint64 reveal = task.revealSlots;
        uint64 voteClose = reveal + task.params.auditSlots + task.params.voteSlots;
        uint64 next = base + size;
        if (round >= 1) {
            next = _sooner(next, base + reveal, afterSlot);
            if (voteClose < size) next = _sooner(next, base + voteClose, afterSlot);
        }
        // The custom rule's list windows: a distribution window's end and its vote close, from round 2 on.
        if (round >= 2 && task.customRule) {
            uint64 listEnd = task.params.distributionSlots;
            uint64 listVote = listEnd + task.params.distributionAuditSlots + task.params.voteSlots;
            next = _sooner(next, base + listEnd, afterSlot);
            if (listVote < size) next = _sooner(next, base + listVote, afterSlot);
        }
        return next;
    }

    function _sooner(uint64 next, uint64 candidate, uint64 afterSlot) private pure returns (uint64) {
        return candidate > afterSlot && candidate < next ? candidate : next;
    }

    /// @dev One step of the `custom` rule's list window ends at slot `due` (at `offset` in `round`), cycle by cycle
    /// in order (`advanceSlot.ts` `closeWindows`): a distribution window's end (`closeDistributionWindow`) or one
    /// step of a distribution vote close (`settleDistribution`). False when none is left at this slot. Bounded by
    /// the open cycles (at most 3 + allowedFailedDistributions, 4 + it when reveals are paired).
    function _listStep(bytes32 id, Task storage task, uint64 offset, int64 round, uint64 due, SettleCursor storage cursor)
        internal
        returns (bool)
    {
        uint64 size = task.roundSlots;
        uint64 listEnd = task.params.distributionSlots;
        uint64 listVote = listEnd + task.params.distributionAuditSlots + task.params.voteSlots;
        // A vote close at the round's end falls on the next round's start, before it (as the proof vote close).
        int64 voteRound = listVote == size ? round - 1 : round;
        listVote %= size;
        if (offset != listEnd && offset != listVote) return false;
        uint32[] storage open = _openCycles[id];
        for (uint256 i = 0; i < open.length; i += 1) {
            uint32 c = open[i];
            if (c < cursor.listCycle) continue;
            Cycle storage cycle = _cycles[id][c];
            if (offset == listEnd && _attemptRound(task, c, cycle) == round) {
                cursor.listCycle = c + 1;
                // No list posted: the attempt fails (nobody was drawn, so nobody gets a missed-duty mark).
                if (!_distributions[id][c][cycle.attempt].exists) {
                    emit DistributionRejected(id, c, cycle.attempt, bytes32(0), 2);
                    _failAttempt(id, task, c, cycle, round);
                }
                return true;
            }
            if (offset == listVote && _attemptRound(task, c, cycle) == voteRound) {
                if (_settleListStep(id, task, c, cycle, round, due, cursor)) cursor.listCycle = c + 1;
                return true;
            }
        }
        return false;
    }

    /// @dev One step of cycle c's distribution vote close (`settleDistribution`): the list's trigger is resolved,
    /// or one of its losing votes penalized; then the list is rejected (upheld or disputed: the next attempt
    /// follows) or accepted (the cycle completes as paid, keeping the total reserved for the entries' claims, and
    /// the task's slash count is the list's `slashSeq`). True when the close is done.
    function _settleListStep(
        bytes32 id,
        Task storage task,
        uint32 c,
        Cycle storage cycle,
        int64 round,
        uint64 due,
        SettleCursor storage cursor
    ) internal returns (bool) {
        uint32 attempt = cycle.attempt;
        Distribution storage list = _distributions[id][c][attempt];
        if (!list.exists || list.status != LIST_COMPLETE) return true;
        uint8 resolution = 0;
        if (list.triggered) {
            uint32 index = _triggerOf[id][c][uint8(SLOT_LIST + attempt)][list.distributor] - 1;
            Trigger storage trigger = _triggers[id][c][index];
            if (cursor.listPenalties) {
                if (_penaltyStep(id, task, c, trigger, cursor, due)) cursor.listPenalties = false;
                return false;
            }
            if (trigger.resolution == 0) {
                uint8 losing = _resolve(id, task, c, trigger, due);
                if (losing != 0 && trigger.voteCount > 0) {
                    cursor.listPenalties = true;
                    cursor.losing = losing;
                    cursor.vote = 0;
                }
                return false;
            }
            resolution = trigger.resolution;
        }
        if (resolution == UPHELD || resolution == DISPUTED) {
            list.status = LIST_REJECTED;
            emit DistributionRejected(id, c, attempt, list.distributor, resolution == UPHELD ? 0 : 1);
            _failAttempt(id, task, c, cycle, round);
            return true;
        }
        list.status = LIST_ACCEPTED;
        list.hasSlashSeq = true;
        list.slashSeq = task.slashCount;
        emit DistributionAccepted(id, c, attempt, list.distributor, list.total, list.entryCount, list.listRoot);
        // Its claim window closes LIST_CLAIM_ROUNDS later (§6.4): queued in closing order (completions come in order).
        _listCloses[id].push(uint256(_roundStart(task, round + int64(int256(LIST_CLAIM_ROUNDS)))) << 32 | c);
        cycle.paid = list.total;
        _completeCycle(id, task, c, cycle, OUTCOME_PAID, list.total, round);
        return true;
    }

    /// @dev `failAttempt` (cycleEnd.ts): the distributor is excluded from the cycle's later attempts, which run a
    /// round later, until `allowedFailedDistributions` retries are used.
    function _failAttempt(bytes32 id, Task storage task, uint32 c, Cycle storage cycle, int64 round) internal {
        bytes32 distributor = cycle.distributor;
        if (distributor != bytes32(0)) {
            cycle.failedDistributors.push(distributor);
            cycle.distributor = bytes32(0);
        }
        if (cycle.attempt + 1 > task.params.allowedFailedDistributions) {
            _completeCycle(id, task, c, cycle, OUTCOME_DISTRIBUTION_FAILED, 0, round);
            return;
        }
        cycle.attempt += 1;
    }

    /// @dev End of cycle c's reveal window (revealClose.ts `fixSeed`, §4.4); the weight of its reveals is kept as the
    /// cycle's `reviewWeight`.
    function _closeReveal(bytes32 id, Task storage task, int64 cycleNumber) internal {
        uint32 c = uint32(uint64(cycleNumber));
        Cycle storage cycle = _cycles[id][c];
        // A fixed seed: the close ran before its call paused at the round start (paired reveals, `_settle`).
        if (!cycle.exists || cycle.outcome != 0 || cycle.hasSeed) return;
        bytes32 seed = _nextSeed(task.seedHead, cycle.saltAccumulator, c);
        cycle.seed = seed;
        cycle.hasSeed = true;
        cycle.reviewWeight = cycle.revealedWeight;
        task.seedHead = seed;
        task.seedCycle = cycleNumber;
        emit SeedFixed(id, c, seed, cycle.revealCount);
    }

    /// @dev One step of cycle c's proof vote close: the next unresolved proof trigger is decided, or one vote of the
    /// decided trigger is settled. True when the close is done.
    function _voteCloseStep(bytes32 id, Task storage task, uint32 c, uint64 due, SettleCursor storage cursor)
        internal
        returns (bool)
    {
        Cycle storage cycle = _cycles[id][c];
        if (!cycle.exists || cycle.outcome != 0) return true;
        uint32 index = cursor.trigger;
        if (index >= cycle.triggerCount) return true;
        Trigger storage trigger = _triggers[id][c][index];
        if (cursor.inPenalties) {
            if (_penaltyStep(id, task, c, trigger, cursor, due)) {
                cursor.inPenalties = false;
                cursor.trigger = index + 1;
            }
            return false;
        }
        if (trigger.kind == KIND_PROOF && trigger.resolution == 0) {
            uint8 losing = _resolve(id, task, c, trigger, due);
            if (losing != 0 && trigger.voteCount > 0) {
                cursor.inPenalties = true;
                cursor.losing = losing;
                cursor.vote = 0;
                return false;
            }
        }
        cursor.trigger = index + 1;
        return false;
    }

    /// @dev Start of round r: the rule payment of the cycle whose attempt round is r (§6.2; the `custom` rule's draw
    /// is not in the contract), then cycle r starts or the task pauses (§8.1).
    function _roundStart(bytes32 id, Task storage task, int64 round) internal {
        if (task.customRule) {
            _openAttempts(id, task, round);
        } else if (round >= 1 + _reviewLag(task)) {
            // A rule's first attempt pays (it never fails): the cycle whose first attempt round this is.
            uint32 c = uint32(uint64(round - 1 - _reviewLag(task)));
            Cycle storage cycle = _cycles[id][c];
            if (cycle.exists && cycle.outcome == 0 && _attemptRound(task, c, cycle) == round) {
                _payByRule(id, task, c, cycle, round);
            }
        }
        _startCycle(id, task, round);
    }

    /// @dev `openAttempt` (roundStart.ts) for every open cycle whose attempt round starts: nobody is drawn (any valid
    /// submitter that has not failed may post); with no such submitter left the cycle completes. Bounded by the open
    /// cycles times the failed distributors (3 + allowedFailedDistributions, 4 + it paired, and
    /// allowedFailedDistributions).
    function _openAttempts(bytes32 id, Task storage task, int64 round) internal {
        // A copy: a completed cycle leaves the stored list while the core goes on over the round's.
        uint32[] memory open = _openCycles[id];
        for (uint256 i = 0; i < open.length; i += 1) {
            uint32 c = open[i];
            Cycle storage cycle = _cycles[id][c];
            if (cycle.outcome != 0 || cycle.distributor != bytes32(0) || _attemptRound(task, c, cycle) != round) continue;
            // The ramp is folded to the round here, as the core's `openAttempt` does.
            _refreshRampAt(id, task, round);
            uint256 valid = _validCount(cycle);
            if (valid > _failedButValid(id, task, c, cycle.failedDistributors)) continue;
            _completeCycle(id, task, c, cycle, valid == 0 ? OUTCOME_NO_SUBMITTERS : OUTCOME_DISTRIBUTION_FAILED, 0, round);
        }
    }

    /// @dev How many of the cycle's failed distributors still have a valid reveal (at most 16).
    function _failedButValid(bytes32 id, Task storage task, uint32 c, bytes32[] storage failed)
        internal
        view
        returns (uint256 count)
    {
        for (uint256 j = 0; j < failed.length; j += 1) {
            if (_validReveal(_entryFlags(id, task, c, failed[j]))) count += 1;
        }
    }

    /// @dev `payByRule` (rulePayment.ts) in O(1): the cycle owes floor(B * V / W) (weighted) or floor(B / N) per
    /// valid reveal (equal), returns the rest to the escrow and keeps what it owes reserved; each valid submitter's
    /// floored share moves from the reservation into its vesting on its first claim (`_materialize`), so the dust
    /// stays reserved as in the core. V: the weight of the valid reveals, revealedWeight less the disputed and
    /// unavailable ones, which the cycle keeps in its denominators.
    function _payByRule(bytes32 id, Task storage task, uint32 c, Cycle storage cycle, int64 round) internal {
        uint32 valid = _validCount(cycle);
        if (valid == 0) {
            _completeCycle(id, task, c, cycle, OUTCOME_NO_SUBMITTERS, 0, round);
            return;
        }
        uint32 shares = _shareCount(cycle);
        uint256 base = cycle.reserved;
        uint256 owed;
        if (task.params.distributionRule == 0 && cycle.revealedWeight > 0) {
            owed = base * _validWeight(id, c) / cycle.revealedWeight;
        } else {
            owed = shares == 0 ? 0 : (base / shares) * valid;
        }
        _rulePayments[id][c] = RulePaymentState({
            paid: true,
            weighted: task.params.distributionRule == 0,
            vestingRounds: task.params.vestingRounds,
            round: uint32(uint64(round)),
            shareCount: shares,
            base: uint128(base),
            revealedWeight: cycle.revealedWeight,
            materialized: 0
        });
        _completeCycle(id, task, c, cycle, OUTCOME_PAID, owed, round);
    }

    /// @dev The weight of the cycle's valid reveals: revealedWeight counts valid, disputed and unavailable ones; the
    /// disputed and unavailable weight is kept beside it as the resolutions mark them (`_invalidatedWeight`).
    function _validWeight(bytes32 id, uint32 c) internal view returns (uint256) {
        return uint256(_cycles[id][c].revealedWeight) - _keptWeight[id][c];
    }

    /// @dev `completeCycle` (cycleEnd.ts): what the cycle does not keep returns to the escrow.
    function _completeCycle(
        bytes32 id,
        Task storage task,
        uint32 c,
        Cycle storage cycle,
        uint8 outcome,
        uint256 kept,
        int64 round
    ) internal {
        uint256 returned = cycle.reserved - kept;
        _totals.escrows += uint128(returned);
        cycle.reserved = uint128(kept);
        cycle.outcome = outcome;
        cycle.completedRound = round;
        cycle.hasCompletedRound = true;
        task.escrow += returned;
        uint32[] storage open = _openCycles[id];
        // At most 3 + allowedFailedDistributions entries (4 + it when reveals are paired).
        uint256 length = open.length;
        for (uint256 i = 0; i < length; i += 1) {
            if (open[i] != c) continue;
            for (uint256 j = i + 1; j < length; j += 1) open[j - 1] = open[j];
            open.pop();
            break;
        }
        emit CycleCompleted(id, c, outcome, kept, returned);
        _finishClosing(id, task);
    }

    /// @dev Start of round r (roundStart.ts `startCycle`): cycle r reserves `bountyPerRound`, or the task pauses.
    function _startCycle(bytes32 id, Task storage task, int64 round) internal {
        if (task.status == TaskStatus.Closing || task.status == TaskStatus.Closed) return;
        uint256 bounty = task.params.bountyPerRound;
        if (task.escrow < bounty) {
            if (task.status == TaskStatus.Active) {
                task.status = TaskStatus.Paused;
                emit TaskPaused(id, round, task.escrow);
            }
            return;
        }
        if (task.status == TaskStatus.Paused) emit TaskResumed(id, round);
        // A cycle's start folds the ramp to its round (§3.3, deviation 44): the cycle's commits then fold their
        // nodes' lots that weigh in full. (A round that starts no cycle has no commits; a quiet task skips it.)
        _refreshRampAt(id, task, round);
        _totals.escrows -= uint128(bounty);
        task.status = TaskStatus.Active;
        task.escrow -= bounty;
        uint32 cycleNumber = uint32(uint64(round));
        _openCycles[id].push(cycleNumber);
        Cycle storage cycle = _cycles[id][cycleNumber];
        cycle.exists = true;
        task.cycleMark = cycleNumber + 1;
        cycle.reserved = uint128(bounty);
        emit CycleStarted(id, cycleNumber, bounty);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Resolution (resolveTrigger.ts, §5.4-§5.6).

    /// @dev Resolves one proof trigger at its vote close (slot `due`); returns the losing vote choice + 1 when the
    /// votes on the losing side are penalized (rejected, or upheld with a slash), else 0. An appeal (§5.8) returns
    /// CHOICE_INVALID + 1 when the nodes that voted invalid on the trigger it appeals are slashed (`_penaltyStep`).
    function _resolve(bytes32 id, Task storage task, uint32 c, Trigger storage trigger, uint64 due)
        internal
        returns (uint8 losing)
    {
        // A late trigger may take back the target's share of the cycle (§5.7), and an upheld appeal makes its proof
        // valid again (§5.8): either way the target's rule shares exist first, made from the status the cycle paid.
        if (trigger.late) _materialize(id, task, trigger.target);
        int64 round = _roundOf(task, due);
        if (trigger.verdict == VERDICT_UNAVAILABLE) {
            _settleAvailability(id, c, trigger, UNAVAILABLE, round);
            return 0;
        }
        // What a late trigger held from the target's claims is given back first (deviation 42).
        _unhold(id, trigger);
        _refreshRampAt(id, task, round);
        NodeState storage target = _nodes[id][trigger.target];
        uint256 targetWeight = 0;
        // The core reads the target folded without writing it back (`freshNode`); folding does not change a weight.
        if (target.exists) targetWeight = _nodeWeight(task, target, round);
        // A late trigger or an appeal is decided in its cycle's frame (deviations 39 and 40): the target weighs at
        // most its reveal, and the weight that could take part is the cycle's reviewWeight less the target's.
        uint256 total;
        uint256 review = 0;
        if (trigger.late) {
            targetWeight = _lateWeight(id, task, c, trigger.target, targetWeight);
            review = _cycles[id][c].reviewWeight;
            total = review;
        } else {
            total = _totalWeight(id, task, round);
        }
        uint256 activeWeight = total > targetWeight ? total - targetWeight : 0;
        bool appeal = trigger.verdict == VERDICT_VALID;
        // The side that upholds: the invalid votes, or an appeal's valid votes and its target's weight (§5.8).
        uint256 support = (appeal ? uint256(trigger.validWeight) + targetWeight : trigger.invalidWeight) * BPS;
        // A late trigger or an appeal needs D above 1 - q of the weight that reviewed its cycle (deviation 39).
        uint8 resolution = _decide(task, trigger, activeWeight, targetWeight, support, review);
        bool slashes = resolution == UPHELD
            && support
                > uint256(task.params.slashSupermajorityBps)
                    * (uint256(trigger.validWeight) + trigger.invalidWeight + trigger.unavailableWeight + targetWeight);
        _totals.bonds -= trigger.bond;
        if (appeal) return _settleAppeal(id, task, c, trigger, resolution, slashes, activeWeight);
        // Only an upheld late trigger takes back what the cycle paid (§5.7, deviation 37); a disputed one leaves the
        // proof valid and its pay where it is.
        if (trigger.late && resolution == UPHELD) _clawBack(id, c, trigger, round);
        if (slashes) {
            _slash(id, task, c, trigger, trigger.target, round, trigger.bond);
        } else if (resolution == REJECTED) {
            _credit(id, trigger.target, trigger.bond, REASON_BOND_WON);
            emit BondForfeited(id, c, trigger.index, trigger.triggerer, trigger.target, trigger.bond);
        } else {
            _credit(id, trigger.triggerer, trigger.bond, REASON_BOND_RETURNED);
        }
        // A slashed distributor is no longer a valid submitter; a merely disputed list leaves its proof alone.
        if (resolution == UPHELD || (resolution == DISPUTED && trigger.kind == KIND_PROOF && !trigger.late)) {
            _markProof(id, c, trigger.target, resolution == UPHELD ? STATUS_INVALID : STATUS_DISPUTED);
        }
        trigger.resolution = resolution;
        _emitResolved(id, c, trigger, activeWeight);
        if (resolution == REJECTED) return CHOICE_INVALID + 1;
        if (slashes) return CHOICE_VALID + 1;
        return 0;
    }

    /// @dev `resolveAppeal` (§5.8) once decided: rejected, the bond is burned (the nodes an appeal accuses are many);
    /// otherwise it returns to the appellant. Upheld, the proof is valid again and back in the cycle's counts (its
    /// payments stay as they were). No clawback, and an appeal's own votes are never penalized. Upheld above the slash supermajority,
    /// every node that voted invalid on the trigger that found the proof invalid (`triggerOf` slot 0) is slashed
    /// after `TriggerResolved`, a settlement step each (`_penaltyStep`); under the `custom` rule those slashes share
    /// one slash log `seq`, the task's `slashCount` at the resolution, which goes up by one here for all of them.
    function _settleAppeal(
        bytes32 id,
        Task storage task,
        uint32 c,
        Trigger storage trigger,
        uint8 resolution,
        bool slashes,
        uint256 activeWeight
    ) internal returns (uint8) {
        bytes32 target = trigger.target;
        if (resolution == REJECTED) {
            _totals.burned += trigger.bond;
            task.burned += trigger.bond;
            emit BondForfeited(id, c, trigger.index, trigger.triggerer, target, trigger.bond);
        } else {
            _credit(id, trigger.triggerer, trigger.bond, REASON_BOND_RETURNED);
        }
        if (resolution == UPHELD) {
            Entry storage reveal = _entryAt(id, task, c, target);
            uint8 flags = _heldFlags(reveal, c);
            // Status bits cleared: valid (0), and the proof is back in the cycle's counts (`_markProof` took it out),
            // so that a later trigger that finds it invalid again takes it out once more (`reinstateProof`).
            if (flags >> ENTRY_STATUS_SHIFT == STATUS_INVALID) {
                reveal.flags = flags & ((uint8(1) << ENTRY_STATUS_SHIFT) - 1);
                Cycle storage cycle = _cycles[id][c];
                cycle.invalidCount -= 1;
                cycle.revealedWeight += reveal.weight;
                cycle.unsharedCount -= 1;
            }
        }
        trigger.resolution = resolution;
        _emitResolved(id, c, trigger, activeWeight);
        if (!slashes || _triggerOf[id][c][0][target] == 0) return 0;
        if (task.customRule) task.slashCount += 1;
        return CHOICE_INVALID + 1;
    }

    /// @dev `decideTrigger` (§5.5): participation against the active weight without the target (a late decision's is
    /// its quorum), then `support` (the
    /// upholding side's weight times BPS: the invalid votes, or an appeal's valid votes and its target's weight)
    /// against D, the votes and the target's weight. `review` is a late trigger's cycle `reviewWeight` (0 otherwise):
    /// D must exceed 1 - q of it.
    function _decide(
        Task storage task,
        Trigger storage trigger,
        uint256 activeWeight,
        uint256 targetWeight,
        uint256 support,
        uint256 review
    ) internal view returns (uint8) {
        uint256 voted = uint256(trigger.validWeight) + trigger.invalidWeight + trigger.unavailableWeight;
        // A late decision's participation is its quorum, below (deviation 40).
        if (voted == 0 || (!trigger.late && voted * BPS < uint256(task.params.minParticipationBps) * activeWeight)) {
            return REJECTED;
        }
        uint256 decided = voted + targetWeight;
        uint256 quorum = task.params.slashQuorumBps;
        if (decided * BPS <= (BPS - quorum) * review) return REJECTED;
        if (support > quorum * decided) return UPHELD;
        if (support > (BPS - quorum) * decided) return DISPUTED;
        return REJECTED;
    }

    /// @dev A slash for a trigger (`slashNode` and the whistleblower's share, resolveTrigger.ts): `account` loses
    /// slashFractionBps of its stake and locked vesting, the triggerer is credited its share of it (and `bond`, 0 for
    /// none, after it), then `Slashed`. An appeal's slashes share the slash log `seq` its resolution took.
    function _slash(
        bytes32 id,
        Task storage task,
        uint32 c,
        Trigger storage trigger,
        bytes32 account,
        int64 round,
        uint256 bond
    ) internal {
        (uint256 fromStake, uint256 fromVesting) =
            _slashNode(id, task, account, round, trigger.verdict == VERDICT_VALID);
        uint256 slashed = fromStake + fromVesting;
        uint256 toWhistleblower = slashed * task.params.whistleblowerShareBps / BPS;
        task.burned -= toWhistleblower;
        _totals.burned -= toWhistleblower;
        _credit(id, trigger.triggerer, toWhistleblower, REASON_WHISTLEBLOWER);
        _credit(id, trigger.triggerer, bond, REASON_BOND_RETURNED);
        trigger.slashed += uint128(slashed);
        emit Slashed(id, c, trigger.index, account, fromStake, fromVesting, toWhistleblower, slashed - toWhistleblower);
    }

    /// @dev One step of `recordLosingVotes`: the next voter on the losing side in the current choice word (cursor
    /// `vote`: the word's position in the trigger's `_voteWords` times 128, plus the first voter id bit left to look
    /// at) is penalized, or, with none left in the word, the step moves to the next word. A step reads one choice
    /// word and penalizes at most one voter; the steps of a trigger are its losing voters plus its nonzero choice
    /// words at most. Voters come in voter-id order (word by word), where the core's come in vote order: each voter
    /// is penalized once and the penalties commute, so only the order of the `LosingVotePenalized` logs differs.
    /// True when the trigger's votes are done. An appeal's steps (§5.8) walk the voters of the trigger it appeals (the
    /// one that found its proof invalid, `triggerOf` slot 0) that voted invalid, and slash each for the appeal
    /// (`_slash`), in voter-id order too where the core's are in vote order: the slashes commute as the penalties do
    /// (each is the voter's own, and sums), so only the order of the (`Credited`, `Slashed`) pairs differs.
    function _penaltyStep(
        bytes32 id,
        Task storage task,
        uint32 c,
        Trigger storage trigger,
        SettleCursor storage cursor,
        uint64 due
    ) internal returns (bool) {
        uint32 index = trigger.index;
        uint32 book = trigger.book;
        bool appeal = trigger.verdict == VERDICT_VALID;
        if (appeal) {
            index = _triggerOf[id][c][0][trigger.target] - 1;
            book = _triggers[id][c][index].book;
        }
        uint32 next = cursor.vote;
        uint32 position = next >> 7;
        uint256 wordIndex = _voteWordAt(id, book, position);
        // Bit 2k of `matches` is set when voter k of the word voted on the losing side, from the cursor's bit on.
        uint256 pattern = cursor.losing == 1 ? EVEN_BITS : EVEN_BITS << 1;
        // The listed words are this trigger's (their tag is the cycle): only the choice bits below it are compared.
        uint256 differs = _voteBits[id][book][wordIndex] ^ pattern;
        uint256 matches = ~(differs | (differs >> 1)) & EVEN_CHOICE_BITS;
        matches &= ~((uint256(1) << ((uint256(next) & 127) << 1)) - 1);
        if (matches != 0) {
            uint256 bit = _lowestBit(matches) >> 1;
            uint32 voter = uint32(wordIndex * VOTERS_PER_WORD + bit);
            if (appeal) {
                int64 round = _roundOf(task, due);
                _refreshRampAt(id, task, round);
                _slash(id, task, c, trigger, _voterAccount[id][voter], round, 0);
            } else {
                _penalizeVoter(id, task, c, index, voter, due);
            }
            matches &= matches - 1;
            if (matches != 0) {
                cursor.vote = uint32((uint256(position) << 7) | (bit + 1));
                return false;
            }
        }
        position += 1;
        if (position >= _voteWordCount(id, c, book)) return true;
        cursor.vote = position << 7;
        return false;
    }

    /// @dev The index of the lowest set bit of a nonzero word.
    function _lowestBit(uint256 word) internal pure returns (uint256 bit) {
        word &= ~word + 1;
        if (word >> 128 != 0) (word, bit) = (word >> 128, bit + 128);
        if (word >> 64 != 0) (word, bit) = (word >> 64, bit + 64);
        if (word >> 32 != 0) (word, bit) = (word >> 32, bit + 32);
        if (word >> 16 != 0) (word, bit) = (word >> 16, bit + 16);
        if (word >> 8 != 0) (word, bit) = (word >> 8, bit + 8);
        if (word >> 4 != 0) (word, bit) = (word >> 4, bit + 4);
        if (word >> 2 != 0) (word, bit) = (word >> 2, bit + 2);
        if (word >> 1 != 0) bit += 1;
    }

    /// @dev `recordLosingVotes` for one losing vote: the voter loses `losingVotePenalty` of its ramped stake (burned).
    /// The voter id is the account's own (ids are never reused), so no account pays for another's vote.
    function _penalizeVoter(bytes32 id, Task storage task, uint32 c, uint32 trigger, uint32 voterId, uint64 due)
        internal
    {
        bytes32 voter = _voterAccount[id][voterId];
        NodeState storage node = _nodes[id][voter];
        if (!node.exists) return;
        _refreshRampAt(id, task, _roundOf(task, due));
        _foldNodeLots(task, node);
        uint256 penalty = task.params.losingVotePenalty < node.rampedStake
            ? task.params.losingVotePenalty
            : node.rampedStake;
        node.losingVotes += 1;
        if (penalty == 0) return;
        node.rampedStake -= uint128(penalty);
        node.meetsMinimum = false;
        _totals.stakes -= penalty;
        _totals.burned += penalty;
        task.burned += penalty;
        _removeFromRamp(id, task, penalty, task.rampFoldedThrough);
        emit LosingVotePenalized(id, c, trigger, voter, penalty);
    }

    /// @dev `slashNode` (tasks.ts): `slashFractionBps` of the node's stake lots, ramped stake, unbonding stake and
    /// locked vesting (its rule shares materialized first), burned.
    function _slashNode(bytes32 id, Task storage task, bytes32 account, int64 round, bool shared)
        internal
        returns (uint256 fromStake, uint256 fromVesting)
    {
        uint256 fraction = task.params.slashFractionBps;
        NodeState storage node = _nodes[id][account];
        if (node.exists) {
            _foldNodeLots(task, node);
            mapping(uint256 => StakeLot) storage lots = node.lots;
            uint256 length = node.lotCount;
            uint256 kept = 0;
            // At most MAX_UNRAMPED_LOTS lots (folded ones were moved into rampedStake by the caller).
            for (uint256 i = 0; i < length; i += 1) {
                StakeLot memory lot = lots[i];
                uint256 cut = uint256(lot.amount) * fraction / BPS;
                _removeFromRamp(id, task, cut, lot.activationRound);
                fromStake += cut;
                if (lot.amount - cut > 0) {
                    lots[kept] = StakeLot(uint128(lot.amount - cut), lot.activationRound);
                    kept += 1;
                }
            }
            node.lotCount = uint8(kept);
            uint256 rampedCut = node.rampedStake * fraction / BPS;
            _removeFromRamp(id, task, rampedCut, task.rampFoldedThrough);
            fromStake += rampedCut;
            uint256 unbondingCut = node.unbonding * fraction / BPS;
            _totals.stakes -= fromStake;
            _totals.unbonding -= unbondingCut;
            _totals.burned += fromStake + unbondingCut;
            fromStake += unbondingCut;
            node.rampedStake -= uint128(rampedCut);
            node.meetsMinimum = false;
            node.unbonding -= unbondingCut;
            node.slashedTotal += fromStake;
            node.slashCount += 1;
        }
        fromVesting = _slashLocked(id, task, account, round, fraction);
        // Under the custom rule a list entry becomes a tranche only when claimed: the slash is logged, and a later
        // claim replays the slashes after its list's acceptance (§7.2). An appeal's slashes (`shared`) share the
        // `seq` its resolution took (the task's slashCount less one now), so that their order is not in the state.
        if (task.customRule) {
            uint32 seq = task.slashCount;
            if (shared) seq -= 1;
            else task.slashCount = seq + 1;
            _slashLog[id][account].push(SlashLogEntry(seq, round, uint32(fraction)));
        }
        _totals.vesting -= uint128(fromVesting);
        _totals.burned += fromVesting;
        task.burned += fromStake + fromVesting;
        task.totalSlashed += fromStake + fromVesting;
    }

    /// @dev `slashLocked` (vesting.ts, deviation 42): the node's rule shares made first, its pool released to `round`,
    /// then `fraction` of what stays locked is cut (its end unchanged). O(1).
    function _slashLocked(bytes32 id, Task storage task, bytes32 account, int64 round, uint256 fraction)
        internal
        returns (uint256 slashed)
    {
        _materialize(id, task, account);
        VestingState storage vesting = _vesting[id][account];
        if (!vesting.exists) return 0;
        _release(vesting, round);
        uint256 locked = vesting.locked;
        slashed = locked * fraction / BPS;
        if (slashed == 0) return 0;
        _setLocked(vesting, locked - slashed);
        vesting.totalSlashed += uint128(slashed);
    }
}
