// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import "./GradualTypes.sol";

/// @title Gradual's storage, clock, identity, hashes and lazy window ends.
/// @notice Everything the transactions share: the records, the trust-ramp bookkeeping (`weight.ts`), the SHA-256
/// values of §4.1 and §4.4 (`random.ts`, `commit.ts`), and the lazy settlement of a task's window ends: the core's
/// `advanceSlot` applies round starts and reveal closes every slot, the contract applies exactly those of a task, in
/// slot order, when something first touches it.
abstract contract GradualState is IGradualEvents {
    // ------------------------------------------------------------------------------------------------------------
    // Protocol constants (`LIMITS` in params.ts, and the EVM's own bounds).

    uint256 internal constant BPS = 10_000;
    /// @dev A vesting pool's end is kept in 1/65,536 of a round (`VESTING_END_SCALE` in vesting.ts).
    uint256 internal constant VESTING_END_SCALE = 65_536;
    uint256 internal constant MAX_ROUND_SLOTS = 1_000_000;
    /// @dev Slots are kept in 48 bits (`Task.startSlot`, `settledSlot`): 8,900 years of 1 ms slots.
    uint256 internal constant MAX_SLOT = 1 << 48;
    uint256 internal constant MAX_NODES = 100_000;
    uint256 internal constant MAX_AUDITS_PER_NODE = 64;
    uint256 internal constant MAX_RAMP_ROUNDS = 10_000;
    uint256 internal constant MAX_ROUNDS = 100_000;
    uint256 internal constant MAX_PROOF_BYTES = 120 * 1024;
    uint256 internal constant MAX_TRIGGERS_PER_NODE_PER_CYCLE = 64;
    uint256 internal constant MAX_ALLOWED_FAILED_DISTRIBUTIONS = 16;
    uint256 internal constant MAX_TASK_NAME_LENGTH = 64;
    uint256 internal constant MAX_NODE_URL_LENGTH = 256;
    uint256 internal constant MAX_TASKS = 10_000;
    /// @notice Amounts are below 2^128, as in the core's wire schema.
    uint256 internal constant AMOUNT_LIMIT = 1 << 128;
    /// @notice EVM bound (the core has none): lots of one node still ramping. A 17th stake waits until one folds.
    uint256 public constant MAX_UNRAMPED_LOTS = 16;
    /// @notice Window ends one transaction settles before it refuses with TASK__NOT_SETTLED (two per round; a step
    /// that starts a cycle costs about 100,000 gas).
    uint256 public constant MAX_SETTLE_STEPS = 16;
    /// @notice `LIMITS.listClaimRounds`: rounds after its acceptance during which a list's entries can be claimed.
    uint256 internal constant LIST_CLAIM_ROUNDS = 16;

    int64 internal constant FOLDED_NEVER = -(2 ** 31);

    /// @dev `Entry.flags`: committed, revealed, published; the reveal's status in bits 3-4.
    uint8 internal constant ENTRY_COMMITTED = 1;
    uint8 internal constant ENTRY_REVEALED = 2;
    uint8 internal constant ENTRY_PUBLISHED = 4;
    uint8 internal constant ENTRY_STATUS_SHIFT = 3;
    /// @dev The largest `Entry.previousGap`: a reveal further from the account's previous one holds 0, its commit
    /// having made the shares through that one first (`commit`; every cycle 256 rounds back is complete).
    uint256 internal constant MAX_PREVIOUS_GAP = 255;

    /// @dev The core's enums as the contract stores them (`GradualTypes.sol` lists each order).
    uint8 internal constant KIND_PROOF = 0;
    uint8 internal constant KIND_DISTRIBUTION = 1;
    uint8 internal constant VERDICT_INVALID = 0;
    uint8 internal constant VERDICT_UNAVAILABLE = 1;
    /// @dev An appeal (§5.8): the proof a trigger found invalid was valid.
    uint8 internal constant VERDICT_VALID = 2;
    uint8 internal constant UPHELD = 1;
    uint8 internal constant DISPUTED = 2;
    uint8 internal constant REJECTED = 3;
    uint8 internal constant UNAVAILABLE = 4;
    uint8 internal constant ANSWERED = 5;
    uint8 internal constant CHOICE_VALID = 0;
    uint8 internal constant CHOICE_INVALID = 1;
    uint8 internal constant CHOICE_UNAVAILABLE = 2;
    uint8 internal constant STATUS_VALID = 0;
    uint8 internal constant STATUS_INVALID = 1;
    uint8 internal constant STATUS_UNAVAILABLE = 2;
    uint8 internal constant STATUS_DISPUTED = 3;
    uint8 internal constant OUTCOME_PAID = 1;
    uint8 internal constant OUTCOME_NO_SUBMITTERS = 2;
    uint8 internal constant OUTCOME_DISTRIBUTION_FAILED = 3;
    uint8 internal constant RULE_CUSTOM = 2;
    uint8 internal constant LIST_COMPLETE = 0;
    uint8 internal constant LIST_ACCEPTED = 1;
    uint8 internal constant LIST_REJECTED = 2;
    /// @dev `triggerOf` slot kinds past the proof's (0) and availability's (1): a list trigger's is 2 + attempt
    /// (attempts are at most MAX_ALLOWED_FAILED_DISTRIBUTIONS), an appeal's (the core's `appeal`) 255.
    uint8 internal constant SLOT_LIST = 2;
    uint8 internal constant SLOT_APPEAL = 255;
    uint8 internal constant REASON_BOND_RETURNED = 0;
    uint8 internal constant REASON_BOND_WON = 1;
    uint8 internal constant REASON_WHISTLEBLOWER = 2;

    bytes internal constant SALT_TAG = "gradual/seed/salt/v2\n";
    bytes internal constant CYCLE_TAG = "gradual/seed/cycle/v1\n";
    bytes internal constant GENESIS_TAG = "gradual/seed/genesis/v1\n";
    bytes internal constant COMMIT_TAG = "gradual/commit/v2\n";

    // ------------------------------------------------------------------------------------------------------------
    // Immutable configuration.

    IERC20 public immutable token;
    uint64 public immutable genesisTimestamp;
    uint32 public immutable slotMs;

    // ------------------------------------------------------------------------------------------------------------
    // Records.

    mapping(bytes32 account => uint256) internal _balances;
    TotalsState internal _totals;
    /// @notice Money held for the accounts: deposits less withdrawals (the core's `chain.supply`).
    uint256 internal _supply;
    uint32 internal _taskCount;
    mapping(uint32 index => bytes32) internal _taskAt;
    mapping(bytes32 task => Task) internal _tasks;
    /// @dev Cycles started and not complete, in order (the core's `openCycles`). Appended in O(1); completion (out
    /// of this half) removes them, which bounds it by 3 + allowedFailedDistributions (4 + it when reveals are
    /// paired).
    mapping(bytes32 task => uint32[]) internal _openCycles;
    /// @dev The ramp aggregate's buckets: activation round -> stake, and the rounds in ascending order from
    /// `Task.rampHead` (activation rounds only grow, so a bucket is appended at the tail and folded at the head).
    mapping(bytes32 task => mapping(int64 round => uint256)) internal _bucketStake;
    mapping(bytes32 task => int64[]) internal _bucketRounds;
    mapping(bytes32 task => mapping(bytes32 account => NodeState)) internal _nodes;
    mapping(bytes32 task => mapping(uint32 index => bytes32)) internal _nodeAt;
    mapping(bytes32 task => mapping(uint32 cycle => Cycle)) internal _cycles;
    /// @dev Commits and reveals: each node's ring of `Task.entryRing` records (`Entry`), cycle c's at c mod the size.
    mapping(bytes32 task => mapping(bytes32 node => mapping(uint256 position => Entry))) internal _entries;
    mapping(bytes32 task => mapping(uint32 cycle => mapping(uint32 index => Trigger))) internal _triggers;
    /// @dev The open trigger per proof and verdict (`triggerOf`; attempt 0): index + 1, 0 for none. `slotKind`: 0
    /// proof, 1 availability, 2 + attempt a list's, SLOT_APPEAL (255) an appeal's (`triggerSlotName`).
    mapping(bytes32 task => mapping(uint32 cycle => mapping(uint8 slotKind => mapping(bytes32 target => uint32))))
        internal _triggerOf;
    mapping(bytes32 task => mapping(uint32 cycle => mapping(bytes32 node => uint32))) internal _nodeCycleTriggers;
    /// @dev Votes (EVM only layout): a trigger's choices by voter id, 2 bits each (the choice + 1; 0: no vote), 112
    /// voters a word (`VOTERS_PER_WORD`), so that a vote rewrites a word other voters already wrote (5,000 gas) instead
    /// of making a slot (22,100). Voter ids are permanent (`Node.voterId`): a node leaving (whose `index` another node
    /// then takes) cannot make one account's vote another's. The losing-vote steps walk the choice words a vote made
    /// nonzero, listed in `_voteWords` (32 bits an entry, 8 a word: entry 0 the count, entry 1 the cycle, then the
    /// choice words' indices in the order their first vote came), so that they skip the empty ones without scanning:
    /// only the first vote of a 112-id range on a trigger appends, and the others write nothing but their choice word
    /// and the tally. Both are kept in the trigger's **book** (`Trigger.book`), which the trigger takes when it is
    /// raised (`_takeBook`): the book of the oldest trigger of the task whose cycle is a ring (`Task.entryRing`)
    /// before the new trigger's, or a new one. Each word carries the cycle that wrote it (a choice word in its top 32
    /// bits, a list in its entry 1), so that a word of a book's earlier trigger reads as empty, and a trigger's first
    /// vote in a range rewrites a slot (5,000 gas) instead of making one once the task has had a trigger a ring of
    /// cycles earlier, whatever that trigger's cycle and index. Nothing reads the votes of a cycle a ring back: it is
    /// closed for good (§9.3), and every step of its settlement ran before any call of a later round (`_settle`); a
    /// book's triggers have cycles a ring apart at least, so no two tags of one book are the same cycle.
    mapping(bytes32 task => mapping(uint32 book => mapping(uint256 word => uint256))) internal _voteBits;
    mapping(bytes32 task => mapping(uint32 book => mapping(uint256 word => uint256))) internal _voteWords;
    /// @dev The task's vote books (`_takeBook`): how many were made, and the queue of the triggers that took them, in
    /// the order they were raised (`_bookQueue`: 64 bits an entry, the book then the trigger's cycle, 4 a word), from
    /// `head` (the oldest trigger whose book is not taken again yet) to `tail`.
    mapping(bytes32 task => VoteBooks) internal _voteBooks;
    mapping(bytes32 task => mapping(uint256 word => uint256)) internal _bookQueue;
    /// @dev Voter ids given so far in the task, and the account of each.
    mapping(bytes32 task => uint32) internal _voterCount;
    mapping(bytes32 task => mapping(uint32 voterId => bytes32)) internal _voterAccount;
    mapping(bytes32 task => mapping(bytes32 account => VestingState)) internal _vesting;
    mapping(bytes32 task => mapping(uint32 cycle => RulePaymentState)) internal _rulePayments;
    mapping(bytes32 task => SettleCursor) internal _cursors;
    /// @dev Weight of a cycle's reveals marked disputed or unavailable: they stay in revealedWeight (§6.2), and the
    /// weight of the valid ones is revealedWeight less this (EVM only).
    mapping(bytes32 task => mapping(uint32 cycle => uint256)) internal _keptWeight;
    /// @dev Late triggers (§5.7) in closing order; those before `_lateHead` are resolved (the core's
    /// `task.lateTriggers` is the rest).
    mapping(bytes32 task => LateRef[]) internal _lateRefs;
    mapping(bytes32 task => uint256) internal _lateHead;
    /// @dev The `custom` rule's lists (§6.1-§6.4): one record per cycle and attempt, the entries claimed (`listClaim`:
    /// what entered vesting, the entry less the slashes replayed on it, plus one; 0: not claimed), and each node's
    /// vesting slashes (`slashLog`, in `seq` order) that a later claim replays (§7.2).
    mapping(bytes32 task => mapping(uint32 cycle => mapping(uint32 attempt => Distribution))) internal _distributions;
    mapping(bytes32 task => mapping(uint32 cycle => mapping(bytes32 recipient => uint256))) internal _listClaimed;
    mapping(bytes32 task => mapping(bytes32 node => SlashLogEntry[])) internal _slashLog;
    /// @dev Accepted lists whose claim window is still open, in closing order (EVM only): each entry is the slot
    /// its window closes (`roundStart(completedRound + LIST_CLAIM_ROUNDS)`) above 32 bits and the cycle below; those
    /// before `_listCloseHead` are done. A settlement step at that slot returns the cycle's unclaimed rest (§6.4).
    mapping(bytes32 task => uint256[]) internal _listCloses;
    mapping(bytes32 task => uint256) internal _listCloseHead;

    constructor(IERC20 token_, uint64 genesisTimestamp_, uint32 slotMs_) {
        token = token_;
        genesisTimestamp = genesisTimestamp_;
        slotMs = slotMs_;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Identity, clock and task ids (overridden by the test harness).

    /// @dev The caller's account id: its address left-padded to 32 bytes.
    function _sender() internal view virtual returns (bytes32) {
        return bytes32(uint256(uint160(msg.sender)));
    }

    /// @dev The current slot (protocol.md §1: the only clock).
    function _slot() internal view virtual returns (uint64) {
        return uint64((block.timestamp - genesisTimestamp) * 1000 / slotMs);
    }

    /// @dev A new task's id.
    function _newTaskId(bytes32 creator, uint32 taskCount) internal virtual returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), creator, taskCount));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Schedule (`schedule.ts`).

    function _roundOf(Task storage task, uint64 slot) internal view returns (int64) {
        // Floor division, as the core's Math.floor: a slot before the start is in a negative round.
        int256 offset = int256(uint256(slot)) - int256(uint256(task.startSlot));
        int256 size = int256(uint256(task.roundSlots));
        int256 round = offset / size;
        if (offset < 0 && offset % size != 0) round -= 1;
        return int64(round);
    }

    function _roundStart(Task storage task, int64 round) internal view returns (int256) {
        return int256(uint256(task.startSlot)) + int256(round) * int256(uint256(task.roundSlots));
    }

    /// @dev The size of a node's ring of commit and reveal records (`Entry`): cycle c's record is rewritten by the
    /// commit of cycle c + size, in round c + size. No rule reads it from round c + L + 2 + allowedFailedDistributions +
    /// max(vestingRounds + 1, LIST_CLAIM_ROUNDS) on (L the review lag, `_reviewLag`: 1, or 2 when reveals are paired):
    /// cycle c completes by round c + L + 2 + allowedFailedDistributions (its last attempt's round,
    /// c + L + 1 + allowedFailedDistributions, and the round start after it), it is closed for good (triggers, votes,
    /// publications: §9.3) vestingRounds + 1 rounds after that at the latest, and its list's claims (the recipient's
    /// reveal) end LIST_CLAIM_ROUNDS after its completion. Its rule share is materialized before the record is
    /// rewritten (`commit`). Two rounds of margin.
    function _entryRingOf(uint256 vestingRounds, uint256 allowedFailedDistributions, uint256 revealSlots)
        internal
        pure
        returns (uint24)
    {
        uint256 held = vestingRounds + 1 > LIST_CLAIM_ROUNDS ? vestingRounds + 1 : LIST_CLAIM_ROUNDS;
        return uint24(held + allowedFailedDistributions + (revealSlots == 0 ? 6 : 5));
    }

    /// @dev Sets what a task keeps in slot 0 from its parameters (`Task.roundSlots` and the rest): the copies of the
    /// round's window sizes (each at most MAX_ROUND_SLOTS: fits 24 bits) and the size of its nodes' record rings.
    function _keepParams(Task storage task, TaskParams calldata params) internal {
        task.roundSlots = uint24(params.roundSlots);
        task.commitSlots = uint24(params.commitSlots);
        task.revealSlots = uint24(params.revealSlots);
        task.entryRing = _entryRingOf(params.vestingRounds, params.allowedFailedDistributions, params.revealSlots);
    }

    /// @dev The first slot of cycle c's commit window: the last `commitSlots` of its round.
    function _commitOpensAt(Task storage task, uint32 c) internal view returns (int256) {
        return _roundStart(task, int64(uint64(c)) + 1) - int256(uint256(task.commitSlots));
    }

    /// @dev The slot of a held commit of cycle c: its window's first slot plus its offset.
    function _commitSlotOf(Task storage task, uint32 c, Entry storage entry) internal view returns (uint64) {
        return uint64(uint256(_commitOpensAt(task, c) + int256(uint256(entry.commitOffset))));
    }

    /// @dev The record of the node's commit and reveal of cycle c (its ring position; check `cycle` before reading).
    function _entryAt(bytes32 id, Task storage task, uint32 c, bytes32 node) internal view returns (Entry storage) {
        return _entries[id][node][c % task.entryRing];
    }

    /// @dev The flags of the node's record of cycle c: 0 when the position holds another cycle's (or nothing).
    function _entryFlags(bytes32 id, Task storage task, uint32 c, bytes32 node) internal view returns (uint8) {
        return _heldFlags(_entryAt(id, task, c, node), c);
    }

    /// @dev The flags of a ring position's record if it is cycle c's, else 0 (nothing of cycle c is held).
    function _heldFlags(Entry storage entry, uint32 c) internal view returns (uint8) {
        return entry.cycle == c ? entry.flags : 0;
    }

    /// @dev `lateWeight` (weight.ts, deviation 40): a node's weight on a late decision of cycle c is its weight now,
    /// at most what its reveal in the cycle carried; 0 without one.
    function _lateWeight(bytes32 id, Task storage task, uint32 c, bytes32 node, uint256 weightNow)
        internal
        view
        returns (uint256)
    {
        Entry storage entry = _entryAt(id, task, c, node);
        if (_heldFlags(entry, c) & ENTRY_REVEALED == 0) return 0;
        return weightNow < entry.weight ? weightNow : entry.weight;
    }

    /// @dev The review lag (`reviewLag`, §2.2): the rounds from a cycle's round to the one its reveal window closes
    /// in, 1, or 2 when the task pairs its reveals with its commits (`revealSlots` 0: a cycle's reveals share the next
    /// cycle's commit window, and every later window of the cycle comes a round later). From slot 0's copy.
    function _reviewLag(Task storage task) internal view returns (int64) {
        return task.revealSlots == 0 ? int64(2) : int64(1);
    }

    /// @dev The slot cycle c's reveal window closes at (its seed is fixed, §4.4) and its proof trigger window opens
    /// at: `revealSlots` into round c + 1, or, paired, the start of round c + 2 (the end of cycle c + 1's commit
    /// window, which is its reveal window).
    function _revealClosesAt(Task storage task, uint32 c) internal view returns (int256) {
        return _roundStart(task, int64(uint64(c)) + _reviewLag(task)) + int256(uint256(task.revealSlots));
    }

    /// @dev The round of the cycle's current distribution attempt (the core's `attemptRound`): cycle + L + 1 + attempt
    /// (`firstAttemptRound`: c + 2, or c + 3 when reveals are paired).
    function _attemptRound(Task storage task, uint32 c, Cycle storage record) internal view returns (int64) {
        return int64(uint64(c)) + 1 + _reviewLag(task) + int64(uint64(record.attempt));
    }

    /// @dev §9.3 (`cycleClosedAt`): whether a cycle is closed for good at `slot`: complete, and past its
    /// late-challenge window and the vote period of the last late trigger it could have had. Triggers, votes and
    /// publications on it get their window code before any check of its details (the core may have pruned them).
    function _closedForGood(Task storage task, Cycle storage record, uint64 slot) internal view returns (bool) {
        if (!record.hasCompletedRound) return false;
        int256 closesAt = _roundStart(task, record.completedRound + int64(uint64(task.params.vestingRounds)))
            + int256(uint256(task.params.auditSlots) + task.params.voteSlots);
        return int256(uint256(slot)) >= closesAt;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Money (the core's `Draft.debit`, `credit`, `move`).

    function _requireBalance(bytes32 account, uint256 amount) internal view {
        uint256 balance = _balances[account];
        if (balance < amount) revert ACCOUNT__INSUFFICIENT_BALANCE(account, balance, amount);
    }

    function _requireAmount(uint256 amount) internal pure {
        if (amount == 0 || amount >= AMOUNT_LIMIT) revert TX__MALFORMED();
    }

    function _requireTask(bytes32 id) internal view returns (Task storage task) {
        task = _tasks[id];
        if (!task.exists) revert TASK__NOT_FOUND();
    }

    function _requireOpen(Task storage task) internal view {
        if (task.status == TaskStatus.Closing || task.status == TaskStatus.Closed) revert TASK__CLOSED();
    }

    /// @dev Whether an `Entry`'s flags are those of a reveal whose status is valid (status 0).
    function _validReveal(uint8 flags) internal pure returns (bool) {
        return flags & ENTRY_REVEALED != 0 && flags >> ENTRY_STATUS_SHIFT == 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lazy window ends: implemented by the audits module (GradualAudits), which `Gradual` reaches by delegatecall.

    /// @dev Applies the task's window ends due up to the current slot, at most `maxSteps` of them; true when the
    /// task is settled through the current slot.
    function _settle(bytes32 id, uint256 maxSteps) internal virtual returns (bool);

    /// @dev Settles the task for a transaction, or refuses when more than MAX_SETTLE_STEPS are due.
    /// Before the next window end (`settledSlot + dueGap`) nothing is due (`_settle` would only move `settledSlot`):
    /// the call neither reaches the module nor writes.
    function _touch(bytes32 id) internal returns (Task storage task) {
        task = _requireTask(id);
        uint64 slot = _slot();
        if (slot < uint256(task.settledSlot) + task.dueGap) return task;
        if (!_settle(id, MAX_SETTLE_STEPS)) revert TASK__NOT_SETTLED(task.settledSlot, slot);
    }

    /// @dev Called by a transaction before it changes what the next window end depends on (the escrow, the status,
    /// the late triggers): settles the task through the slot if its `dueGap` skipped that (the settlement finds
    /// nothing due, so it only moves `settledSlot`), then sets the gap to 1, so that the next slot's first call
    /// settles from this slot with the changed state. Never called during a settlement.
    function _beforeDueChange(bytes32 id, Task storage task) internal {
        uint64 slot = _slot();
        if (task.settledSlot != slot && !_settle(id, MAX_SETTLE_STEPS)) {
            revert TASK__NOT_SETTLED(task.settledSlot, slot);
        }
        task.dueGap = 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Payments made by window ends and resolutions (deviation 31, `payUnlocked`): into the recipient's vesting
    // record of the task, unlocked, for `claim`. The caller takes `amount` out of its source total.

    function _credit(bytes32 id, bytes32 account, uint256 amount, uint8 reason) internal {
        if (amount == 0) return;
        VestingState storage vesting = _vesting[id][account];
        vesting.exists = true;
        vesting.unlocked += uint128(amount);
        vesting.totalCredited += uint128(amount);
        _totals.vesting += uint128(amount);
        emit Credited(id, account, amount, reason);
    }

    /// @dev `finishClosing`: a closing task with no open cycle credits its escrow to the creator and is closed.
    function _finishClosing(bytes32 id, Task storage task) internal {
        if (task.status != TaskStatus.Closing || _openCycles[id].length > 0) return;
        uint256 refunded = task.escrow;
        _totals.escrows -= uint128(refunded);
        _credit(id, task.creator, refunded, 3);
        task.status = TaskStatus.Closed;
        task.escrow = 0;
        emit TaskClosed(id, refunded);
    }

    // ------------------------------------------------------------------------------------------------------------
    // A list entry's tranche (vesting.ts `trancheUnlocked`), while its replayed slashes are worked out.

    function _trancheUnlocked(Tranche memory tranche, int64 round) internal pure returns (uint256) {
        if (round >= tranche.endRound) return tranche.amount;
        if (round <= tranche.startRound) return 0;
        uint256 span = uint256(int256(tranche.endRound) - int256(tranche.startRound));
        return uint256(tranche.amount) * uint256(int256(round) - int256(tranche.startRound)) / span;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Votes, kept by permanent voter id (see `_voteBits`).

    /// @dev The account's voter id in the task, given now if it has none (a first stake; the harness's loaders).
    function _voterIdOf(bytes32 id, bytes32 account) internal returns (uint32 voter) {
        NodeState storage node = _nodes[id][account];
        voter = node.voterId;
        if (voter != 0) return voter;
        voter = _voterCount[id] + 1;
        _voterCount[id] = voter;
        _voterAccount[id][voter] = account;
        node.voterId = voter;
    }

    /// @dev Voter ids a choice word holds (2 bits each), below its cycle tag.
    uint256 internal constant VOTERS_PER_WORD = 112;
    uint256 private constant CHOICE_BITS = (uint256(1) << 224) - 1;

    /// @dev The book a new trigger of cycle `cycle` keeps its votes in (`_voteBits`): the book of the oldest trigger
    /// in the task's queue if that trigger's cycle is at least `ring` cycles before `cycle` (no rule reads its votes
    /// any more: see `_voteBits`), which leaves the queue, or else a new book. Either way the trigger joins the
    /// queue's end with its book. Two cold reads and two rewrites (a new slot every fourth trigger, and the first
    /// time); the queue's order is the order triggers are raised, so a late trigger on an old cycle at its head
    /// only makes the next trigger take a new book.
    function _takeBook(bytes32 id, uint32 cycle, uint24 ring) internal returns (uint32 book) {
        VoteBooks storage books = _voteBooks[id];
        uint64 head = books.head;
        uint64 tail = books.tail;
        book = books.count;
        bool reused = false;
        if (head != tail) {
            uint256 oldest = _bookQueue[id][head >> 2] >> ((head & 3) << 6);
            if (uint256(uint32(oldest)) + ring <= cycle) {
                book = uint32(oldest >> 32);
                books.head = head + 1;
                reused = true;
            }
        }
        if (!reused) books.count = book + 1;
        books.tail = tail + 1;
        uint256 shift = (tail & 3) << 6;
        mapping(uint256 => uint256) storage queue = _bookQueue[id];
        // The queue only grows: a word's first entry makes it, written whole without reading it.
        uint256 kept = shift == 0 ? 0 : queue[tail >> 2] & ~(uint256(type(uint64).max) << shift);
        queue[tail >> 2] = kept | ((uint256(book) << 32 | cycle) << shift);
    }

    /// @dev The choices of cycle `cycle` in a stored choice word: none if an older cycle wrote it.
    function _choicesIn(uint256 word, uint32 cycle) internal pure returns (uint256) {
        return word >> 224 == cycle ? word & CHOICE_BITS : 0;
    }

    /// @dev The choices of cycle `cycle`'s trigger whose book is `book`, in the word that holds voter `voter`
    /// (`_choicesIn`).
    function _choiceWord(bytes32 id, uint32 cycle, uint32 book, uint32 voter) internal view returns (uint256) {
        return _choicesIn(_voteBits[id][book][voter / VOTERS_PER_WORD], cycle);
    }

    /// @dev The choice + 1 of voter `voter` in the choices of its word (0: no vote).
    function _voteIn(uint256 choices, uint32 voter) internal pure returns (uint8) {
        return uint8((choices >> ((uint256(voter) % VOTERS_PER_WORD) << 1)) & 3);
    }

    /// @dev The choice + 1 of the account on the trigger (0: no vote).
    function _voteOf(bytes32 id, uint32 cycle, uint32 trigger, bytes32 account) internal view returns (uint8) {
        uint32 voter = _nodes[id][account].voterId;
        Trigger storage record = _triggers[id][cycle][trigger];
        // A trigger that does not exist has no book: book 0 is another's.
        if (voter == 0 || !record.exists) return 0;
        return _voteIn(_choiceWord(id, cycle, record.book, voter), voter);
    }

    /// @dev The count of the nonzero choice words of cycle `cycle`'s trigger whose book is `book` (`_voteWords`'
    /// entry 0, if its entry 1 is the cycle).
    function _voteWordCount(bytes32 id, uint32 cycle, uint32 book) internal view returns (uint32) {
        uint256 head = _voteWords[id][book][0];
        return uint32(head >> 32) == cycle ? uint32(head) : 0;
    }

    /// @dev The index of the `position`-th nonzero choice word of the trigger whose book is `book` (`_voteWords`'
    /// entry position + 2).
    function _voteWordAt(bytes32 id, uint32 book, uint32 position) internal view returns (uint32) {
        uint256 entry = uint256(position) + 2;
        return uint32(_voteWords[id][book][entry >> 3] >> ((entry & 7) << 5));
    }

    /// @dev Writes voter `voter`'s choice into its word of cycle `cycle`'s trigger whose book is `book`, whose
    /// choices (`_choicesIn`) are `choices` with no vote of it; the first choice of a word lists the word
    /// (`_voteWords`).
    function _writeChoice(bytes32 id, uint32 cycle, uint32 book, uint32 voter, uint256 choices, uint8 choice) internal {
        uint256 word = voter / VOTERS_PER_WORD;
        _voteBits[id][book][word] =
            (uint256(cycle) << 224) | choices | (uint256(choice + 1) << ((uint256(voter) % VOTERS_PER_WORD) << 1));
        if (choices != 0) return;
        mapping(uint256 => uint256) storage words = _voteWords[id][book];
        uint256 head = words[0];
        // An older cycle's list (another cycle in entry 1) counts as empty: the new one overwrites what it reads.
        uint256 count = uint32(head >> 32) == cycle ? uint32(head) : 0;
        uint256 entry = count + 2;
        uint256 shift = (entry & 7) << 5;
        if (entry >> 3 == 0) {
            uint256 kept = count == 0 ? 0 : (head >> 64) << 64;
            words[0] = kept | (word << shift) | (uint256(cycle) << 32) | (count + 1);
        } else {
            words[0] = ((head >> 32) << 32) | (count + 1);
            // The word's first entry overwrites it whole; a later one keeps the entries before it (this list's).
            words[entry >> 3] =
                shift == 0 ? word : (words[entry >> 3] & ~(uint256(type(uint32).max) << shift)) | (word << shift);
        }
    }

    /// @dev Records the vote of `voter` (whose word's choices are `choices`, with no vote of it: `_writeChoice`).
    function _storeVote(bytes32 id, uint32 cycle, Trigger storage trigger, uint32 voter, uint256 choices, uint8 choice)
        internal
    {
        _writeChoice(id, cycle, trigger.book, voter, choices, choice);
        trigger.voteCount += 1;
    }

    /// @dev The vote's record (`_storeVote`), the trigger's tally and the `Voted` log, which carries the vote's
    /// weight (its slot is the block's).
    function _recordVote(
        bytes32 id,
        uint32 cycle,
        Trigger storage trigger,
        bytes32 from,
        uint32 voter,
        uint256 choices,
        uint8 choice,
        uint256 weight
    ) internal {
        _storeVote(id, cycle, trigger, voter, choices, choice);
        if (choice == CHOICE_VALID) trigger.validWeight += uint128(weight);
        else if (choice == CHOICE_INVALID) trigger.invalidWeight += uint128(weight);
        else trigger.unavailableWeight += uint128(weight);
        emit Voted(id, cycle, trigger.index, from, choice, weight);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Trust ramp (weight.ts).

    function _lotWeight(StakeLot memory lot, int64 round, uint32 rampRounds) internal pure returns (uint256) {
        if (round < lot.activationRound) return 0;
        if (rampRounds == 0) return lot.amount;
        int256 age = int256(round) - int256(lot.activationRound) + 1;
        if (age >= int256(uint256(rampRounds))) return lot.amount;
        // Floored, as the core's bigint division.
        return uint256(lot.amount) * uint256(age) / rampRounds;
    }

    function _fullyRampedFrom(int64 activationRound, uint32 rampRounds) internal pure returns (int256) {
        return int256(activationRound) + int256(uint256(rampRounds == 0 ? 1 : rampRounds)) - 1;
    }

    /// @dev `refreshRamp` / `foldRamp`: folds every bucket that weighs in full at the current round. The loop pops
    /// buckets from the head of the queue; it holds at most warmupRounds + max(rampRounds, 1) + 1 buckets (activation
    /// rounds of stake not yet fully ramped), so it is bounded by 2 * LIMITS.maxRampRounds + 1 (see the report).
    function _refreshRamp(bytes32 id, Task storage task) internal {
        _refreshRampAt(id, task, _roundOf(task, _slot()));
    }

    /// @dev `_refreshRamp` at a given round (a window end settled late folds the ramp up to its own round only).
    function _refreshRampAt(bytes32 id, Task storage task, int64 round) internal {
        int64[] storage rounds = _bucketRounds[id];
        uint256 head = task.rampHead;
        uint256 fullStake = task.rampFullStake;
        int64 foldedThrough = task.rampFoldedThrough;
        uint32 rampRounds = task.params.rampRounds;
        while (head < rounds.length) {
            int64 activation = rounds[head];
            if (_fullyRampedFrom(activation, rampRounds) > round) break;
            uint256 stake = _bucketStake[id][activation];
            if (stake != 0) {
                fullStake += stake;
                if (activation > foldedThrough) foldedThrough = activation;
                delete _bucketStake[id][activation];
            }
            head += 1;
        }
        task.rampHead = uint64(head);
        task.rampFullStake = fullStake;
        task.rampFoldedThrough = foldedThrough;
    }

    /// @dev `addToRamp`.
    function _addToRamp(bytes32 id, Task storage task, uint256 amount, int64 activation) internal {
        if (activation <= task.rampFoldedThrough) {
            task.rampFullStake += amount;
            return;
        }
        int64[] storage rounds = _bucketRounds[id];
        uint256 length = rounds.length;
        if (length == task.rampHead || rounds[length - 1] < activation) rounds.push(activation);
        _bucketStake[id][activation] += amount;
    }

    /// @dev `removeFromRamp`.
    function _removeFromRamp(bytes32 id, Task storage task, uint256 amount, int64 activation) internal {
        if (amount == 0) return;
        if (activation <= task.rampFoldedThrough) {
            task.rampFullStake -= amount;
            return;
        }
        _bucketStake[id][activation] -= amount;
    }

    /// @dev `foldNodeLots` written back: lots the task aggregate folded move into `rampedStake`. At most
    /// MAX_UNRAMPED_LOTS iterations.
    function _foldNodeLots(Task storage task, NodeState storage node) internal {
        uint256 length = node.lotCount;
        if (length == 0) return;
        mapping(uint256 => StakeLot) storage lots = node.lots;
        int64 foldedThrough = task.rampFoldedThrough;
        uint256 kept = 0;
        uint256 folded = 0;
        for (uint256 i = 0; i < length; i += 1) {
            StakeLot memory lot = lots[i];
            if (lot.activationRound <= foldedThrough) {
                folded += lot.amount;
            } else {
                if (kept != i) lots[kept] = lot;
                kept += 1;
            }
        }
        if (kept == length) return;
        node.lotCount = uint8(kept);
        node.rampedStake += uint128(folded);
    }

    /// @dev The node's lots the task aggregate has not folded (those `_foldNodeLots` keeps). At most MAX_UNRAMPED_LOTS
    /// iterations.
    function _rampingLots(Task storage task, NodeState storage node) internal view returns (uint256 count) {
        int64 foldedThrough = task.rampFoldedThrough;
        uint256 length = node.lotCount;
        for (uint256 i = 0; i < length; i += 1) if (node.lots[i].activationRound > foldedThrough) count += 1;
    }

    /// @dev `nodeStake`. At most MAX_UNRAMPED_LOTS iterations.
    function _nodeStake(NodeState storage node) internal view returns (uint256 total) {
        total = node.rampedStake;
        uint256 length = node.lotCount;
        for (uint256 i = 0; i < length; i += 1) total += node.lots[i].amount;
    }

    /// @dev `nodeWeight` of the node as stored (call `_foldNodeLots` first or not: a folded lot weighs in full
    /// either way). At most MAX_UNRAMPED_LOTS iterations.
    function _nodeWeight(Task storage task, NodeState storage node, int64 round) internal view returns (uint256 weight) {
        weight = node.rampedStake;
        uint256 length = node.lotCount;
        // rampRounds read in the loop: a node whose lots are all folded (most) does not read the parameter's slot.
        for (uint256 i = 0; i < length; i += 1) weight += _lotWeight(node.lots[i], round, task.params.rampRounds);
    }

    /// @dev `totalWeight`: the folded stake and the weight of every bucket not folded yet (at most
    /// warmupRounds + max(rampRounds, 1) + 1 buckets, as `_refreshRamp`).
    function _totalWeight(bytes32 id, Task storage task, int64 round) internal view returns (uint256 total) {
        total = task.rampFullStake;
        int64[] storage rounds = _bucketRounds[id];
        uint32 rampRounds = task.params.rampRounds;
        for (uint256 i = task.rampHead; i < rounds.length; i += 1) {
            int64 activation = rounds[i];
            uint256 stake = _bucketStake[id][activation];
            if (stake != 0) total += _lotWeight(StakeLot(uint128(stake), activation), round, rampRounds);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hashes (random.ts, commit.ts): SHA-256 with the core's domain tags.

    function _genesisSeed(bytes32 id) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(GENESIS_TAG, id));
    }

    /// @dev The first 96 bits of H(tag, accumulator, salt) (§4.4), the accumulator as 32 bytes (the rest zero).
    function _accumulateSalt(bytes12 accumulator, bytes32 salt) internal pure returns (bytes12) {
        return bytes12(sha256(abi.encodePacked(SALT_TAG, bytes32(accumulator), salt)));
    }

    function _nextSeed(bytes32 previous, bytes12 accumulator, uint32 cycle) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(CYCLE_TAG, previous, bytes32(accumulator), Strings.toString(cycle)));
    }

    /// @dev The cycle's valid reveals (the core's `validCount`).
    function _validCount(Cycle storage cycle) internal view returns (uint32) {
        return uint32(cycle.revealCount) - cycle.invalidCount;
    }

    /// @dev The cycle's reveals that share a rule payment (the core's `shareCount`).
    function _shareCount(Cycle storage cycle) internal view returns (uint32) {
        return uint32(cycle.revealCount) - cycle.unsharedCount;
    }

    /// @dev §4.1: H("gradual/commit/v2\n", task, cycle (4 bytes, big-endian), node, proofDigest, salt).
    function _commitment(bytes32 task, uint32 cycle, bytes32 node, bytes32 proofDigest, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return sha256(abi.encodePacked(COMMIT_TAG, task, cycle, node, proofDigest, salt));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lazy rule shares (§6.2, §7): the audits module (slashes, late triggers), the lists module (`materialize`) and
    // `Gradual` (`claim`, and a commit that rewrites a revealed record) create them.

    /// @dev The account's last revealed cycle in the task (-1: none), whether or not it is a node now (`revealHead`).
    function _lastReveal(NodeState storage node) internal view returns (int256) {
        int256 head = node.revealHead;
        return (head < 0 ? -head : head) - 1;
    }

    /// @dev The account's reveals from cycle `c` (its last, whose distance to the one before is `gap`) down to cycle
    /// `head`, newest first: the chain of `Entry.previousGap`, each earlier reveal held in the ring and revealed. In
    /// assembly, for the gas of a claim: one read of each record's slot 0 (`Entry`: `flags` in bits 0-7, `cycle` in
    /// 216-247, `previousGap` in 248-255) and the cycles in memory past the free memory pointer, claimed at the end.
    function _revealsFrom(mapping(uint256 => Entry) storage ring, uint256 size, uint256 c, uint256 gap, uint256 head)
        internal
        view
        returns (uint256[] memory revealed)
    {
        assembly ("memory-safe") {
            revealed := mload(0x40)
            let length := 1
            mstore(add(revealed, 0x20), c)
            for {} and(gt(gap, 0), iszero(gt(gap, sub(c, head)))) {} {
                c := sub(c, gap)
                mstore(0x00, mod(c, size))
                mstore(0x20, ring.slot)
                let word := sload(keccak256(0x00, 0x40))
                // Held (tagged with cycle c) and revealed (flag bit 1).
                if iszero(and(eq(and(shr(216, word), 0xffffffff), c), and(shr(1, word), 1))) { break }
                length := add(length, 1)
                mstore(add(revealed, shl(5, length)), c)
                gap := shr(248, word)
            }
            mstore(revealed, length)
            mstore(0x40, add(revealed, shl(5, add(length, 1))))
        }
    }

    /// @dev Makes the account's rule shares of the cycles paid by rule that it revealed in, in cycle order, up to the
    /// first cycle not complete yet: the share the core's `payByRule` gave it (`ruleAmount` from the denominators
    /// frozen at the payment), moved from the cycle's reservation into the pool as of the payment's round (deviation
    /// 42: released to that round, then added with its end V rounds later), as the core's eager payment did. Every
    /// operation that releases the pool (a claim, a slash, a clawback) makes them first, so the pool sees them in
    /// round order. Its reveals from `pendingHead` on are
    /// a chain from its last one down (`_revealsFrom`), taken oldest first. Each is held in its ring (a commit that
    /// rewrites a revealed record makes the shares through it first): a call reads at most one record per ring
    /// position, whatever the number of nodes, and each reveal's record is read once until its share is made.
    function _materialize(bytes32 id, Task storage task, bytes32 account) internal {
        VestingState storage vesting = _vesting[id][account];
        uint256 head = vesting.pendingHead;
        NodeState storage node = _nodes[id][account];
        int256 last = _lastReveal(node);
        if (last < int256(head)) return;
        mapping(uint256 => Entry) storage ring = _entries[id][account];
        uint256 size = task.entryRing;
        uint256[] memory revealed = _revealsFrom(ring, size, uint256(last), node.revealGap, head);
        // A cycle is paid by rule at the start of round c + 1 + the review lag (the audits module's `_roundStart`),
        // never later than the current slot's round: a later cycle is not paid yet and its record is not read.
        int256 unpaidFrom = int256(_roundOf(task, _slot())) - 1 - int256(_reviewLag(task));
        for (uint256 i = revealed.length; i > 0; i -= 1) {
            uint32 cycleNumber = uint32(revealed[i - 1]);
            if (int256(uint256(cycleNumber)) > unpaidFrom) break;
            RulePaymentState storage payment = _rulePayments[id][cycleNumber];
            if (!payment.paid) {
                // Not paid by rule: complete without a payment (no valid submitter), or not complete yet.
                if (_cycles[id][cycleNumber].outcome == 0) break;
                head = uint256(cycleNumber) + 1;
                continue;
            }
            head = uint256(cycleNumber) + 1;
            Entry storage reveal = ring[cycleNumber % size];
            if (!_validReveal(_heldFlags(reveal, cycleNumber))) continue;
            uint256 amount = _ruleShare(payment, reveal.weight);
            if (amount == 0) continue;
            payment.materialized += uint128(amount);
            _totals.vesting += uint128(amount);
            task.totalPaid += amount;
            vesting.exists = true;
            vesting.totalVested += uint120(amount);
            int64 paidRound = int64(uint64(payment.round));
            uint256 vestingRounds = payment.vestingRounds;
            int64 endRound = paidRound + int64(uint64(vestingRounds));
            if (vestingRounds == 0) {
                vesting.unlocked += uint128(amount);
            } else {
                _release(vesting, paidRound);
                _addLocked(vesting, paidRound, amount, endRound);
            }
            emit Vested(id, cycleNumber, account, amount, endRound);
        }
        vesting.pendingHead = uint32(head);
    }

    /// @dev `ruleAmount`: a valid submitter's share of a cycle paid by rule, from the denominators frozen at the
    /// payment (all 0 for a cycle not paid by rule: 0).
    function _ruleShare(RulePaymentState storage payment, uint256 weight) internal view returns (uint256) {
        if (payment.weighted && payment.revealedWeight > 0) {
            return uint256(payment.base) * weight / payment.revealedWeight;
        }
        return payment.shareCount == 0 ? 0 : payment.base / payment.shareCount;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The vesting pool (vesting.ts, deviation 42): O(1) whatever vestingRounds is.

    /// @dev `release` to round `round`: what the pool has released since `lockedRound` (linearly to its end `endAt`,
    /// in 1/VESTING_END_SCALE of a round; floored on what stays) moves to `unlocked`. Nothing when the pool is empty
    /// or `round` is not after `lockedRound`. Stored rounds are those of a payment or a later operation: never
    /// negative.
    function _release(VestingState storage vesting, int64 round) internal {
        uint256 locked = vesting.locked;
        if (locked == 0) return;
        uint256 from = vesting.lockedRound;
        if (int256(round) <= int256(from)) return;
        uint256 t = uint256(uint64(round));
        uint256 now_ = t * VESTING_END_SCALE;
        uint256 end = vesting.endAt;
        uint256 remaining = now_ >= end ? 0 : locked * (end - now_) / (end - from * VESTING_END_SCALE);
        vesting.unlocked += uint128(locked - remaining);
        vesting.locked = uint128(remaining);
        if (remaining == 0) {
            vesting.lockedRound = 0;
            vesting.endAt = 0;
        } else {
            vesting.lockedRound = uint32(t);
        }
    }

    /// @dev `addLocked` of `amount` (above 0) ending at round `endRound` (after `round`), into a pool released to
    /// `round`: the pool's end becomes the amount-weighted mean of the two ends, rounded up to 1/VESTING_END_SCALE of
    /// a round (an end in whole rounds drifted a round ahead a payment: deviation 42).
    function _addLocked(VestingState storage vesting, int64 round, uint256 amount, int64 endRound) internal {
        uint256 t = uint256(uint64(round));
        uint256 now_ = t * VESTING_END_SCALE;
        uint256 end = uint256(uint64(endRound)) * VESTING_END_SCALE;
        uint256 locked = vesting.locked;
        if (locked != 0) {
            uint256 total = locked + amount;
            end = now_ + (locked * (uint256(vesting.endAt) - now_) + amount * (end - now_) + total - 1) / total;
            amount = total;
        }
        vesting.locked = uint128(amount);
        vesting.lockedRound = uint32(t);
        vesting.endAt = uint56(end);
    }

    /// @dev Sets what stays locked after a cut (a slash, a clawback): an emptied pool has no rounds.
    function _setLocked(VestingState storage vesting, uint256 locked) internal {
        vesting.locked = uint128(locked);
        if (locked == 0) {
            vesting.lockedRound = 0;
            vesting.endAt = 0;
        }
    }

    /// @dev A trigger's resolution gives back what it held from the target's claims (a late proof or availability
    /// trigger's `held`; every other trigger holds nothing).
    function _unhold(bytes32 id, Trigger storage trigger) internal {
        if (!trigger.late) return;
        uint128 held = trigger.held;
        if (held == 0) return;
        VestingState storage vesting = _vesting[id][trigger.target];
        uint128 left = vesting.held - held;
        vesting.held = left;
        if (left == 0) vesting.hasHeld = false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Resolution effects both modules apply (resolveTrigger.ts): the audits module at window ends, the lists module
    // when a publication answers an availability challenge.

    /// @dev `settleAvailability` (§5.6): what the trigger held is given back, the bond returns; an unanswered proof
    /// is marked unavailable (and, late, its pay clawed back at `round`, the resolution's).
    function _settleAvailability(bytes32 id, uint32 c, Trigger storage trigger, uint8 resolution, int64 round)
        internal
    {
        _unhold(id, trigger);
        _totals.bonds -= trigger.bond;
        _credit(id, trigger.triggerer, trigger.bond, REASON_BOND_RETURNED);
        if (resolution == UNAVAILABLE) {
            _markProof(id, c, trigger.target, STATUS_UNAVAILABLE);
            if (trigger.late) _clawBack(id, c, trigger, round);
        }
        trigger.resolution = resolution;
        _emitResolved(id, c, trigger, 0);
    }

    /// @dev `clawBack` (§5.7, deviation 42): what the cycle paid the target (the trigger's `held`) returns to the
    /// escrow (to the creator's vesting when the task is closed), taken from what the target still holds after a
    /// release to `round` (the resolution's): its unlocked part first, then the pool. A trigger that held nothing
    /// takes nothing and releases nothing.
    function _clawBack(bytes32 id, uint32 c, Trigger storage trigger, int64 round) internal {
        uint256 held = trigger.held;
        if (held == 0) return;
        bytes32 target = trigger.target;
        VestingState storage vesting = _vesting[id][target];
        _release(vesting, round);
        uint256 unlocked = vesting.unlocked;
        uint256 fromUnlocked = held < unlocked ? held : unlocked;
        uint256 locked = vesting.locked;
        uint256 fromLocked = held - fromUnlocked < locked ? held - fromUnlocked : locked;
        uint256 amount = fromUnlocked + fromLocked;
        if (amount == 0) return;
        if (fromUnlocked != 0) vesting.unlocked = uint128(unlocked - fromUnlocked);
        if (fromLocked != 0) _setLocked(vesting, locked - fromLocked);
        vesting.totalClawedBack += uint128(amount);
        Task storage task = _tasks[id];
        _totals.vesting -= uint128(amount);
        if (task.status == TaskStatus.Closed) {
            _credit(id, task.creator, amount, 4);
        } else {
            _totals.escrows += uint128(amount);
            task.escrow += amount;
            task.totalPaid -= amount;
        }
        emit RewardClawedBack(id, c, trigger.index, target, amount);
    }

    function _emitResolved(bytes32 id, uint32 c, Trigger storage trigger, uint256 activeWeight) internal {
        emit TriggerResolved(
            id,
            c,
            trigger.index,
            trigger.kind,
            trigger.target,
            trigger.triggerer,
            trigger.resolution,
            trigger.validWeight,
            trigger.invalidWeight,
            trigger.unavailableWeight,
            activeWeight
        );
    }

    /// @dev `markProof`: a valid reveal gets its new status and leaves the valid count; an invalid one also leaves the
    /// rule's denominators. Only a valid reveal is taken out, and an upheld appeal puts it back (the audits module's
    /// `reinstateProof`), so the counts taken out never pass the reveal count.
    function _markProof(bytes32 id, uint32 c, bytes32 target, uint8 status) internal {
        Entry storage reveal = _entryAt(id, _tasks[id], c, target);
        uint8 flags = _heldFlags(reveal, c);
        if (!_validReveal(flags)) return;
        reveal.flags = flags | (status << ENTRY_STATUS_SHIFT);
        Cycle storage cycle = _cycles[id][c];
        cycle.invalidCount += 1;
        if (status == STATUS_INVALID) {
            cycle.revealedWeight -= reveal.weight;
            cycle.unsharedCount += 1;
        } else {
            _keptWeight[id][c] += reveal.weight;
        }
    }
}
