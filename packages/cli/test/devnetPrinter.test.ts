import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOKEN } from "@gradual/protocol";
import type { BlockEventData, WireEvent } from "@gradual/wire";
import { createEventPrinter } from "../src/commands/devnetPrinter.ts";

/** The devnet's story of a block: grouped where it repeats per node, one shared description per other event. */

const TASK = "7a".repeat(32);
const OTHER_TASK = "7b".repeat(32);
const node = (index: number) => String(index).repeat(64);
const labels = new Map(
  [1, 2, 3, 4, 5, 6].map((index) => [node(index), index === 6 ? "node-6 (cheater)" : `node-${index}`]),
);
const tokens = (count: bigint) => (count * TOKEN).toString();
const HEADER = { prevHash: node(0), txsRoot: node(0), stateRoot: node(0), hash: node(0), txCount: 0, producedAtMs: 0 };

function printer(quiet = false, revealSlots = 4) {
  const lines: string[] = [];
  const print = createEventPrinter({
    task: { startSlot: 3, params: { roundSlots: 20, revealSlots, allowedFailedDistributions: 2, vestingRounds: 1 } },
    taskId: TASK,
    labels,
    quiet,
    write: (line) => lines.push(line),
  });
  const block = (slot: number, events: WireEvent[], txs: BlockEventData["txs"] = []) =>
    print.block({
      header: { ...HEADER, number: slot, slot },
      txs,
      events: events.map((event) => ({ tx: null, event })),
    });
  return { lines, block };
}

describe("the devnet printer", () => {
  it("points at the nodes' logs when a cycle's reveals close with no proof", () => {
    const { lines, block } = printer();
    block(10, [
      { type: "Staked", task: OTHER_TASK, node: node(2), amount: tokens(100n), activationRound: 0 },
      { type: "Staked", task: TASK, node: node(1), amount: tokens(100n), activationRound: 1 },
    ]);
    block(20, [{ type: "SeedFixed", task: TASK, cycle: 0, seed: "d".repeat(64), revealCount: 0 }]);
    block(40, [{ type: "SeedFixed", task: TASK, cycle: 1, seed: "e".repeat(64), revealCount: 0 }]);
    block(60, [{ type: "SeedFixed", task: TASK, cycle: 2, seed: "f".repeat(64), revealCount: 3 }]);
    const told = lines.filter((line) => line.includes("reveals closed with"));
    assert.equal(told.length, 3);
    // Cycle 0 worked before any stake of this task was active (another task's stake does not count): no failure.
    assert.match(
      told[0] ?? "",
      /0 proofs.*\(no node was active in round 0 yet: stake counts once its warm-up is over, here from round 1\)$/,
    );
    assert.match(
      told[1] ?? "",
      /0 proofs.*\(no node submitted: the task's errors are in the nodes' logs, DATA\/node-N\.log\)$/,
    );
    assert.doesNotMatch(told[2] ?? "", /no node submitted|no node was active/);
  });

  it("says no node was active yet when nothing staked before a cycle closed empty", () => {
    const { lines, block } = printer(false);
    block(20, [{ type: "SeedFixed", task: TASK, cycle: 0, seed: "d".repeat(64), revealCount: 0 }]);
    assert.match(
      lines.find((line) => line.includes("reveals closed with")) ?? "",
      /no node was active in round 0 yet: stake counts once its warm-up is over\)$/,
    );
  });

  it("heads each round, counts commits and votes, and tells the rest in the shared words", () => {
    const { lines, block } = printer();
    assert.equal(block(2, []), undefined, "before the task starts: nothing");
    assert.equal(
      block(83, [
        ...[1, 2, 3].map((index): WireEvent => ({ type: "Committed", task: TASK, cycle: 4, node: node(index) })),
        {
          type: "DistributionSubmitted",
          task: TASK,
          cycle: 2,
          attempt: 0,
          distributor: node(4),
          replaced: null,
          entries: 6,
          total: tokens(100n),
          listRoot: "c".repeat(64),
          listBlob: "d".repeat(64),
        },
        { type: "Committed", task: OTHER_TASK, cycle: 4, node: node(5) },
      ]),
      4,
    );
    block(98, [
      {
        type: "TriggerResolved",
        task: TASK,
        cycle: 3,
        trigger: 0,
        kind: "proof",
        target: node(6),
        triggerer: node(1),
        resolution: "upheld",
        validWeight: "0",
        invalidWeight: tokens(500n),
        unavailableWeight: "0",
        activeWeight: tokens(500n),
      },
      {
        type: "Slashed",
        task: TASK,
        cycle: 3,
        trigger: 0,
        node: node(6),
        fromStake: tokens(50n),
        fromVesting: "8333333333",
        toWhistleblower: "5833333333",
        burned: "52500000000",
      },
      ...[2, 3].map(
        (index): WireEvent => ({
          type: "Voted",
          task: TASK,
          cycle: 3,
          trigger: 0,
          voter: node(index),
          choice: "invalid",
          weight: tokens(100n),
        }),
      ),
      {
        type: "DistributionAccepted",
        task: TASK,
        cycle: 2,
        attempt: 0,
        distributor: node(4),
        total: tokens(100n),
        entries: 6,
        listRoot: "c".repeat(64),
      },
      { type: "Vested", task: TASK, cycle: 2, node: node(1), amount: tokens(16n), endRound: 9 },
    ]);
    assert.deepEqual(lines, [
      "\n── round 4 · slots 83–102 · cycle 4 working · cycle 3 in review · cycle 2 distributing",
      "  slot    83  cycle 4: 3 commits (proof hashes only: nobody can copy a proof yet)",
      "  slot    83  cycle 2: list posted: node-4 posted a list of 6 entries paying 100 (attempt 0); the others recompute and compare its root",
      "  slot    98  cycle 3: ✘ audit upheld: #0 against node-6 (cheater): invalid 500, valid 0 of 500 active weight",
      "  slot    98  cycle 2: ✔ list accepted: 100 to 6 nodes; each claims its entry into vesting (unlocks slowly)",
      "  slot    98  cycle 3: votes on audit #0: 2 invalid",
      "  slot    98  cycle 3: ✘ slashed: node-6 (cheater) lost 50 of stake and 8.333333333 of locked rewards; 5.833333333 to the whistleblower, 52.5 burned",
    ]);
  });

  it("names the round a withdraw can succeed from: the later of the unbonding end and the last reveal's late challenges", () => {
    const { lines, block } = printer();
    block(110, [{ type: "Revealed", task: TASK, cycle: 5, node: node(1), proofDigest: "a".repeat(64), index: 0 }]);
    block(115, [
      { type: "Unstaked", task: TASK, node: node(1), amount: tokens(100n), untilRound: 8 },
      { type: "Unstaked", task: TASK, node: node(2), amount: tokens(100n), untilRound: 8 },
    ]);
    const told = lines.filter((line) => line.includes("unbonding"));
    // Cycle 5's first attempt is in round 7; with 2 failed attempts allowed and 1 vesting round, it can be challenged
    // until round 11 (the rule withdraw checks), later than unbonding's end at round 8.
    assert.match(
      told[0] ?? "",
      /node-1 started unbonding 100, unbonded from round 8; withdrawable from round 11 \(the late-challenge window of cycle 5 holds it\)$/,
    );
    assert.match(told[1] ?? "", /node-2 started unbonding 100, unbonded from round 8; withdrawable from round 8$/);
  });

  it("says 1 commit, 1 reveal and 1 proof in the singular", () => {
    const { lines, block } = printer();
    block(83, [{ type: "Committed", task: TASK, cycle: 4, node: node(1) }]);
    block(84, [
      { type: "Revealed", task: TASK, cycle: 3, node: node(1), proofDigest: "a".repeat(64), index: 0 },
      { type: "SeedFixed", task: TASK, cycle: 3, seed: "d".repeat(64), revealCount: 1 },
    ]);
    assert.match(lines.find((line) => line.includes("cycle 4:")) ?? "", /cycle 4: 1 commit \(proof hashes only/);
    assert.match(
      lines.find((line) => line.includes("proofs now served")) ?? "",
      /cycle 3: 1 reveal \(proofs now served/,
    );
    assert.match(lines.find((line) => line.includes("reveals closed")) ?? "", /reveals closed with 1 proof; seed/);
  });

  it("names each cycle's period by the task's lag when reveals are paired (protocol.md §2.2)", () => {
    const { lines, block } = printer(true, 0);
    block(80, [{ type: "Committed", task: TASK, cycle: 3, node: node(1) }]);
    block(83, [{ type: "Committed", task: TASK, cycle: 4, node: node(1) }]);
    // Cycle 2 had no commit: nothing of it reveals in round 3.
    assert.deepEqual(lines, [
      "\n── round 3 · slots 63–82 · cycle 3 working · cycle 1 in review · cycle 0 distributing",
      "\n── round 4 · slots 83–102 · cycle 4 working · cycle 3 revealing with the commits · cycle 2 in review · cycle 1 distributing",
    ]);
  });

  it("says once at start how paired reveals shift the periods, and nothing when reveals are not paired", () => {
    const paired: string[] = [];
    const unpaired: string[] = [];
    for (const [revealSlots, lines] of [
      [0, paired],
      [4, unpaired],
    ] as const) {
      createEventPrinter({
        task: {
          startSlot: 3,
          params: { roundSlots: 20, revealSlots, allowedFailedDistributions: 2, vestingRounds: 1 },
        },
        taskId: TASK,
        labels,
        quiet: false,
        write: (line) => lines.push(line),
      }).start();
    }
    assert.deepEqual(paired, [
      "paired reveals: a node's reveal of cycle c goes in one transaction with its commit of c + 1; review and pay come a round later",
    ]);
    assert.deepEqual(unpaired, []);
  });

  it("with --quiet, keeps the round headers and what needs the operator", () => {
    const { lines, block } = printer(true);
    block(23, [
      { type: "Committed", task: TASK, cycle: 1, node: node(1) },
      { type: "TaskPaused", task: TASK, round: 1, escrow: tokens(50n) },
    ]);
    assert.deepEqual(lines, [
      "\n── round 1 · slots 23–42 · cycle 1 working · cycle 0 in review",
      `  slot    23  task paused: the escrow (50) cannot cover a round's bounty; fund the task to resume (gradual task fund ${TASK} --amount N --key KEY)`,
    ]);
  });

  it("says which transactions were refused, with a hint for the usual one", () => {
    const { lines, block } = printer();
    block(
      30,
      [],
      [
        {
          hash: node(9),
          kind: "commit",
          from: node(2),
          result: { ok: false, code: "NODE__NOT_ACTIVE", message: "", context: {} },
        },
      ],
    );
    assert.match(lines.at(-1) ?? "", /node-2: commit refused \(NODE__NOT_ACTIVE\): no active stake this round/);
  });
});
