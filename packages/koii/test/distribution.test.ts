import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accountToKoiiKey } from "../src/keys.ts";
import { ChainReader } from "../src/runtime/chain.ts";
import { checkKoiiDistribution, koiiSubmitters } from "../src/runtime/distribution.ts";
import { A, B, C, chainFixture } from "./chainFixture.ts";
import { TASK_ID } from "./fakeContext.ts";

const [a, b, c] = [A, B, C].map(accountToKoiiKey) as [string, string, string];
const submitters = [
  { publicKey: a, votes: 1, stake: 100 },
  { publicKey: b, votes: 1, stake: 100 },
  { publicKey: c, votes: 1, stake: 100 },
];

describe("Koii distribution checks", () => {
  it("pays positive integers to submitters, sorted by account, and drops zeros", () => {
    const checked = checkKoiiDistribution({ [c]: 30, [a]: 50, [b]: 0 }, submitters, 100);
    assert.equal(checked.refused, undefined);
    assert.deepEqual(checked.entries, [
      { recipient: A, amount: 50n },
      { recipient: C, amount: 30n },
    ]);
    assert.deepEqual(checked.notes, []);
  });

  it("refuses, in Koii's order, a list missing a submitter, over the bounty, or with a fraction: nobody is paid", () => {
    const missing = checkKoiiDistribution({ [a]: 10, [b]: 10 }, submitters, 100);
    assert.deepEqual(missing.entries, []);
    assert.match(missing.refused ?? "", /not every submitter is in the list \(missing 1: /);
    const over = checkKoiiDistribution({ [a]: 50, [b]: 50, [c]: 1 }, submitters, 100);
    assert.deepEqual(over.entries, []);
    assert.match(over.refused ?? "", /total 101, more than the bounty of 100/);
    const fraction = checkKoiiDistribution({ [a]: 33.5, [b]: 33, [c]: 33 }, submitters, 100);
    assert.deepEqual(fraction.entries, []);
    assert.match(fraction.refused ?? "", /is 33.5, not an integer/);
    const text = checkKoiiDistribution({ [a]: "10", [b]: 10, [c]: 10 }, submitters, 100);
    assert.match(text.refused ?? "", /not an integer/);
    for (const bad of [undefined, null, [], "list", 5]) {
      assert.match(
        checkKoiiDistribution(bad, submitters, 100).refused ?? "",
        /not an object of \{ publicKey: amount \}/,
      );
    }
  });

  it("turns a slash into 0 and says so, as only an upheld audit slashes on gradual", () => {
    const checked = checkKoiiDistribution({ [a]: -70, [b]: 60, [c]: 60 }, submitters, 100);
    // Koii's total counts the slash (50 <= 100); the rewards alone are 120, past the bounty.
    assert.match(
      checked.refused ?? "",
      /rewards total 120, more than the bounty of 100 \(on gradual slashes do not fund rewards\)/,
    );
    const ok = checkKoiiDistribution({ [a]: -70, [b]: 50, [c]: 50 }, submitters, 100);
    assert.equal(ok.refused, undefined);
    assert.deepEqual(ok.entries, [
      { recipient: B, amount: 50n },
      { recipient: C, amount: 50n },
    ]);
    assert.equal(ok.notes.length, 1);
    assert.match(ok.notes[0] ?? "", /slashes .* by 70: gradual cannot slash from a distribution list/);
  });

  it("drops keys that are not submitters of the round, saying so", () => {
    const stranger = accountToKoiiKey("d4".repeat(32));
    const checked = checkKoiiDistribution({ [a]: 10, [b]: 10, [c]: 10, [stranger]: 10, ORCA: 1 }, submitters, 100);
    assert.equal(checked.entries.length, 3);
    assert.equal(checked.notes.length, 2);
    assert.match(checked.notes[0] ?? "", /not a submitter of this round/);
  });

  it("counts votes as Koii does: 1 without a trigger, else +1 valid, -1 invalid (unavailable casts none)", async () => {
    const chain = new ChainReader(chainFixture(), TASK_ID);
    const koii = await koiiSubmitters(chain, 4, [
      { account: C, weight: 10n, proofDigest: "33".repeat(32) },
      { account: A, weight: 20n, proofDigest: "11".repeat(32) },
      { account: B, weight: 30n, proofDigest: "22".repeat(32) },
    ]);
    assert.deepEqual(koii, [
      { publicKey: a, votes: 1, stake: 20 },
      { publicKey: b, votes: -1, stake: 30 },
      { publicKey: c, votes: 1, stake: 10 },
    ]);
  });
});
