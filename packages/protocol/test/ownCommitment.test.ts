/**
 * A node's own commitment kept for the reveal in the same process (transactions/commit.ts): the reveal may take a
 * kept commitment only when every input is the same, so a reveal that differs from what its node committed in any
 * one input is judged on its own inputs, as a ledger alone would judge it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CommitmentInput,
  computeCommitment,
  computeOwnCommitment,
  openCommitment,
  sha256Hex,
} from "../src/index.ts";

let made = 0;
/** Inputs with a salt of their own: the kept commitments are found by salt. */
function freshInput(): CommitmentInput {
  made += 1;
  return {
    task: sha256Hex(`own-commitment/task/${made}`),
    cycle: 7,
    node: sha256Hex(`own-commitment/node/${made}`),
    proofDigest: sha256Hex(`own-commitment/proof/${made}`),
    salt: sha256Hex(`own-commitment/salt/${made}`),
  };
}

describe("a node's own commitment, opened by the reveal", () => {
  it("opens to what computeCommitment gives, kept or not, and again after it was opened once", () => {
    const kept = freshInput();
    assert.equal(computeOwnCommitment(kept), computeCommitment(kept));
    assert.equal(openCommitment(kept), computeCommitment(kept));
    assert.equal(openCommitment(kept), computeCommitment(kept));
    const notKept = freshInput();
    assert.equal(openCommitment(notKept), computeCommitment(notKept));
  });

  it("is not taken by a reveal whose task, cycle, node or proof digest differs from the commitment's", () => {
    const other = freshInput();
    const variants: readonly ((input: CommitmentInput) => CommitmentInput)[] = [
      (input) => ({ ...input, task: other.task }),
      (input) => ({ ...input, cycle: input.cycle + 1 }),
      (input) => ({ ...input, node: other.node }),
      (input) => ({ ...input, proofDigest: other.proofDigest }),
    ];
    for (const variant of variants) {
      const committed = freshInput();
      const commitment = computeOwnCommitment(committed);
      const revealed = variant(committed);
      const opened = openCommitment(revealed);
      assert.notEqual(opened, commitment);
      assert.equal(opened, computeCommitment(revealed));
      // The node's own reveal still opens it.
      assert.equal(openCommitment(committed), commitment);
    }
  });
});
