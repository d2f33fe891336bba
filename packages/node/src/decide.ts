import {
  type Account,
  BPS,
  type CycleRecord,
  commitWindow,
  computeCommitment,
  distributionTriggerWindow,
  distributionWindow,
  getAccount,
  getActiveWeight,
  getAuditAssignment,
  getAuditorsOf,
  getChain,
  getCommit,
  getCycle,
  getDistribution,
  getNode,
  getNodeView,
  getPublishedProof,
  getReveal,
  getRuleDistribution,
  getTask,
  getVote,
  type Hash,
  isInside,
  keys,
  lateChallengeWindow,
  listRevealers,
  listTriggers,
  listVotes,
  nodeActiveStake,
  nodeWeight,
  proofTriggerWindow,
  readRecord,
  revealWindow,
  roundOf,
  type State,
  sha256Hex,
  type TaskRecord,
  type Transaction,
  type TriggerRecord,
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
  readonly digest: Hash;
};

/** What the node remembers across restarts (the runtime persists it before acting on it). */
export type NodeMemory = {
  /** cycle -> outcome of running `task` and `submission`. */
  readonly work: ReadonlyMap<number, WorkRecord>;
  /** `${cycle}/${target}` -> verdict after fetching and checking the target's proof. */
  readonly verdicts: ReadonlyMap<string, Verdict>;
  /** `${cycle}/${attempt}` -> the list this node computes for that attempt. */
  readonly lists: ReadonlyMap<string, ListRecord>;
  /** Keys of every action already handed to the runtime (sent or in flight): never decided twice. */
  readonly done: ReadonlySet<string>;
};

export type DecideOptions = {
  readonly autoClaim: boolean;
  /** Largest number of entries per distribution chunk (the ledger accepts up to 1,000). */
  readonly chunkEntries: number;
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
  | { readonly type: "send"; readonly key: string; readonly tx: TransactionBody };

export const DEFAULT_DECIDE_OPTIONS: DecideOptions = { autoClaim: true, chunkEntries: 1_000 };

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

export function verdictKey(cycle: number, target: Account): string {
  return `${cycle}/${target}`;
}

export function listKey(cycle: number, attempt: number): string {
  return `${cycle}/${attempt}`;
}

export function decide(view: NodeView): NodeAction[] {
  const task = getTask(view.state, view.task);
  if (task === undefined || task.status === "closed") return [];
  const actions: NodeAction[] = [];
  const push = (action: NodeAction) => {
    if (!view.memory.done.has(action.key)) actions.push(action);
  };
  for (const cycleNumber of task.openCycles) {
    const cycle = getCycle(view.state, task.id, cycleNumber);
    if (cycle === undefined || cycle.outcome !== null) continue;
    decideWork(view, task, cycle, push);
    decideAudits(view, task, cycle, push);
    decideProofVotes(view, task, cycle, push);
    decideDistribution(view, task, cycle, push);
  }
  decideAnswers(view, task, push);
  decideLateChallenges(view, task, push);
  decideLateVotes(view, task, push);
  decideClaim(view, task, push);
  return actions;
}

type Push = (action: NodeAction) => void;

function decideWork(view: NodeView, task: TaskRecord, cycle: CycleRecord, push: Push): void {
  const { state, me, memory } = view;
  const slot = nextSlot(state);
  const round = roundOf(task, slot);
  const c = cycle.cycle;
  const work = memory.work.get(c);
  if (round === c && work === undefined && slot < commitWindow(task, c).closesAt) {
    const node = getNode(state, task.id, me);
    if (node !== undefined && nodeActiveStake(node, c) >= task.params.minimumStake) {
      push({ type: "runTask", key: `work/${c}`, cycle: c });
    }
  }
  if (work?.status !== "done") return;
  const node = getNode(state, task.id, me);
  const active = node !== undefined && nodeActiveStake(node, round) >= task.params.minimumStake;
  if (active && opens(commitWindow(task, c), slot) && getCommit(state, task.id, c, me) === undefined) {
    const commitment = computeCommitment({
      task: task.id,
      cycle: c,
      node: me,
      proofDigest: work.proofDigest,
      salt: work.salt,
    });
    push({ type: "send", key: `commit/${c}`, tx: { kind: "commit", task: task.id, cycle: c, commitment } });
  }
  if (
    opens(revealWindow(task, c), slot) &&
    getCommit(state, task.id, c, me) !== undefined &&
    getReveal(state, task.id, c, me) === undefined
  ) {
    push({
      type: "send",
      key: `reveal/${c}`,
      tx: { kind: "reveal", task: task.id, cycle: c, proofDigest: work.proofDigest, salt: work.salt },
    });
  }
}

/** protocol.md §5.1-§5.2: check the assigned proofs; trigger against the ones found wrong. */
function decideAudits(view: NodeView, task: TaskRecord, cycle: CycleRecord, push: Push): void {
  const { state, me, memory } = view;
  const slot = nextSlot(state);
  const c = cycle.cycle;
  const window = proofTriggerWindow(task, c);
  if (cycle.seed === null || slot >= window.closesAt) return;
  const assignment = view.hints?.auditAssignment?.(c) ?? getAuditAssignment(state, task.id, c, me);
  for (const target of assignment) {
    const reveal = getReveal(state, task.id, c, target);
    if (reveal?.status !== "valid") continue;
    const verdict = memory.verdicts.get(verdictKey(c, target));
    if (verdict === undefined) {
      pushAudit(view, task, c, target, reveal.proofDigest, push);
      continue;
    }
    if (verdict === "unavailable" && reveal.published) {
      // The node answered an availability challenge: its payload is on the ledger now, so judge it from there.
      pushAudit(view, task, c, target, reveal.proofDigest, push);
      continue;
    }
    if (verdict === "valid" || !opens(window, slot)) continue;
    const rank = (view.hints?.auditorsOf?.(c, target) ?? getAuditorsOf(state, task.id, c, target)).indexOf(me);
    if (!staggerAllows(window, slot, rank)) continue;
    pushTrigger(view, task, c, target, verdict, push);
  }
}

/**
 * Opens a trigger carrying the node's verdict (protocol.md §5.2): `invalid` for a proof it fetched and found wrong,
 * `unavailable` (an availability challenge, §5.6) for one it could not fetch. Never one already open.
 */
function pushTrigger(
  view: NodeView,
  task: TaskRecord,
  cycle: number,
  target: Account,
  verdict: "invalid" | "unavailable",
  push: Push,
  late = false,
): void {
  const { state, me } = view;
  if (openTrigger(state, task.id, cycle, target, verdict) !== undefined) return;
  if (getAccount(state, me).balance < task.params.triggerBond) return;
  const node = getNode(state, task.id, me);
  if (node === undefined || nodeWeight(node, roundOf(task, nextSlot(state)), task.params) === 0n) return;
  const resolved = triggerAgainst(state, task.id, cycle, target, verdict);
  const kind = verdict === "unavailable" ? "availability" : "proof";
  push({
    type: "send",
    key: `trigger/${cycle}/${kind}/${target}${late ? `/late/${resolved?.index ?? -1}` : ""}`,
    tx: {
      kind: "triggerAudit",
      task: task.id,
      cycle,
      target,
      triggerKind: "proof",
      verdict,
      attempt: 0,
      reasonDigest: sha256Hex(`gradual/audit-reason/${verdict}`),
    },
  });
}

/** The latest trigger of this verdict against a proof, resolved or not. */
function triggerAgainst(
  state: State,
  task: Hash,
  cycle: number,
  target: Account,
  verdict: "invalid" | "unavailable",
): TriggerRecord | undefined {
  const slotName = verdict === "unavailable" ? "availability" : "proof";
  const index = readRecord<number>(state, keys.triggerOf(task, cycle, slotName, 0, target));
  return index === undefined ? undefined : readRecord<TriggerRecord>(state, keys.trigger(task, cycle, index));
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

function pushAudit(
  view: NodeView,
  task: TaskRecord,
  cycle: number,
  target: Account,
  proofDigest: Hash,
  push: Push,
): void {
  const node = getNode(view.state, task.id, target);
  const published = getPublishedProof(view.state, task.id, cycle, target);
  push({
    type: "auditProof",
    key: `audit/${cycle}/${target}${published === undefined ? "" : "/published"}`,
    cycle,
    target,
    proofDigest,
    url: node?.url ?? "",
    published,
  });
}

function canVote(view: NodeView, task: TaskRecord, cycle: number, trigger: TriggerRecord, slot: number): boolean {
  const { state, me } = view;
  if (trigger.resolution !== null || slot < trigger.slot || slot >= trigger.closesAt) return false;
  if (trigger.target === me || trigger.triggerer === me) return false;
  if (getVote(state, task.id, cycle, trigger.index, me) !== undefined) return false;
  const node = getNode(state, task.id, me);
  return node !== undefined && nodeWeight(node, roundOf(task, slot), task.params) > 0n;
}

/** protocol.md §5.3: every node with weight checks a triggered proof itself and votes once. */
function decideProofVotes(view: NodeView, task: TaskRecord, cycle: CycleRecord, push: Push): void {
  const slot = nextSlot(view.state);
  const triggers = view.hints?.triggers?.(cycle.cycle) ?? listTriggers(view.state, task.id, cycle.cycle);
  for (const trigger of triggers) voteOnProofTrigger(view, task, cycle.cycle, trigger, slot, push);
}

/**
 * Votes `valid` or `invalid` on a proof trigger by the node's own check. A node that could not fetch the proof does
 * not vote: it challenges the proof's availability (§5.6) and judges the payload once it is on the ledger.
 */
function voteOnProofTrigger(
  view: NodeView,
  task: TaskRecord,
  cycle: number,
  trigger: TriggerRecord,
  slot: number,
  push: Push,
): void {
  if (trigger.kind !== "proof" || trigger.verdict !== "invalid" || !canVote(view, task, cycle, trigger, slot)) return;
  const reveal = getReveal(view.state, task.id, cycle, trigger.target);
  if (reveal === undefined) return;
  const verdict = view.memory.verdicts.get(verdictKey(cycle, trigger.target));
  if (verdict === undefined || (verdict === "unavailable" && reveal.published)) {
    pushAudit(view, task, cycle, trigger.target, reveal.proofDigest, push);
    return;
  }
  if (verdict === "unavailable") {
    if (reveal.status === "valid") pushTrigger(view, task, cycle, trigger.target, "unavailable", push, trigger.late);
    return;
  }
  push({
    type: "send",
    key: `vote/${cycle}/${trigger.index}`,
    tx: { kind: "vote", task: task.id, cycle, trigger: trigger.index, choice: verdict },
  });
}

/** protocol.md §5.6: an availability challenge against this node's proof is answered by publishing the payload. */
function decideAnswers(view: NodeView, task: TaskRecord, push: Push): void {
  const { state, me } = view;
  const slot = nextSlot(state);
  const cycles = new Set([...task.openCycles, ...task.lateTriggers.map((ref) => ref.cycle)]);
  for (const c of cycles) {
    const reveal = getReveal(state, task.id, c, me);
    if (reveal === undefined || reveal.published) continue;
    const challenge = openTrigger(state, task.id, c, me, "unavailable");
    if (challenge === undefined || slot >= challenge.closesAt) continue;
    const payload = view.payloadOf?.(reveal.proofDigest);
    if (payload === undefined) continue;
    push({
      type: "send",
      key: `publish/${c}/${challenge.index}`,
      tx: { kind: "publishProof", task: task.id, cycle: c, trigger: challenge.index, payload },
    });
  }
}

/**
 * protocol.md §5.7: a proof this node found wrong (or could not fetch) that is still `valid` after its cycle
 * completed is challenged again while the cycle's rewards vest, once the weight that defended it no longer could:
 * the nodes that voted `valid` on the last trigger against it now hold less than `1 − slashQuorum` of the active
 * weight (a whale that left, for example). A proof nobody challenged in time is challenged late at once.
 */
function decideLateChallenges(view: NodeView, task: TaskRecord, push: Push): void {
  const { state, memory } = view;
  const slot = nextSlot(state);
  for (const [key, verdict] of memory.verdicts) {
    if (verdict === "valid") continue;
    const [cycleText, target] = key.split("/") as [string, Account];
    const c = Number(cycleText);
    const cycle = getCycle(state, task.id, c);
    if (cycle === undefined || cycle.outcome === null) continue;
    const window = lateChallengeWindow(task, cycle);
    if (window === null || !opens(window, slot)) continue;
    const reveal = getReveal(state, task.id, c, target);
    if (reveal?.status !== "valid") continue;
    // A payload published since this node's failed fetch is judged by a fresh audit before anything else.
    if (verdict === "unavailable" && reveal.published) continue;
    const last = triggerAgainst(state, task.id, c, target, verdict);
    if (last !== undefined && last.resolution === null) continue;
    if (last !== undefined && verdict === "invalid" && !defendersWeakened(state, task, c, last, slot)) continue;
    pushTrigger(view, task, c, target, verdict, push, true);
  }
}

/**
 * Answers that depend on the state alone, not on the node asking, kept per state object so that a caller deciding
 * for many nodes on one state (the simulator) computes each once. Exact because a State never changes: the same
 * object always holds the same records.
 */
const stateMemos = new WeakMap<State, Map<string, unknown>>();

function memoized<T>(state: State, key: string, compute: () => T): T {
  let memo = stateMemos.get(state);
  if (memo === undefined) {
    memo = new Map();
    stateMemos.set(state, memo);
  }
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}

function defendersWeakened(state: State, task: TaskRecord, cycle: number, last: TriggerRecord, slot: number): boolean {
  return memoized(state, `defendersWeakened/${task.id}/${cycle}/${last.index}/${slot}`, () =>
    countDefenders(state, task, cycle, last, slot),
  );
}

function countDefenders(state: State, task: TaskRecord, cycle: number, last: TriggerRecord, slot: number): boolean {
  const round = roundOf(task, slot);
  let defenders = 0n;
  for (const vote of listVotes(state, task.id, cycle, last)) {
    if (vote.choice !== "valid") continue;
    const node = getNode(state, task.id, vote.voter);
    if (node !== undefined) defenders += nodeWeight(node, round, task.params);
  }
  const active = getActiveWeight(state, task);
  return defenders * BigInt(BPS) < BigInt(BPS - task.params.slashQuorumBps) * active;
}

/** Votes on late triggers (§5.7), which belong to completed cycles. */
function decideLateVotes(view: NodeView, task: TaskRecord, push: Push): void {
  const slot = nextSlot(view.state);
  for (const ref of task.lateTriggers) {
    const trigger = readRecord<TriggerRecord>(view.state, keys.trigger(task.id, ref.cycle, ref.trigger));
    if (trigger !== undefined) voteOnProofTrigger(view, task, ref.cycle, trigger, slot, push);
  }
}

/** protocol.md §6: post the list when selected; otherwise recompute the posted list and contest it if it differs. */
function decideDistribution(view: NodeView, task: TaskRecord, cycle: CycleRecord, push: Push): void {
  const { state, me, memory, options } = view;
  const slot = nextSlot(state);
  const c = cycle.cycle;
  if (cycle.distributor === null || roundOf(task, slot) !== cycle.attemptRound) return;
  // Under a ledger-computed rule the list is a function of the state (§6.2): no task code, nothing to contest, and
  // only the distributor needs it (so no other node reads every reveal, or hashes the list, on every call).
  const ruled = task.params.distributionRule !== "custom";
  const posted = getDistribution(state, task.id, c, cycle.attempt);
  if (cycle.distributor === me) {
    if (!opens(distributionWindow(task, cycle.attemptRound), slot) || posted?.status === "complete") return;
    const mine = ruled
      ? { entries: getRuleDistribution(state, task.id, c) ?? [] }
      : memory.lists.get(listKey(c, cycle.attempt));
    if (mine === undefined) {
      push({ type: "computeList", key: `list/${c}/${cycle.attempt}`, cycle: c, attempt: cycle.attempt });
      return;
    }
    const chunkCount = Math.max(1, Math.ceil(mine.entries.length / options.chunkEntries));
    for (let chunk = posted?.chunksReceived ?? 0; chunk < chunkCount; chunk += 1) {
      push({
        type: "send",
        key: `distribution/${c}/${cycle.attempt}/${chunk}`,
        tx: {
          kind: "submitDistribution",
          task: task.id,
          cycle: c,
          attempt: cycle.attempt,
          chunk,
          chunkCount,
          entries: mine.entries.slice(chunk * options.chunkEntries, (chunk + 1) * options.chunkEntries),
        },
      });
    }
    return;
  }
  if (posted?.status !== "complete" || ruled) return;
  const mine = memory.lists.get(listKey(c, cycle.attempt));
  if (mine === undefined) {
    push({ type: "computeList", key: `list/${c}/${cycle.attempt}`, cycle: c, attempt: cycle.attempt });
    return;
  }
  const agrees = mine.digest === posted.listDigest;
  const triggerIndex = readRecord<number>(
    state,
    keys.triggerOf(task.id, c, "distribution", cycle.attempt, posted.distributor),
  );
  if (triggerIndex === undefined) {
    const window = distributionTriggerWindow(task, cycle.attemptRound);
    if (agrees || !opens(window, slot) || getAccount(state, me).balance < task.params.triggerBond) return;
    const node = getNode(state, task.id, me);
    if (node === undefined || nodeWeight(node, roundOf(task, slot), task.params) === 0n) return;
    const rank = listRevealers(state, task.id, c).indexOf(me);
    if (!staggerAllows(window, slot, rank)) return;
    push({
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
        reasonDigest: mine.digest,
      },
    });
    return;
  }
  const trigger = readRecord<TriggerRecord>(state, keys.trigger(task.id, c, triggerIndex));
  if (trigger === undefined || !canVote(view, task, c, trigger, slot)) return;
  push({
    type: "send",
    key: `vote/${c}/${trigger.index}`,
    tx: { kind: "vote", task: task.id, cycle: c, trigger: trigger.index, choice: agrees ? "valid" : "invalid" },
  });
}

/** protocol.md §7.1: with auto-claim, claim whatever unlocked, at most once per round. */
function decideClaim(view: NodeView, task: TaskRecord, push: Push): void {
  if (!view.options.autoClaim) return;
  const nodeView = getNodeView(view.state, task.id, view.me);
  if (nodeView === undefined || nodeView.claimable === 0n) return;
  const round = roundOf(task, nextSlot(view.state));
  push({ type: "send", key: `claim/${round}`, tx: { kind: "claim", task: task.id } });
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
