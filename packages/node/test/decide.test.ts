/**
 * Unit tests of the honest node's decision function (packages/node/src/decide.ts, protocol.md §2-§7) on the real
 * protocol, driven by the protocol's test chain. `decide` answers for the state's next slot, so "the window opens at
 * slot w" means decide first returns the action when the state is at slot w − 1, and last at slot closesAt − 2.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Account,
  computeCommitment,
  type DistributionEntry,
  getAuditAssignment,
  getAuditorsOf,
  getCycle,
  getDistribution,
  getNode,
  getReveal,
  getTask,
  type Hash,
  LIMITS,
  listBlobHash,
  listClaimClosesAt,
  listProof,
  listRoot,
  listTriggers,
  roundStart,
  sha256Hex,
  type TaskParams,
  TOKEN,
} from "@gradual/protocol";
import { accountOf, proofOf, saltOf, TestChain } from "@gradual/protocol/testing";
import {
  type DecideOptions,
  decide,
  type ListRecord,
  listKey,
  listSubmitters,
  type NodeAction,
  type NodeMemory,
  postedListKey,
  type TransactionBody,
  type Verdict,
  verdictKey,
  type WorkRecord,
} from "../src/decide.ts";

const T = TOKEN;
/** The first quiet slot of a devnet-timed round (revealSlots + 1), where claims go (protocol.md §7.1). */
const QUIET_FROM = 5;
const NODES = ["a", "b", "c", "d"] as const;

type Memory = {
  work: Map<number, WorkRecord>;
  verdicts: Map<string, Verdict>;
  lists: Map<string, ListRecord>;
  done: Set<string>;
};

function freshMemory(): Memory {
  return { work: new Map(), verdicts: new Map(), lists: new Map(), done: new Set() };
}

const QUIET: DecideOptions = { autoClaim: false };

type Scenario = { chain: TestChain; task: Hash };

/**
 * A task with four nodes a-d (100 tokens each, staked in round 0, active from round 1 after the devnet's one-round
 * warm-up) and no ramp, so each node's weight is its stake. `extra` nodes are staked the same way with their amount.
 */
function scenario(params: Partial<TaskParams> = {}, extra: Record<string, bigint> = {}): Scenario {
  const balances: Record<string, bigint> = { creator: 100_000n * T, outsider: 1_000n * T, late: 1_000n * T };
  for (const name of [...NODES, ...Object.keys(extra)]) balances[name] = 1_000n * T;
  const chain = new TestChain(balances);
  const task = chain.createTask("creator", { rampRounds: 0, ...params }, 10_000n * T);
  chain.advance();
  for (const name of NODES) chain.stakeIn(task, name, 100n * T);
  for (const [name, amount] of Object.entries(extra)) chain.stakeIn(task, name, amount);
  return { chain, task };
}

function view(
  { chain, task }: Scenario,
  name: string,
  memory: NodeMemory = freshMemory(),
  options: DecideOptions = QUIET,
  payloadOf?: (digest: Hash) => string | undefined,
) {
  return { state: chain.state, task, me: accountOf(name), memory, options, payloadOf };
}

function decideFor(
  world: Scenario,
  name: string,
  memory: NodeMemory = freshMemory(),
  options: DecideOptions = QUIET,
): NodeAction[] {
  const actions = decide(view(world, name, memory, options));
  // Every action of one call has its own key: the runtime would otherwise run or send it twice.
  assert.equal(new Set(keysOf(actions)).size, actions.length, `duplicate keys: ${keysOf(actions).join(" ")}`);
  return actions;
}

function keysOf(actions: readonly NodeAction[]): string[] {
  return actions.map((action) => action.key);
}

/** The actions whose key starts with one of the prefixes (a node works every cycle: other duties overlap). */
function about(actions: readonly NodeAction[], ...prefixes: string[]): NodeAction[] {
  return actions.filter((action) => prefixes.some((prefix) => action.key.startsWith(prefix)));
}

/** The keys of a sweep that start with one of the prefixes. */
function sweptKeys(seen: Map<string, number[]>, ...prefixes: string[]): [string, number[]][] {
  return [...seen.entries()].filter(([key]) => prefixes.some((prefix) => key.startsWith(prefix)));
}

function sends<K extends TransactionBody["kind"]>(
  actions: readonly NodeAction[],
  kind: K,
): Extract<TransactionBody, { kind: K }>[] {
  return actions.flatMap((action) =>
    action.type === "send" && action.tx.kind === kind ? [action.tx as Extract<TransactionBody, { kind: K }>] : [],
  );
}

function workDone(name: string, cycle: number): WorkRecord {
  return { status: "done", proofDigest: proofOf(`${name}:${cycle}`), salt: saltOf(name, cycle) };
}

/** Commits and reveals `cycle` for the named nodes with the proofs workDone gives; leaves the chain after the reveals. */
/**
 * Commits and reveals `cycle` for the named nodes with the proofs workDone gives, and advances to the reveal
 * window's end (where the seed is fixed), or to the slot before it.
 */
function submit(world: Scenario, cycle: number, names: readonly string[] = NODES, beforeSeed = false): void {
  const { chain, task } = world;
  const windows = chain.windows(task, cycle);
  chain.advanceTo(windows.commit.opensAt);
  for (const name of names) chain.commit(name, task, cycle, proofOf(`${name}:${cycle}`));
  chain.advanceTo(windows.reveal.opensAt);
  for (const name of names) chain.reveal(name, task, cycle, proofOf(`${name}:${cycle}`));
  chain.advanceTo(windows.reveal.closesAt - (beforeSeed ? 1 : 0));
}

/**
 * Advances slot by slot from the chain's slot to `toSlot`, deciding for `name` at each one with `memory`, and
 * recording every action's key as done (what the runtime does once it has handed an action over). Returns, for
 * each action key, the next slots it was decided for.
 */
function sweep(world: Scenario, name: string, memory: Memory, toSlot: number, options = QUIET) {
  const seen = new Map<string, number[]>();
  while (world.chain.slot < toSlot) {
    for (const action of decideFor(world, name, memory, options)) {
      seen.set(action.key, [...(seen.get(action.key) ?? []), world.chain.slot + 1]);
      memory.done.add(action.key);
    }
    world.chain.advance();
  }
  return seen;
}

describe("decide: work and commit (protocol.md §4.1)", () => {
  it("runs the task only in the cycle's own round, before its commit window closes, once", () => {
    const world = scenario();
    const { chain, task } = world;
    const windows = chain.windows(task, 1);
    const roundOne = windows.commit.closesAt - 20;
    // Round 0: the stakes are still warming up (active from round 1), so cycle 0 is not worked.
    for (; chain.slot < roundOne - 1; chain.advance()) {
      assert.deepEqual(decideFor(world, "a"), [], `slot ${chain.slot}`);
    }
    // Cycle 1 starts at the first slot of round 1; before that slot is in the state it is not decided.
    assert.deepEqual(decideFor(world, "a"), []);
    chain.advance();
    assert.deepEqual(decideFor(world, "a"), [{ type: "runTask", key: "work/1", cycle: 1 }]);
    // Decided, not yet finished: never decided again.
    assert.deepEqual(decideFor(world, "a", { ...freshMemory(), done: new Set(["work/1"]) }), []);
    // Finished (even as a failure): nothing to run.
    const failed = { ...freshMemory(), work: new Map([[1, { status: "failed", reason: "x" } as WorkRecord]]) };
    assert.deepEqual(decideFor(world, "a", failed), []);
    chain.advanceTo(windows.commit.closesAt - 2);
    assert.deepEqual(keysOf(decideFor(world, "a")), ["work/1"], "the last commit slot is still worth working for");
    chain.advance();
    assert.deepEqual(about(decideFor(world, "a"), "work/1"), [], "no work for cycle 1 once its window has closed");
  });

  it("commits inside the commit window only, once, with the commitment of its own proof and salt", () => {
    const world = scenario();
    const { chain, task } = world;
    const window = chain.windows(task, 1).commit;
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    memory.done.add("work/1");
    chain.advanceTo(window.opensAt - 2);
    assert.deepEqual(decideFor(world, "a", memory), []);
    chain.advance();
    const expected = computeCommitment({
      task,
      cycle: 1,
      node: accountOf("a"),
      proofDigest: proofOf("a:1"),
      salt: saltOf("a", 1),
    });
    assert.deepEqual(decideFor(world, "a", memory), [
      { type: "send", key: "commit/1", tx: { kind: "commit", task, cycle: 1, commitment: expected } },
    ]);
    chain.advanceTo(window.closesAt - 2);
    assert.deepEqual(keysOf(decideFor(world, "a", memory)), ["commit/1"], "the window's last slot");
    chain.advance();
    assert.deepEqual(about(decideFor(world, "a", memory), "commit/"), [], "the window has closed");
  });

  it("re-deciding through the whole window with the same memory commits exactly once", () => {
    const world = scenario();
    const window = world.chain.windows(world.task, 1).commit;
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    memory.done.add("work/1");
    world.chain.advanceTo(window.opensAt - 4);
    const seen = sweep(world, "a", memory, window.closesAt + 3);
    assert.deepEqual(sweptKeys(seen, "commit/"), [["commit/1", [window.opensAt]]]);
  });

  it("does not commit again once its commit is on the ledger, even with its memory of sending it lost", () => {
    const world = scenario();
    const { chain, task } = world;
    const window = chain.windows(task, 1).commit;
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    chain.advanceTo(window.opensAt - 1);
    const [commit] = sends(decideFor(world, "a", memory), "commit");
    chain.advance();
    chain.ok("a", commit as NonNullable<typeof commit>);
    assert.deepEqual(decideFor(world, "a", memory), []);
  });

  it("commits nothing for a cycle whose work failed", () => {
    const world = scenario();
    const window = world.chain.windows(world.task, 1).commit;
    const memory = freshMemory();
    memory.work.set(1, { status: "failed", reason: "SANDBOX__TIMEOUT: too slow" });
    memory.done.add("work/1");
    world.chain.advanceTo(window.opensAt - 3);
    assert.deepEqual(sweptKeys(sweep(world, "a", memory, window.closesAt + 6), "commit/", "reveal/"), []);
  });
});

describe("decide: reveal (protocol.md §4.2)", () => {
  function committed(): { world: Scenario; memory: Memory } {
    const world = scenario();
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    world.chain.advanceTo(world.chain.windows(world.task, 1).commit.opensAt);
    world.chain.commit("a", world.task, 1, proofOf("a:1"));
    memory.done.add("work/1").add("commit/1");
    return { world, memory };
  }

  it("reveals inside the reveal window only, once, opening its own commitment", () => {
    const { world, memory } = committed();
    const { chain, task } = world;
    const window = chain.windows(task, 1).reveal;
    chain.advanceTo(window.opensAt - 2);
    assert.deepEqual(decideFor(world, "a", memory), []);
    chain.advance();
    assert.deepEqual(about(decideFor(world, "a", memory), "reveal/"), [
      {
        type: "send",
        key: "reveal/1",
        tx: { kind: "reveal", task, cycle: 1, proofDigest: proofOf("a:1"), salt: saltOf("a", 1) },
      },
    ]);
    chain.advanceTo(window.closesAt - 2);
    assert.deepEqual(keysOf(about(decideFor(world, "a", memory), "reveal/")), ["reveal/1"]);
    chain.advance();
    assert.deepEqual(about(decideFor(world, "a", memory), "reveal/"), []);
  });

  it("reveals exactly once across the window, and not at all once its reveal is on the ledger", () => {
    const { world, memory } = committed();
    const { task } = world;
    const window = world.chain.windows(task, 1).reveal;
    world.chain.advanceTo(window.opensAt - 3);
    const seen = sweep(world, "a", copyMemory(memory), window.closesAt + 2);
    assert.deepEqual(sweptKeys(seen, "reveal/"), [["reveal/1", [window.opensAt]]]);
    // The same node, its reveal on the ledger and its memory of sending it lost: nothing to reveal.
    const again = committed();
    again.world.chain.advanceTo(window.opensAt);
    again.world.chain.reveal("a", task, 1, proofOf("a:1"));
    assert.deepEqual(sweptKeys(sweep(again.world, "a", again.memory, window.closesAt + 2), "reveal/"), []);
  });

  it("never reveals a cycle it did not commit", () => {
    const world = scenario();
    const memory = freshMemory();
    // Work finished, but no commit of it landed on the ledger.
    memory.work.set(1, workDone("a", 1));
    memory.done.add("work/1").add("commit/1");
    const window = world.chain.windows(world.task, 1).reveal;
    world.chain.advanceTo(window.opensAt - 2);
    assert.deepEqual(sweptKeys(sweep(world, "a", memory, window.closesAt + 1), "reveal/"), []);
  });
});

describe("decide: paired reveals (protocol.md §2.2)", () => {
  /**
   * A paired task where a committed cycle 1; its memory holds that work, and cycle 2's as `next` says (started and
   * unfinished when undefined, or not started). Returns cycle 1's reveal window (cycle 2's commit window).
   */
  function pairedCommitted(next: WorkRecord | "none" | undefined = "none") {
    const world = scenario({ revealSlots: 0 });
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    world.chain.advanceTo(world.chain.windows(world.task, 1).commit.opensAt);
    world.chain.commit("a", world.task, 1, proofOf("a:1"));
    memory.done.add("work/1").add("commit/1");
    if (next !== "none") memory.done.add("work/2");
    if (next !== "none" && next !== undefined) memory.work.set(2, next);
    return { world, memory, chain: world.chain, task: world.task, window: world.chain.windows(world.task, 1).reveal };
  }

  it("sends its reveal of cycle c and its commit of c + 1 as one transaction, once, in the shared window", () => {
    const { world, memory, chain, task, window } = pairedCommitted(workDone("a", 2));
    assert.deepEqual(window, chain.windows(task, 2).commit);
    chain.advanceTo(window.opensAt - 3);
    const seen = sweep(world, "a", memory, window.closesAt + 1);
    assert.deepEqual(sweptKeys(seen, "reveal/", "commit/", "paired/"), [["paired/2", [window.opensAt]]]);
  });

  it("the pair opens the right commitment and reveal, and both land", () => {
    const { world, memory, chain, task, window } = pairedCommitted(workDone("a", 2));
    chain.advanceTo(window.opensAt - 1);
    const [pair] = sends(decideFor(world, "a", memory), "commitAndReveal");
    assert.deepEqual(pair, {
      kind: "commitAndReveal",
      task,
      cycle: 2,
      commitment: computeCommitment({
        task,
        cycle: 2,
        node: accountOf("a"),
        proofDigest: proofOf("a:2"),
        salt: saltOf("a", 2),
      }),
      proofDigest: proofOf("a:1"),
      salt: saltOf("a", 1),
    });
    chain.advance();
    chain.ok("a", pair as TransactionBody);
    assert.equal(getReveal(chain.state, task, 1, accountOf("a"))?.proofDigest, proofOf("a:1"));
    assert.deepEqual(decideFor(world, "a", memory), [], "nothing left to send for either cycle");
  });

  it("waits for the next cycle's running work in the first half of the window, then reveals alone", () => {
    // Cycle 2's work was started and has not finished.
    const { world, memory, chain, window } = pairedCommitted(undefined);
    chain.advanceTo(window.opensAt - 2);
    const seen = sweep(world, "a", memory, window.closesAt + 1);
    const half = window.opensAt + Math.floor((window.closesAt - window.opensAt) / 2);
    assert.deepEqual(sweptKeys(seen, "reveal/", "commit/", "paired/"), [["reveal/1", [half]]]);
  });

  it("reveals alone at once when it will not commit the next cycle (its work failed)", () => {
    const { world, memory, chain, window } = pairedCommitted({ status: "failed", reason: "task threw" });
    chain.advanceTo(window.opensAt - 2);
    const seen = sweep(world, "a", memory, window.closesAt + 1);
    assert.deepEqual(sweptKeys(seen, "reveal/", "commit/", "paired/"), [["reveal/1", [window.opensAt]]]);
  });

  it("a leaving node works and commits nothing more, reveals its last commit alone, then unstakes", () => {
    // Cycle 2's work is done: a staying node would send the pair.
    const { world, memory, chain, window } = pairedCommitted(workDone("a", 2));
    chain.advanceTo(window.opensAt - 2);
    chain.advance();
    const seen = sweep(world, "a", memory, window.closesAt + 1, { autoClaim: false, leaving: true });
    assert.deepEqual(sweptKeys(seen, "reveal/", "commit/", "paired/", "work/", "unstake"), [
      ["reveal/1", [window.opensAt]],
      // Its unstake once the reveal is sent (a node's transactions apply in nonce order), never before.
      ["unstake", [window.opensAt + 1]],
    ]);
  });

  it("a leaving node with nothing waiting for its reveal unstakes at once, and only once", () => {
    const world = scenario({ revealSlots: 0 });
    world.chain.advanceToRound(world.task, 1);
    const seen = sweep(world, "a", freshMemory(), world.chain.slot + 5, { autoClaim: false, leaving: true });
    assert.deepEqual(sweptKeys(seen, "unstake", "work/", "commit/"), [["unstake", [world.chain.slot - 4]]]);
  });

  it("commits alone when it has nothing to reveal", () => {
    const world = scenario({ revealSlots: 0 });
    const memory = freshMemory();
    memory.work.set(2, workDone("a", 2));
    memory.done.add("work/2");
    const window = world.chain.windows(world.task, 2).commit;
    world.chain.advanceTo(window.opensAt - 2);
    const seen = sweep(world, "a", memory, window.closesAt + 1);
    assert.deepEqual(sweptKeys(seen, "reveal/", "commit/", "paired/"), [["commit/2", [window.opensAt]]]);
  });
});

describe("decide: who may act (protocol.md §3)", () => {
  it("a node that is not staked decides nothing, whatever its memory says", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    const trigger = openTriggerAgainst(world, "b");
    const memory = freshMemory();
    memory.work.set(1, workDone("outsider", 1));
    for (const name of NODES) memory.verdicts.set(verdictKey(1, accountOf(name)), "invalid");
    assert.deepEqual([...sweep(world, "outsider", memory, trigger.closesAt + 1).keys()], []);
    assert.ok(chain.slot > chain.windows(task, 1).proofVotes.opensAt);
  });

  it("a node in warm-up neither works, commits nor votes; it works once its stake is active", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    // `late` stakes in round 2 (the review round of cycle 1): its lot activates in round 3.
    chain.stakeIn(task, "late", 100n * T);
    assert.equal(getNode(chain.state, task, accountOf("late"))?.lots[0]?.activationRound, 3);
    const trigger = openTriggerAgainst(world, "b");
    const memory = freshMemory();
    memory.work.set(2, workDone("late", 2));
    for (const name of NODES) memory.verdicts.set(verdictKey(1, accountOf(name)), "invalid");
    // Through the rest of round 2: no vote on the open trigger, no commit of cycle 2.
    const roundThree = chain.windows(task, 2).commit.closesAt;
    assert.ok(trigger.closesAt < roundThree);
    // Decisions for every slot of round 2 (decideFor at slot s decides for s + 1).
    assert.deepEqual([...sweep(world, "late", memory, roundThree - 1).keys()], []);
    // From round 3 it weighs: it works (and, holding those verdicts, may challenge cycle 1 late: §5.7).
    chain.advance();
    assert.deepEqual(about(decideFor(world, "late", memory), "work/", "commit/", "vote/"), [
      { type: "runTask", key: "work/3", cycle: 3 },
    ]);
  });

  it("a node that unstaked after committing neither reveals, works, commits, triggers nor votes", () => {
    const world = scenario();
    const { chain, task } = world;
    const windows = chain.windows(task, 1);
    const memory = freshMemory();
    memory.work.set(1, workDone("a", 1));
    memory.work.set(2, workDone("a", 2));
    chain.advanceTo(windows.commit.opensAt);
    for (const name of NODES) chain.commit(name, task, 1, proofOf(`${name}:1`));
    memory.done.add("work/1").add("commit/1");
    chain.ok("a", { kind: "unstake", task });
    // A reveal would be refused (NODE__NOT_STAKED, protocol.md §4.2) and only burn a nonce.
    const seen = sweep(world, "a", memory, windows.reveal.opensAt);
    for (const name of ["b", "c", "d"]) chain.reveal(name, task, 1, proofOf(`${name}:1`));
    const swept = [...seen.keys(), ...sweep(world, "a", memory, windows.proofTriggers.opensAt).keys()];
    // Cycle 1 goes on without a: b's proof is triggered; a, unbonding, has no weight to trigger or vote with.
    memory.verdicts.set(verdictKey(1, accountOf("b")), "invalid");
    memory.verdicts.set(verdictKey(1, accountOf("c")), "invalid");
    openTriggerAgainst(world, "b", "d");
    swept.push(...sweep(world, "a", memory, chain.windows(task, 2).commit.closesAt + 1).keys());
    assert.deepEqual(swept, []);
  });

  it("a node that unstaked after revealing neither triggers the proofs it found wrong nor votes", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    chain.ok("a", { kind: "unstake", task });
    const memory = freshMemory();
    for (const name of NODES) memory.verdicts.set(verdictKey(1, accountOf(name)), "invalid");
    const trigger = openTriggerAgainst(world, "b");
    const seen = sweep(world, "a", memory, trigger.closesAt + 1);
    assert.deepEqual(sweptKeys(seen, "trigger/", "vote/"), []);
  });

  it("a node slashed below the minimum stake stops working and committing, but may still vote", () => {
    // e (15 tokens) reveals a proof the others find wrong; they uphold a trigger and it loses half its stake.
    const world = scenario({}, { e: 15n * T });
    const { chain, task } = world;
    submit(world, 1, [...NODES, "e"]);
    const trigger = chain.triggerProof("a", task, 1, "e");
    for (const name of ["b", "c", "d"]) chain.vote(name, task, 1, trigger, "invalid");
    // e worked cycle 2 before the slash.
    const memory = freshMemory();
    memory.work.set(2, workDone("e", 2));
    memory.done.add("work/2");
    chain.advanceTo(chain.windows(task, 1).proofVotes.closesAt);
    const slashed = getNode(chain.state, task, accountOf("e"));
    assert.ok(slashed !== undefined && slashed.slashCount === 1);
    // Below the 10-token minimum now: no commit of cycle 2, no work in cycle 3.
    const cycle2 = chain.windows(task, 2);
    const swept = [...sweep(world, "e", memory, cycle2.commit.opensAt).keys()];
    for (const name of NODES) chain.commit(name, task, 2, proofOf(`${name}:2`));
    swept.push(...sweep(world, "e", memory, cycle2.reveal.opensAt + 1).keys());
    // (It audits the whole of cycle 1, whose vote went against its proof, protocol.md §5.7: allowed.)
    assert.deepEqual(
      swept.filter((key) => key.startsWith("work/") || key.startsWith("commit/")),
      [],
    );
    // It keeps weight, so it votes on a trigger it can judge (protocol.md §5.2, §5.3: any positive weight).
    for (const name of NODES) chain.reveal(name, task, 2, proofOf(`${name}:2`));
    chain.advanceTo(cycle2.proofTriggers.opensAt);
    const next = chain.triggerProof("a", task, 2, "b");
    memory.verdicts.set(verdictKey(2, accountOf("b")), "valid");
    assert.deepEqual(sends(decideFor(world, "e", memory), "vote"), [
      { kind: "vote", task, cycle: 2, trigger: next, choice: "valid" },
    ]);
  });
});

/** c triggers `target`'s cycle-1 proof at the trigger window's first slot; returns the trigger record. */
function openTriggerAgainst(world: Scenario, target: string, by = "c") {
  const { chain, task } = world;
  chain.advanceTo(Math.max(chain.slot, chain.windows(task, 1).proofTriggers.opensAt));
  const index = chain.triggerProof(by, task, 1, target);
  const trigger = listTriggers(chain.state, task, 1).find((record) => record.index === index);
  assert.ok(trigger !== undefined);
  return trigger;
}

describe("decide: audits and triggers (protocol.md §5.1, §5.2)", () => {
  it("fetches the proofs of its assignment once the seed is fixed, and only until the trigger window closes", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1, NODES, true);
    const windows = chain.windows(task, 1);
    assert.deepEqual(about(decideFor(world, "a"), "audit/"), [], "no seed yet, so no assignment");
    chain.advance();
    const assignment = getAuditAssignment(chain.state, task, 1, accountOf("a"));
    assert.equal(assignment.length, 3, "a checks the three other proofs (auditsPerNode 3)");
    const actions = about(decideFor(world, "a"), "audit/");
    assert.deepEqual(
      actions,
      assignment.map((target) => ({
        type: "auditProof",
        key: `audit/1/${target}`,
        cycle: 1,
        target,
        proofDigest: getReveal(chain.state, task, 1, target)?.proofDigest,
        url: `https://${chain.nameOf(target)}.test`,
        published: undefined,
      })),
    );
    // Each fetch is decided once, and a proof found valid needs nothing more.
    const memory = freshMemory();
    for (const action of actions) memory.done.add(action.key);
    assert.deepEqual(about(decideFor(world, "a", memory), "audit/"), []);
    const judged = freshMemory();
    for (const target of assignment) judged.verdicts.set(verdictKey(1, target), "valid");
    const seen = sweep(world, "a", judged, windows.proofVotes.closesAt + 1);
    assert.deepEqual(sweptKeys(seen, "audit/", "trigger/"), [], "valid proofs are never triggered");
    // A proof not yet fetched when the trigger window closed is no longer fetched.
    const late = scenario();
    submit(late, 1);
    late.chain.advanceTo(windows.proofTriggers.closesAt - 2);
    assert.equal(about(decideFor(late, "a"), "audit/").length, 3);
    late.chain.advance();
    assert.deepEqual(about(decideFor(late, "a"), "audit/"), []);
  });

  /** The first slot a node of `rank` among a target's auditors may trigger (decide.ts staggerAllows). */
  function staggeredFrom(opensAt: number, closesAt: number, rank: number): number {
    return opensAt + Math.min(2 + 2 * Math.max(rank, 0), closesAt - opensAt - 1);
  }

  for (const verdict of ["invalid", "unavailable"] as const) {
    it(`triggers a proof found ${verdict} with that verdict, once, inside the trigger window after its stagger`, () => {
      const world = scenario();
      const { chain, task } = world;
      submit(world, 1);
      const window = chain.windows(task, 1).proofTriggers;
      const [target] = getAuditAssignment(chain.state, task, 1, accountOf("a")) as [Account];
      const rank = getAuditorsOf(chain.state, task, 1, target).indexOf(accountOf("a"));
      assert.ok(rank >= 0);
      const from = staggeredFrom(window.opensAt, window.closesAt, rank);
      const memory = freshMemory();
      for (const other of getAuditAssignment(chain.state, task, 1, accountOf("a")))
        memory.verdicts.set(verdictKey(1, other), other === target ? verdict : "valid");
      const triggers = () => about(decideFor(world, "a", memory), "trigger/");
      chain.advanceTo(from - 2);
      assert.deepEqual(triggers(), [], "not before its stagger");
      chain.advance();
      const kind = verdict === "unavailable" ? "availability" : "proof";
      assert.deepEqual(triggers(), [
        {
          type: "send",
          key: `trigger/1/${kind}/${target}`,
          tx: {
            kind: "triggerAudit",
            task,
            cycle: 1,
            target,
            triggerKind: "proof",
            verdict,
            attempt: 0,
            reasonDigest: sha256Hex(`gradual/audit-reason/${verdict}`),
          },
        },
      ]);
      chain.advanceTo(window.closesAt - 2);
      assert.equal(triggers().length, 1, "the window's last slot");
      chain.advance();
      assert.deepEqual(triggers(), [], "the trigger window has closed");
      // Through the whole window with the memory updated: exactly once.
      const again = scenario();
      submit(again, 1);
      const swept = sweep(again, "a", copyMemory(memory), window.closesAt + 2);
      assert.deepEqual(sweptKeys(swept, "trigger/"), [[`trigger/1/${kind}/${target}`, [from]]]);
    });
  }

  it("does not open a second trigger against a proof already triggered, and votes on the open one instead", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    const [target] = getAuditAssignment(chain.state, task, 1, accountOf("a")) as [Account];
    const name = chain.nameOf(target);
    const triggerer = NODES.find((other) => other !== "a" && other !== name) as string;
    chain.advanceTo(chain.windows(task, 1).proofTriggers.opensAt);
    const index = chain.triggerProof(triggerer, task, 1, name);
    const memory = freshMemory();
    memory.verdicts.set(verdictKey(1, target), "invalid");
    for (const other of getAuditAssignment(chain.state, task, 1, accountOf("a")))
      if (other !== target) memory.verdicts.set(verdictKey(1, other), "valid");
    chain.advanceTo(chain.windows(task, 1).proofTriggers.closesAt - 2);
    assert.deepEqual(about(decideFor(world, "a", memory), "vote/", "trigger/"), [
      { type: "send", key: `vote/1/${index}`, tx: { kind: "vote", task, cycle: 1, trigger: index, choice: "invalid" } },
    ]);
  });

  it("does not trigger without the bond in its balance", () => {
    const world = scenario({ triggerBond: 950n * T });
    const { chain, task } = world;
    submit(world, 1);
    const memory = freshMemory();
    for (const other of getAuditAssignment(chain.state, task, 1, accountOf("a")))
      memory.verdicts.set(verdictKey(1, other), "invalid");
    // a holds 900 tokens after staking 100: less than the 950-token bond.
    const seen = sweep(world, "a", memory, chain.windows(task, 1).proofTriggers.closesAt);
    assert.deepEqual(sweptKeys(seen, "trigger/"), []);
  });
});

function copyMemory(memory: Memory): Memory {
  return {
    work: new Map(memory.work),
    verdicts: new Map(memory.verdicts),
    lists: new Map(memory.lists),
    done: new Set(memory.done),
  };
}

describe("decide: votes (protocol.md §5.3, §5.4)", () => {
  function triggered() {
    const world = scenario();
    submit(world, 1);
    const trigger = openTriggerAgainst(world, "b", "c");
    return { world, trigger };
  }

  it("checks a triggered proof it has no verdict on before voting, then votes its verdict once", () => {
    const { world, trigger } = triggered();
    const { chain, task } = world;
    const target = accountOf("b");
    const memory = freshMemory();
    // Verdicts on a's own assignment, so that only the trigger is left to act on.
    for (const other of getAuditAssignment(chain.state, task, 1, accountOf("a")))
      if (other !== target) memory.verdicts.set(verdictKey(1, other), "valid");
    const first = about(decideFor(world, "a", memory), "audit/", "vote/");
    assert.deepEqual(
      first.map((action) => [action.type, action.key]),
      [["auditProof", `audit/1/${target}`]],
      "no vote without a verdict of its own",
    );
    for (const choice of ["valid", "invalid"] as const) {
      const judged = copyMemory(memory);
      judged.verdicts.set(verdictKey(1, target), choice);
      judged.done.add(`audit/1/${target}`);
      assert.deepEqual(sends(decideFor(world, "a", judged), "vote"), [
        { kind: "vote", task, cycle: 1, trigger: trigger.index, choice },
      ]);
      judged.done.add(`vote/1/${trigger.index}`);
      assert.deepEqual(about(decideFor(world, "a", judged), "audit/", "vote/"), [], "never twice");
    }
    // Once its vote is on the ledger, a node that lost its memory of it does not vote again (no equivocation).
    chain.vote("a", task, 1, trigger.index, "valid");
    const forgetful = copyMemory(memory);
    forgetful.verdicts.set(verdictKey(1, target), "invalid");
    assert.deepEqual(sends(decideFor(world, "a", forgetful), "vote"), []);
  });

  it("votes only inside the trigger's vote window, and neither the target nor the triggerer votes", () => {
    const { world, trigger } = triggered();
    const { chain } = world;
    const verdictOnB = (name: string) => {
      const memory = freshMemory();
      for (const other of getAuditAssignment(chain.state, world.task, 1, accountOf(name)))
        memory.verdicts.set(verdictKey(1, other), "valid");
      memory.verdicts.set(verdictKey(1, accountOf("b")), "invalid");
      return memory;
    };
    assert.equal(sends(decideFor(world, "b", verdictOnB("b")), "vote").length, 0, "the target");
    assert.equal(sends(decideFor(world, "c", verdictOnB("c")), "vote").length, 0, "the triggerer");
    chain.advanceTo(trigger.closesAt - 2);
    assert.equal(sends(decideFor(world, "d", verdictOnB("d")), "vote").length, 1, "the vote window's last slot");
    chain.advance();
    assert.equal(sends(decideFor(world, "d", verdictOnB("d")), "vote").length, 0, "closed");
  });

  it("votes exactly once over the whole vote window", () => {
    const { world, trigger } = triggered();
    const memory = freshMemory();
    for (const other of getAuditAssignment(world.chain.state, world.task, 1, accountOf("d")))
      memory.verdicts.set(verdictKey(1, other), "valid");
    memory.verdicts.set(verdictKey(1, accountOf("b")), "invalid");
    assert.equal(world.chain.slot, trigger.slot);
    const seen = sweep(world, "d", memory, trigger.closesAt + 3);
    assert.deepEqual(sweptKeys(seen, "vote/", "trigger/"), [[`vote/1/${trigger.index}`, [trigger.slot + 1]]]);
  });

  it("a node that could not fetch the proof does not vote; it challenges the proof's availability", () => {
    const { world, trigger } = triggered();
    const memory = freshMemory();
    for (const other of getAuditAssignment(world.chain.state, world.task, 1, accountOf("a")))
      memory.verdicts.set(verdictKey(1, other), "valid");
    memory.verdicts.set(verdictKey(1, accountOf("b")), "unavailable");
    const actions = decideFor(world, "a", memory);
    assert.deepEqual(sends(actions, "vote"), []);
    assert.deepEqual(
      sends(actions, "triggerAudit").map((tx) => [tx.target, tx.verdict]),
      [[accountOf("b"), "unavailable"]],
    );
    assert.ok(trigger.resolution === null);
  });
});

describe("decide: one action per key in one call (regression)", () => {
  /**
   * A proof in the node's own assignment that another node triggered was reached by two rules in one call (its own
   * audit and the vote on the trigger): the runtime fetched it twice, and with a verdict of `unavailable` it sent
   * the same availability challenge twice under two nonces (the second refused AUDIT__ALREADY_TRIGGERED).
   */
  function triggeredInAssignment() {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    const assignment = getAuditAssignment(chain.state, task, 1, accountOf("a"));
    const target = assignment[0] as Account;
    const triggerer = NODES.find((name) => name !== "a" && accountOf(name) !== target) as string;
    const trigger = openTriggerAgainst(world, chain.nameOf(target), triggerer);
    return { world, assignment, target, trigger };
  }

  it("fetches a triggered proof of its own assignment once", () => {
    const { world, assignment, target } = triggeredInAssignment();
    const memory = freshMemory();
    for (const other of assignment) if (other !== target) memory.verdicts.set(verdictKey(1, other), "valid");
    const raw = about(decide(view(world, "a", memory)), "audit/");
    assert.deepEqual(keysOf(raw), [`audit/1/${target}`]);
  });

  it("challenges the availability of a triggered proof it could not fetch once, in one transaction", () => {
    const { world, assignment, target } = triggeredInAssignment();
    const { chain, task } = world;
    const memory = freshMemory();
    for (const other of assignment)
      memory.verdicts.set(verdictKey(1, other), other === target ? "unavailable" : "valid");
    // Every auditor's stagger has passed in the trigger window's last slot.
    chain.advanceTo(chain.windows(task, 1).proofTriggers.closesAt - 2);
    const raw = about(decide(view(world, "a", memory)), "trigger/", "vote/");
    assert.deepEqual(
      raw.map((action) =>
        action.type === "send" && action.tx.kind === "triggerAudit" ? action.tx.verdict : action.key,
      ),
      ["unavailable"],
    );
  });
});

describe("decide: answering an availability challenge (protocol.md §5.6)", () => {
  it("publishes its own payload once while the challenge is open, and only if it still has it", () => {
    const world = scenario();
    const { chain, task } = world;
    submit(world, 1);
    chain.advanceTo(chain.windows(task, 1).proofTriggers.opensAt);
    const index = chain.triggerAvailability("c", task, 1, "a");
    const challenge = listTriggers(chain.state, task, 1).find((record) => record.index === index);
    assert.ok(challenge !== undefined);
    const payload = Buffer.from("proof:a:1", "utf8").toString("hex");
    const holding = (digest: Hash) => (digest === proofOf("a:1") ? payload : undefined);
    const memory = freshMemory();
    for (const other of getAuditAssignment(chain.state, task, 1, accountOf("a")))
      memory.verdicts.set(verdictKey(1, other), "valid");
    const publish = (at: NodeMemory, payloadOf = holding) =>
      about(decide(view(world, "a", at, QUIET, payloadOf)), "publish/");
    assert.deepEqual(publish(memory), [
      {
        type: "send",
        key: `publish/1/${index}`,
        tx: { kind: "publishProof", task, cycle: 1, trigger: index, payload },
      },
    ]);
    assert.deepEqual(
      publish(memory, () => undefined),
      [],
      "nothing to publish without the payload",
    );
    assert.deepEqual(publish({ ...copyMemory(memory), done: new Set([`publish/1/${index}`]) }), []);
    chain.advanceTo(challenge.closesAt - 1);
    assert.deepEqual(publish(memory), [], "the challenge has closed");
  });
});

/**
 * Hand-checked weighted list (protocol.md §6.2): a bounty of 1,000 base units, valid submitters with weights
 * 100, 200 and 400 tokens (W = 700): ⌊1000·100/700⌋ = 142, ⌊1000·200/700⌋ = 285, ⌊1000·400/700⌋ = 571 (998 paid,
 * 2 back to the escrow). A fourth node's proof upheld invalid is out of W and of the list.
 */
/** A custom-rule task whose cycle 1 paid by a list of 25 tokens to each node, in the slot after its acceptance. */
function acceptedList(): { world: Scenario; entries: DistributionEntry[] } {
  const world = scenario({ distributionRule: "custom" });
  const { chain, task } = world;
  submit(world, 1);
  const windows = chain.windows(task, 1);
  chain.advanceTo(windows.distribution.opensAt);
  const entries = NODES.map((name) => ({ recipient: accountOf(name), amount: 25n * T })).sort((l, r) =>
    l.recipient < r.recipient ? -1 : 1,
  );
  chain.submitList(chain.distributorOf(task, 1) as string, task, 1, 0, entries);
  chain.advanceTo(windows.distributionVotes.closesAt + 1);
  return { world, entries };
}

describe("decide: distribution (protocol.md §6)", () => {
  function weightedCycle(params: Partial<TaskParams> = {}) {
    const balances: Record<string, bigint> = { creator: 100_000n * T };
    for (const name of ["p", "q", "r", "g"]) balances[name] = 1_000n * T;
    const chain = new TestChain(balances);
    const task = chain.createTask("creator", { rampRounds: 0, bountyPerRound: 1_000n, ...params }, 10_000n);
    chain.advance();
    const stakes = { p: 100n, q: 200n, r: 400n, g: 100n };
    for (const [name, amount] of Object.entries(stakes)) chain.stakeIn(task, name, amount * T);
    const world = { chain, task };
    submit(world, 1, ["p", "q", "r", "g"]);
    chain.advanceTo(chain.windows(task, 1).proofTriggers.opensAt);
    const trigger = chain.triggerProof("r", task, 1, "g");
    for (const name of ["p", "q"]) chain.vote(name, task, 1, trigger, "invalid");
    chain.advanceTo(chain.windows(task, 1).proofVotes.closesAt);
    assert.equal(getReveal(chain.state, task, 1, accountOf("g"))?.status, "invalid");
    return world;
  }

  const HAND_CHECKED: Record<string, bigint> = { p: 142n, q: 285n, r: 571n };

  it("under a ledger-computed rule nobody posts a list: the cycle pays itself the hand-checked amounts", () => {
    const world = weightedCycle();
    const { chain, task } = world;
    chain.advanceTo(chain.windows(task, 1).distribution.opensAt);
    assert.equal(getCycle(chain.state, task, 1)?.outcome, "paid");
    assert.equal(getCycle(chain.state, task, 1)?.distributor, null, "nobody was drawn");
    const window = chain.windows(task, 1).distribution;
    const listActions = (name: string) => about(decideFor(world, name), "distribution/", "list/");
    while (chain.slot < window.closesAt) {
      for (const name of ["p", "q", "r", "g"]) assert.deepEqual(listActions(name), [], `${name} posts nothing`);
      chain.advance();
    }
    // What the rule paid: the vesting records less the bonds and whistleblower shares credited beside it (§5.5).
    const paid = (name: string) => chain.vesting(task, name) - chain.credited(task, name);
    for (const [name, amount] of Object.entries(HAND_CHECKED)) assert.equal(paid(name), amount, name);
    assert.equal(paid("g"), 0n);
    assert.equal(getDistribution(chain.state, task, 1, 0), undefined, "no list at all");
  });

  it("under a custom rule a node computes its list in the round before the attempt, once the proof votes are over", () => {
    const world = weightedCycle({ distributionRule: "custom" });
    const { chain, task } = world;
    const window = chain.windows(task, 1).distribution;
    assert.ok(chain.slot + 1 < window.opensAt, "the round before the attempt's");
    // Ready before the window opens: over a chain a node sees each slot late, and the window is a few slots.
    for (const name of ["p", "q", "r"]) {
      assert.deepEqual(
        about(decideFor(world, name), "list/"),
        [{ type: "computeList", key: "list/1/0", cycle: 1, attempt: 0 }],
        name,
      );
    }
    assert.deepEqual(about(decideFor(world, "g"), "list/"), [], "an invalid proof may not post");
  });

  it("under a custom rule a window without a list fails the attempt; the next runs in the next round, none after the last", () => {
    const world = weightedCycle({ allowedFailedDistributions: 1, distributionRule: "custom" });
    const { chain, task } = world;
    const first = chain.windows(task, 1).distribution;
    chain.advanceTo(first.closesAt + 1);
    const failed = getCycle(chain.state, task, 1);
    assert.deepEqual([failed?.attempt, failed?.failedDistributors], [1, []], "nobody was drawn, so nobody failed");
    assert.equal(getDistribution(chain.state, task, 1, 0), undefined, "no list at all");
    const second = chain.windows(task, 1).distribution;
    assert.equal(second.opensAt, first.opensAt + 20);
    chain.advanceTo(second.opensAt - 1);
    // Every node with a valid proof computes its list for attempt 1, to post it if it wins the race (§6.1).
    for (const name of ["p", "q", "r"]) {
      assert.deepEqual(
        about(decideFor(world, name), "list/"),
        [{ type: "computeList", key: "list/1/1", cycle: 1, attempt: 1 }],
        name,
      );
    }
    assert.deepEqual(about(decideFor(world, "g"), "list/"), [], "an invalid proof may not post");
    chain.advanceTo(second.closesAt);
    assert.equal(getCycle(chain.state, task, 1)?.outcome, "distribution-failed");
  });

  it("under a custom rule the race's winner posts its list's root in one transaction; a node that lost never posts", () => {
    const world = scenario({ distributionRule: "custom" });
    const { chain, task } = world;
    submit(world, 1);
    const window = chain.windows(task, 1).distribution;
    chain.advanceTo(window.opensAt - 1);
    const winner = chain.distributorOf(task, 1) as string;
    const entries = NODES.map((name) => ({ recipient: accountOf(name), amount: 25n * T })).sort((l, r) =>
      l.recipient < r.recipient ? -1 : 1,
    );
    const memoryOf = () => {
      const memory = freshMemory();
      memory.lists.set(listKey(1, 0), { entries, root: listRoot(entries) });
      memory.done.add("list/1/0");
      return memory;
    };
    assert.deepEqual(about(decideFor(world, winner), "distribution/", "list/"), [
      { type: "computeList", key: "list/1/0", cycle: 1, attempt: 0 },
    ]);
    // The winner posts at the latest in the window's last slot (earlier when its score is under the slot's bar).
    let posted: Extract<TransactionBody, { kind: "submitDistribution" }>[] = [];
    while (posted.length === 0 && chain.slot < window.closesAt - 1) {
      posted = sends(decideFor(world, winner, memoryOf()), "submitDistribution");
      if (posted.length === 0) chain.advance();
    }
    assert.deepEqual(posted, [
      {
        kind: "submitDistribution",
        task,
        cycle: 1,
        attempt: 0,
        listRoot: listRoot(entries),
        listBlob: listBlobHash(entries),
        total: 100n * T,
        entryCount: 4,
      },
    ]);
    chain.advance();
    chain.ok(winner, posted[0] as NonNullable<(typeof posted)[0]>);
    // Nobody can beat the winner: no other node posts, in any slot of the window.
    while (chain.slot < window.closesAt - 1) {
      for (const name of NODES) assert.deepEqual(sends(decideFor(world, name, memoryOf()), "submitDistribution"), []);
      chain.advance();
    }
  });

  it("under a custom rule another node contests a list that differs from its own, and votes on a contested one", () => {
    const world = scenario({ distributionRule: "custom" });
    const { chain, task } = world;
    submit(world, 1);
    chain.advanceTo(chain.windows(task, 1).distribution.opensAt);
    const distributor = chain.distributorOf(task, 1) as string;
    // The distributor pays itself everything.
    const greedy = [{ recipient: accountOf(distributor), amount: 100n * T }];
    chain.submitList(distributor, task, 1, 0, greedy);
    const fair = NODES.map((name) => ({ recipient: accountOf(name), amount: 25n * T })).sort((l, r) =>
      l.recipient < r.recipient ? -1 : 1,
    );
    const [auditor, voter] = NODES.filter((name) => name !== distributor) as [string, string];
    const memoryOf = (list: DistributionEntry[]) => {
      const memory = freshMemory();
      memory.lists.set(listKey(1, 0), { entries: list, root: listRoot(list) });
      return memory;
    };
    assert.deepEqual(about(decideFor(world, auditor), "list/", "trigger/"), [
      { type: "computeList", key: "list/1/0", cycle: 1, attempt: 0 },
    ]);
    const window = chain.windows(task, 1).distributionTriggers;
    const contest = (memory: Memory) => about(decideFor(world, auditor, memory), "trigger/");
    // Before the list trigger window, nothing is contested; in its last slot, every auditor's stagger has passed.
    chain.advanceTo(window.opensAt - 2);
    assert.deepEqual(contest(memoryOf(fair)), []);
    chain.advanceTo(window.closesAt - 2);
    assert.deepEqual(contest(memoryOf(greedy)), [], "a list equal to its own is never contested");
    assert.deepEqual(contest(memoryOf(fair)), [
      {
        type: "send",
        key: "trigger/1/distribution/0",
        tx: {
          kind: "triggerAudit",
          task,
          cycle: 1,
          target: accountOf(distributor),
          triggerKind: "distribution",
          verdict: "invalid",
          attempt: 0,
          reasonDigest: listRoot(fair),
        },
      },
    ]);
    assert.deepEqual(contest({ ...memoryOf(fair), done: new Set(["trigger/1/distribution/0"]) }), [], "once");
    chain.advance();
    chain.ok(auditor, {
      kind: "triggerAudit",
      task,
      cycle: 1,
      target: accountOf(distributor),
      triggerKind: "distribution",
      verdict: "invalid",
      attempt: 0,
      reasonDigest: listRoot(fair),
    });
    // A third node votes on the trigger by its own list: invalid when it disagrees, valid when it agrees.
    assert.deepEqual(
      sends(decideFor(world, voter, memoryOf(fair)), "vote").map((tx) => tx.choice),
      ["invalid"],
    );
    assert.deepEqual(
      sends(decideFor(world, voter, memoryOf(greedy)), "vote").map((tx) => tx.choice),
      ["valid"],
    );
    assert.deepEqual(sends(decideFor(world, distributor, memoryOf(greedy)), "vote"), [], "the target does not vote");
  });

  it("under a custom rule each node claims its entry of an accepted list, proving it from its own or the posted list", () => {
    const { world, entries } = acceptedList();
    const { chain, task } = world;
    assert.equal(getCycle(chain.state, task, 1)?.outcome, "paid");
    const name = NODES[1];
    const accepted = freshMemory();
    accepted.lists.set(listKey(1, 0), { entries, root: listRoot(entries) });
    // The list was accepted as round 3's commit window opened: the claim waits for round 4's quiet slots (§7.1).
    assert.deepEqual(sends(decideFor(world, name, accepted), "claimDistribution"), [], "waits in the commit window");
    chain.advanceToRound(task, 4, QUIET_FROM - 1);
    const index = entries.findIndex((entry) => entry.recipient === accountOf(name));
    const claim = {
      kind: "claimDistribution",
      task,
      cycle: 1,
      recipient: accountOf(name),
      amount: 25n * T,
      index,
      proof: listProof(entries, index),
    };
    const own = freshMemory();
    own.lists.set(listKey(1, 0), { entries, root: listRoot(entries) });
    assert.deepEqual(sends(decideFor(world, name, own), "claimDistribution"), [claim]);
    // A node whose own list differs fetches the accepted one from its blob, then proves from it.
    const other = freshMemory();
    const mine = entries.map((entry) => ({ ...entry, amount: 1n }));
    other.lists.set(listKey(1, 0), { entries: mine, root: listRoot(mine) });
    assert.deepEqual(about(decideFor(world, name, other), "fetchList/", "claimList/"), [
      { type: "fetchList", key: "fetchList/1/0", cycle: 1, attempt: 0 },
    ]);
    other.lists.set(postedListKey(1, 0), { entries, root: listRoot(entries) });
    assert.deepEqual(sends(decideFor(world, name, other), "claimDistribution"), [claim]);
    chain.ok(name, claim as TransactionBody);
    assert.deepEqual(sends(decideFor(world, name, freshMemory()), "claimDistribution"), [], "claimed once");
    assert.deepEqual(about(decideFor(world, name, freshMemory()), "fetchList/"), [], "nothing left to fetch");
  });

  it("listSubmitters gives a custom distribution the valid submitters, sorted by account, with their weight", () => {
    const world = weightedCycle();
    const { chain, task } = world;
    const round = (getCycle(chain.state, task, 1)?.attemptRound ?? 0) as number;
    const submitters = listSubmitters(chain.state, task, 1, round);
    const expected = ["p", "q", "r"]
      .map((name) => ({
        account: accountOf(name),
        weight: ({ p: 100n, q: 200n, r: 400n } as Record<string, bigint>)[name] as bigint,
        proofDigest: proofOf(`${name}:1`),
      }))
      .sort((left, right) => (left.account < right.account ? -1 : 1));
    // g's upheld trigger slashed it, and its proof is no longer valid: it is not a submitter.
    assert.deepEqual(
      submitters.map((entry) => ({ ...entry, weight: entry.weight / T })),
      expected,
    );
    assert.deepEqual(listSubmitters(chain.state, sha256Hex("no such task"), 1, round), []);
  });
});

describe("decide: claims (protocol.md §7.1)", () => {
  it("with auto-claim, claims what unlocked at most once per round; never without it", () => {
    const world = scenario({ vestingRounds: 2 });
    const { chain, task } = world;
    submit(world, 1);
    chain.advanceTo(chain.windows(task, 1).distribution.opensAt);
    const auto = { autoClaim: true, chunkEntries: 1_000 };
    assert.equal(getCycle(chain.state, task, 1)?.outcome, "paid");
    // Paid by the rule as round 3 started: nothing unlocked before round 4.
    assert.deepEqual(sends(decideFor(world, "a", freshMemory(), auto), "claim"), []);
    chain.advanceToRound(task, 4, QUIET_FROM - 1);
    const memory = freshMemory();
    const claims = decideFor(world, "a", memory, auto).filter((action) => action.key.startsWith("claim/"));
    assert.deepEqual(claims, [{ type: "send", key: "claim/4", tx: { kind: "claim", task } }]);
    memory.done.add("claim/4");
    assert.deepEqual(sends(decideFor(world, "a", memory, auto), "claim"), [], "once per round");
    assert.deepEqual(sends(decideFor(world, "a", freshMemory(), QUIET), "claim"), [], "auto-claim off");
  });

  it("with claimEveryRounds, claims only in rounds that are its multiples", () => {
    const world = scenario({ vestingRounds: 4 });
    const { chain, task } = world;
    submit(world, 1);
    const every3 = { autoClaim: true, chunkEntries: 1_000, claimEveryRounds: 3 };
    const claimed: number[] = [];
    for (const round of [4, 5, 6, 7]) {
      chain.advanceToRound(task, round, QUIET_FROM - 1);
      if (sends(decideFor(world, "a", freshMemory(), every3), "claim").length > 0) claimed.push(round);
      // Every round has something unlocked: the default claims in each.
      const auto = { autoClaim: true, chunkEntries: 1_000 };
      assert.equal(sends(decideFor(world, "a", freshMemory(), auto), "claim").length, 1, `round ${round}`);
    }
    assert.deepEqual(claimed, [6]);
  });

  /** The offsets in a round (of the slot decided for) where a node with something unlocked claims. */
  function claimOffsets(params: Partial<TaskParams>, round: number): number[] {
    const world = scenario({ vestingRounds: 4, ...params });
    const { chain, task } = world;
    submit(world, 1);
    const roundSlots = getTask(chain.state, task)?.params.roundSlots as number;
    const offsets: number[] = [];
    for (let offset = 0; offset < roundSlots; offset += 1) {
      // decide() at the state of slot s decides for slot s + 1.
      chain.advanceToRound(task, round, offset);
      const auto = { autoClaim: true, chunkEntries: 1_000 };
      if (sends(decideFor(world, "a", freshMemory(), auto), "claim").length > 0)
        offsets.push((offset + 1) % roundSlots);
    }
    return offsets.sort((left, right) => left - right);
  }

  it("claims only in a round's quiet slots: after the reveal window and a slot of margin, before the commit window", () => {
    // Devnet timing: reveals in slots 0-3, commits in 15-19, so claims in 5-14 (protocol.md §7.1).
    assert.deepEqual(claimOffsets({}, 5), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // Paired reveals (§2.2): the reveals are in the commit window, so the quiet part starts at the second slot.
    assert.deepEqual(claimOffsets({ revealSlots: 0 }, 6), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // A round whose reveal and commit windows leave no quiet slot: claims in any slot.
    const crowded = {
      roundSlots: 12,
      commitSlots: 6,
      revealSlots: 5,
      auditSlots: 4,
      voteSlots: 3,
      distributionSlots: 3,
      distributionAuditSlots: 4,
    };
    assert.deepEqual(
      claimOffsets(crowded, 5),
      Array.from({ length: 12 }, (_, offset) => offset),
    );
  });

  it("a list entry's claim waits for a quiet slot only while one comes before its claim window closes (§6.4)", () => {
    const { world, entries } = acceptedList();
    const { chain, task } = world;
    const completed = getCycle(chain.state, task, 1)?.completedRound as number;
    const record = getTask(chain.state, task);
    assert.ok(record !== undefined);
    const memory = () => {
      const fresh = freshMemory();
      fresh.lists.set(listKey(1, 0), { entries, root: listRoot(entries) });
      return fresh;
    };
    const claims = () => sends(decideFor(world, "b", memory()), "claimDistribution").length;
    // The window's last round: in its reveal window a quiet slot still comes before the close, in its commit window
    // none does, so the claim goes at once.
    const lastRound = completed + LIMITS.listClaimRounds - 1;
    assert.equal(listClaimClosesAt(record, completed), roundStart(record, lastRound + 1));
    chain.advanceToRound(task, lastRound, 0);
    assert.equal(claims(), 0, "waits: the round's quiet slots are ahead");
    chain.advanceToRound(task, lastRound, QUIET_FROM - 1);
    assert.equal(claims(), 1, "claims in the quiet slot");
    chain.advanceToRound(task, lastRound, 15);
    assert.equal(claims(), 1, "claims in the commit window: no quiet slot is left before the close");
  });
});

describe("decide: a closed task (protocol.md §8.3)", () => {
  it("still claims what keeps vesting after the task closed, and nothing else", () => {
    const world = scenario({ vestingRounds: 4 });
    const { chain, task } = world;
    submit(world, 1);
    chain.ok("creator", { kind: "closeTask", task } as TransactionBody);
    chain.advanceToRound(task, 6, 1);
    assert.equal(getTask(chain.state, task)?.status, "closed");
    const auto = { autoClaim: true, chunkEntries: 1_000 };
    const actions = decideFor(world, "a", freshMemory(), auto);
    assert.deepEqual(
      actions.map((action) => action.key),
      ["claim/6"],
      "only the claim of what unlocked: no work, no audit",
    );
  });
});

describe("decide: determinism", () => {
  /** Two chains built by the same steps are equal states in distinct objects (no shared caches). */
  function build() {
    const world = scenario();
    submit(world, 1);
    openTriggerAgainst(world, "b", "c");
    return world;
  }

  it("the same state and memory give the same actions, and deciding changes neither", () => {
    const left = build();
    const right = build();
    const memory = () => {
      const built = freshMemory();
      built.work.set(2, workDone("a", 2));
      built.verdicts.set(verdictKey(1, accountOf("b")), "invalid");
      built.verdicts.set(verdictKey(1, accountOf("d")), "unavailable");
      return built;
    };
    for (let step = 0; step < 30; step += 1) {
      for (const name of NODES) {
        const mine = memory();
        const before = JSON.stringify([...mine.verdicts, ...mine.work, ...mine.done]);
        const once = decideFor(left, name, mine);
        assert.deepEqual(decideFor(left, name, mine), once, "again on the same objects");
        assert.deepEqual(decideFor(right, name, memory()), once, "on an equal state built separately");
        assert.equal(JSON.stringify([...mine.verdicts, ...mine.work, ...mine.done]), before, "memory unchanged");
      }
      left.chain.advance();
      right.chain.advance();
    }
  });
});
