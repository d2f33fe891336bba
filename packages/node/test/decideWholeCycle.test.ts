/**
 * Whole-cycle audits (protocol.md §5.7): a node whose own proof was voted down checks every other proof of the cycle
 * that is still paid, because the assigned auditors of some of them may all belong to the coalition that voted it
 * down, and so does a node that saw weight vote `valid` on a proof it found wrong; each challenges late what it
 * finds wrong. Any other node checks only its assignment.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { getAuditAssignment, getReveal, type Hash, listRevealers, TOKEN } from "@gradual/protocol";
// The protocol's test chain (source only: tests run with --conditions=source).
import { accountOf, proofOf, TestChain } from "@gradual/protocol/testing";
import { decide, type NodeAction, type NodeMemory, type Verdict } from "../src/decide.ts";

const T = TOKEN;
const NAMES = ["w1", "w2", "w3", "a", "b", "c"] as const;

function setup(): { chain: TestChain; task: Hash } {
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const name of NAMES) balances[name] = 500n * T;
  const chain = new TestChain(balances);
  // Every node checks 1 proof: with six nodes, most proofs have a single auditor, so one coalition auditor covers it.
  const task = chain.createTask(
    "creator",
    { warmupRounds: 0, rampRounds: 0, vestingRounds: 4, auditsPerNode: 1 },
    10_000n * T,
  );
  const stakes = { w1: 200n, w2: 200n, w3: 200n, a: 100n, b: 100n, c: 100n };
  for (const [name, stake] of Object.entries(stakes)) chain.stakeIn(task, name, stake * T);
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
  chain.playSubmissions(task, 1, proofs);
  const windows = chain.windows(task, 1);
  chain.advanceTo(windows.proofTriggers.opensAt);
  // The coalition (600 of 900) calls a's honest proof invalid: 600 of 600 + a's 100 + b and c's 200 = 66.7%, not
  // above two thirds: disputed, so a is not paid.
  const trigger = chain.triggerProof("w1", task, 1, "a");
  for (const name of ["w2", "w3"]) chain.vote(name, task, 1, trigger, "invalid");
  for (const name of ["b", "c"]) chain.vote(name, task, 1, trigger, "valid");
  // b caught w1's junk; the coalition vouches for it (400 valid against b and c's 200, w1's own 200 on its side).
  const caught = chain.triggerProof("b", task, 1, "w1");
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
