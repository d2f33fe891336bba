/**
 * Nodes that play the protocol by role, one slot at a time, so property tests reach reveals, audits, slashes and
 * paid distributions often (random transactions alone rarely land inside the right windows).
 *
 * The ledger never runs task code, so "correct" is a convention of these tests: the valid proof of a node for a
 * cycle is `expectedProof(task, cycle, node)` and the valid list is `equalSplit` (harness.ts). Honest nodes check
 * their audit assignment against that convention, trigger what is wrong, vote by the truth, and distribute the
 * equal split; the other roles deviate in one way each.
 */
import {
  type Account,
  type DistributionEntry,
  getAcceptedList,
  getAuditAssignment,
  getCommit,
  getCycle,
  getCycleWindows,
  getDistribution,
  getNodeView,
  getReveal,
  getTask,
  getVote,
  type Hash,
  isInside,
  isListClaimed,
  listProof,
  listRevealers,
  listRoot,
  listTaskIds,
  listTriggers,
  roundOf,
  type TriggerRecord,
  type VoteChoice,
} from "../src/index.ts";
import { accountOf, commitmentFor, equalSplit, listTx, proofOf, saltOf, type TestChain } from "./harness.ts";

export const ROLES = ["honest", "garbage", "silent", "offline", "liar", "griefer", "lazy"] as const;
/**
 * - honest: commits and reveals its valid proof, audits, votes by the truth, distributes the equal split.
 * - garbage: reveals a wrong proof; votes `valid` on everything, never triggers.
 * - silent: commits and never reveals; otherwise honest.
 * - offline: reveals a valid proof that nobody can fetch (auditors vote `unavailable`); otherwise honest.
 * - liar: honest, except that as distributor it lies: by cycle, it pays the whole bounty to itself (which only the
 *   auditors can catch), or posts a wrong list: unsorted or paying a non-submitter (auditors catch both: the root
 *   differs), or over the bounty (the ledger refuses it).
 * - griefer: honest submissions, but triggers a valid proof each cycle and votes `invalid` on everything.
 * - lazy: honest submissions, never triggers, votes `valid` on everything.
 * Every role claims its unlocked rewards.
 */
export type Role = (typeof ROLES)[number];
export type Actor = { readonly name: string; readonly role: Role };

export function expectedProof(task: Hash, cycle: number, node: Account): Hash {
  return proofOf(`${task}:${cycle}:${node}`);
}

function proofOfActor(actor: Actor, task: Hash, cycle: number): Hash {
  const account = accountOf(actor.name);
  return actor.role === "garbage"
    ? proofOf(`garbage:${task}:${cycle}:${account}`)
    : expectedProof(task, cycle, account);
}

const CHECKS_PROOFS: ReadonlySet<Role> = new Set(["honest", "silent", "offline", "liar"]);

/** Plays one slot: every actor, in order, sends what its role calls for given the state so far. */
export function driveSlot(chain: TestChain, actors: readonly Actor[]): void {
  const roles = new Map(actors.map((actor) => [accountOf(actor.name), actor.role]));
  for (const actor of actors) {
    for (const task of listTaskIds(chain.state)) actInTask(chain, actor, task, roles);
  }
}

/** Plays `slots` slots: the actors act, then the chain advances one slot. */
export function drive(chain: TestChain, actors: readonly Actor[], slots: number): void {
  for (let step = 0; step < slots; step += 1) {
    driveSlot(chain, actors);
    chain.advance(1);
  }
}

function actInTask(chain: TestChain, actor: Actor, task: Hash, roles: ReadonlyMap<Account, Role>): void {
  const record = getTask(chain.state, task);
  const account = accountOf(actor.name);
  if (record === undefined || record.status === "closed" || getNodeView(chain.state, task, account) === undefined) {
    return;
  }
  for (const cycle of record.openCycles) {
    submit(chain, actor, task, cycle);
    audit(chain, actor, task, cycle, roles);
    vote(chain, actor, task, cycle, roles);
    distribute(chain, actor, task, cycle);
  }
  claimEntries(chain, actor, task);
  // Unlocks grow once per round, so this claims about once a round while anything is vesting.
  if ((getNodeView(chain.state, task, account)?.claimable ?? 0n) > 0n) chain.send(actor.name, { kind: "claim", task });
}

function submit(chain: TestChain, actor: Actor, task: Hash, cycle: number): void {
  const record = getTask(chain.state, task);
  if (record === undefined) return;
  const account = accountOf(actor.name);
  const windows = getCycleWindows(record, cycle);
  const committed = getCommit(chain.state, task, cycle, account) !== undefined;
  const proofDigest = proofOfActor(actor, task, cycle);
  if (!committed && isInside(windows.commit, chain.slot)) {
    const view = getNodeView(chain.state, task, account);
    if (view !== undefined && view.stake >= record.params.minimumStake && view.record.unbonding === 0n) {
      chain.send(actor.name, {
        kind: "commit",
        task,
        cycle,
        commitment: commitmentFor(task, cycle, actor.name, proofDigest),
      });
    }
  }
  if (
    committed &&
    actor.role !== "silent" &&
    isInside(windows.reveal, chain.slot) &&
    getReveal(chain.state, task, cycle, account) === undefined
  ) {
    chain.send(actor.name, { kind: "reveal", task, cycle, proofDigest, salt: saltOf(actor.name, cycle) });
  }
}

/** True when the proof is wrong by the test convention (what an honest auditor finds on fetching it). */
function proofIsWrong(chain: TestChain, task: Hash, cycle: number, target: Account): boolean {
  const reveal = getReveal(chain.state, task, cycle, target);
  return reveal !== undefined && reveal.proofDigest !== expectedProof(task, cycle, target);
}

function hasTrigger(chain: TestChain, task: Hash, cycle: number, kind: "proof" | "distribution", target: Account) {
  return listTriggers(chain.state, task, cycle).some(
    (trigger) =>
      trigger.kind === kind && trigger.target === target && trigger.attempt === attemptOf(chain, task, cycle, kind),
  );
}

function attemptOf(chain: TestChain, task: Hash, cycle: number, kind: "proof" | "distribution"): number {
  return kind === "proof" ? 0 : (getCycle(chain.state, task, cycle)?.attempt ?? 0);
}

function audit(chain: TestChain, actor: Actor, task: Hash, cycle: number, roles: ReadonlyMap<Account, Role>): void {
  const record = getTask(chain.state, task);
  const cycleRecord = getCycle(chain.state, task, cycle);
  if (record === undefined || cycleRecord === undefined) return;
  const account = accountOf(actor.name);
  const windows = getCycleWindows(record, cycle, cycleRecord.attemptRound);
  if (isInside(windows.proofTriggers, chain.slot) && cycleRecord.seed !== null) {
    let targets: Account[] = [];
    if (actor.role === "griefer") {
      targets = listRevealers(chain.state, task, cycle)
        .filter((target) => target !== account && !proofIsWrong(chain, task, cycle, target))
        .slice(0, 1);
    } else if (CHECKS_PROOFS.has(actor.role)) {
      targets = getAuditAssignment(chain.state, task, cycle, account).filter(
        (target) => proofIsWrong(chain, task, cycle, target) || roles.get(target) === "offline",
      );
    }
    for (const target of targets) {
      if (getReveal(chain.state, task, cycle, target)?.status !== "valid") continue;
      if (hasTrigger(chain, task, cycle, "proof", target)) continue;
      chain.send(actor.name, {
        kind: "triggerAudit",
        task,
        cycle,
        target,
        triggerKind: "proof",
        verdict: "invalid",
        attempt: 0,
        reasonDigest: proofOf(`reason:${actor.name}`),
      });
    }
  }
  const list = getDistribution(chain.state, task, cycle, cycleRecord.attempt);
  if (
    CHECKS_PROOFS.has(actor.role) &&
    list?.status === "complete" &&
    list.distributor !== account &&
    isInside(windows.distributionTriggers, chain.slot) &&
    !listIsHonest(chain, task, cycle) &&
    !hasTrigger(chain, task, cycle, "distribution", list.distributor)
  ) {
    chain.send(actor.name, {
      kind: "triggerAudit",
      task,
      cycle,
      target: list.distributor,
      triggerKind: "distribution",
      verdict: "invalid",
      attempt: cycleRecord.attempt,
      reasonDigest: proofOf(`list reason:${actor.name}`),
    });
  }
}

function listIsHonest(chain: TestChain, task: Hash, cycle: number): boolean {
  const attempt = getCycle(chain.state, task, cycle)?.attempt ?? 0;
  const list = getDistribution(chain.state, task, cycle, attempt);
  const honest = listRoot(equalSplit(chain.state, task, cycle));
  return list?.listRoot === honest;
}

function opinion(
  chain: TestChain,
  actor: Actor,
  task: Hash,
  cycle: number,
  trigger: TriggerRecord,
  roles: ReadonlyMap<Account, Role>,
): VoteChoice {
  if (actor.role === "griefer") return "invalid";
  if (actor.role === "lazy" || actor.role === "garbage") return "valid";
  if (trigger.kind === "distribution") {
    const list = getDistribution(chain.state, task, cycle, trigger.attempt);
    const honest = listRoot(equalSplit(chain.state, task, cycle));
    return list?.listRoot === honest ? "valid" : "invalid";
  }
  if (roles.get(trigger.target) === "offline") return "unavailable";
  return proofIsWrong(chain, task, cycle, trigger.target) ? "invalid" : "valid";
}

function vote(chain: TestChain, actor: Actor, task: Hash, cycle: number, roles: ReadonlyMap<Account, Role>): void {
  const account = accountOf(actor.name);
  const view = getNodeView(chain.state, task, account);
  if (view === undefined || view.weight === 0n) return;
  for (const trigger of listTriggers(chain.state, task, cycle)) {
    if (trigger.resolution !== null || trigger.target === account) continue;
    if (chain.slot < trigger.slot || chain.slot >= trigger.closesAt) continue;
    if (getVote(chain.state, task, cycle, trigger.index, account) !== undefined) continue;
    chain.send(actor.name, {
      kind: "vote",
      task,
      cycle,
      trigger: trigger.index,
      choice: opinion(chain, actor, task, cycle, trigger, roles),
    });
  }
}

/** Lists posted in these runs, by root: what a recipient proves its entry from (the blob store's part). */
const postedLists = new Map<Hash, readonly DistributionEntry[]>();

/** Posts the actor's list when it is the race's winner among the eligible nodes (§6.1) and none is posted yet. */
function distribute(chain: TestChain, actor: Actor, task: Hash, cycle: number): void {
  const record = getTask(chain.state, task);
  const cycleRecord = getCycle(chain.state, task, cycle);
  const account = accountOf(actor.name);
  if (record === undefined || cycleRecord === undefined || chain.distributorOf(task, cycle) !== actor.name) return;
  const windows = getCycleWindows(record, cycle, cycleRecord.attemptRound);
  if (!isInside(windows.distribution, chain.slot)) return;
  if (getDistribution(chain.state, task, cycle, cycleRecord.attempt) !== undefined) return;
  const honest = equalSplit(chain.state, task, cycle);
  const entries = actor.role === "liar" ? lyingList(honest, account, cycleRecord.reserved, cycle) : honest;
  postedLists.set(listRoot(entries), entries);
  chain.send(actor.name, listTx(task, cycle, cycleRecord.attempt, entries));
}

/** Claims the actor's entries of the task's recently accepted lists (§6.4). */
function claimEntries(chain: TestChain, actor: Actor, task: Hash): void {
  const record = getTask(chain.state, task);
  if (record === undefined) return;
  const account = accountOf(actor.name);
  const round = roundOf(record, chain.slot);
  for (let cycle = Math.max(0, round - 8); cycle < round; cycle += 1) {
    const list = getAcceptedList(chain.state, task, cycle);
    if (list === undefined || isListClaimed(chain.state, task, cycle, account)) continue;
    if (getReveal(chain.state, task, cycle, account)?.status !== "valid") continue;
    const entries = postedLists.get(list.listRoot) ?? [];
    const index = entries.findIndex((entry) => entry.recipient === account);
    const entry = entries[index];
    if (entry === undefined || entry.amount === 0n) continue;
    chain.send(actor.name, {
      kind: "claimDistribution",
      task,
      cycle,
      recipient: account,
      amount: entry.amount,
      index,
      proof: listProof(entries, index),
    });
  }
}

/** A wrong list: one the auditors must catch (cycle % 4 = 0), or one the ledger refuses outright. */
function lyingList(
  honest: readonly DistributionEntry[],
  self: Account,
  reserved: bigint,
  cycle: number,
): DistributionEntry[] {
  const variant = cycle % 4;
  if (variant === 1 && honest.length >= 2) return [...honest].reverse();
  if (variant === 2) return [...honest, { recipient: "f".repeat(64), amount: 1n }];
  if (variant === 3 && honest.length > 0) return honest.map((entry) => ({ ...entry, amount: entry.amount + reserved }));
  return [{ recipient: self, amount: reserved }];
}
