/** Gradual trust (protocol.md §3): lot weights, the ramp aggregate, folding, and the aggregate against the nodes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEVNET_PARAMS,
  foldRamp,
  getActiveWeight,
  getNodeView,
  listNodeAccounts,
  lotWeight,
  type NodeRecord,
  nodeActiveStake,
  nodeStake,
  nodeWeight,
  type RampAggregate,
  type StakeLot,
  type TaskParams,
  TOKEN,
  totalWeight,
} from "../src/index.ts";
import { addToRamp, foldNodeLots, removeFromRamp } from "../src/weight.ts";
import { TestChain } from "./harness.ts";

const paramsWith = (rampRounds: number): TaskParams => ({ ...DEVNET_PARAMS, rampRounds });

const EMPTY_RAMP: RampAggregate = { fullStake: 0n, foldedThrough: -(2 ** 31), buckets: [] };

function nodeWithLots(lots: readonly StakeLot[]): NodeRecord {
  return {
    task: "0".repeat(64),
    account: "1".repeat(64),
    index: 0,
    url: "https://node.test",
    lots,
    rampedStake: 0n,
    unbonding: 0n,
    unbondingUntilRound: 0,
    slashedTotal: 0n,
    slashCount: 0,
    missedDuties: 0,
    losingVotes: 0,
    equivocations: 0,
    lastRevealCycle: -1,
  };
}

const lotArb = fc.record({ amount: fc.bigInt({ min: 1n, max: 10n ** 12n }), activationRound: fc.nat(20) });
const nodesArb = fc.array(fc.array(lotArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });

describe("lot weight", () => {
  it("is zero before activation, ramps linearly (floored) and then weighs in full", () => {
    const lot = { amount: 300n, activationRound: 5 };
    assert.deepEqual(
      [4, 5, 6, 7, 8, 100].map((round) => lotWeight(lot, round, 3)),
      [0n, 100n, 200n, 300n, 300n, 300n],
    );
    assert.deepEqual(
      [4, 5].map((round) => lotWeight(lot, round, 0)),
      [0n, 300n],
      "rampRounds 0: full weight once active",
    );
    assert.deepEqual(
      [4, 5].map((round) => lotWeight(lot, round, 1)),
      [0n, 300n],
    );
    assert.equal(lotWeight({ amount: 10n, activationRound: 0 }, 0, 3), 3n, "floored");
  });

  it("nodeWeight is the ramped stake plus each lot's weight; nodeActiveStake ignores the ramp", () => {
    const node = {
      ...nodeWithLots([
        { amount: 90n, activationRound: 2 },
        { amount: 60n, activationRound: 4 },
      ]),
      rampedStake: 7n,
    };
    assert.equal(nodeStake(node), 157n);
    assert.equal(nodeWeight(node, 3, paramsWith(3)), 7n + 60n);
    assert.equal(nodeActiveStake(node, 3), 7n + 90n);
    assert.equal(nodeActiveStake(node, 4), 157n);
  });
});

describe("ramp aggregate", () => {
  it("totals at least the sum of node weights and less than that plus one unit per lot", () => {
    fc.assert(
      fc.property(nodesArb, fc.nat(5), fc.nat(30), (nodes, rampRounds, round) => {
        let ramp = EMPTY_RAMP;
        for (const lots of nodes) for (const lot of lots) ramp = addToRamp(ramp, lot);
        const sum = nodes.reduce(
          (total, lots) => total + nodeWeight(nodeWithLots(lots), round, paramsWith(rampRounds)),
          0n,
        );
        const aggregate = totalWeight(ramp, round, rampRounds);
        const lotCount = nodes.reduce((count, lots) => count + lots.length, 0);
        assert.ok(aggregate >= sum && aggregate - sum < BigInt(lotCount), `aggregate ${aggregate}, sum ${sum}`);
      }),
      { numRuns: 300 },
    );
  });

  it("folding is idempotent, composes over rounds, and changes neither weights nor stakes", () => {
    fc.assert(
      fc.property(nodesArb, fc.nat(5), fc.nat(30), fc.nat(10), (nodes, rampRounds, first, later) => {
        let ramp = EMPTY_RAMP;
        for (const lots of nodes) for (const lot of lots) ramp = addToRamp(ramp, lot);
        const second = first + later;
        const folded = foldRamp(ramp, first, rampRounds);
        assert.equal(foldRamp(folded, first, rampRounds), folded, "idempotent: nothing more to fold");
        assert.deepEqual(foldRamp(folded, second, rampRounds), foldRamp(ramp, second, rampRounds));
        for (const round of [first, second]) {
          assert.equal(totalWeight(folded, round, rampRounds), totalWeight(ramp, round, rampRounds));
        }
        for (const lots of nodes) {
          const node = nodeWithLots(lots);
          const foldedNode = foldNodeLots(node, folded);
          assert.equal(nodeStake(foldedNode), nodeStake(node));
          assert.equal(
            nodeWeight(foldedNode, first, paramsWith(rampRounds)),
            nodeWeight(node, first, paramsWith(rampRounds)),
          );
          assert.equal(foldNodeLots(foldedNode, folded), foldedNode, "folding a node twice changes nothing");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("removeFromRamp undoes addToRamp", () => {
    fc.assert(
      fc.property(fc.array(lotArb, { maxLength: 8 }), lotArb, fc.nat(5), fc.nat(30), (lots, lot, rampRounds, round) => {
        let ramp = EMPTY_RAMP;
        for (const existing of lots) ramp = addToRamp(ramp, existing);
        ramp = foldRamp(ramp, round, rampRounds);
        const activation = Math.max(lot.activationRound, ramp.foldedThrough);
        const moved = { ...lot, activationRound: activation };
        assert.deepEqual(removeFromRamp(addToRamp(ramp, moved), moved), ramp);
      }),
      { numRuns: 300 },
    );
  });

  it("on a chain, the task's active weight matches its nodes' weights as stakes arrive, ramp and leave", () => {
    const actionArb = fc.record({
      node: fc.nat(4),
      unstake: fc.boolean(),
      amount: fc.integer({ min: 10, max: 500 }),
      wait: fc.nat(25),
    });
    fc.assert(
      fc.property(
        fc.array(actionArb, { minLength: 1, maxLength: 12 }),
        fc.nat(4),
        fc.nat(2),
        (actions, rampRounds, warmupRounds) => {
          const names = ["n0", "n1", "n2", "n3", "n4"];
          const chain = new TestChain({
            creator: 10_000n * TOKEN,
            ...Object.fromEntries(names.map((name) => [name, 10_000n * TOKEN])),
          });
          const task = chain.createTask("creator", {
            rampRounds,
            warmupRounds,
            roundSlots: 6,
            commitSlots: 2,
            revealSlots: 2,
            auditSlots: 2,
            voteSlots: 1,
            distributionSlots: 2,
            distributionAuditSlots: 2,
          });
          let lots = 0;
          for (const action of actions) {
            const name = names[action.node] as string;
            const result = action.unstake
              ? chain.send(name, { kind: "unstake", task })
              : chain.send(name, {
                  kind: "stake",
                  task,
                  amount: BigInt(action.amount) * TOKEN,
                  nodeUrl: "https://n.test",
                });
            if (result.ok && !action.unstake) lots += 1;
            chain.advance(action.wait);
            const record = chain.task(task);
            const nodes = listNodeAccounts(chain.state, task);
            const sum = nodes.reduce(
              (total, account) => total + (getNodeView(chain.state, task, account)?.weight ?? 0n),
              0n,
            );
            const aggregate = getActiveWeight(chain.state, record);
            assert.ok(
              aggregate >= sum && aggregate - sum <= BigInt(lots),
              `slot ${chain.slot}: ${aggregate} vs ${sum}`,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
