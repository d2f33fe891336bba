// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "./GradualTypes.sol";
import {GradualDelegating} from "./GradualDelegating.sol";
import {GradualRace} from "./GradualRace.sol";

/// @title Gradual's lists module: triggers (§5.2), the availability answer (§5.6), the `custom` rule's list posting
/// race and Merkle entry claims (§6.1-§6.4, deviations 34-36), `materialize` (§7.1), and the views of the records
/// (tasks, triggers, votes, rule payments, vesting, lists; `Gradual` has those of nodes, cycles, commits and
/// reveals). Votes and claims are `Gradual`'s own (neither pays a delegatecall).
/// @notice Deployed before `Gradual` and run only by `delegatecall` from it (its own storage is never used): it
/// shares `GradualState`'s layout. The window ends (a missing list, trigger resolutions, acceptance) are the audits
/// module's lazy settlement, which this module's transactions reach by delegatecall as `Gradual`'s do.
contract GradualLists is GradualDelegating {
    bytes1 internal constant MERKLE_LEAF = 0x00;
    bytes1 internal constant MERKLE_NODE = 0x01;

    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_, address audits_)
        GradualDelegating(token_, genesisTimestamp_, slotMs_, audits_)
    {}

    // ------------------------------------------------------------------------------------------------------------
    // Triggers (§5.2).

    /// @notice §5.2 (`triggerAudit.ts`): locks `triggerBond` from the caller's balance and opens a trigger against a
    /// proof; the caller's weight is its first `invalid` vote. A verdict of `unavailable` opens an availability
    /// challenge (§5.6) instead. A verdict of `valid` is an appeal (§5.8): against a proof found invalid, in its
    /// cycle's late-challenge window, late, its own `triggerOf` slot (SLOT_APPEAL); the target may file it, and the
    /// caller's weight is its first `valid` vote unless it is the target. A distribution trigger (the `custom` rule
    /// only; `weighted` and `equal` take no list) contests the attempt's list in its trigger window (§6.3).
    /// @param id The task.
    /// @param cycle The cycle of the proof.
    /// @param kind 0 proof, 1 distribution.
    /// @param verdict 0 invalid, 1 unavailable, 2 valid (an appeal).
    /// @param attempt A distribution trigger's attempt (ignored for a proof trigger: 0).
    /// @param target The node whose proof (or list) is contested.
    /// @param reasonDigest The hash of the auditor's reasons.
    function triggerAudit(
        bytes32 id,
        uint32 cycle,
        uint8 kind,
        uint8 verdict,
        uint32 attempt,
        bytes32 target,
        bytes32 reasonDigest
    ) external {
        if (kind > 1 || verdict > 2) revert TX__MALFORMED();
        Task storage task = _touch(id);
        uint64 slot = _slot();
        _refreshRamp(id, task);
        Cycle storage record = _cycles[id][cycle];
        if (!record.exists) revert CYCLE__NOT_FOUND();
        bytes32 from = _sender();
        int256 opensAt;
        int256 closesAt;
        // A node may appeal its own proof (§5.8); no other trigger may target its sender.
        if (target == from && verdict != VERDICT_VALID) revert AUDIT__SELF_TARGET();
        if (_closedForGood(task, record, slot)) {
            // Closed for good (§9.3): before any check of the cycle's reveals or lists, as the core (which may have
            // pruned them). The window reported: the late-challenge window, or the proof trigger window without one.
            int64 completed = record.completedRound;
            uint256 vesting = task.params.vestingRounds;
            opensAt = vesting > 0
                ? _roundStart(task, completed)
                : _revealClosesAt(task, cycle);
            closesAt = vesting > 0
                ? _roundStart(task, completed + int64(uint64(vesting)))
                : opensAt + int256(uint256(task.params.auditSlots));
            revert AUDIT__WINDOW_CLOSED(slot, opensAt, closesAt);
        }
        bool late = false;
        uint64 resolvesAt;
        if (kind == KIND_DISTRIBUTION) {
            if (verdict != VERDICT_INVALID) revert AUDIT__VERDICT_NOT_ALLOWED();
            if (task.params.distributionRule != RULE_CUSTOM) revert AUDIT__LIST_CHECKED_BY_LEDGER();
            Distribution storage list = _distributions[id][cycle][attempt];
            if (attempt != record.attempt || !list.exists || list.status != LIST_COMPLETE || list.distributor != target)
            {
                revert AUDIT__NO_DISTRIBUTION();
            }
            // The attempt's trigger window, after its distribution window; its vote closes voteSlots later.
            opensAt = _roundStart(task, _attemptRound(task, cycle, record)) + int256(uint256(task.params.distributionSlots));
            closesAt = opensAt + int256(uint256(task.params.distributionAuditSlots));
            resolvesAt = uint64(uint256(closesAt)) + task.params.voteSlots;
        } else {
            attempt = 0;
            uint8 flags = _entryFlags(id, task, cycle, target);
            uint8 status = flags >> ENTRY_STATUS_SHIFT;
            bool appeal = verdict == VERDICT_VALID;
            if (flags & ENTRY_REVEALED == 0 || (!appeal && status != STATUS_VALID)) {
                revert AUDIT__TARGET_NOT_REVEALED();
            }
            bool lateWindow = record.hasCompletedRound && task.params.vestingRounds > 0;
            // An appeal needs a proof that a proof trigger found invalid (slot 0 holds it, upheld; not a distributor's
            // proof taken out by a list trigger) and its cycle's late-challenge window (§5.8).
            if (appeal) {
                uint32 judged = _triggerOf[id][cycle][0][target];
                if (
                    status != STATUS_INVALID || !lateWindow || judged == 0
                        || _triggers[id][cycle][judged - 1].resolution != UPHELD
                ) revert AUDIT__NOT_APPEALABLE();
            }
            // The cycle's trigger window, or once it completed its late-challenge window (§5.7): until the end of
            // round completedRound + vestingRounds - 1, each late trigger with a trigger-plus-vote period of its own.
            // An appeal has the late-challenge window only.
            if (lateWindow) {
                opensAt = _roundStart(task, record.completedRound);
                closesAt = _roundStart(task, record.completedRound + int64(uint64(task.params.vestingRounds)));
                late = appeal || (int256(uint256(slot)) >= opensAt && int256(uint256(slot)) < closesAt);
                resolvesAt = slot + task.params.auditSlots + task.params.voteSlots;
            }
            if (!late) {
                opensAt = _revealClosesAt(task, cycle);
                closesAt = opensAt + int256(uint256(task.params.auditSlots));
                resolvesAt = uint64(uint256(closesAt)) + task.params.voteSlots;
            }
        }
        if (int256(uint256(slot)) < opensAt || int256(uint256(slot)) >= closesAt) {
            revert AUDIT__WINDOW_CLOSED(slot, opensAt, closesAt);
        }
        NodeState storage node = _nodes[id][from];
        if (!node.exists) revert NODE__NOT_STAKED();
        int64 round = _roundOf(task, slot);
        uint256 weight = _nodeWeight(task, node, round);
        if (weight == 0) revert NODE__NOT_ACTIVE();
        uint8 slotKind =
            kind == KIND_DISTRIBUTION ? uint8(SLOT_LIST + attempt) : verdict == VERDICT_VALID ? SLOT_APPEAL : verdict;
        uint32 existing = _triggerOf[id][cycle][slotKind][target];
        if (existing != 0 && _triggers[id][cycle][existing - 1].resolution == 0) {
            revert AUDIT__ALREADY_TRIGGERED(existing - 1);
        }
        if (verdict == VERDICT_UNAVAILABLE && _entryFlags(id, task, cycle, target) & ENTRY_PUBLISHED != 0) {
            revert AUDIT__ALREADY_TRIGGERED(existing == 0 ? 0 : existing - 1);
        }
        uint32 count = _nodeCycleTriggers[id][cycle][from];
        if (count >= task.params.maxTriggersPerNodePerCycle) revert AUDIT__TRIGGER_LIMIT(task.params.maxTriggersPerNodePerCycle);
        uint128 bond = task.params.triggerBond;
        _requireBalance(from, bond);
        _balances[from] -= bond;
        _totals.balances -= uint128(bond);
        _totals.bonds += bond;
        uint32 index = record.triggerCount;
        Trigger storage trigger = _triggers[id][cycle][index];
        trigger.exists = true;
        trigger.kind = kind;
        trigger.attempt = attempt;
        trigger.verdict = verdict;
        trigger.index = index;
        trigger.target = target;
        trigger.triggerer = from;
        trigger.reasonDigest = reasonDigest;
        trigger.bond = bond;
        trigger.slot = uint48(slot);
        trigger.late = late;
        trigger.closesAt = uint48(resolvesAt);
        // The target revealed (or posted a list), so it staked: it has its permanent voter id.
        trigger.targetVoter = _voterIdOf(id, target);
        trigger.book = _takeBook(id, cycle, task.entryRing);
        if (late) {
            // A late trigger resolves at its own window end (§5.7): settled through this slot first (nothing is due).
            _beforeDueChange(id, task);
            _lateRefs[id].push(LateRef({cycle: cycle, trigger: index, closesAt: resolvesAt}));
        }
        _triggerOf[id][cycle][slotKind][target] = index + 1;
        if (kind == KIND_DISTRIBUTION) _distributions[id][cycle][attempt].triggered = true;
        // A late proof or availability trigger holds what the cycle paid the target from its claims (deviation 42).
        if (late && verdict != VERDICT_VALID) _hold(id, task, cycle, trigger, target);
        _nodeCycleTriggers[id][cycle][from] = count + 1;
        record.triggerCount = index + 1;
        emit AuditTriggered(id, cycle, index, kind, verdict, late, attempt, target, from, bond, reasonDigest);
        // The triggerer's weight is its first vote (an appeal's `valid`); an appeal's target stands by its proof as
        // every target does (its weight counts on the valid side at the resolution), so its own appeal has no vote.
        if (verdict != VERDICT_UNAVAILABLE && target != from) {
            // On a late trigger or an appeal that vote weighs no more than the triggerer's reveal in the cycle, and a
            // triggerer without one casts none (deviation 40).
            if (late) weight = _lateWeight(id, task, cycle, from, weight);
            // A new trigger has no votes: the triggerer's word of it is empty.
            uint8 choice = verdict == VERDICT_INVALID ? CHOICE_INVALID : CHOICE_VALID;
            if (weight != 0) _recordVote(id, cycle, trigger, from, node.voterId, 0, choice, weight);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Availability (§5.6; moved from the audits module for its size).

    /// @notice §5.6 (`publishProof.ts`): the target of an availability challenge answers it with its payload, whose
    /// SHA-256 must be the revealed digest. The payload is not stored: it is in the call's data and in the log.
    /// @param id The task.
    /// @param cycle The cycle.
    /// @param triggerIndex The availability challenge.
    /// @param payload The proof.
    function publishProof(bytes32 id, uint32 cycle, uint32 triggerIndex, bytes calldata payload) external {
        Task storage task = _touch(id);
        uint64 slot = _slot();
        // A cycle closed for good (§9.3): answered before its triggers are read, as the core (which may prune them).
        if (_closedForGood(task, _cycles[id][cycle], slot)) revert PUBLISH__WINDOW_CLOSED();
        bytes32 from = _sender();
        Trigger storage trigger = _triggers[id][cycle][triggerIndex];
        if (!trigger.exists || trigger.verdict != VERDICT_UNAVAILABLE || trigger.target != from) {
            revert PUBLISH__NO_CHALLENGE();
        }
        if (trigger.resolution != 0 || slot >= trigger.closesAt) revert PUBLISH__WINDOW_CLOSED();
        if (payload.length > task.params.maxProofBytes) {
            revert PUBLISH__TOO_LARGE(payload.length, task.params.maxProofBytes);
        }
        Entry storage reveal = _entryAt(id, task, cycle, from);
        // The target of a challenge revealed (triggerAudit checks it), so `digest` holds the proof's digest.
        bytes32 digest = sha256(payload);
        if (digest != reveal.digest) revert PUBLISH__DIGEST_MISMATCH(reveal.digest, digest);
        reveal.flags |= ENTRY_PUBLISHED;
        emit ProofPublished(id, cycle, triggerIndex, from, uint32(payload.length), payload);
        _settleAvailability(id, cycle, trigger, ANSWERED, 0);
    }

    /// @dev A late proof or availability trigger opens (§5.7, deviation 42): it holds what cycle `cycle` paid the
    /// target (its rule share, from the payment's denominators and the reveal's weight; under `custom`, what its
    /// list entry vested, 0 until claimed), and so does the target's vesting (created if it holds something).
    function _hold(bytes32 id, Task storage task, uint32 cycle, Trigger storage trigger, bytes32 target) internal {
        uint256 held;
        if (task.customRule) {
            held = _listClaimed[id][cycle][target];
            if (held != 0) held -= 1;
        } else {
            Entry storage reveal = _entryAt(id, task, cycle, target);
            if (_validReveal(_heldFlags(reveal, cycle))) held = _ruleShare(_rulePayments[id][cycle], reveal.weight);
        }
        if (held == 0) return;
        trigger.held = uint128(held);
        VestingState storage vesting = _vesting[id][target];
        vesting.exists = true;
        vesting.held += uint128(held);
        vesting.hasHeld = true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The custom rule's lists (§6.1-§6.4).

    /// @notice §6.1-§6.2 (`submitDistribution.ts`): a valid submitter of the cycle that has not failed as its
    /// distributor posts a list for the current attempt, during the attempt's distribution window: its Merkle root,
    /// blob hash, total and size. It becomes the attempt's list when none is posted yet or when its poster beats the
    /// holder in the race (a score of the seed, the attempt, the poster and its weight), so the list in force at the
    /// window's end is the one a draw over every poster would pick, checked in O(1).
    /// @param id The task.
    /// @param cycle The cycle.
    /// @param attempt The cycle's current attempt.
    /// @param listRoot The Merkle root of the (recipient, amount) leaves.
    /// @param listBlob The sha256 of the list's blob.
    /// @param total The entries' sum, at most what the cycle holds.
    /// @param entryCount The number of entries, at most the cycle's valid reveals.
    function submitDistribution(
        bytes32 id,
        uint32 cycle,
        uint32 attempt,
        bytes32 listRoot,
        bytes32 listBlob,
        uint128 total,
        uint32 entryCount
    ) external {
        Task storage task = _touch(id);
        if (task.params.distributionRule != RULE_CUSTOM) revert DISTRIBUTION__PAID_BY_RULE();
        Cycle storage record = _cycles[id][cycle];
        if (!record.exists || record.outcome != 0) revert CYCLE__NOT_FOUND();
        if (attempt != record.attempt) revert DISTRIBUTION__WRONG_ATTEMPT(record.attempt, attempt);
        uint64 slot = _slot();
        int256 opensAt = _roundStart(task, _attemptRound(task, cycle, record));
        int256 now_ = int256(uint256(slot));
        if (now_ < opensAt || now_ >= opensAt + int256(uint256(task.params.distributionSlots))) {
            revert DISTRIBUTION__WINDOW_CLOSED();
        }
        bytes32 from = _sender();
        NodeState storage node = _nodes[id][from];
        if (!_validReveal(_entryFlags(id, task, cycle, from)) || !node.exists || _failedDistributor(record, from)) {
            revert DISTRIBUTION__NOT_A_SUBMITTER();
        }
        if (total > record.reserved) revert DISTRIBUTION__OVER_BOUNTY(total, record.reserved);
        uint32 valid = _validCount(record);
        if (entryCount > valid) revert DISTRIBUTION__TOO_MANY_ENTRIES(entryCount, valid);
        _refreshRamp(id, task);
        uint256 weight = _nodeWeight(task, node, _roundOf(task, slot));
        uint64 time = GradualRace.raceTime(record.hasSeed ? record.seed : task.seedHead, attempt, from);
        Distribution storage list = _distributions[id][cycle][attempt];
        bytes32 replaced = list.distributor;
        if (list.exists && !GradualRace.beats(from, time, weight, replaced, list.raceTime, list.raceWeight)) {
            revert DISTRIBUTION__NOT_BETTER(replaced);
        }
        _distributions[id][cycle][attempt] = Distribution({
            exists: true,
            status: 0,
            triggered: false,
            hasSlashSeq: false,
            attempt: attempt,
            entryCount: entryCount,
            slashSeq: 0,
            slot: slot,
            raceTime: time,
            total: total,
            raceWeight: uint128(weight),
            distributor: from,
            listRoot: listRoot,
            listBlob: listBlob
        });
        record.distributor = from;
        emit DistributionSubmitted(id, cycle, attempt, from, replaced, entryCount, total, listRoot, listBlob);
    }

    /// @dev Whether the account failed as the cycle's distributor (at most allowedFailedDistributions entries).
    function _failedDistributor(Cycle storage record, bytes32 account) internal view returns (bool) {
        bytes32[] storage failed = record.failedDistributors;
        for (uint256 i = 0; i < failed.length; i += 1) if (failed[i] == account) return true;
        return false;
    }

    /// @notice §6.4 (`claimDistribution.ts`): moves one entry of a cycle's accepted list into its recipient's
    /// vesting, against a Merkle proof of the entry under the list's root, until the list's claim window closes
    /// (LIST_CLAIM_ROUNDS after the acceptance: DISTRIBUTION__CLAIM_WINDOW_CLOSED). Anyone may send it. The tranche vests from
    /// the round the list was accepted, with the recipient's vesting slashes since then replayed on it (§7.2). Gas:
    /// ceil(log2(entries)) sha256 calls and the recipient's logged slashes from the acceptance on.
    /// @param id The task.
    /// @param cycle The cycle whose list pays.
    /// @param recipient The entry's recipient.
    /// @param amount The entry's amount.
    /// @param index The entry's position in the list.
    /// @param proof The sibling hashes from the entry up to the root.
    function claimDistribution(
        bytes32 id,
        uint32 cycle,
        bytes32 recipient,
        uint128 amount,
        uint256 index,
        bytes32[] calldata proof
    ) external {
        Task storage task = _touch(id);
        Cycle storage record = _cycles[id][cycle];
        // The claim window closes LIST_CLAIM_ROUNDS after the acceptance (§6.4); its unclaimed rest returned then.
        if (
            record.hasCompletedRound
                && int256(uint256(_slot())) >= _roundStart(task, record.completedRound + int64(int256(LIST_CLAIM_ROUNDS)))
        ) revert DISTRIBUTION__CLAIM_WINDOW_CLOSED();
        Distribution storage list = _distributions[id][cycle][record.attempt];
        if (!record.exists || !record.hasCompletedRound || !list.exists || list.status != LIST_ACCEPTED) {
            revert DISTRIBUTION__NO_LIST();
        }
        if (_listClaimed[id][cycle][recipient] != 0) revert DISTRIBUTION__ALREADY_CLAIMED();
        if (!_verifyListProof(list.listRoot, list.entryCount, index, recipient, amount, proof)) {
            revert DISTRIBUTION__BAD_PROOF();
        }
        if (amount == 0) revert CLAIM__NOTHING_CLAIMABLE();
        if (!_validReveal(_entryFlags(id, task, cycle, recipient))) revert DISTRIBUTION__NOT_A_SUBMITTER();
        if (amount > record.reserved) revert DISTRIBUTION__OVER_BOUNTY(amount, record.reserved);
        int64 endRound = record.completedRound + int64(uint64(task.params.vestingRounds));
        (uint256 unlocked, Tranche memory tranche, uint256 slashed) =
            _listTranche(id, recipient, amount, record.completedRound, endRound, list.slashSeq);
        uint256 vested = amount - slashed;
        _listClaimed[id][cycle][recipient] = vested + 1;
        VestingState storage vesting = _vesting[id][recipient];
        vesting.exists = true;
        // Into the pool (deviation 42): released to now, what the tranche has unlocked by now to `unlocked`, its rest
        // added with the list's own end.
        int64 round = _roundOf(task, _slot());
        _release(vesting, round);
        uint256 rest = 0;
        if (tranche.amount != 0) {
            uint256 released = _trancheUnlocked(tranche, round);
            unlocked += released;
            rest = tranche.amount - released;
        }
        vesting.unlocked += uint128(unlocked);
        if (rest != 0) _addLocked(vesting, round, rest, endRound);
        vesting.totalVested += uint120(amount);
        vesting.totalSlashed += uint128(slashed);
        record.reserved -= amount;
        _totals.vesting += uint128(amount - slashed);
        _totals.burned += slashed;
        task.totalPaid += amount;
        task.burned += slashed;
        task.totalSlashed += slashed;
        // Every open late trigger against the recipient's proof of the cycle holds what the entry vested.
        if (vested != 0 && record.triggerCount != 0) {
            for (uint8 slotKind = 0; slotKind < 2; slotKind += 1) {
                uint32 position = _triggerOf[id][cycle][slotKind][recipient];
                if (position == 0) continue;
                Trigger storage trigger = _triggers[id][cycle][position - 1];
                if (trigger.resolution != 0 || !trigger.late) continue;
                trigger.held += uint128(vested);
                vesting.held += uint128(vested);
                vesting.hasHeld = true;
            }
        }
        emit ListEntryClaimed(id, cycle, recipient, _sender(), amount, index, proof);
        // An entry whose whole tranche the replayed slashes burned vests nothing: no event.
        if (vested != 0) emit Vested(id, cycle, recipient, vested, endRound);
    }

    /// @dev `verifyListProof` (distributionList.ts): leaf H(0x00, recipient, amount as 32 bytes), inner nodes
    /// H(0x01, left, right), the side from the index's bits; the proof's length is ceil(log2(count)).
    function _verifyListProof(
        bytes32 root,
        uint32 count,
        uint256 index,
        bytes32 recipient,
        uint256 amount,
        bytes32[] calldata proof
    ) internal pure returns (bool) {
        if (index >= count) return false;
        uint256 depth = 0;
        while ((uint256(1) << depth) < count) depth += 1;
        if (proof.length != depth) return false;
        bytes32 node = sha256(abi.encodePacked(MERKLE_LEAF, recipient, amount));
        uint256 position = index;
        for (uint256 i = 0; i < depth; i += 1) {
            node = position & 1 == 0
                ? sha256(abi.encodePacked(MERKLE_NODE, node, proof[i]))
                : sha256(abi.encodePacked(MERKLE_NODE, proof[i], node));
            position >>= 1;
        }
        return node == root;
    }

    /// @dev `listTranche` (vesting.ts): the entry as a tranche from the acceptance round, with every logged slash of
    /// the recipient from `slashSeq` on cut as a slash of one tranche would have cut it then. Returns what was set
    /// aside as unlocked, the tranche left (amount 0 for none) and the total cut. The log's start is found by binary
    /// search.
    function _listTranche(
        bytes32 id,
        bytes32 recipient,
        uint256 amount,
        int64 acceptedRound,
        int64 endRound,
        uint32 slashSeq
    ) internal view returns (uint256 unlocked, Tranche memory tranche, uint256 slashed) {
        if (endRound == acceptedRound) return (amount, tranche, 0);
        SlashLogEntry[] storage log = _slashLog[id][recipient];
        uint256 low = 0;
        uint256 high = log.length;
        while (low < high) {
            uint256 middle = (low + high) >> 1;
            if (log[middle].seq < slashSeq) low = middle + 1;
            else high = middle;
        }
        tranche = Tranche(acceptedRound, endRound, uint128(amount));
        for (uint256 i = low; tranche.amount != 0 && i < log.length; i += 1) {
            SlashLogEntry memory slash = log[i];
            uint256 freed = _trancheUnlocked(tranche, slash.round);
            unlocked += freed;
            uint256 locked = tranche.amount - freed;
            uint256 cut = locked * slash.fractionBps / BPS;
            slashed += cut;
            tranche.amount = uint128(locked - cut);
            tranche.startRound = slash.round;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Rule shares and claims (§6.2, §7.1; moved from the audits module for its size).

    /// @notice Creates the account's vesting tranches of the cycles paid by rule since its last claim (what the
    /// core's `payByRule` wrote at the payment). Anyone may call it; `claim` does it first.
    /// @param id The task.
    /// @param account The recipient.
    function materialize(bytes32 id, bytes32 account) external {
        Task storage task = _touch(id);
        _materialize(id, task, account);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views of the audits' records (the records as stored: `settle` first, and `materialize` for an account's rule
    // shares).

    /// @notice The chain totals and the money held (`totals`, `chain.supply`, `chain.taskCount`); `reserved` is the supply
    /// less the other totals.
    function chainTotals() external view returns (Totals memory totals, uint256 supply, uint32 taskCount) {
        TotalsState storage stored = _totals;
        totals = Totals({
            balances: stored.balances,
            stakes: stored.stakes,
            unbonding: stored.unbonding,
            escrows: stored.escrows,
            reserved: 0,
            vesting: stored.vesting,
            bonds: stored.bonds,
            burned: stored.burned
        });
        // Not stored: the supply less every other total (`TotalsState`).
        totals.reserved = _supply - totals.balances - totals.stakes - totals.unbonding - totals.escrows - totals.vesting
            - totals.bonds - totals.burned;
        return (totals, _supply, _taskCount);
    }

    /// @notice The id of the task with this index.
    function taskAt(uint32 index) external view returns (bytes32) {
        return _taskAt[index];
    }

    /// @notice A task record, its open cycles and its ramp buckets (non-empty ones, ascending).
    function getTask(bytes32 id)
        external
        view
        returns (Task memory task, uint32[] memory openCycles, int64[] memory bucketRounds, uint256[] memory bucketStakes)
    {
        task = _tasks[id];
        openCycles = _openCycles[id];
        int64[] storage rounds = _bucketRounds[id];
        uint256 count = 0;
        for (uint256 i = task.rampHead; i < rounds.length; i += 1) if (_bucketStake[id][rounds[i]] != 0) count += 1;
        bucketRounds = new int64[](count);
        bucketStakes = new uint256[](count);
        uint256 next = 0;
        for (uint256 i = task.rampHead; i < rounds.length; i += 1) {
            uint256 staked = _bucketStake[id][rounds[i]];
            if (staked == 0) continue;
            bucketRounds[next] = rounds[i];
            bucketStakes[next] = staked;
            next += 1;
        }
    }

    /// @notice A trigger record.
    function getTrigger(bytes32 id, uint32 cycle, uint32 index) external view returns (Trigger memory) {
        return _triggers[id][cycle][index];
    }

    /// @notice The open trigger per proof and verdict: index + 1, or 0 for none (`slotKind` 0 proof, 1 availability).
    function triggerOf(bytes32 id, uint32 cycle, uint8 slotKind, bytes32 target) external view returns (uint32) {
        return _triggerOf[id][cycle][slotKind][target];
    }

    /// @notice Triggers a node raised in a cycle (`nodeCycle`).
    function nodeCycleTriggers(bytes32 id, uint32 cycle, bytes32 node) external view returns (uint32) {
        return _nodeCycleTriggers[id][cycle][node];
    }

    /// @notice A vote record as held: its choice (its slot and weight are in the `Voted` log).
    function getVote(bytes32 id, uint32 cycle, uint32 trigger, bytes32 voter) external view returns (Vote memory vote_) {
        uint8 choice = _voteOf(id, cycle, trigger, voter);
        if (choice != 0) vote_ = Vote({exists: true, choice: choice - 1});
    }

    /// @notice What a cycle paid by rule owes, frozen at the payment (the core's cycle fields `ruleBase`, `ruleWeight`
    /// and `ruleShares`).
    function getRulePayment(bytes32 id, uint32 cycle) external view returns (RulePayment memory) {
        RulePaymentState storage stored = _rulePayments[id][cycle];
        return RulePayment({
            paid: stored.paid,
            round: int64(uint64(stored.round)),
            shareCount: stored.shareCount,
            base: stored.base,
            revealedWeight: stored.revealedWeight
        });
    }


    /// @notice A vesting record (rule shares not yet materialized are not in it: call `materialize` first; the pool
    /// as of `lockedRound`, released by the next operation).
    function getVesting(bytes32 id, bytes32 account) external view returns (Vesting memory) {
        VestingState storage stored = _vesting[id][account];
        return Vesting({
            exists: stored.exists,
            pendingHead: stored.pendingHead,
            unlocked: stored.unlocked,
            locked: stored.locked,
            lockedRound: int64(uint64(stored.lockedRound)),
            endAt: stored.endAt,
            held: stored.held,
            totalVested: stored.totalVested,
            // Not stored (`VestingState`): what came in less what is held and what was cut.
            totalClaimed: uint128(
                uint256(stored.totalVested) + stored.totalCredited - stored.unlocked - stored.locked - stored.totalSlashed
                    - stored.totalClawedBack
            ),
            totalSlashed: stored.totalSlashed,
            totalClawedBack: stored.totalClawedBack
        });
    }

    /// @notice The late triggers still to resolve, in closing order (the core's `task.lateTriggers`).
    function lateTriggers(bytes32 id) external view returns (LateRef[] memory refs) {
        LateRef[] storage all = _lateRefs[id];
        uint256 head = _lateHead[id];
        refs = new LateRef[](all.length - head);
        for (uint256 i = head; i < all.length; i += 1) refs[i - head] = all[i];
    }


    /// @notice The list posted for a cycle's attempt (`distribution/{task}/{cycle}/{attempt}`).
    function getDistribution(bytes32 id, uint32 cycle, uint32 attempt) external view returns (Distribution memory) {
        return _distributions[id][cycle][attempt];
    }

    /// @notice Whether the recipient's entry of the cycle's list was claimed, and what entered its vesting then (the
    /// entry less the slashes replayed on it: `listClaim`).
    function listClaimed(bytes32 id, uint32 cycle, bytes32 recipient)
        external
        view
        returns (bool claimed, uint256 vested)
    {
        uint256 stored = _listClaimed[id][cycle][recipient];
        if (stored != 0) return (true, stored - 1);
    }

    /// @notice A node's vesting slashes in a `custom` task (`slashLog`), in order.
    function slashLogOf(bytes32 id, bytes32 node) external view returns (SlashLogEntry[] memory) {
        return _slashLog[id][node];
    }
}
