// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import "./GradualTypes.sol";
import {GradualDelegating} from "./GradualDelegating.sol";
import {GradualAudits} from "./GradualAudits.sol";
import {GradualLists} from "./GradualLists.sol";
import {GradualTasks} from "./GradualTasks.sol";

/// @title Gradual Consensus settlement: money, staking, commits, reveals, votes and claims here; window ends,
/// availability, rule payments and vesting in the audits module; triggers, the `custom` rule's lists and most views in
/// the lists module; creating, funding and closing tasks in the tasks module.
/// @notice The TypeScript core's rules (`packages/protocol`, docs/protocol.md) as a contract. Every function that
/// touches a task first applies the task's window ends that are due, in the core's order, so the state equals the
/// core's at the current slot. `Gradual` runs its modules (`GradualAudits`, `GradualLists`, `GradualTasks`, same
/// storage layout, deployed first and passed to the constructor) with `delegatecall`: their functions are called on
/// this contract's address through `fallback`. Not here: pruning.
contract Gradual is GradualDelegating, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The lists module (the `custom` rule's lists and entry claims) this contract delegates to.
    address public immutable lists;
    /// @notice The tasks module (creating, funding and closing a task) this contract delegates to.
    address public immutable tasks;

    /// @param token_ The ERC-20 the task money is in.
    /// @param genesisTimestamp_ The Unix time (seconds) of slot 0.
    /// @param slotMs_ Slot length in milliseconds.
    /// @param audits_ A `GradualAudits` deployed with the same token, genesis and slot length.
    /// @param lists_ A `GradualLists` deployed with the same token, genesis and slot length.
    /// @param tasks_ A `GradualTasks` deployed with the same token, genesis and slot length.
    constructor(
        IERC20 token_,
        uint64 genesisTimestamp_,
        uint32 slotMs_,
        address audits_,
        address lists_,
        address tasks_
    ) GradualDelegating(token_, genesisTimestamp_, slotMs_, audits_) {
        lists = lists_;
        tasks = tasks_;
    }

    /// @notice Every function of the modules, run on this contract's storage: the audits module's `settle`, the
    /// tasks module's `createTask`, `fundTask` and `closeTask`, else the lists module's (triggers, `publishProof`,
    /// lists, `materialize` and the views).
    fallback() external {
        bytes4 sig = msg.sig;
        address module = sig == GradualAudits.settle.selector
            ? audits
            : sig == GradualTasks.createTask.selector || sig == GradualTasks.fundTask.selector
                || sig == GradualTasks.closeTask.selector ? tasks : lists;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Money (§3.1).

    /// @notice Pulls `amount` of the token from the caller into the caller's internal balance.
    /// @param amount Base units, in (0, 2^128).
    function deposit(uint256 amount) external nonReentrant {
        _requireAmount(amount);
        bytes32 account = _sender();
        _balances[account] += amount;
        _totals.balances += uint128(amount);
        _supply += amount;
        if (_supply >= AMOUNT_LIMIT) revert TX__MALFORMED();
        emit Deposited(account, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Pays `amount` of the caller's internal balance out to the caller's address.
    /// @param amount Base units, in (0, 2^128).
    function withdrawBalance(uint256 amount) external nonReentrant {
        _requireAmount(amount);
        bytes32 account = _sender();
        _requireBalance(account, amount);
        _balances[account] -= amount;
        _totals.balances -= uint128(amount);
        _supply -= amount;
        emit BalanceWithdrawn(account, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice §3.1 (`transfer.ts`): moves internal balance to another account.
    /// @param to The receiving account id.
    /// @param amount Base units, in (0, 2^128).
    function transfer(bytes32 to, uint256 amount) external {
        _requireAmount(amount);
        bytes32 from = _sender();
        if (to == from) revert TRANSFER__TO_SELF();
        _requireBalance(from, amount);
        _balances[from] -= amount;
        _balances[to] += amount;
        emit Transferred(from, to, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Staking (§3.2-§3.4).

    /// @notice §3.2 (`stake.ts`): registers the caller as a node of the task or adds a lot to its stake; the lot
    /// is active after `warmupRounds` and ramps over `rampRounds`.
    /// @param id The task.
    /// @param amount Base units, in (0, 2^128).
    /// @param nodeUrl The node's http(s) URL, at most 256 bytes.
    function stake(bytes32 id, uint256 amount, string calldata nodeUrl) external {
        _requireAmount(amount);
        _requireUrl(nodeUrl);
        Task storage task = _touch(id);
        _requireOpen(task);
        _refreshRamp(id, task);
        bytes32 account = _sender();
        NodeState storage node = _nodes[id][account];
        bool known = node.exists;
        if (known && node.unbonding > 0) revert STAKE__UNBONDING();
        if (!known && task.nodeCount >= task.params.maxNodes) revert TASK__FULL();
        uint256 existing = known ? _nodeStake(node) : 0;
        if (existing + amount < task.params.minimumStake) revert STAKE__BELOW_MINIMUM();
        _requireBalance(account, amount);
        int64 activation = _roundOf(task, _slot()) + int64(uint64(task.params.warmupRounds));
        if (activation > task.rampFoldedThrough && _rampingLots(task, node) >= MAX_UNRAMPED_LOTS) {
            revert STAKE__TOO_MANY_LOTS();
        }
        _balances[account] -= amount;
        _totals.balances -= uint128(amount);
        _totals.stakes += amount;
        if (known) {
            _foldNodeLots(task, node);
        } else {
            node.exists = true;
            node.index = uint24(task.nodeCount);
            // `revealHead` is 0 (no reveal) or, for an account that left, its last reveal negated (the record's own
            // `lastRevealCycle` is -1 until it reveals).
            // An account's first stake in the task gives it its permanent voter id; one that left keeps its own.
            _voterIdOf(id, account);
        }
        node.url = nodeUrl;
        if (activation <= task.rampFoldedThrough) {
            node.rampedStake += uint128(amount);
        } else {
            uint8 count = node.lotCount;
            node.lots[count] = StakeLot({amount: uint128(amount), activationRound: activation});
            node.lotCount = count + 1;
        }
        if (!known) {
            _nodeAt[id][task.nodeCount] = account;
            task.nodeCount += 1;
        }
        node.meetsMinimum = node.rampedStake >= task.params.minimumStake;
        _addToRamp(id, task, amount, activation);
        emit Staked(id, account, amount, activation, nodeUrl);
    }

    /// @notice §3.4 (`unstake.ts`): the caller's whole stake starts unbonding for `unbondingRounds`.
    /// @param id The task.
    function unstake(bytes32 id) external {
        Task storage task = _touch(id);
        _refreshRamp(id, task);
        bytes32 account = _sender();
        NodeState storage node = _nodes[id][account];
        if (!node.exists || _nodeStake(node) == 0) revert NODE__NOT_STAKED();
        _foldNodeLots(task, node);
        // At most MAX_UNRAMPED_LOTS lots.
        for (uint256 i = 0; i < node.lotCount; i += 1) {
            StakeLot storage lot = node.lots[i];
            _removeFromRamp(id, task, lot.amount, lot.activationRound);
        }
        _removeFromRamp(id, task, node.rampedStake, task.rampFoldedThrough);
        uint256 amount = _nodeStake(node);
        int64 untilRound = _roundOf(task, _slot()) + int64(uint64(task.params.unbondingRounds));
        _totals.stakes -= amount;
        _totals.unbonding += amount;
        node.lotCount = 0;
        node.rampedStake = 0;
        node.meetsMinimum = false;
        node.unbonding += amount;
        node.unbondingUntilRound = untilRound;
        emit Unstaked(id, account, amount, untilRound);
    }

    /// @notice §3.4 (`withdraw.ts`): after unbonding, and once the node's last proof cannot be challenged any more,
    /// the unbonded stake returns to the caller's balance; a node with no stake left leaves the task.
    /// @param id The task.
    function withdraw(bytes32 id) external {
        Task storage task = _touch(id);
        bytes32 account = _sender();
        NodeState storage node = _nodes[id][account];
        uint256 unbonding = node.unbonding;
        if (!node.exists || unbonding == 0) revert WITHDRAW__NOTHING_UNBONDING();
        int64 round = _roundOf(task, _slot());
        if (round < node.unbondingUntilRound) revert WITHDRAW__STILL_BONDED(round, node.unbondingUntilRound);
        // The record's `lastRevealCycle` is revealHead - 1 while revealHead is positive, else -1. Its cycle c
        // completes by round c + L + 2 + allowedFailedDistributions (L the review lag: a round later when reveals are
        // paired) and stays challengeable for vestingRounds after that.
        int64 challengeableUntil = node.revealHead <= 0
            ? int64(0)
            : int64(node.revealHead) + 1 + _reviewLag(task) + int64(uint64(task.params.allowedFailedDistributions))
                + int64(uint64(task.params.vestingRounds));
        if (round < challengeableUntil) revert WITHDRAW__STILL_CHALLENGEABLE(round, challengeableUntil);
        _totals.unbonding -= unbonding;
        _totals.balances += uint128(unbonding);
        _balances[account] += unbonding;
        emit Withdrawn(id, account, unbonding);
        if (_nodeStake(node) == 0) {
            // removeNode: swap with the last index (O(1)). The core also drops the node's commit records of recent
            // cycles (pruning, not in this half): here they stay, and no later commit or reveal can meet them.
            uint32 last = task.nodeCount - 1;
            uint32 index = node.index;
            if (index != last) {
                bytes32 moved = _nodeAt[id][last];
                _nodes[id][moved].index = uint24(index);
                _nodeAt[id][index] = moved;
            }
            delete _nodeAt[id][last];
            // The voter id stays with the account (its votes on open triggers stay its own), and so does its last
            // reveal, negated (no longer the record's), with its gap: it heads the chain of the account's reveals,
            // whose rule shares may not be materialized yet.
            uint32 voterId = node.voterId;
            int40 revealHead = node.revealHead;
            uint8 revealGap = node.revealGap;
            delete _nodes[id][account];
            NodeState storage left = _nodes[id][account];
            left.voterId = voterId;
            left.revealHead = revealHead > 0 ? -revealHead : revealHead;
            left.revealGap = revealGap;
            task.nodeCount = last;
        } else {
            node.unbonding = 0;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Work (§4).

    /// @notice §4.1 (`commit.ts`): commits H(task, cycle, node, proofDigest, salt) in the last `commitSlots` of the
    /// cycle's round; records the node's weight in that round.
    /// @param id The task.
    /// @param cycle The cycle (its work round).
    /// @param commitment The commitment (see `commitmentOf`).
    function commit(bytes32 id, uint32 cycle, bytes32 commitment) external {
        Task storage task = _touch(id);
        bytes32 account = _sender();
        _commit(id, task, cycle, commitment, _slot(), account, _nodes[id][account]);
    }

    /// @notice A node's reveal of cycle `cycle - 1` and its commit of cycle `cycle` in one call (§2.2: when the task
    /// pairs its reveals with its commits, `revealSlots` 0, cycle c's reveal window is cycle c + 1's commit window).
    /// Exactly `reveal(id, cycle - 1, proofDigest, salt)` then `commit(id, cycle, commitment)` in the same slot: the
    /// same checks in that order (a refusal is the failing part's, and nothing of either part stays), the same
    /// records and the same logs (`Revealed`, then `Committed`), with one transaction's base cost and one settlement.
    /// The core's `commitAndReveal` transaction (`applyCommitAndReveal`; the indexer replays its two logs as the
    /// reveal and the commit, which leave the same state). Valid for any task; when reveals are not paired the two
    /// windows never meet, so it is refused with the reveal's or the commit's window code.
    /// @param id The task.
    /// @param cycle The commit's cycle (at least 1: the reveal's is `cycle - 1`).
    /// @param commitment The commitment of cycle `cycle` (see `commitmentOf`).
    /// @param proofDigest The proof's SHA-256 of cycle `cycle - 1`.
    /// @param salt The salt of cycle `cycle - 1`'s commitment.
    function commitAndReveal(bytes32 id, uint32 cycle, bytes32 commitment, bytes32 proofDigest, bytes32 salt)
        external
    {
        // No cycle -1 to reveal (the core's `applyCommitAndReveal`: before anything else).
        if (cycle == 0) revert CYCLE__NOT_FOUND();
        Task storage task = _touch(id);
        uint64 slot = _slot();
        bytes32 account = _sender();
        NodeState storage node = _nodes[id][account];
        _reveal(id, task, cycle - 1, proofDigest, salt, slot, account, node);
        _commit(id, task, cycle, commitment, slot, account, node);
    }

    /// @dev `commit` of the settled task by `account` (whose record is `node`) at `slot`.
    function _commit(
        bytes32 id,
        Task storage task,
        uint32 cycle,
        bytes32 commitment,
        uint64 slot,
        bytes32 account,
        NodeState storage node
    ) internal {
        // The last cycle started exists (`Task.cycleMark`): the commits of a round read no cycle slot.
        if (uint256(cycle) + 1 != task.cycleMark && !_cycles[id][cycle].exists) revert CYCLE__NOT_FOUND();
        int256 closesAt = _roundStart(task, int64(uint64(cycle)) + 1);
        int256 opensAt = closesAt - int256(uint256(task.commitSlots));
        if (int256(uint256(slot)) < opensAt || int256(uint256(slot)) >= closesAt) revert COMMIT__WINDOW_CLOSED();
        if (!node.exists) revert NODE__NOT_STAKED();
        int64 round = _roundOf(task, slot);
        // nodeActiveStake and nodeWeight of the fresh node: a lot the aggregate folded is fully ramped and active,
        // so counting it as a lot gives the same sums. At most MAX_UNRAMPED_LOTS iterations.
        uint256 active = node.rampedStake;
        uint256 weight = node.rampedStake;
        uint256 lotCount = node.lotCount;
        // A lot the task's ramp may have folded is fully ramped at this round (`_refreshRampAt` folds a bucket only
        // from its `_fullyRampedFrom` round on, and in activation order): only then does the commit read the ramp's
        // `rampFoldedThrough` to fold the node's lots (§4.1).
        bool foldable = false;
        // The loop behind its own test: a node whose lots are all folded (most, once the commits fold them) does not
        // read the parameter's slot (the optimizer moved the read before a bare loop: -2,100 gas a commit).
        if (lotCount != 0) {
            uint32 rampRounds = task.params.rampRounds;
            for (uint256 i = 0; i < lotCount; i += 1) {
                StakeLot memory lot = node.lots[i];
                if (lot.activationRound <= round) active += lot.amount;
                weight += _lotWeight(lot, round, rampRounds);
                if (_fullyRampedFrom(lot.activationRound, rampRounds) <= round) foldable = true;
            }
        }
        // The parameter is read only when the node's record does not say its ramped stake is enough.
        if (!node.meetsMinimum && active < task.params.minimumStake) revert NODE__NOT_ACTIVE();
        Entry storage stored = _entryAt(id, task, cycle, account);
        uint32 held = stored.cycle;
        uint8 heldFlags = stored.flags;
        if (held == cycle && heldFlags & ENTRY_COMMITTED != 0) revert COMMIT__DUPLICATE();
        // The lots the ramp folded move into `rampedStake`, as a stake does (the core's commit writes back its fresh
        // node): once, after which the node's commits read no lot. A folded lot is active and weighs in full, so
        // `active` and `weight` above stay what they are.
        if (foldable) {
            uint256 before = node.lotCount;
            _foldNodeLots(task, node);
            if (node.lotCount != before) node.meetsMinimum = node.rampedStake >= task.params.minimumStake;
        }
        // The position holds the node's record of a cycle a ring or more earlier (or nothing): no rule reads it any
        // more (`_entryRingOf`) but its rule share, which is made first if it is not yet. Rewriting the two slots
        // costs 5,000 gas each where new ones cost 22,100. A reveal of this cycle more than MAX_PREVIOUS_GAP cycles
        // after the account's last one will not chain to it (`Entry.previousGap`): the shares through that one are
        // made first too (every cycle 256 rounds back is complete; the last reveal is at least the held one).
        int256 last = _lastReveal(node);
        if (last >= 0 && int256(uint256(cycle)) - last > int256(MAX_PREVIOUS_GAP)) {
            _materializeThrough(id, account, uint32(uint256(last)));
        } else if (heldFlags & ENTRY_REVEALED != 0) {
            _materializeThrough(id, account, held);
        }
        // Below commitSlots, at most MAX_ROUND_SLOTS: fits 24 bits.
        uint256 commitOffset = uint256(int256(uint256(slot)) - opensAt);
        uint128 committedWeight = uint128(weight);
        // The record's slot 0 in one write: `flags` ENTRY_COMMITTED (bits 0-7), `index` and `revealDelay` 0 (8-63),
        // `commitOffset` (64-87), `weight` (88-215), `cycle` (216-247); `previousGap` (248-255) is the reveal's.
        assembly ("memory-safe") {
            let kept := and(sload(stored.slot), shl(248, 0xff))
            let fields := or(ENTRY_COMMITTED, or(shl(64, commitOffset), or(shl(88, committedWeight), shl(216, cycle))))
            sstore(stored.slot, or(kept, fields))
        }
        stored.digest = commitment;
        emit Committed(id, cycle, account, commitment, committedWeight);
    }

    /// @dev Makes the account's rule shares through its reveal of cycle `c` (§6.2) if they are not made yet: the lists
    /// module's `materialize`, by delegatecall. `pendingHead`, the first cycle not made yet, tells (one slot); every
    /// cycle up to `c` is complete (`_entryRingOf`, or 256 rounds back), so all of them are made.
    function _materializeThrough(bytes32 id, bytes32 account, uint32 c) internal {
        if (c < _vesting[id][account].pendingHead) return;
        (bool ok, bytes memory result) =
            lists.delegatecall(abi.encodeWithSelector(GradualLists.materialize.selector, id, account));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @notice §4.2 (`reveal.ts`): opens the caller's commitment in the first `revealSlots` of the next round (when
    /// the task pairs its reveals, `revealSlots` 0: in the next cycle's commit window, the last `commitSlots` of the
    /// next round, §2.2; see `commitAndReveal`); the reveal gets the next index and its salt is folded into the
    /// cycle's seed accumulator.
    /// @param id The task.
    /// @param cycle The cycle.
    /// @param proofDigest The proof's SHA-256.
    /// @param salt The commitment's salt.
    function reveal(bytes32 id, uint32 cycle, bytes32 proofDigest, bytes32 salt) external {
        Task storage task = _touch(id);
        bytes32 account = _sender();
        _reveal(id, task, cycle, proofDigest, salt, _slot(), account, _nodes[id][account]);
    }

    /// @dev `reveal` of the settled task by `account` (whose record is `node`) at `slot`.
    function _reveal(
        bytes32 id,
        Task storage task,
        uint32 cycle,
        bytes32 proofDigest,
        bytes32 salt,
        uint64 slot,
        bytes32 account,
        NodeState storage node
    ) internal {
        Cycle storage record = _cycles[id][cycle];
        if (!record.exists) revert CYCLE__NOT_FOUND();
        // The start of round c + 1: the reveal window opens there, or, paired (`_revealClosesAt`), it is the commit
        // window of cycle c + 1, which closes a round later.
        int256 next = _roundStart(task, int64(uint64(cycle)) + 1);
        uint256 revealSlots = task.revealSlots;
        int256 opensAt = next;
        int256 closesAt = next + int256(revealSlots);
        if (revealSlots == 0) {
            closesAt = next + int256(uint256(task.roundSlots));
            opensAt = closesAt - int256(uint256(task.commitSlots));
        }
        if (int256(uint256(slot)) < opensAt || int256(uint256(slot)) >= closesAt) revert REVEAL__WINDOW_CLOSED();
        if (!node.exists || _nodeStake(node) == 0) revert NODE__NOT_STAKED();
        // The commit's record becomes the reveal's: its slot 0 gains the reveal's flag, index and slot, the
        // commitment gives way to the proof's digest (it is the commitment of that digest and the salt).
        Entry storage stored = _entryAt(id, task, cycle, account);
        // `_heldFlags`, written out: the call costs a reveal about 350 gas (via-IR does not inline it here).
        uint8 flags = stored.cycle == cycle ? stored.flags : 0;
        if (flags & ENTRY_COMMITTED == 0) revert REVEAL__NO_COMMIT();
        if (flags & ENTRY_REVEALED != 0) revert REVEAL__DUPLICATE();
        bytes32 commitment = stored.digest;
        bytes32 opened = _commitment(id, cycle, account, proofDigest, salt);
        if (opened != commitment) revert REVEAL__MISMATCH(commitment, opened);
        uint128 weight = stored.weight;
        uint32 index = record.revealCount;
        // The account's reveals are a chain (`Entry.previousGap`, `NodeState.revealHead` and `revealGap`), which
        // `_materialize` walks for its rule shares: the record and the node's slot 0 are written anyway, so the
        // chain costs no slot. Its previous reveal is further back only when the commit made its shares.
        // `_lastReveal`, written out (a call costs gas here, as `_heldFlags`'s would).
        int256 head = node.revealHead;
        uint256 gap = head == 0 ? 0 : uint256(cycle) + 1 - uint256(head < 0 ? -head : head);
        if (gap > MAX_PREVIOUS_GAP) gap = 0;
        // `revealHead` (bits 40-79 of the node's slot 0) and `revealGap` (bits 248-255) in one write.
        assembly ("memory-safe") {
            let word := and(sload(node.slot), not(or(shl(40, 0xffffffffff), shl(248, 0xff))))
            sstore(node.slot, or(word, or(shl(40, add(cycle, 1)), shl(248, gap))))
        }
        // At most commitSlots + revealSlots - 1, or roundSlots + commitSlots - 1 paired (each at most
        // MAX_ROUND_SLOTS): fits 24 bits. The commit's slot is its window's opening (commitSlots before the start of
        // round c + 1) plus its offset.
        uint24 revealDelay =
            uint24(uint256(int256(uint256(slot)) - next + int256(uint256(task.commitSlots))) - stored.commitOffset);
        stored.flags = flags | ENTRY_REVEALED;
        stored.index = index;
        stored.revealDelay = revealDelay;
        stored.previousGap = uint8(gap);
        stored.digest = proofDigest;
        // Slot 0 of the cycle, all that a reveal writes (the valid and share counts follow the reveal count), in one
        // write: `exists` (bits 0-7, true), `revealCount` (8-31: at most MAX_NODES, as every committer of the cycle
        // is a node at its commit window's end), `revealedWeight` (32-159, checked) and `saltAccumulator` (160-255).
        uint128 revealedWeight = record.revealedWeight + weight;
        bytes12 accumulator = _accumulateSalt(record.saltAccumulator, salt);
        assembly ("memory-safe") {
            let counts := or(1, or(shl(8, add(index, 1)), shl(32, revealedWeight)))
            sstore(record.slot, or(counts, and(accumulator, not(sub(shl(160, 1), 1)))))
        }
        emit Revealed(id, cycle, account, proofDigest, index, salt);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Votes (§5.3): here rather than in the lists module, so that a vote, which every auditing node sends for every
    // trigger, pays no delegatecall.

    /// @notice §5.3 (`vote.ts`): one vote per node per trigger, weighted by the node's ramped stake now (on a late
    /// trigger or an appeal, at most its reveal's weight in the cycle, §5.7). A second
    /// vote with the other choice is an equivocation: recorded against the node (`Equivocated`), never counted; the
    /// call succeeds, where the core includes the transaction as rejected with VOTE__EQUIVOCATION.
    /// @param id The task.
    /// @param cycle The trigger's cycle.
    /// @param triggerIndex The trigger.
    /// @param choice 0 valid, 1 invalid, 2 unavailable (refused).
    function vote(bytes32 id, uint32 cycle, uint32 triggerIndex, uint8 choice) external {
        if (choice > 2) revert TX__MALFORMED();
        Task storage task = _touch(id);
        uint64 slot = _slot();
        Trigger storage trigger = _triggers[id][cycle][triggerIndex];
        if (!trigger.exists) {
            // A cycle closed for good (§9.3) takes no vote, whatever the trigger (the core may have pruned it). An
            // existing trigger's window closes before its cycle does (below), so only a missing one needs the check.
            if (_closedForGood(task, _cycles[id][cycle], slot)) revert VOTE__WINDOW_CLOSED();
            revert VOTE__TRIGGER_NOT_FOUND();
        }
        if (slot < trigger.slot || slot >= trigger.closesAt || trigger.resolution != 0) revert VOTE__WINDOW_CLOSED();
        bytes32 from = _sender();
        // Votes are kept by the account's permanent voter id, in its node record's slot 0 (kept when the node
        // leaves); an account without one never staked, so it is not the target and has no vote and no weight.
        // Ids are one per account, so the sender is the target exactly when its id is the target's (never 0).
        NodeState storage node = _nodes[id][from];
        uint32 voter = node.voterId;
        if (voter != 0 && voter == trigger.targetVoter) revert VOTE__OWN_TRIGGER();
        if (trigger.verdict == VERDICT_UNAVAILABLE) revert VOTE__AVAILABILITY_CHALLENGE();
        if (choice == CHOICE_UNAVAILABLE) revert VOTE__UNAVAILABLE_NOT_ALLOWED();
        uint256 choices = 0;
        if (voter != 0) {
            choices = _choicesIn(_voteBits[id][trigger.book][voter / VOTERS_PER_WORD], cycle);
            uint8 previous = _voteIn(choices, voter);
            if (previous != 0) {
                if (previous == choice + 1) revert VOTE__DUPLICATE();
                if (node.exists) node.equivocations += 1;
                emit Equivocated(id, cycle, triggerIndex, from);
                return;
            }
        }
        uint256 weight = 0;
        if (node.exists) weight = _voteWeight(task, node, slot);
        // A late trigger or an appeal is decided by the cycle's own nodes, each with no more than it revealed with.
        if (trigger.late) weight = _lateWeight(id, task, cycle, from, weight);
        if (weight == 0) revert VOTE__NO_WEIGHT();
        _recordVote(id, cycle, trigger, from, voter, choices, choice, weight);
    }

    /// @dev `nodeWeight` now, as the core's vote reads it (the ramp and the node are not folded and written back). A
    /// lot whose activation round the task's aggregate has folded weighs its amount (it was fully ramped at a round
    /// not after this one, and so is every earlier activation): only a lot still ramping reads the round and the
    /// ramp parameter. At most MAX_UNRAMPED_LOTS iterations.
    function _voteWeight(Task storage task, NodeState storage node, uint64 slot) internal view returns (uint256 weight) {
        weight = node.rampedStake;
        uint256 length = node.lotCount;
        if (length == 0) return weight;
        int64 foldedThrough = task.rampFoldedThrough;
        for (uint256 i = 0; i < length; i += 1) {
            StakeLot memory lot = node.lots[i];
            weight += lot.activationRound <= foldedThrough
                ? lot.amount
                : _lotWeight(lot, _roundOf(task, slot), task.params.rampRounds);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views: the records as stored (call `settle` first for the state at the current slot).

    /// @notice The commitment a node must commit (§4.1), for clients.
    function commitmentOf(bytes32 id, uint32 cycle, bytes32 node, bytes32 proofDigest, bytes32 salt)
        external
        pure
        returns (bytes32)
    {
        return _commitment(id, cycle, node, proofDigest, salt);
    }

    /// @notice The current slot.
    function currentSlot() external view returns (uint64) {
        return _slot();
    }

    /// @notice An account's internal balance.
    function balanceOf(bytes32 account) external view returns (uint256) {
        return _balances[account];
    }

    // ------------------------------------------------------------------------------------------------------------
    // Claims (§7.1): here rather than in the lists module, so that a claim, which every paid node sends every round,
    // pays no delegatecall.

    /// @notice §7.1 (`claim.ts`, deviation 42): pays out what the caller's vesting in this task has unlocked, its
    /// pool released to now, less what open late challenges against it still need beyond what stays locked
    /// (`min(unlocked, max(0, held - locked))`). O(1) whatever vestingRounds is.
    /// @param id The task.
    function claim(bytes32 id) external {
        Task storage task = _touch(id);
        bytes32 account = _sender();
        _materialize(id, task, account);
        VestingState storage vesting = _vesting[id][account];
        if (!vesting.exists) revert CLAIM__NOTHING_CLAIMABLE();
        _release(vesting, _roundOf(task, _slot()));
        uint256 unlocked = vesting.unlocked;
        uint256 locked = vesting.locked;
        uint256 held = vesting.hasHeld ? vesting.held : 0;
        uint256 keep = held > locked ? held - locked : 0;
        if (keep > unlocked) keep = unlocked;
        uint256 amount = unlocked - keep;
        if (amount == 0) revert CLAIM__NOTHING_CLAIMABLE();
        vesting.unlocked = uint128(keep);
        _totals.vesting -= uint128(amount);
        _totals.balances += uint128(amount);
        _balances[account] += amount;
        emit Claimed(id, account, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Input checks (the core's wire schema and `findParamsProblems`).

    /// @dev `^https?://[^\s]+$` with at most MAX_NODE_URL_LENGTH UTF-16 code units, as the core's schema reads it: the
    /// length counts a 4-byte UTF-8 sequence as two units, and every JavaScript whitespace character is refused. The
    /// loop runs over at most 4 * MAX_NODE_URL_LENGTH bytes.
    function _requireUrl(string calldata url) internal pure {
        bytes calldata text = bytes(url);
        uint256 length = text.length;
        if (length > 4 * MAX_NODE_URL_LENGTH) revert TX__MALFORMED();
        uint256 rest;
        if (length > 7 && bytes7(text[:7]) == "http://") rest = 7;
        else if (length > 8 && bytes8(text[:8]) == "https://") rest = 8;
        else revert TX__MALFORMED();
        uint256 units = rest;
        for (uint256 i = rest; i < length; i += 1) {
            uint8 b = uint8(text[i]);
            if (b < 0x80) {
                // ASCII whitespace: tab, line feed, vertical tab, form feed, carriage return, space.
                if ((b >= 0x09 && b <= 0x0d) || b == 0x20) revert TX__MALFORMED();
                units += 1;
            } else if (b >= 0xc0) {
                units += b >= 0xf0 ? 2 : 1;
                if (_isUnicodeSpace(text, i)) revert TX__MALFORMED();
            }
        }
        if (units > MAX_NODE_URL_LENGTH) revert TX__MALFORMED();
    }

    /// @dev Whether the UTF-8 sequence at `i` is a JavaScript `\s` beyond ASCII: U+00A0, U+1680,
    /// U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
    function _isUnicodeSpace(bytes calldata text, uint256 i) private pure returns (bool) {
        uint8 b0 = uint8(text[i]);
        uint8 b1 = i + 1 < text.length ? uint8(text[i + 1]) : 0;
        if (b0 == 0xc2) return b1 == 0xa0;
        uint8 b2 = i + 2 < text.length ? uint8(text[i + 2]) : 0;
        if (b0 == 0xe1) return b1 == 0x9a && b2 == 0x80;
        if (b0 == 0xe2 && b1 == 0x80) return b2 <= 0x8a || b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf;
        if (b0 == 0xe2 && b1 == 0x81) return b2 == 0x9f;
        if (b0 == 0xe3) return b1 == 0x80 && b2 == 0x80;
        if (b0 == 0xef) return b1 == 0xbb && b2 == 0xbf;
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views of nodes, cycles, commits and reveals (kept here for the lists module's size; the other views are its).

    /// @notice A node record.
    function getNode(bytes32 id, bytes32 account) external view returns (Node memory node) {
        NodeState storage stored = _nodes[id][account];
        node.exists = stored.exists;
        node.index = stored.index;
        node.slashCount = stored.slashCount;
        node.missedDuties = stored.missedDuties;
        node.losingVotes = stored.losingVotes;
        node.equivocations = stored.equivocations;
        // The record's own last reveal (the core's): -1 until it reveals (`revealHead`), 0 for no node.
        int40 revealHead = stored.revealHead;
        node.lastRevealCycle = revealHead > 0 ? int56(revealHead) - 1 : stored.exists ? int56(-1) : int56(0);
        node.voterId = stored.voterId;
        node.unbondingUntilRound = stored.unbondingUntilRound;
        node.rampedStake = stored.rampedStake;
        node.unbonding = stored.unbonding;
        node.slashedTotal = stored.slashedTotal;
        node.url = stored.url;
        node.lots = new StakeLot[](stored.lotCount);
        for (uint256 i = 0; i < node.lots.length; i += 1) node.lots[i] = stored.lots[i];
    }

    /// @notice The account of the node with this index.
    function nodeAt(bytes32 id, uint32 index) external view returns (bytes32) {
        return _nodeAt[id][index];
    }

    /// @notice A cycle record.
    function getCycle(bytes32 id, uint32 cycle) external view returns (CycleRecord memory) {
        Cycle storage stored = _cycles[id][cycle];
        // Rule shares made so far moved from the reservation to `paid` (`RulePaymentState.materialized`).
        uint128 made = _rulePayments[id][cycle].materialized;
        return CycleRecord({
            exists: stored.exists,
            hasSeed: stored.hasSeed,
            hasCompletedRound: stored.hasCompletedRound,
            outcome: stored.outcome,
            revealCount: stored.revealCount,
            validCount: _validCount(stored),
            shareCount: _shareCount(stored),
            revealedWeight: stored.revealedWeight,
            reserved: stored.reserved - made,
            paid: stored.paid + made,
            attempt: stored.attempt,
            completedRound: stored.completedRound,
            triggerCount: stored.triggerCount,
            reviewWeight: stored.reviewWeight,
            saltAccumulator: bytes32(stored.saltAccumulator),
            seed: stored.seed,
            distributor: stored.distributor,
            failedDistributors: stored.failedDistributors
        });
    }

    /// @notice A commit record. The commitment of a revealed commit is not held (bytes32(0)): it is in the
    /// `Committed` log, and the reveal opened it.
    function getCommit(bytes32 id, uint32 cycle, bytes32 node) external view returns (Commit memory commit_) {
        Task storage task = _tasks[id];
        if (!task.exists) return commit_;
        Entry storage entry = _entryAt(id, task, cycle, node);
        uint8 flags = _heldFlags(entry, cycle);
        if (flags & ENTRY_COMMITTED == 0) return commit_;
        bytes32 commitment = flags & ENTRY_REVEALED == 0 ? entry.digest : bytes32(0);
        return Commit({exists: true, slot: _commitSlotOf(task, cycle, entry), weight: entry.weight, commitment: commitment});
    }

    /// @notice A reveal record. Its salt is not held (bytes32(0)): it is in the `Revealed` log.
    function getReveal(bytes32 id, uint32 cycle, bytes32 node) external view returns (Reveal memory reveal_) {
        Task storage task = _tasks[id];
        if (!task.exists) return reveal_;
        Entry storage entry = _entryAt(id, task, cycle, node);
        uint8 flags = _heldFlags(entry, cycle);
        if (flags & ENTRY_REVEALED == 0) return reveal_;
        return Reveal({
            exists: true,
            published: flags & ENTRY_PUBLISHED != 0,
            status: flags >> ENTRY_STATUS_SHIFT,
            index: entry.index,
            slot: _commitSlotOf(task, cycle, entry) + entry.revealDelay,
            weight: entry.weight,
            proofDigest: entry.digest,
            salt: bytes32(0)
        });
    }
}
