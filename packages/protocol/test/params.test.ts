/** Task parameters (protocol.md §10): presets are valid, ranges are enforced, windows must fit in a round. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEVNET_PARAMS,
  findParamsProblems,
  MAINNET_PARAMS,
  PARAM_NAMES,
  PRESETS,
  type TaskParams,
  TOKEN,
} from "../src/index.ts";
import { TestChain } from "./harness.ts";

const fieldsOf = (params: TaskParams) => findParamsProblems(params).map((problem) => problem.field);

describe("task parameters", () => {
  it("accepts every preset", () => {
    for (const [name, params] of Object.entries(PRESETS)) assert.deepEqual(findParamsProblems(params), [], name);
    assert.equal(PRESETS.devnet, DEVNET_PARAMS);
    assert.equal(PRESETS.mainnet, MAINNET_PARAMS);
  });

  it("names every parameter in the wire schema", () => {
    assert.deepEqual([...PARAM_NAMES].sort(), Object.keys(DEVNET_PARAMS).sort());
  });

  it("accepts windows that fill a round exactly and rejects one slot more", () => {
    const base = { ...DEVNET_PARAMS, roundSlots: 12 };
    const review = { ...base, revealSlots: 3, auditSlots: 5, voteSlots: 4 };
    const distribution = { ...review, distributionSlots: 4, distributionAuditSlots: 4 };
    assert.deepEqual(findParamsProblems(distribution), []);
    assert.deepEqual(fieldsOf({ ...distribution, auditSlots: 6 }), ["revealSlots"]);
    assert.deepEqual(fieldsOf({ ...distribution, distributionAuditSlots: 5 }), ["distributionSlots"]);
    assert.deepEqual(fieldsOf({ ...distribution, voteSlots: 5 }), ["revealSlots", "distributionSlots"]);
    assert.deepEqual(fieldsOf({ ...distribution, commitSlots: 12 }), []);
    assert.deepEqual(fieldsOf({ ...distribution, commitSlots: 13 }), ["commitSlots"]);
  });

  it("is valid exactly when both the review and the distribution windows fit the round", () => {
    const slots = fc.integer({ min: 1, max: 12 });
    fc.assert(
      fc.property(
        fc.record({
          roundSlots: fc.integer({ min: 2, max: 30 }),
          commitSlots: slots,
          revealSlots: slots,
          auditSlots: slots,
          voteSlots: fc.integer({ min: 0, max: 12 }),
          distributionSlots: slots,
          distributionAuditSlots: slots,
        }),
        (windows) => {
          const params = { ...DEVNET_PARAMS, ...windows };
          const fits =
            windows.commitSlots <= windows.roundSlots &&
            windows.revealSlots + windows.auditSlots + windows.voteSlots <= windows.roundSlots &&
            windows.distributionSlots + windows.distributionAuditSlots + windows.voteSlots <= windows.roundSlots;
          assert.equal(findParamsProblems(params).length === 0, fits);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects out-of-range values and names the field", () => {
    const cases: readonly (readonly [Partial<Record<keyof TaskParams, unknown>>, string])[] = [
      [{ roundSlots: 1 }, "roundSlots"],
      [{ roundSlots: 20.5 }, "roundSlots"],
      [{ commitSlots: 0 }, "commitSlots"],
      [{ voteSlots: -1 }, "voteSlots"],
      [{ auditsPerNode: 0 }, "auditsPerNode"],
      [{ auditsPerNode: 65 }, "auditsPerNode"],
      [{ slashQuorumBps: 10_001 }, "slashQuorumBps"],
      [{ whistleblowerShareBps: 10_001 }, "whistleblowerShareBps"],
      [{ maxTriggersPerNodePerCycle: 0 }, "maxTriggersPerNodePerCycle"],
      [{ allowedFailedDistributions: 17 }, "allowedFailedDistributions"],
      [{ maxNodes: 0 }, "maxNodes"],
      [{ maxProofBytes: 0 }, "maxProofBytes"],
      [{ minimumStake: 0n }, "minimumStake"],
      [{ bountyPerRound: 0n }, "bountyPerRound"],
      [{ triggerBond: -1n }, "triggerBond"],
      [{ losingVotePenalty: 5 }, "losingVotePenalty"],
      [{ auditMode: "some" }, "auditMode"],
    ];
    for (const [change, field] of cases) {
      const problems = findParamsProblems({ ...DEVNET_PARAMS, ...change } as TaskParams);
      assert.ok(
        problems.some((problem) => problem.field === field),
        `${JSON.stringify(change, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))} names ${field}`,
      );
    }
    assert.deepEqual(fieldsOf({ ...DEVNET_PARAMS, triggerBond: 0n, losingVotePenalty: 0n, voteSlots: 0 }), []);
  });

  it("makes createTask refuse bad params with the field, and funding below one bounty", () => {
    const chain = new TestChain({ creator: 1_000n * TOKEN });
    const bad = chain.send("creator", {
      kind: "createTask",
      name: "bad",
      bundleHash: "a".repeat(64),
      metadataHash: null,
      params: { ...DEVNET_PARAMS, roundSlots: 10 },
      funding: 500n * TOKEN,
    });
    assert.ok(!bad.ok && bad.code === "TASK__INVALID_PARAMS");
    assert.equal(bad.context.field, "revealSlots");
    assert.match(bad.message, /params\.revealSlots/);
    const poor = chain.send("creator", {
      kind: "createTask",
      name: "poor",
      bundleHash: "a".repeat(64),
      metadataHash: null,
      params: DEVNET_PARAMS,
      funding: DEVNET_PARAMS.bountyPerRound - 1n,
    });
    assert.ok(!poor.ok && poor.code === "TASK__BELOW_FIRST_BOUNTY");
    assert.equal(chain.balance("creator"), 1_000n * TOKEN, "nothing locked");
  });
});
