/**
 * protocol.md §9.3, pruning: a cycle's detail records are deleted once nothing can change it any more, so the state
 * of a long-running task stops growing with every round; a cycle whose late challenge is still open is kept.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ApplyResult,
  applyTransaction,
  DEVNET_PARAMS,
  getAccount,
  getCycle,
  getTask,
  type Hash,
  LIMITS,
  listTriggers,
  type ProtocolEvent,
  roundOf,
  type State,
  sha256Hex,
  stateEntries,
  stateFromEntries,
  type TaskParams,
  TOKEN,
  type Transaction,
} from "../src/index.ts";
import { accountOf, CHAIN_ID, proofOf, TestChain } from "./harness.ts";
import { type Actor, drive } from "./honestDriver.ts";

const T = TOKEN;

/** Kinds of record that belong to one cycle of one task: `{kind}/{task}/{cycle}/...`. */
const PER_CYCLE = new Set([
  "commit",
  "reveal",
  "revealAt",
  "nodeCycle",
  "trigger",
  "triggerOf",
  "vote",
  "voteAt",
  "distribution",
  "listClaim",
  "published",
]);

/** Per-cycle records of `task` by kind and cycle. */
function perCycleRecords(state: State, task: Hash): Map<number, Set<string>> {
  const found = new Map<number, Set<string>>();
  for (const [key] of stateEntries(state)) {
    const [kind, owner, cycle] = key.split("/");
    if (!PER_CYCLE.has(kind as string) || owner !== task) continue;
    const kinds = found.get(Number(cycle)) ?? new Set<string>();
    kinds.add(kind as string);
    found.set(Number(cycle), kinds);
  }
  return found;
}

function entryCount(state: State): number {
  let count = 0;
  for (const _ of stateEntries(state)) count += 1;
  return count;
}

/**
 * A task whose cycle 1 has four submissions (w, the whale with 400, a garbage proof; a, b and c with 100 each),
 * vesting over 2 rounds: the late-challenge tests' start.
 */
function cycleOneSubmitted(): { chain: TestChain; task: string } {
  const stakes: Record<string, bigint> = { w: 400n * T, a: 100n * T, b: 100n * T, c: 100n * T };
  const balances: Record<string, bigint> = { creator: 100_000n * T };
  for (const [name, stake] of Object.entries(stakes)) balances[name] = stake + 100n * T;
  const chain = new TestChain(balances);
  const task = chain.createTask("creator", { warmupRounds: 0, rampRounds: 0, vestingRounds: 2 }, 10_000n * T);
  for (const [name, stake] of Object.entries(stakes)) chain.stakeIn(task, name, stake);
  const proofs = { a: proofOf("a:1"), b: proofOf("b:1"), c: proofOf("c:1"), w: proofOf("garbage") };
  chain.playSubmissions(task, 1, proofs);
  return { chain, task };
}

describe("pruning (§9.3)", () => {
  it("deletes every detail record of a settled cycle and keeps its summary, so the state stops growing", () => {
    const actors: Actor[] = [
      { name: "h1", role: "honest" },
      { name: "h2", role: "honest" },
      { name: "h3", role: "honest" },
      { name: "h4", role: "honest" },
      { name: "garbage", role: "garbage" },
      { name: "griefer", role: "griefer" },
      { name: "silent", role: "silent" },
      { name: "offline", role: "offline" },
      { name: "liar", role: "liar" },
    ];
    const balances: Record<string, bigint> = { creator: 1_000_000n * T };
    for (const actor of actors) balances[actor.name] = 1_000n * T;
    const chain = new TestChain(balances);
    chain.fullCheckEvery = 16;
    // The custom rule, so that lists (and their records) exist to be pruned.
    const params: Partial<TaskParams> = {
      vestingRounds: 3,
      warmupRounds: 0,
      rampRounds: 0,
      distributionRule: "custom",
    };
    const task = chain.createTask("creator", params, 100_000n * T);
    for (const actor of actors) chain.stakeIn(task, actor.name, 200n * T);
    const roundSlots = DEVNET_PARAMS.roundSlots;

    // Every kind of detail record exists for early cycles before they are pruned.
    drive(chain, actors, 6 * roundSlots);
    const early = perCycleRecords(chain.state, task);
    const seen = new Set([...early.values()].flatMap((kinds) => [...kinds]));
    for (const kind of ["commit", "reveal", "revealAt", "nodeCycle", "trigger", "triggerOf", "vote", "voteAt"]) {
      assert.ok(seen.has(kind), `the run produced ${kind} records (saw ${[...seen].join(", ")})`);
    }
    assert.ok(seen.has("distribution") && seen.has("listClaim"), "lists were posted and their entries claimed");

    drive(chain, actors, 14 * roundSlots);
    const atTwenty = entryCount(chain.state);
    drive(chain, actors, 20 * roundSlots);
    const record = getTask(chain.state, task);
    assert.ok(record !== undefined);
    const round = roundOf(record, chain.slot);
    // A cycle completes 2 rounds after it starts (more after failed lists), then its list's entries stay claimable
    // for listClaimRounds (longer than its late-challenge window of 3 rounds here, §6.4).
    assert.ok(
      record.prunedThrough >= round - (3 + LIMITS.listClaimRounds + record.params.allowedFailedDistributions + 2),
      `pruned through ${record.prunedThrough} at round ${round}`,
    );
    const left = perCycleRecords(chain.state, task);
    for (const cycle of left.keys()) {
      assert.ok(cycle > record.prunedThrough, `cycle ${cycle} still has ${[...(left.get(cycle) ?? [])].join(", ")}`);
    }
    // Summaries of pruned cycles stay, with their outcome.
    for (let cycle = 1; cycle <= record.prunedThrough; cycle += 1) {
      assert.notEqual(getCycle(chain.state, task, cycle)?.outcome ?? null, null, `cycle ${cycle} keeps its summary`);
    }
    assert.ok(chain.log.some((event) => event.type === "CyclePruned"));
    // Twenty more rounds add twenty cycle summaries; the detail records of the few cycles not yet settled (about 50
    // each here) come and go. Unpruned, the same twenty rounds add about a thousand records.
    const growth = entryCount(chain.state) - atTwenty;
    assert.ok(growth <= 20 + 60, `state grew by ${growth} records over 20 rounds`);
  });

  it("keeps a cycle whose late challenge is still open, and prunes it once the challenge resolves", () => {
    const { chain, task } = cycleOneSubmitted();
    const _windows = chain.windows(task, 1);
    chain.payCycle(task, 1);
    const completed = getCycle(chain.state, task, 1)?.completedRound;
    assert.ok(completed !== null && completed !== undefined, "cycle 1 completed, the garbage paid");

    // The late-challenge window ends at the start of round completed + 2. Challenge late enough that the trigger
    // resolves exactly there: the round start where the cycle becomes prunable.
    const taskRecord = getTask(chain.state, task);
    assert.ok(taskRecord !== undefined);
    chain.advanceToRound(task, completed + 2, -(taskRecord.params.auditSlots + taskRecord.params.voteSlots));
    const late = chain.triggerProof("a", task, 1, "w", "late");
    const events: ProtocolEvent[] = chain.advance(1);
    assert.ok(!events.some((event) => event.type === "CyclePruned" && event.cycle === 1), "not pruned while open");
    assert.ok(perCycleRecords(chain.state, task).has(1), "cycle 1's records are kept for the open challenge");
    for (const name of ["b", "c"]) chain.vote(name, task, 1, late, "invalid");
    // Whenever the trigger resolves, even at the round start where its cycle becomes prunable, the state of that slot
    // still holds the trigger and its resolution: pruning waits for the next round start.
    let resolvedAndReadable = false;
    chain.observers.push((transition, after) => {
      if (transition.kind !== "slot") return;
      for (const event of transition.events) {
        if (event.type !== "TriggerResolved" || event.cycle !== 1) continue;
        const trigger = listTriggers(after, task, 1)[event.trigger];
        assert.equal(trigger?.resolution, event.resolution, "the resolved trigger is readable in its slot");
        resolvedAndReadable = true;
      }
    });
    // It resolves; the next round start prunes the cycle.
    chain.advanceToRound(task, completed + 4);
    assert.ok(
      chain.log.some((event) => event.type === "TriggerResolved" && event.cycle === 1 && event.trigger === late),
    );
    assert.ok(chain.log.some((event) => event.type === "CyclePruned" && event.cycle === 1));
    assert.ok(resolvedAndReadable);
    assert.equal(perCycleRecords(chain.state, task).has(1), false, "cycle 1 has no detail records left");
  });

  it("answers a late trigger, vote or publication the same whether or not the cycle was pruned (deviation 36)", () => {
    const { chain, task } = cycleOneSubmitted();
    const proofTrigger = chain.triggerProof("a", task, 1, "w");
    const challenge = chain.triggerAvailability("b", task, 1, "c");
    chain.payCycle(task, 1);

    // The round start that prunes cycle 1, and the state of the slot before it (cycle 1 still whole).
    let before = chain.state;
    while ((getTask(chain.state, task)?.prunedThrough ?? -1) < 1) {
      before = chain.state;
      chain.advance(1);
    }
    const pruned = chain.state;
    assert.equal(perCycleRecords(pruned, task).has(1), false, "cycle 1 is pruned");
    // The same state with cycle 1's detail records put back: what a ledger that never prunes (a contract) holds.
    const entries = new Map(stateEntries(pruned));
    for (const [key, value] of stateEntries(before)) {
      if (PER_CYCLE.has(key.split("/")[0] as string) && !entries.has(key)) entries.set(key, value);
    }
    const taskKey = `task/${task}`;
    entries.set(taskKey, { ...(entries.get(taskKey) as object), prunedThrough: getTask(before, task)?.prunedThrough });
    const unpruned = stateFromEntries(entries);
    assert.ok(perCycleRecords(unpruned, task).has(1));

    const late =
      (name: string, body: Record<string, unknown>) =>
      (state: State): ApplyResult => {
        const from = accountOf(name);
        const tx = { ...body, chainId: CHAIN_ID, from, nonce: getAccount(state, from).nonce } as unknown as Transaction;
        return applyTransaction(state, tx, { slot: chain.slot });
      };
    const trigger = (name: string, target: string, verdict: string) =>
      late(name, {
        kind: "triggerAudit",
        task,
        cycle: 1,
        target: accountOf(target),
        triggerKind: "proof",
        verdict,
        attempt: 0,
        reasonDigest: sha256Hex("late"),
      });
    const payload = Buffer.from("proof:c:1", "utf8").toString("hex");
    const cases: [string, (state: State) => ApplyResult, string][] = [
      ["a trigger against a revealed proof", trigger("b", "w", "invalid"), "AUDIT__WINDOW_CLOSED"],
      ["a trigger against a node that never revealed", trigger("b", "creator", "unavailable"), "AUDIT__WINDOW_CLOSED"],
      [
        "a vote on a resolved trigger",
        late("c", { kind: "vote", task, cycle: 1, trigger: proofTrigger, choice: "invalid" }),
        "VOTE__WINDOW_CLOSED",
      ],
      [
        "a vote on a trigger that never was",
        late("c", { kind: "vote", task, cycle: 1, trigger: 7, choice: "valid" }),
        "VOTE__WINDOW_CLOSED",
      ],
      [
        "a publication answering a settled challenge",
        late("c", { kind: "publishProof", task, cycle: 1, trigger: challenge, payload }),
        "PUBLISH__WINDOW_CLOSED",
      ],
      [
        "a publication by a node never challenged",
        late("a", { kind: "publishProof", task, cycle: 1, trigger: challenge, payload }),
        "PUBLISH__WINDOW_CLOSED",
      ],
    ];
    const outcome = (result: ApplyResult) =>
      result.ok ? { ok: true } : { code: result.code, context: result.context, included: result.included };
    for (const [what, send, code] of cases) {
      const onPruned = outcome(send(pruned));
      assert.deepStrictEqual(onPruned, outcome(send(unpruned)), what);
      assert.equal((onPruned as { code?: string }).code, code, what);
    }
  });
});
