import {
  type Account,
  type CycleRecord,
  commitWindow,
  computeCommitment,
  distributionTriggerWindow,
  distributionWindow,
  getAccount,
  getAuditAssignment,
  getAuditorsOf,
  getChain,
  getCommit,
  getCycle,
  getDistribution,
  getNode,
  getNodeView,
  getReveal,
  getTask,
  getVote,
  type Hash,
  isInside,
  keys,
  listRevealers,
  listTriggers,
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
    if (verdict === "valid" || !opens(window, slot)) continue;
    if (readRecord(state, keys.triggerOf(task.id, c, "proof", 0, target)) !== undefined) continue;
    const rank = (view.hints?.auditorsOf?.(c, target) ?? getAuditorsOf(state, task.id, c, target)).indexOf(me);
    if (!staggerAllows(window, slot, rank)) continue;
    if (getAccount(state, me).balance < task.params.triggerBond) continue;
    push({
      type: "send",
      key: `trigger/${c}/proof/${target}`,
      tx: {
        kind: "triggerAudit",
        task: task.id,
        cycle: c,
        target,
        triggerKind: "proof",
        attempt: 0,
        reasonDigest: sha256Hex(`gradual/audit-reason/${verdict}`),
      },
    });
  }
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
  push({
    type: "auditProof",
    key: `audit/${cycle}/${target}`,
    cycle,
    target,
    proofDigest,
    url: node?.url ?? "",
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
  for (const trigger of triggers) {
    if (trigger.kind !== "proof" || !canVote(view, task, cycle.cycle, trigger, slot)) continue;
    const verdict = view.memory.verdicts.get(verdictKey(cycle.cycle, trigger.target));
    if (verdict === undefined) {
      const reveal = getReveal(view.state, task.id, cycle.cycle, trigger.target);
      if (reveal !== undefined) pushAudit(view, task, cycle.cycle, trigger.target, reveal.proofDigest, push);
      continue;
    }
    push({
      type: "send",
      key: `vote/${cycle.cycle}/${trigger.index}`,
      tx: { kind: "vote", task: task.id, cycle: cycle.cycle, trigger: trigger.index, choice: verdict },
    });
  }
}

/** protocol.md §6: post the list when selected; otherwise recompute the posted list and contest it if it differs. */
function decideDistribution(view: NodeView, task: TaskRecord, cycle: CycleRecord, push: Push): void {
  const { state, me, memory, options } = view;
  const slot = nextSlot(state);
  const c = cycle.cycle;
  if (cycle.distributor === null || roundOf(task, slot) !== cycle.attemptRound) return;
  const mine = memory.lists.get(listKey(c, cycle.attempt));
  const posted = getDistribution(state, task.id, c, cycle.attempt);
  if (cycle.distributor === me) {
    if (!opens(distributionWindow(task, cycle.attemptRound), slot) || posted?.status === "complete") return;
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
  if (posted?.status !== "complete") return;
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
    if (node === undefined || nodeActiveStake(node, roundOf(task, slot)) < task.params.minimumStake) return;
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
