import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesToHex, Draft, keyHashOf, readRecord, sha256, stateFromEntries } from "../src/index.ts";
import { keys, stateKeys } from "../src/state/keys.ts";

const task = "ab".repeat(32);
const node = "cd".repeat(32);

/** protocol.md §9.3: each kind and its parts joined by `/`, whether the key was built now or found in the cache. */
const EXPECTED: [string, () => string][] = [
  ["chain", () => keys.chain()],
  ["totals", () => keys.totals()],
  [`account/${node}`, () => keys.account(node)],
  ["taskAt/3", () => keys.taskAt(3)],
  [`task/${task}`, () => keys.task(task)],
  [`node/${task}/${node}`, () => keys.node(task, node)],
  [`nodeAt/${task}/7`, () => keys.nodeAt(task, 7)],
  [`cycle/${task}/12`, () => keys.cycle(task, 12)],
  [`commit/${task}/12/${node}`, () => keys.commit(task, 12, node)],
  [`reveal/${task}/12/${node}`, () => keys.reveal(task, 12, node)],
  [`revealAt/${task}/12/0`, () => keys.revealAt(task, 12, 0)],
  [`nodeCycle/${task}/12/${node}`, () => keys.nodeCycle(task, 12, node)],
  [`trigger/${task}/12/2`, () => keys.trigger(task, 12, 2)],
  [`triggerOf/${task}/12/proof/0/${node}`, () => keys.triggerOf(task, 12, "proof", 0, node)],
  [`triggerOf/${task}/12/distribution/1/${node}`, () => keys.triggerOf(task, 12, "distribution", 1, node)],
  [`vote/${task}/12/2/${node}`, () => keys.vote(task, 12, 2, node)],
  [`voteAt/${task}/12/2/5`, () => keys.voteAt(task, 12, 2, 5)],
  [`distribution/${task}/12/1`, () => keys.distribution(task, 12, 1)],
  [`listClaim/${task}/12/${node}`, () => keys.listClaim(task, 12, node)],
  [`slashLog/${task}/${node}`, () => keys.slashLog(task, node)],
  [`vesting/${task}/${node}`, () => keys.vesting(task, node)],
  [`published/${task}/12/${node}`, () => keys.published(task, 12, node)],
];

test("every key is its kind and parts joined by '/', built or cached", () => {
  for (const [expected, build] of EXPECTED) {
    assert.equal(build(), expected);
    assert.equal(build(), expected, `${expected} from the cache`);
  }
  // Keys that share a prefix of parts stay apart.
  assert.equal(keys.reveal(task, 1, node), `reveal/${task}/1/${node}`);
  assert.equal(keys.reveal(task, 12, node), `reveal/${task}/12/${node}`);
  assert.equal(keys.revealAt(task, 1, 12), `revealAt/${task}/1/12`);
});

test("keys stay right after the cache starts over", () => {
  // More distinct keys than the cache holds (2^18), then every kind again.
  for (let index = 0; index < 300_000; index += 1) assert.equal(keys.taskAt(index), `taskAt/${index}`);
  for (const [expected, build] of EXPECTED) assert.equal(build(), expected);
});

test("stateKeys are the same keys with their text, and a Draft takes either form for the same record", () => {
  for (const [name, build] of Object.entries(stateKeys)) {
    const parts = name === "triggerOf" ? [task, 12, "proof", 0, node] : [task, 12, 2, node, 5].slice(0, build.length);
    const key = (build as (...args: unknown[]) => { text: string })(...parts);
    assert.equal(key.text, (keys[name as keyof typeof keys] as (...args: unknown[]) => string)(...parts), name);
  }
  const key = stateKeys.account(node);
  const draft = new Draft(stateFromEntries([[key.text, { balance: 1n, nonce: 0 }]]));
  assert.deepEqual(draft.get(key), { balance: 1n, nonce: 0 });
  draft.set(key.text, { balance: 2n, nonce: 0 });
  assert.deepEqual(draft.get(key), { balance: 2n, nonce: 0 });
  // Another object with the same text (as after the cache starts over) is the same key.
  draft.set({ text: key.text, hash: undefined }, { balance: 3n, nonce: 0 });
  assert.deepEqual(draft.get(key.text), { balance: 3n, nonce: 0 });
  const state = draft.finish();
  assert.deepEqual(readRecord(state, key), { balance: 3n, nonce: 0 });
  assert.deepEqual(readRecord(state, key.text), { balance: 3n, nonce: 0 });
  assert.equal(bytesToHex(keyHashOf(key.text)), bytesToHex(sha256(key.text)));
});
