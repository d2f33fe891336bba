/**
 * Whole-cycle audits (protocol.md §5.7): a node whose own proof was voted down checks every other proof of the cycle
 * that is still paid, because the assigned auditors of some of them may all belong to the coalition that voted it
 * down, and so does a node that saw weight vote `valid` on a proof it found wrong; each challenges late what it
 * finds wrong. Any other node checks only its assignment.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Account,
  advanceSlot,
  applyTransaction,
  computeCommitment,
  createGenesisState,
  DEVNET_PARAMS,
  getAuditAssignment,
  getChain,
  getCycleWindows,
  getReveal,
  getTask,
  type Hash,
  listRevealers,
  type State,
  sha256Hex,
  type TaskParams,
  type TaskRecord,
  TOKEN,
} from "@gradual/protocol";
import { decide, type NodeAction, type NodeMemory, type TransactionBody, type Verdict } from "../src/decide.ts";

const accountOf = (name: string): Account => sha256Hex(`account:${name}`);
const proofOf = (content: string): Hash => sha256Hex(`proof:${content}`);
const saltOf = (name: string, cycle: number): Hash => sha256Hex(`salt:${name}:${cycle}`);

/** The few moves this test needs, on the real core: named senders, automatic nonces, one slot at a time. */
class Chain {
  state: State;
  readonly #nonces = new Map<string, number>();

  constructor(balances: Record<string, bigint>) {
    this.state = createGenesisState({
      chainId: "gradual-test",
      accounts: Object.entries(balances).map(([name, balance]) => ({ account: accountOf(name), balance })),
    });
  }

  send(name: string, body: TransactionBody) {
    const nonce = this.#nonces.get(name) ?? 0;
    const tx = { ...body, chainId: "gradual-test", from: accountOf(name), nonce } as Parameters<
      typeof applyTransaction
    >[1];
    const result = applyTransaction(this.state, tx, { slot: getChain(this.state).slot });
    if (!result.ok) throw new Error(`${body.kind} by ${name} refused: ${result.code}`);
    this.#nonces.set(name, nonce + 1);
    this.state = result.state;
    return result;
  }

  advanceTo(slot: number): void {
    while (getChain(this.state).slot < slot) {
      this.state = advanceSlot(this.state, getChain(this.state).slot + 1).state;
    }
  }

  createTask(params: Partial<TaskParams>): Hash {
    const result = this.send("creator", {
      kind: "createTask",
      name: "test-task",
      bundleHash: sha256Hex("bundle"),
      metadataHash: null,
      params: { ...DEVNET_PARAMS, ...params },
      funding: 10_000n * TOKEN,
    });
    const created = result.events.find((event) => event.type === "TaskCreated");
    if (created?.type !== "TaskCreated") throw new Error("no TaskCreated event");
    return created.task;
  }

  windows(task: Hash, cycle: number) {
    return getCycleWindows(getTask(this.state, task) as TaskRecord, cycle);
  }

  submit(task: Hash, cycle: number, proofs: Record<string, Hash>): void {
    const windows = this.windows(task, cycle);
    this.advanceTo(windows.commit.opensAt);
    for (const [name, proofDigest] of Object.entries(proofs)) {
      const node = accountOf(name);
      const commitment = computeCommitment({ task, cycle, node, proofDigest, salt: saltOf(name, cycle) });
      this.send(name, { kind: "commit", task, cycle, commitment });
    }
    this.advanceTo(windows.reveal.opensAt);
    for (const [name, proofDigest] of Object.entries(proofs)) {
      this.send(name, { kind: "reveal", task, cycle, proofDigest, salt: saltOf(name, cycle) });
    }
    this.advanceTo(windows.reveal.closesAt);
  }

  trigger(name: string, task: Hash, cycle: number, target: string): number {
    const result = this.send(name, {
      kind: "triggerAudit",
      task,
      cycle,
      target: accountOf(target),
      triggerKind: "proof",
      verdict: "invalid",
      attempt: 0,
      reasonDigest: sha256Hex("wrong proof"),
    });
    const event = result.events.find((candidate) => candidate.type === "AuditTriggered");
    if (event?.type !== "AuditTriggered") throw new Error("no AuditTriggered event");
    return event.trigger;
  }

  vote(name: string, task: Hash, cycle: number, trigger: number, choice: "valid" | "invalid"): void {
    this.send(name, { kind: "vote", task, cycle, trigger, choice });
  }
}

const T = TOKEN;
const NAMES = ["w1", "w2", "w3", "a", "b", "c"] as const;

function setup(): { chain: Chain; task: Hash } {
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const name of NAMES) balances[name] = 500n * T;
  const chain = new Chain(balances);
  // Every node checks 1 proof: with six nodes, most proofs have a single auditor, so one coalition auditor covers it.
  const task = chain.createTask({ warmupRounds: 0, rampRounds: 0, vestingRounds: 4, auditsPerNode: 1 });
  const stakes = { w1: 200n, w2: 200n, w3: 200n, a: 100n, b: 100n, c: 100n };
  for (const [name, stake] of Object.entries(stakes)) {
    chain.send(name, { kind: "stake", task, amount: stake * T, nodeUrl: `https://${name}.test` });
  }
  return { chain, task };
}

function memory(verdicts: Map<string, Verdict> = new Map()): NodeMemory {
  return { work: new Map(), verdicts, lists: new Map(), done: new Set() };
}

function audits(actions: readonly NodeAction[]): string[] {
  return actions.flatMap((action) => (action.type === "auditProof" ? [action.target] : [])).sort();
}

test("a node whose proof was voted down, or that saw garbage vouched for, audits the whole cycle; others do not", () => {
  const { chain, task } = setup();
  const proofs = Object.fromEntries(NAMES.map((name) => [name, proofOf(name.startsWith("w") ? `junk:${name}` : name)]));
  chain.submit(task, 1, proofs);
  const windows = chain.windows(task, 1);
  chain.advanceTo(windows.proofTriggers.opensAt);
  // The coalition (600 of 900) calls a's honest proof invalid: 600 of 600 + a's 100 + b and c's 200 = 66.7%, not
  // above two thirds: disputed, so a is not paid.
  const trigger = chain.trigger("w1", task, 1, "a");
  for (const name of ["w2", "w3"]) chain.vote(name, task, 1, trigger, "invalid");
  for (const name of ["b", "c"]) chain.vote(name, task, 1, trigger, "valid");
  // b caught w1's junk; the coalition vouches for it (400 valid against b and c's 200, w1's own 200 on its side).
  const caught = chain.trigger("b", task, 1, "w1");
  chain.vote("c", task, 1, caught, "invalid");
  for (const name of ["w2", "w3"]) chain.vote(name, task, 1, caught, "valid");
  chain.advanceTo(windows.proofVotes.closesAt);
  assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.status, "disputed");

  const options = { autoClaim: false, chunkEntries: 1_000 };
  const view = (name: string, verdicts?: Map<string, Verdict>) => ({
    state: chain.state,
    task,
    me: accountOf(name),
    memory: memory(verdicts),
    options,
  });
  const others = listRevealers(chain.state, task, 1).filter(
    (account) => account !== accountOf("a") && getReveal(chain.state, task, 1, account)?.status === "valid",
  );
  assert.deepEqual(audits(decide(view("a"))), [...others].sort(), "a checks every other paid proof");
  // Proofs a already judged are not fetched again.
  const known = new Map<string, Verdict>([[`1/${accountOf("w2")}`, "invalid"]]);
  assert.deepEqual(audits(decide(view("a", known))), others.filter((account) => account !== accountOf("w2")).sort());
  // b, which found w1's proof wrong, saw weight vouch for it: it checks the whole cycle too.
  const judged = new Map<string, Verdict>([[`1/${accountOf("w1")}`, "invalid"]]);
  const rest = listRevealers(chain.state, task, 1).filter(
    (account) =>
      account !== accountOf("b") &&
      account !== accountOf("w1") &&
      getReveal(chain.state, task, 1, account)?.status === "valid",
  );
  assert.deepEqual(audits(decide(view("b", judged))), [...rest].sort());
  // c judged nothing itself and its proof was not voted down: after the trigger window it has nothing to audit.
  assert.deepEqual(audits(decide(view("c"))), []);
  assert.ok(getAuditAssignment(chain.state, task, 1, accountOf("c")).length <= 1);
});
