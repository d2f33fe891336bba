import {
  type Account,
  appealableFinding,
  BPS,
  beatsInRace,
  type CommitRecord,
  type CycleRecord,
  commitWindow,
  computeOwnCommitment,
  type DistributionRecord,
  distributionTriggerWindow,
  distributionWindow,
  getAcceptedList,
  getAccount,
  getAuditAssignment,
  getAuditorsOf,
  getChain,
  getCommit,
  getCycle,
  getDistribution,
  getNode,
  getPublishedProof,
  getReveal,
  getTask,
  getVesting,
  getVote,
  type Hash,
  hasClaimable,
  isInside,
  isListClaimed,
  keys,
  LIMITS,
  lateChallengeWindow,
  lateWeight,
  listBlobHash,
  listClaimClosesAt,
  listProof,
  listRevealers,
  listTriggers,
  listVotes,
  meetsLateQuorum,
  type NodeRecord,
  nodeActiveStake,
  nodeStake,
  nodeWeight,
  pairsReveals,
  proofTriggerWindow,
  proofVoteWindow,
  RACE_FRACTION_BITS,
  type RaceScore,
  type RevealRecord,
  raceTime,
  readRecord,
  revealWindow,
  roundOf,
  roundStart,
  type State,
  sha256Hex,
  type TaskRecord,
  type Transaction,
  type TriggerRecord,
  triggerSlotName,
  type Window,
} from "@gradual/protocol";
import type { Submitter } from "@gradual/sdk";

/**
 * The honest node's decisions (protocol.md §2-§7) as a pure function of its view: the ledger state it has
 * replayed and verified, and its own durable memory. The runtime executes the actions with real IO; the simulator
 * executes the same actions on a virtual clock. Nothing here reads a clock, the network or a random source.
 */

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TransactionBody = Without<Transaction, "chainId" | "from" | "nonce">;

export type Verdict = "valid" | "invalid" | "unavailable";

export type WorkRecord =
  | { readonly status: "done"; readonly proofDigest: Hash; readonly salt: Hash }
  | { readonly status: "failed"; readonly reason: string };

export type ListRecord = {
  readonly entries: readonly { readonly recipient: Account; readonly amount: bigint }[];
  /** `listRoot(entries)`. */
  readonly root: Hash;
};

/** What the node remembers across restarts (the runtime persists it before acting on it). */
export type NodeMemory = {
  /** cycle -> outcome of running `task` and `submission`. */
  readonly work: ReadonlyMap<number, WorkRecord>;
  /** `${cycle}/${target}` -> verdict after fetching and checking the target's proof. */
  readonly verdicts: ReadonlyMap<string, Verdict>;
  /**
   * `${cycle}/${attempt}` -> the list this node computes for that attempt; `posted/${cycle}/${attempt}` -> the
   * accepted list as fetched from its blob, when it differs.
   */
  readonly lists: ReadonlyMap<string, ListRecord>;
  /** Keys of every action already handed to the runtime (sent or in flight): never decided twice. */
  readonly done: Pick<ReadonlySet<string>, "has">;
};

export type DecideOptions = {
  readonly autoClaim: boolean;
  /**
   * With auto-claim, claim only in rounds that are a multiple of this (default 1: every round with something
   * unlocked). Where each claim costs a fee (an EVM chain), a larger value pays it less often for the same rewards.
   */
  readonly claimEveryRounds?: number | undefined;
  /**
   * The node is leaving the task: it starts no new work and commits nothing more, reveals what it committed, then
   * unstakes (§3.4), and goes on claiming. A task with paired reveals (§2.2) reveals a cycle a round after its commit
   * and a reveal needs stake: an unstake sent at once would forfeit that cycle's pay.
   */
  readonly leaving?: boolean | undefined;
};

/**
 * Answers a caller may have precomputed for many nodes at once (the simulator computes each cycle's assignment once
 * with getAuditAssignments). Each must equal what the state gives; returning undefined falls back to the state.
 */
export type DecideHints = {
  /** getAuditAssignment(state, task, cycle, me). */
  readonly auditAssignment?: (cycle: number) => readonly Account[] | undefined;
  /** getAuditorsOf(state, task, cycle, target). */
  readonly auditorsOf?: (cycle: number, target: Account) => readonly Account[] | undefined;
  /** listTriggers(state, task, cycle): the same for every node reading the same state. */
  readonly triggers?: (cycle: number) => readonly TriggerRecord[] | undefined;
};

export type NodeView = {
  readonly state: State;
  readonly task: Hash;
  readonly me: Account;
  readonly memory: NodeMemory;
  readonly options: DecideOptions;
  readonly hints?: DecideHints | undefined;
  /**
   * The payload of one of this node's own proofs, as hex, to answer an availability challenge (protocol.md §5.6);
   * undefined when the node no longer has it.
   */
  readonly payloadOf?: ((proofDigest: Hash) => string | undefined) | undefined;
};

export type NodeAction =
  | { readonly type: "runTask"; readonly key: string; readonly cycle: number }
  | {
      readonly type: "auditProof";
      readonly key: string;
      readonly cycle: number;
      readonly target: Account;
      readonly proofDigest: Hash;
      readonly url: string;
      /** The payload as published on the ledger (hex), when its node answered an availability challenge. */
      readonly published?: string | undefined;
    }
  | { readonly type: "computeList"; readonly key: string; readonly cycle: number; readonly attempt: number }
  /** Fetches the cycle's accepted list from its blob into `posted/${cycle}/${attempt}`. */
  | { readonly type: "fetchList"; readonly key: string; readonly cycle: number; readonly attempt: number }
  | { readonly type: "send"; readonly key: string; readonly tx: TransactionBody };

export const DEFAULT_DECIDE_OPTIONS: DecideOptions = { autoClaim: true };

/** The next slot: transactions decided now land there at the earliest. */
function nextSlot(state: State): number {
  return getChain(state).slot + 1;
}

function opens(window: Window, slot: number): boolean {
  return isInside(window, slot);
}

/**
 * Auditors that found the same fault would all trigger in the same slot; only the first trigger counts and the
 * others are refused (AUDIT__ALREADY_TRIGGERED). Verdicts are known about one slot after the window opens and a
 * trigger takes a slot to land, so the auditor of rank k waits 2 + 2k slots (at most until the window's last slot):
 * the first-ranked one usually triggers alone, the others vote on its trigger, and a silent first auditor cannot
 * stop the next from triggering.
 */
function staggerAllows(window: Window, slot: number, rank: number): boolean {
  const last = window.closesAt - window.opensAt - 1;
  return slot >= window.opensAt + Math.min(2 + 2 * Math.max(rank, 0), last);
}

/**
 * The key of a verdict in the node's memory, `${cycle}/${target}`. Each string is built once per cycle and target
 * and handed out again: decide() looks up every assigned target's verdict on every call, and a string built anew is
 * hashed by V8 over all of its ~70 characters on each lookup, while a kept one carries its hash. Only work is saved
 * (the same parts give the same text); the strings of the last VERDICT_KEY_CYCLES cycles asked about are kept
 * (about what a node looks at: its open cycles; a node's memory stores its verdicts under these same strings, so
 * the cache mostly shares them rather than copying them).
 */
export function verdictKey(cycle: number, target: Account): string {
  return VERDICT_KEYS.of(cycle, target);
}

/** The key of an audit action, `audit/${cycle}/${target}`: kept and handed out again as verdictKey's strings are. */
export function auditKey(cycle: number, target: Account): string {
  return AUDIT_KEYS.of(cycle, target);
}

/** `${prefix}${cycle}/${target}` strings, kept per cycle for the last VERDICT_KEY_CYCLES cycles asked about. */
class CycleTargetKeys {
  readonly #byCycle = new Map<number, Map<Account, string>>();
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  of(cycle: number, target: Account): string {
    let byTarget = this.#byCycle.get(cycle);
    if (byTarget === undefined) {
      if (this.#byCycle.size >= VERDICT_KEY_CYCLES) this.#byCycle.delete(this.#byCycle.keys().next().value as number);
      byTarget = new Map();
      this.#byCycle.set(cycle, byTarget);
    }
    let key = byTarget.get(target);
    if (key === undefined) {
      key = `${this.#prefix}${cycle}/${target}`;
      byTarget.set(target, key);
    }
    return key;
  }
}

const VERDICT_KEY_CYCLES = 8;
const VERDICT_KEYS = new CycleTargetKeys("");
const AUDIT_KEYS = new CycleTargetKeys("audit/");

/**
 * `${kind}/${n}`, the keys of the actions decide() looks up in the node's memory on nearly every call (a cycle's
 * work, commit and reveal, a round's claim), each built once and handed out again while its number is among the
 * last few asked about: a kept string carries its hash, a new one is built and hashed on every lookup. Only work is
 * saved: the same parts give the same text.
 */
export class NumberedKeys {
  readonly #numbers: number[] = new Array<number>(NUMBERED_KEY_SLOTS).fill(Number.NaN);
  readonly #texts: string[] = new Array<string>(NUMBERED_KEY_SLOTS).fill("");
  readonly #kind: string;

  constructor(kind: string) {
    this.#kind = kind;
  }

  of(n: number): string {
    const slot = n & (NUMBERED_KEY_SLOTS - 1);
    if (this.#numbers[slot] === n) return this.#texts[slot] as string;
    const text = `${this.#kind}/${n}`;
    this.#numbers[slot] = n;
    this.#texts[slot] = text;
    return text;
  }
}

const NUMBERED_KEY_SLOTS = 16;
const WORK_KEYS = new NumberedKeys("work");
const COMMIT_KEYS = new NumberedKeys("commit");
const REVEAL_KEYS = new NumberedKeys("reveal");
/** Paired reveals (§2.2): `paired/c` is the one transaction with the reveal of c − 1 and the commit of c. */
const PAIRED_KEYS = new NumberedKeys("paired");
const CLAIM_KEYS = new NumberedKeys("claim");
const UNSTAKE_KEY = "unstake";

export function listKey(cycle: number, attempt: number): string {
  return `${cycle}/${attempt}`;
}

export function postedListKey(cycle: number, attempt: number): string {
  return `posted/${cycle}/${attempt}`;
}

export function decide(view: NodeView): NodeAction[] {
  const answers = answersOf(view.state, view.task);
  if (answers.task === null) answers.task = getTask(view.state, view.task);
  const { task } = answers;
  if (task === undefined) return [];
  const call = startCall(view, task, answers);
  if (task.status === "closed") {
    // A closed task still owes what its last lists awarded and what keeps vesting (§6.4, §7.1): claim both.
    decideListClaims(call);
    decideClaim(call);
    return call.actions;
  }
  for (const cycleNumber of task.openCycles) {
    const cycle = cycleOf(call, cycleNumber);
    if (cycle === undefined || cycle.outcome !== null) continue;
    decideWork(call, cycle);
    decideAudits(call, cycle);
    decideProofVotes(call, cycle);
    decideDistribution(call, cycle);
  }
  decideLeave(call);
  decideAnswers(call);
  decideLateChallenges(call);
  decideAppeals(call);
  decideLateVotes(call);
  decideListClaims(call);
  decideClaim(call);
  return call.actions;
}

/**
 * One decide() call: the view, and what every rule below needs from the state, read once per call (the next slot,
 * the node's own record, the cycles). An action whose key is already in the node's memory is never returned, so
 * each rule checks the key before reading the state for an action it would only drop.
 */
type Call = {
  readonly view: NodeView;
  readonly state: State;
  readonly task: TaskRecord;
  readonly me: Account;
  readonly memory: NodeMemory;
  /** The next slot: transactions decided now land there at the earliest. */
  readonly slot: number;
  /** roundOf(task, slot). */
  readonly round: number;
  readonly actions: NodeAction[];
  /** What the state answers alike for every node (see StateAnswers). */
  readonly answers: StateAnswers;
  /** This node's record, once read (`null`: not read yet). */
  node: NodeRecord | undefined | null;
};

function startCall(view: NodeView, task: TaskRecord, answers: StateAnswers): Call {
  if (answers.slot === null) answers.slot = nextSlot(view.state);
  const { slot } = answers;
  return {
    view,
    state: view.state,
    task,
    me: view.me,
    memory: view.memory,
    slot,
    round: roundOf(task, slot),
    actions: [],
    answers,
    node: null,
  };
}

function isDone(call: Call, key: string): boolean {
  return call.memory.done.has(key);
}

function push(call: Call, action: NodeAction): void {
  if (isDone(call, action.key)) return;
  // Two rules reaching the same action in one call (an audit and a vote) return it once; a call returns a few
  // actions, so looking through them costs less than a set made for each call.
  const { actions } = call;
  for (let index = 0; index < actions.length; index += 1) {
    if ((actions[index] as NodeAction).key === action.key) return;
  }
  actions.push(action);
}

function myNode(call: Call): NodeRecord | undefined {
  if (call.node === null) call.node = getNode(call.state, call.task.id, call.me);
  return call.node;
}

function cycleOf(call: Call, cycle: number): CycleRecord | undefined {
  const known = call.answers.cycles;
  let record = known.get(cycle);
  if (record === undefined && !known.has(cycle)) {
    record = getCycle(call.state, call.task.id, cycle);
    known.set(cycle, record);
  }
  return record;
}

/** Another node's reveal in `cycle`, read once per state for all the nodes that ask. */
function revealOf(call: Call, cycle: number, target: Account): RevealRecord | undefined {
  return revealIn(call.state, call.task.id, cycle, target);
}

function revealIn(state: State, task: Hash, cycle: number, target: Account): RevealRecord | undefined {
  const byCycle = answersOf(state, task).reveals;
  let known = byCycle.get(cycle);
  if (known === undefined) {
    known = new Map();
    byCycle.set(cycle, known);
  }
  let reveal = known.get(target);
  if (reveal === undefined && !known.has(target)) {
    reveal = getReveal(state, task, cycle, target);
    known.set(target, reveal);
  }
  return reveal;
}

/** The URL of `account`'s proof server, read once per state for all of its auditors. */
function urlOf(call: Call, account: Account): string {
  const known = call.answers.urls;
  let url = known.get(account);
  if (url === undefined) {
    url = getNode(call.state, call.task.id, account)?.url ?? "";
    known.set(account, url);
  }
  return url;
}

/** Whether this node still has bonded stake: one that unstaked can no longer reveal (NODE__NOT_STAKED, §4.2). */
function isBonded(call: Call): boolean {
  const node = myNode(call);
  return node !== undefined && nodeStake(node) > 0n;
}

/** Whether this node has weight in the next slot's round: it may trigger and vote. */
function hasWeight(call: Call): boolean {
  const node = myNode(call);
  return node !== undefined && nodeWeight(node, call.round, call.task.params) > 0n;
}

function decideWork(call: Call, cycle: CycleRecord): void {
  const { state, task, me, memory, slot, round } = call;
  const c = cycle.cycle;
  const work = memory.work.get(c);
  const leaving = call.view.options.leaving === true;
  if (
    !leaving &&
    round === c &&
    work === undefined &&
    slot < commitWindow(task, c).closesAt &&
    !isDone(call, WORK_KEYS.of(c))
  ) {
    const node = myNode(call);
    if (node !== undefined && nodeActiveStake(node, c) >= task.params.minimumStake) {
      push(call, { type: "runTask", key: WORK_KEYS.of(c), cycle: c });
    }
  }
  if (work?.status !== "done") return;
  const paired = pairsReveals(task.params);
  // This node's commit of the cycle, read at most once (`null`: not read yet).
  let commit: CommitRecord | undefined | null = null;
  // The windows first: a key is built and looked up only in the slots where the action could be taken.
  if (
    !leaving &&
    opens(commitWindow(task, c), slot) &&
    !isDone(call, COMMIT_KEYS.of(c)) &&
    !(paired && isDone(call, PAIRED_KEYS.of(c)))
  ) {
    const node = myNode(call);
    const active = node !== undefined && nodeActiveStake(node, round) >= task.params.minimumStake;
    if (active) commit = getCommit(state, task.id, c, me);
    if (active && commit === undefined) {
      const commitment = computeOwnCommitment({
        task: task.id,
        cycle: c,
        node: me,
        proofDigest: work.proofDigest,
        salt: work.salt,
      });
      // Paired reveals (§2.2): the reveal of the cycle before goes in the same transaction when it is due.
      const previous = paired ? dueReveal(call, c - 1) : undefined;
      if (previous === undefined) {
        push(call, {
          type: "send",
          key: COMMIT_KEYS.of(c),
          tx: { kind: "commit", task: task.id, cycle: c, commitment },
        });
      } else {
        push(call, {
          type: "send",
          key: PAIRED_KEYS.of(c),
          tx: { kind: "commitAndReveal", task: task.id, cycle: c, commitment, ...previous },
        });
      }
    }
  }
  if (opens(revealWindow(task, c), slot) && !(paired && waitsToPair(call, c))) {
    const due = dueReveal(call, c, commit);
    if (due !== undefined) {
      push(call, { type: "send", key: REVEAL_KEYS.of(c), tx: { kind: "reveal", task: task.id, cycle: c, ...due } });
    }
  }
}

/**
 * A leaving node (`DecideOptions.leaving`, §3.4) unstakes once nothing it committed still waits for its reveal: with
 * paired reveals (§2.2) a cycle is revealed a round after its commit, and a reveal needs stake. A transaction sent
 * and not yet applied counts as landed (a node's transactions apply in nonce order, so its reveal comes before its
 * unstake); a reveal whose window closed no longer holds it back.
 */
function decideLeave(call: Call): void {
  if (call.view.options.leaving !== true || isDone(call, UNSTAKE_KEY)) return;
  const node = myNode(call);
  if (node === undefined || nodeStake(node) === 0n) return;
  const { state, task, me, slot } = call;
  for (const c of task.openCycles) {
    if (slot >= revealWindow(task, c).closesAt) continue;
    const revealed =
      isDone(call, REVEAL_KEYS.of(c)) ||
      isDone(call, PAIRED_KEYS.of(c + 1)) ||
      getReveal(state, task.id, c, me) !== undefined;
    if (revealed) continue;
    const committed =
      isDone(call, COMMIT_KEYS.of(c)) ||
      isDone(call, PAIRED_KEYS.of(c)) ||
      getCommit(state, task.id, c, me) !== undefined;
    if (committed) return;
  }
  push(call, { type: "send", key: UNSTAKE_KEY, tx: { kind: "unstake", task: task.id } });
}

/**
 * The proof digest and salt of this node's reveal of cycle `c` when it is due now: committed, done working, not
 * revealed or sent, and still bonded. Undefined otherwise. `commit` is the node's commit of `c` if read already.
 */
function dueReveal(
  call: Call,
  c: number,
  commit: CommitRecord | undefined | null = null,
): { readonly proofDigest: Hash; readonly salt: Hash } | undefined {
  const { state, task, me, memory } = call;
  const work = memory.work.get(c);
  if (work?.status !== "done" || isDone(call, REVEAL_KEYS.of(c)) || isDone(call, PAIRED_KEYS.of(c + 1))) {
    return undefined;
  }
  if (!isInside(revealWindow(task, c), call.slot)) return undefined;
  if ((commit === null ? getCommit(state, task.id, c, me) : commit) === undefined) return undefined;
  if (getReveal(state, task.id, c, me) !== undefined || !isBonded(call)) return undefined;
  return { proofDigest: work.proofDigest, salt: work.salt };
}

/**
 * Paired reveals (§2.2): whether the reveal of cycle `c` waits to go with the commit of `c + 1` (one transaction a
 * round). It goes with it when that work is done (the commit's rule sends both) or still running in the first half
 * of the window; after that, or when the node will not commit `c + 1`, it goes alone.
 */
function waitsToPair(call: Call, c: number): boolean {
  const { task, memory, slot } = call;
  if (call.view.options.leaving === true) return false;
  const next = memory.work.get(c + 1);
  if (next?.status === "failed") return false;
  const node = myNode(call);
  const round = roundOf(task, slot);
  if (node === undefined || nodeActiveStake(node, round) < task.params.minimumStake) return false;
  if (getCommit(call.state, task.id, c + 1, call.me) !== undefined) return false;
  if (next?.status === "done") return !isDone(call, COMMIT_KEYS.of(c + 1));
  if (!isDone(call, WORK_KEYS.of(c + 1))) return false;
  const window = revealWindow(task, c);
  return slot < window.opensAt + Math.floor((window.closesAt - window.opensAt) / 2);
}

/** protocol.md §5.1-§5.2: check the assigned proofs; trigger against the ones found wrong. */
function decideAudits(call: Call, cycle: CycleRecord): void {
  const { view, state, task, me, memory, slot } = call;
  const c = cycle.cycle;
  const window = proofTriggerWindow(task, c);
  if (cycle.seed === null || slot >= window.closesAt) return;
  const assignment = view.hints?.auditAssignment?.(c) ?? getAuditAssignment(state, task.id, c, me);
  for (const target of assignment) {
    const verdict = memory.verdicts.get(verdictKey(c, target));
    // A proof found valid needs nothing more, whatever its reveal says now.
    if (verdict === "valid") continue;
    const reveal = revealOf(call, c, target);
    if (reveal?.status !== "valid") continue;
    if (verdict === undefined) {
      pushAudit(call, c, target, reveal);
      continue;
    }
    if (verdict === "unavailable" && reveal.published) {
      // The node answered an availability challenge: its payload is on the ledger now, so judge it from there.
      pushAudit(call, c, target, reveal);
      continue;
    }
    if (!opens(window, slot)) continue;
    const rank = (view.hints?.auditorsOf?.(c, target) ?? getAuditorsOf(state, task.id, c, target)).indexOf(me);
    if (!staggerAllows(window, slot, rank)) continue;
    pushTrigger(call, c, target, verdict);
  }
}

/** A proof trigger's reason: the digest of its verdict. */
const REASON_DIGESTS = {
  invalid: sha256Hex("gradual/audit-reason/invalid"),
  unavailable: sha256Hex("gradual/audit-reason/unavailable"),
} as const;

/**
 * Opens a trigger carrying the node's verdict (protocol.md §5.2): `invalid` for a proof it fetched and found wrong,
 * `unavailable` (an availability challenge, §5.6) for one it could not fetch. Never one already open.
 */
function pushTrigger(
  call: Call,
  cycle: number,
  target: Account,
  verdict: "invalid" | "unavailable",
  late = false,
  known?: { readonly last: TriggerRecord | undefined },
): void {
  const { state, task, me } = call;
  const kind = verdict === "unavailable" ? "availability" : "proof";
  const base = `trigger/${cycle}/${kind}/${target}`;
  if (!late && isDone(call, base)) return;
  // The latest trigger of this verdict against the proof, when the caller has read it already.
  const last = known === undefined ? triggerAgainst(state, task.id, cycle, target, verdict) : known.last;
  if (last?.resolution === null) return;
  const key = late ? `${base}/late/${last?.index ?? -1}` : base;
  if (late && isDone(call, key)) return;
  if (getAccount(state, me).balance < task.params.triggerBond) return;
  if (!hasWeight(call)) return;
  push(call, { type: "send", key, tx: proofTrigger(task.id, cycle, target, verdict, REASON_DIGESTS[verdict]) });
}

/** A proof trigger (§5.2): `invalid`, `unavailable`, or an appeal, `valid` (§5.8). */
function proofTrigger(
  task: Hash,
  cycle: number,
  target: Account,
  verdict: Verdict,
  reasonDigest: Hash,
): TransactionBody {
  return { kind: "triggerAudit", task, cycle, target, triggerKind: "proof", verdict, attempt: 0, reasonDigest };
}

/** The latest trigger of this verdict against a proof, resolved or not. */
function triggerAgainst(
  state: State,
  task: Hash,
  cycle: number,
  target: Account,
  verdict: "invalid" | "unavailable",
): TriggerRecord | undefined {
  const index = readRecord<number>(state, keys.triggerOf(task, cycle, triggerSlotName("proof", verdict), 0, target));
  return index === undefined ? undefined : readRecord<TriggerRecord>(state, keys.trigger(task, cycle, index));
}

/**
 * Asks the runtime to fetch and check a proof: from the target's node, or from the ledger once the target published
 * it to answer an availability challenge (publishProof writes the payload and sets the reveal's `published` flag
 * together, and nothing removes either).
 */
function pushAudit(call: Call, cycle: number, target: Account, reveal: RevealRecord): void {
  const key = reveal.published ? `audit/${cycle}/${target}/published` : auditKey(cycle, target);
  if (isDone(call, key)) return;
  const { state, task } = call;
  const published = reveal.published ? getPublishedProof(state, task.id, cycle, target) : undefined;
  push(call, {
    type: "auditProof",
    key,
    cycle,
    target,
    proofDigest: reveal.proofDigest,
    url: urlOf(call, target),
    published,
  });
}

/** Whether this node may vote on `trigger` in the next slot, apart from whether it already has. */
function mayVote(call: Call, trigger: TriggerRecord): boolean {
  const { slot, me } = call;
  if (trigger.resolution !== null || slot < trigger.slot || slot >= trigger.closesAt) return false;
  return trigger.target !== me && trigger.triggerer !== me;
}

function canVote(call: Call, cycle: number, trigger: TriggerRecord): boolean {
  if (!mayVote(call, trigger)) return false;
  if (getVote(call.state, call.task.id, cycle, trigger.index, call.me) !== undefined) return false;
  // Only a cycle's own nodes weigh on its late decisions (§5.7, deviation 40): without a reveal there, no vote.
  if (trigger.late && revealOf(call, cycle, call.me) === undefined) return false;
  return hasWeight(call);
}

/** protocol.md §5.3: every node with weight checks a triggered proof itself and votes once. */
function decideProofVotes(call: Call, cycle: CycleRecord): void {
  if (cycle.triggerCount === 0) return;
  const { view, state, task, me } = call;
  const triggers = view.hints?.triggers?.(cycle.cycle) ?? listTriggers(state, task.id, cycle.cycle);
  let attacked = false;
  for (const trigger of triggers) {
    voteOnProofTrigger(call, cycle.cycle, trigger);
    if (!attacked && trigger.resolution !== null && trigger.kind === "proof" && trigger.verdict === "invalid") {
      attacked = trigger.target === me ? votedDown(trigger) : vouchedForWrong(call, cycle.cycle, trigger);
    }
  }
  if (attacked) auditWholeCycle(call, cycle.cycle);
}

/** The trigger found its target `invalid` or `disputed` (§5.5). */
function votedDown(trigger: TriggerRecord): boolean {
  return trigger.resolution === "upheld" || trigger.resolution === "disputed";
}

/** Some weight voted `valid` on a proof this node found wrong. */
function vouchedForWrong(call: Call, cycle: number, trigger: TriggerRecord): boolean {
  return trigger.validWeight > 0n && call.memory.verdicts.get(verdictKey(cycle, trigger.target)) === "invalid";
}

/**
 * protocol.md §5.7, "Whole-cycle audits": this node's own proof was voted down, or weight vouched for a proof it
 * found wrong, so nodes that vote against the truth are present in this cycle, and the assigned auditors of some
 * proofs may all be theirs. The node checks every proof of the cycle that is still `valid` (and so is paid) and that
 * it has not checked yet; what it finds wrong it challenges late once the cycle completes (decideLateChallenges).
 */
function auditWholeCycle(call: Call, cycle: number): void {
  const { state, task, me, memory } = call;
  for (const target of listRevealers(state, task.id, cycle)) {
    if (target === me || memory.verdicts.has(verdictKey(cycle, target))) continue;
    const reveal = revealOf(call, cycle, target);
    if (reveal?.status === "valid") pushAudit(call, cycle, target, reveal);
  }
}

/**
 * Votes `valid` or `invalid` on a proof trigger by the node's own check. A node that could not fetch the proof does
 * not vote: it challenges the proof's availability (§5.6) and judges the payload once it is on the ledger.
 */
function voteOnProofTrigger(call: Call, cycle: number, trigger: TriggerRecord): void {
  // An appeal (verdict `valid`, §5.8) asks the same question of the same proof: the vote is the node's check.
  if (trigger.kind !== "proof" || trigger.verdict === "unavailable" || !mayVote(call, trigger)) return;
  const verdict = call.memory.verdicts.get(verdictKey(cycle, trigger.target));
  const voteKey = `vote/${cycle}/${trigger.index}`;
  // With a verdict of `valid` or `invalid` the only action is the vote itself.
  if ((verdict === "valid" || verdict === "invalid") && isDone(call, voteKey)) return;
  if (!canVote(call, cycle, trigger)) return;
  const reveal = revealOf(call, cycle, trigger.target);
  if (reveal === undefined) return;
  if (verdict === undefined || (verdict === "unavailable" && reveal.published)) {
    pushAudit(call, cycle, trigger.target, reveal);
    return;
  }
  if (verdict === "unavailable") {
    if (reveal.status === "valid") pushTrigger(call, cycle, trigger.target, "unavailable", trigger.late);
    return;
  }
  push(call, {
    type: "send",
    key: voteKey,
    tx: { kind: "vote", task: call.task.id, cycle, trigger: trigger.index, choice: verdict },
  });
}

/** protocol.md §5.6: an availability challenge against this node's proof is answered by publishing the payload. */
function decideAnswers(call: Call): void {
  // The open cycles, then the cycles of late triggers, each once (no set built when there is no late trigger).
  const { openCycles, lateTriggers } = call.task;
  for (let index = 0; index < openCycles.length; index += 1) {
    const c = openCycles[index] as number;
    if (openCycles.indexOf(c) === index) answerChallenge(call, c);
  }
  if (lateTriggers.length === 0) return;
  const seen = new Set(openCycles);
  for (const ref of lateTriggers) {
    if (seen.has(ref.cycle)) continue;
    seen.add(ref.cycle);
    answerChallenge(call, ref.cycle);
  }
}

function answerChallenge(call: Call, c: number): void {
  const { view, state, task, me, slot } = call;
  // No trigger of any kind in the cycle: no challenge to answer.
  if ((cycleOf(call, c)?.triggerCount ?? 0) === 0) return;
  const reveal = getReveal(state, task.id, c, me);
  if (reveal === undefined || reveal.published) return;
  const challenge = openTrigger(state, task.id, c, me, "unavailable");
  if (challenge === undefined || slot >= challenge.closesAt) return;
  const payload = view.payloadOf?.(reveal.proofDigest);
  if (payload === undefined) return;
  push(call, {
    type: "send",
    key: `publish/${c}/${challenge.index}`,
    tx: { kind: "publishProof", task: task.id, cycle: c, trigger: challenge.index, payload },
  });
}

function openTrigger(
  state: State,
  task: Hash,
  cycle: number,
  target: Account,
  verdict: "invalid" | "unavailable",
): TriggerRecord | undefined {
  const trigger = triggerAgainst(state, task, cycle, target, verdict);
  return trigger?.resolution === null ? trigger : undefined;
}

/**
 * protocol.md §5.7: a proof this node found wrong (or could not fetch) that is still `valid` after its cycle
 * completed is challenged again while the cycle's rewards vest, once the weight that defended it no longer could:
 * the nodes that voted `valid` on the last trigger against it now hold less than `1 − slashQuorum` of what the
 * cycle's nodes can bring to a late decision (a whale that left, for example; each weighs at most its reveal in the
 * cycle, deviation 40). A proof nobody challenged in time is challenged late at once.
 */
function decideLateChallenges(call: Call): void {
  // forEach rather than for-of: no [key, verdict] array per verdict (most are `valid` and skipped at once).
  call.memory.verdicts.forEach((verdict, key) => {
    if (verdict === "valid") return;
    // Only a completed cycle inside its late-challenge window qualifies (checked again in lateChallengeOf).
    const cycle = cycleOf(call, Number.parseInt(key, 10));
    if (cycle === undefined || cycle.outcome === null) return;
    const window = lateChallengeWindow(call.task, cycle);
    if (window === null || !opens(window, call.slot)) return;
    if (verdict === "invalid" && !lateQuorumReachable(call.state, call.task, cycle)) return;
    const challenge = lateChallengeOf(call.state, call.task, key, verdict);
    if (challenge !== null) pushTrigger(call, challenge.cycle, challenge.target, verdict, true, challenge);
  });
}

type LateChallenge = { readonly cycle: number; readonly target: Account; readonly last: TriggerRecord | undefined };

/**
 * Whether a proof with this verdict (the key is the verdict's, `cycle/target`) should be challenged late now, and the
 * last trigger against it: a question about the state alone, which every auditor holding the verdict asks.
 */
function lateChallengeOf(
  state: State,
  task: TaskRecord,
  key: string,
  verdict: "invalid" | "unavailable",
): LateChallenge | null {
  const answers = answersOf(state, task.id);
  const known = answers.late[verdict];
  let challenge = known.get(key);
  if (challenge === undefined) {
    challenge = findLateChallenge(state, task, key, verdict);
    known.set(key, challenge);
  }
  return challenge;
}

function findLateChallenge(
  state: State,
  task: TaskRecord,
  key: string,
  verdict: "invalid" | "unavailable",
): LateChallenge | null {
  const [cycleText, target] = key.split("/") as [string, Account];
  const c = Number(cycleText);
  const slot = nextSlot(state);
  const cycle = getCycle(state, task.id, c);
  if (cycle === undefined || cycle.outcome === null) return null;
  const window = lateChallengeWindow(task, cycle);
  if (window === null || !opens(window, slot)) return null;
  const reveal = getReveal(state, task.id, c, target);
  if (reveal?.status !== "valid") return null;
  // A payload published since this node's failed fetch is judged by a fresh audit before anything else.
  if (verdict === "unavailable" && reveal.published) return null;
  const last = triggerAgainst(state, task.id, c, target, verdict);
  if (last !== undefined && last.resolution === null) return null;
  if (last !== undefined && verdict === "invalid" && !defendersWeakened(state, task, c, last, slot)) return null;
  return { cycle: c, target, last };
}

/**
 * Answers that depend on the state alone, not on the node asking, kept per state object (and task) so that a caller
 * deciding for many nodes on one state (the simulator) computes each once. Exact because a State never changes: the
 * same object always holds the same records. Each answer here is for the state's next slot.
 */
type StateAnswers = {
  /** The task's record (`null`: not read yet). */
  task: TaskRecord | undefined | null;
  /** The next slot (`null`: not read yet). */
  slot: number | null;
  /** Verdict key (`cycle/target`) -> the late challenge to raise, by verdict. */
  readonly late: Record<"invalid" | "unavailable", Map<string, LateChallenge | null>>;
  /** Cycle -> trigger index -> whether its `valid` voters no longer hold enough weight. */
  readonly defendersWeakened: Map<number, Map<number, boolean>>;
  /** Round -> account -> ramped weight. */
  readonly weights: Map<number, Map<Account, bigint>>;
  /** Cycle -> the late weight of its revealers (see `presentLateWeight`). */
  readonly lateWeights: Map<number, bigint>;
  /** Cycle -> its record: every node reads the open cycles on every call. */
  readonly cycles: Map<number, CycleRecord | undefined>;
  /** Cycle -> target -> its reveal: each proof is read by all of its auditors (and by every voter on a trigger). */
  readonly reveals: Map<number, Map<Account, RevealRecord | undefined>>;
  /** Account -> the URL of its node's proof server, which an audit fetches from ("" for an unknown node). */
  readonly urls: Map<Account, string>;
};

const stateAnswers = new WeakMap<State, Map<Hash, StateAnswers>>();

function answersOf(state: State, task: Hash): StateAnswers {
  let byTask = stateAnswers.get(state);
  if (byTask === undefined) {
    byTask = new Map();
    stateAnswers.set(state, byTask);
  }
  let answers = byTask.get(task);
  if (answers === undefined) {
    answers = {
      task: null,
      slot: null,
      late: { invalid: new Map(), unavailable: new Map() },
      defendersWeakened: new Map(),
      weights: new Map(),
      lateWeights: new Map(),
      cycles: new Map(),
      reveals: new Map(),
      urls: new Map(),
    };
    byTask.set(task, answers);
  }
  return answers;
}

function defendersWeakened(state: State, task: TaskRecord, cycle: number, last: TriggerRecord, slot: number): boolean {
  const byCycle = answersOf(state, task.id).defendersWeakened;
  let known = byCycle.get(cycle);
  if (known === undefined) {
    known = new Map();
    byCycle.set(cycle, known);
  }
  let weakened = known.get(last.index);
  if (weakened === undefined) {
    weakened = countDefenders(state, task, cycle, last, slot);
    known.set(last.index, weakened);
  }
  return weakened;
}

function countDefenders(state: State, task: TaskRecord, cycle: number, last: TriggerRecord, slot: number): boolean {
  const round = roundOf(task, slot);
  let defenders = 0n;
  for (const voter of validVotersOf(state, task.id, cycle, last)) {
    defenders += lateWeightOf(state, task, cycle, voter, round);
  }
  return underBlockingShare(defenders, state, task, cycle);
}

/**
 * The voters that voted `valid` on a trigger, kept per trigger record: every vote rewrites the trigger (its
 * `voteCount` and tallies), and votes are never changed or removed, so one record object always has the same votes.
 */
const validVoters = new WeakMap<TriggerRecord, readonly Account[]>();

function validVotersOf(state: State, task: Hash, cycle: number, trigger: TriggerRecord): readonly Account[] {
  let voters = validVoters.get(trigger);
  if (voters === undefined) {
    voters = listVotes(state, task, cycle, trigger)
      .filter((vote) => vote.choice === "valid")
      .map((vote) => vote.voter);
    validVoters.set(trigger, voters);
  }
  return voters;
}

/** A node's ramped weight in `round` (0 for an unknown node), once per state. */
function weightOf(state: State, task: TaskRecord, account: Account, round: number): bigint {
  const byRound = answersOf(state, task.id).weights;
  let known = byRound.get(round);
  if (known === undefined) {
    known = new Map();
    byRound.set(round, known);
  }
  let weight = known.get(account);
  if (weight === undefined) {
    const node = getNode(state, task.id, account);
    weight = node === undefined ? 0n : nodeWeight(node, round, task.params);
    known.set(account, weight);
  }
  return weight;
}

const APPEAL_REASON = sha256Hex("gradual/audit-reason/appeal");

/**
 * protocol.md §5.8: this node's own proof of a completed cycle was found `invalid` (it knows the work is its own), and
 * the nodes that voted it invalid now hold less than `1 − slashQuorum` of the cycle's late weight (a coalition that left,
 * for example): it appeals, once per proof, while the cycle's late-challenge window lasts. Asked at the first slot of
 * each round, where every node is woken: the condition moves with stakes, not with slots.
 */
function decideAppeals(call: Call): void {
  const { state, task, me, slot, round } = call;
  if (task.params.vestingRounds === 0 || slot !== roundStart(task, round)) return;
  const oldest = Math.max(0, round - task.params.vestingRounds - 3 - task.params.allowedFailedDistributions);
  for (let c = oldest; c <= round - 2; c += 1) {
    // The cycle's record first: it is read once per state for every node, where the node's own reveal is a read of
    // its own. A cycle with no trigger of any kind has no finding to appeal (a reveal is found `invalid` only by an
    // upheld trigger, and a trigger is only ever added to its cycle's count), so most calls stop here.
    const cycle = cycleOf(call, c);
    if (cycle === undefined || cycle.outcome === null || cycle.triggerCount === 0) continue;
    const window = lateChallengeWindow(task, cycle);
    if (window === null || !opens(window, slot)) continue;
    const key = `appeal/${c}`;
    // Its own reveal is its own work (this is the honest node's code); one appeal per proof, whatever its outcome.
    if (isDone(call, key) || revealOf(call, c, me)?.status !== "invalid") continue;
    const appealed = appealableFinding(state, task.id, c, me);
    if (appealed === undefined || !accusersWeakened(state, task, c, appealed, slot)) continue;
    if (!lateQuorumReachable(state, task, cycle)) continue;
    if (getAccount(state, me).balance < task.params.triggerBond || !hasWeight(call)) continue;
    push(call, { type: "send", key, tx: proofTrigger(task.id, c, me, "valid", APPEAL_REASON) });
  }
}

/**
 * Whether a late trigger or an appeal of `cycle` could reach the quorum it needs (§5.7, deviations 39 and 40): more
 * than `1 − slashQuorum` of the weight that reviewed the cycle must decide it, and its nodes' late weight now is the
 * most that can. Below that it is rejected whatever the votes, and its bond lost.
 */
function lateQuorumReachable(state: State, task: TaskRecord, cycle: CycleRecord): boolean {
  return meetsLateQuorum(presentLateWeight(state, task, cycle.cycle), cycle.reviewWeight, task.params);
}

/**
 * Whether the nodes that voted `invalid` on a trigger now hold less than `1 − slashQuorum` of the weight that can
 * decide an appeal of its cycle.
 */
function accusersWeakened(
  state: State,
  task: TaskRecord,
  cycle: number,
  trigger: TriggerRecord,
  slot: number,
): boolean {
  const round = roundOf(task, slot);
  let accusers = 0n;
  for (const vote of listVotes(state, task.id, cycle, trigger)) {
    if (vote.choice === "invalid") accusers += lateWeightOf(state, task, cycle, vote.voter, round);
  }
  return underBlockingShare(accusers, state, task, cycle);
}

/** Whether `weight` is less than `1 − slashQuorum` of what the cycle's nodes could bring to a late decision now. */
function underBlockingShare(weight: bigint, state: State, task: TaskRecord, cycle: number): boolean {
  return weight * BigInt(BPS) < BigInt(BPS - task.params.slashQuorumBps) * presentLateWeight(state, task, cycle);
}

/** A node's weight on a late decision of `cycle` (§5.7, deviation 40): its weight now, at most its reveal's. */
function lateWeightOf(state: State, task: TaskRecord, cycle: number, account: Account, round: number): bigint {
  return lateWeight(weightOf(state, task, account, round), revealIn(state, task.id, cycle, account));
}

/**
 * The weight the cycle's nodes could bring to a late decision of it at the state's next slot: each revealer's late
 * weight, summed once per state (a late decision of a cycle is weighed by its own nodes alone, deviation 40).
 */
function presentLateWeight(state: State, task: TaskRecord, cycle: number): bigint {
  const known = answersOf(state, task.id).lateWeights;
  let weight = known.get(cycle);
  if (weight === undefined) {
    const round = roundOf(task, nextSlot(state));
    weight = 0n;
    for (const account of listRevealers(state, task.id, cycle)) {
      weight += lateWeightOf(state, task, cycle, account, round);
    }
    known.set(cycle, weight);
  }
  return weight;
}

/** Votes on late triggers (§5.7), which belong to completed cycles. */
function decideLateVotes(call: Call): void {
  const { state, task } = call;
  for (const ref of task.lateTriggers) {
    const trigger = readRecord<TriggerRecord>(state, keys.trigger(task.id, ref.cycle, ref.trigger));
    if (trigger !== undefined) voteOnProofTrigger(call, ref.cycle, trigger);
  }
}

/**
 * protocol.md §6 (deviations 34, 35): in the attempt's distribution window, post this node's list when it would win
 * the race (`shouldPost`); after it, recompute the posted list and contest it when its root differs.
 */
function decideDistribution(call: Call, cycle: CycleRecord): void {
  const { state, task, me, memory, slot, round } = call;
  const c = cycle.cycle;
  // A ledger-computed rule pays the cycle itself: no list (§6.2).
  if (task.params.distributionRule !== "custom") return;
  const mine = memory.lists.get(listKey(c, cycle.attempt));
  // In the round before the attempt, once the cycle's proof votes are over (the valid submitters are known), the
  // list is computed ahead, so that a node can post in its window's first slots: the window is a few slots, and over
  // a chain a node sees each slot about a slot late.
  if (round === cycle.attemptRound - 1 && cycle.seed !== null && mine === undefined) {
    if (slot > proofVoteWindow(task, c).closesAt && mayPost(call, cycle)) {
      push(call, { type: "computeList", key: `list/${c}/${cycle.attempt}`, cycle: c, attempt: cycle.attempt });
    }
    return;
  }
  if (round !== cycle.attemptRound) return;
  const posted = getDistribution(state, task.id, c, cycle.attempt);
  const window = distributionWindow(task, cycle.attemptRound);
  if (opens(window, slot)) {
    if (!mayPost(call, cycle) || (posted !== undefined && posted.distributor === me)) return;
    if (mine === undefined) {
      push(call, { type: "computeList", key: `list/${c}/${cycle.attempt}`, cycle: c, attempt: cycle.attempt });
      return;
    }
    if (!shouldPost(call, cycle, window, posted)) return;
    push(call, {
      type: "send",
      key: `distribution/${c}/${cycle.attempt}`,
      tx: {
        kind: "submitDistribution",
        task: task.id,
        cycle: c,
        attempt: cycle.attempt,
        listRoot: mine.root,
        listBlob: listBlobHash(mine.entries),
        total: mine.entries.reduce((sum, entry) => sum + entry.amount, 0n),
        entryCount: mine.entries.length,
      },
    });
    return;
  }
  if (posted?.status !== "complete" || posted.distributor === me) return;
  if (mine === undefined) {
    push(call, { type: "computeList", key: `list/${c}/${cycle.attempt}`, cycle: c, attempt: cycle.attempt });
    return;
  }
  const agrees = mine.root === posted.listRoot;
  const triggerIndex = readRecord<number>(
    state,
    keys.triggerOf(task.id, c, "distribution", cycle.attempt, posted.distributor),
  );
  if (triggerIndex === undefined) {
    const triggerWindow = distributionTriggerWindow(task, cycle.attemptRound);
    if (agrees || !opens(triggerWindow, slot) || getAccount(state, me).balance < task.params.triggerBond) return;
    if (!hasWeight(call)) return;
    const rank = listRevealers(state, task.id, c).indexOf(me);
    if (!staggerAllows(triggerWindow, slot, rank)) return;
    push(call, {
      type: "send",
      key: `trigger/${c}/distribution/${cycle.attempt}`,
      tx: {
        kind: "triggerAudit",
        task: task.id,
        cycle: c,
        target: posted.distributor,
        triggerKind: "distribution",
        verdict: "invalid",
        attempt: cycle.attempt,
        reasonDigest: mine.root,
      },
    });
    return;
  }
  const trigger = readRecord<TriggerRecord>(state, keys.trigger(task.id, c, triggerIndex));
  if (trigger === undefined || !canVote(call, c, trigger)) return;
  push(call, {
    type: "send",
    key: `vote/${c}/${trigger.index}`,
    tx: { kind: "vote", task: task.id, cycle: c, trigger: trigger.index, choice: agrees ? "valid" : "invalid" },
  });
}

/** Whether the ledger would take a list from this node: a valid proof in the cycle, not failed as its distributor. */
function mayPost(call: Call, cycle: CycleRecord): boolean {
  if (cycle.failedDistributors.includes(call.me) || myNode(call) === undefined) return false;
  return getReveal(call.state, call.task.id, cycle.cycle, call.me)?.status === "valid";
}

/** Race threshold at the window's first slot, in units of the expected best score: about 2.8 posters expected. */
const POST_THRESHOLD = 4n;

/**
 * Whether to post now. The list in force is the best poster's (§6.1), so a node posts only if it beats the list
 * already posted, and only once its score is good enough for the slot: in slot k of the window, time / weight at
 * most 4 · 2^k times the expected best score 1 / W (W: the cycle's revealed weight), so that a handful of nodes post
 * first and the rest only if they all failed to; in the window's last slot anyone who beats the posted list posts.
 */
function shouldPost(call: Call, cycle: CycleRecord, window: Window, posted: DistributionRecord | undefined): boolean {
  const { task, me, slot, round } = call;
  const node = myNode(call) as NodeRecord;
  const weight = nodeWeight(node, round, task.params);
  const mine: RaceScore = { node: me, time: raceTime(cycle.seed ?? task.seedHead, cycle.attempt, me), weight };
  if (posted !== undefined) {
    const holder: RaceScore = { node: posted.distributor, time: posted.raceTime, weight: posted.raceWeight };
    if (!beatsInRace(mine, holder)) return false;
  }
  return slot - window.opensAt >= firstPostOffset(mine.time, weight, cycle.revealedWeight, window);
}

/**
 * The offset in the list window of the first slot in which a node with race `time` and `weight` posts when nobody
 * has posted a better list (see {@link shouldPost}); `revealedWeight` is the cycle's.
 */
export function firstPostOffset(time: bigint, weight: bigint, revealedWeight: bigint, window: Window): number {
  const last = window.closesAt - window.opensAt - 1;
  if (revealedWeight <= 0n || weight <= 0n) return 0;
  const one = 1n << BigInt(RACE_FRACTION_BITS);
  for (let k = 0; k < last; k += 1) {
    if (time * revealedWeight <= POST_THRESHOLD * (1n << BigInt(Math.min(k, 60))) * one * weight) return k;
  }
  return Math.max(0, last);
}

/**
 * Claims go in the quiet part of a round (protocol.md §7.1, "When the honest node claims"): from the second slot after
 * the reveal window (offset `revealSlots + 1`: a slot of margin for reveals that land a slot late) until the commit
 * window opens. Every node of a task reveals at the round's start and commits at its end, so a claim sent there
 * competes with every node's submission for the ledger's (or the chain's) blocks, where a claim has rounds to spare.
 * This is the first slot at or after `slot` where a claim need not wait: `slot` itself in a quiet slot, in a round
 * without one, before the task's first round or once the task is closed (no submissions left).
 */
export function firstClaimSlot(task: Pick<TaskRecord, "status" | "startSlot" | "params">, slot: number): number {
  if (task.status === "closed") return slot;
  const { roundSlots, commitSlots, revealSlots } = task.params;
  const quietFrom = revealSlots + 1;
  const quietUntil = roundSlots - commitSlots;
  if (quietFrom >= quietUntil || slot < task.startSlot) return slot;
  const offset = (slot - task.startSlot) % roundSlots;
  if (offset >= quietFrom && offset < quietUntil) return slot;
  return slot - offset + (offset < quietFrom ? quietFrom : roundSlots + quietFrom);
}

/**
 * Whether a claim decided for `slot` waits for a quiet slot (firstClaimSlot) that comes before `deadline`: a claim that
 * would miss its deadline by waiting (a list entry's claim window, §6.4) goes at once.
 */
function claimWaits(task: TaskRecord, slot: number, deadline: number): boolean {
  const at = firstClaimSlot(task, slot);
  return at !== slot && at < deadline;
}

/**
 * protocol.md §6.4: claims this node's entry of every recently accepted list it has not claimed yet, with a proof
 * from the list: its own when the roots agree, else the posted one, fetched from the blob store.
 */
function decideListClaims(call: Call): void {
  const { state, task, me, memory, round } = call;
  if (task.params.distributionRule !== "custom") return;
  for (let c = Math.max(0, round - LIST_CLAIM_LOOKBACK); c < round; c += 1) {
    const key = `claimList/${c}`;
    if (isDone(call, key)) continue;
    const list = getAcceptedList(state, task.id, c);
    if (list === undefined || list.entryCount === 0 || isListClaimed(state, task.id, c, me)) continue;
    // The claim window closes listClaimRounds after the acceptance (§6.4): a later claim is refused.
    const completedRound = getCycle(state, task.id, c)?.completedRound ?? null;
    const closesAt = completedRound === null ? null : listClaimClosesAt(task, completedRound);
    if (closesAt !== null && call.slot >= closesAt) continue;
    if (claimWaits(task, call.slot, closesAt ?? Number.POSITIVE_INFINITY)) continue;
    if (getReveal(state, task.id, c, me)?.status !== "valid") continue;
    const own = memory.lists.get(listKey(c, list.attempt));
    const source = own?.root === list.listRoot ? own : memory.lists.get(postedListKey(c, list.attempt));
    if (source === undefined || source.root !== list.listRoot) {
      push(call, { type: "fetchList", key: `fetchList/${c}/${list.attempt}`, cycle: c, attempt: list.attempt });
      continue;
    }
    const index = source.entries.findIndex((entry) => entry.recipient === me);
    const entry = source.entries[index];
    if (entry === undefined || entry.amount === 0n) continue;
    push(call, {
      type: "send",
      key,
      tx: {
        kind: "claimDistribution",
        task: task.id,
        cycle: c,
        recipient: me,
        amount: entry.amount,
        index,
        proof: listProof(source.entries, index),
      },
    });
  }
}

/** How many past cycles a node looks back over for list entries to claim: as long as they can stay claimable. */
const LIST_CLAIM_LOOKBACK = LIMITS.listClaimRounds + 2;

/**
 * protocol.md §7.1: with auto-claim, claim whatever unlocked, at most once per round, in rounds that are a multiple of
 * `claimEveryRounds`, in the round's quiet slots (`claimWaits`).
 */
function decideClaim(call: Call): void {
  const { view, state, task, me, round } = call;
  const key = CLAIM_KEYS.of(round);
  if (!view.options.autoClaim || round % (view.options.claimEveryRounds ?? 1) !== 0 || isDone(call, key)) return;
  if (claimWaits(task, call.slot, Number.POSITIVE_INFINITY)) return;
  // What getNodeView reports as claimable: the vesting unlocked by the state's own round (the slot before `slot`).
  if (myNode(call) === undefined) return;
  const vesting = getVesting(state, task.id, me);
  if (vesting === undefined || !hasClaimable(vesting, roundOf(task, call.slot - 1))) return;
  push(call, { type: "send", key, tx: { kind: "claim", task: task.id } });
}

/**
 * The submitters a distribution function receives (protocol.md §6.2): the cycle's revealers whose proof is still
 * valid, with their ramped weight in `round`, sorted by account.
 */
export function listSubmitters(state: State, taskId: Hash, cycle: number, round: number): Submitter[] {
  const task = getTask(state, taskId);
  if (task === undefined) return [];
  const submitters: Submitter[] = [];
  for (const account of listRevealers(state, taskId, cycle)) {
    const reveal = getReveal(state, taskId, cycle, account);
    if (reveal?.status !== "valid") continue;
    const node = getNode(state, taskId, account);
    const weight = node === undefined ? 0n : nodeWeight(node, round, task.params);
    submitters.push({ account, weight, proofDigest: reveal.proofDigest });
  }
  return submitters.sort((left, right) => (left.account < right.account ? -1 : left.account > right.account ? 1 : 0));
}

/** Passes of `stepNode` in one slot at most: decide, act, and decide again on what the actions stored. */
export const MAX_PASSES = 4;

type Maybe<T> = T | Promise<T>;

/**
 * The decision loop every node runs, whatever carries out its actions (a running node, a local run, the
 * simulator's strategies): decide, hand each action to `execute`, which says whether it stored something `decide`
 * can act on at once (a proof to commit, a verdict to vote), and decide again while one did, at most `passes` times.
 * Synchronous when `execute` is (the simulator), a promise when it is not.
 */
export function stepNode(
  decideNow: () => readonly NodeAction[],
  execute: (action: NodeAction) => Maybe<boolean>,
  passes = MAX_PASSES,
): Maybe<void> {
  // No closure per step: the simulator steps every node in every slot it wakes, synchronously.
  for (let pass = 1; pass <= passes; pass += 1) {
    const actions = decideNow();
    let again = false;
    for (let index = 0; index < actions.length; index += 1) {
      const result = execute(actions[index] as NodeAction);
      if (typeof result !== "boolean") {
        const before = again;
        const pending = result.then((value) => value || before);
        return finishStep(decideNow, execute, passes - pass, pending, actions, index + 1);
      }
      again = result || again;
    }
    if (!again) return;
  }
}

/** The rest of a step once an action answered with a promise: the pass's other actions, then the passes left. */
async function finishStep(
  decideNow: () => readonly NodeAction[],
  execute: (action: NodeAction) => Maybe<boolean>,
  passesLeft: number,
  pending: Promise<boolean>,
  actions: readonly NodeAction[],
  from: number,
): Promise<void> {
  let again = await pending;
  for (let index = from; index < actions.length; index += 1)
    again = (await execute(actions[index] as NodeAction)) || again;
  if (again) await stepNode(decideNow, execute, passesLeft);
}
