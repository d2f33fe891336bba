import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
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
  draft.set({ text: key.text, hash: undefined, head: undefined }, { balance: 3n, nonce: 0 });
  assert.deepEqual(draft.get(key.text), { balance: 3n, nonce: 0 });
  const state = draft.finish();
  assert.deepEqual(readRecord(state, key), { balance: 3n, nonce: 0 });
  assert.deepEqual(readRecord(state, key.text), { balance: 3n, nonce: 0 });
  assert.equal(bytesToHex(keyHashOf(key.text)), bytesToHex(sha256(key.text)));
});

test("a key hashed from its head's midstate has the hash of its whole text", () => {
  const utf8 = new TextEncoder();
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  // First parts as the rules give them (ids, accounts) and any other text: short, long, non-ASCII, lone surrogates.
  const partArb = fc.oneof(
    hex64,
    fc.stringMatching(/^[0-9a-z]{50,66}$/),
    fc.string({ unit: "binary", maxLength: 90 }),
    fc.nat(1_000_000),
  );
  const otherArb = fc.oneof(hex64, fc.nat(1_000_000), fc.string({ unit: "binary", maxLength: 20 }));
  fc.assert(
    fc.property(
      partArb,
      fc.array(fc.tuple(otherArb, otherArb, otherArb), { minLength: 1, maxLength: 4 }),
      (a, rest) => {
        for (const [b, c, d] of rest) {
          const built = [
            stateKeys.node(String(a), String(b)),
            stateKeys.vesting(String(a), String(c)),
            stateKeys.reveal(String(a), Number(c) || 0, String(d)),
            stateKeys.revealAt(String(a), 1, Number(b) || 0),
            stateKeys.vote(String(a), 1, Number(c) || 0, String(d)),
            stateKeys.voteAt(String(a), 1, 0, Number(d) || 0),
            stateKeys.triggerOf(String(a), 1, String(b), 0, String(c)),
          ];
          for (const key of built) {
            // The key as built (first of its head or not) and a fresh object with the same text: one hash.
            assert.equal(bytesToHex(keyHashOf(key)), bytesToHex(nobleSha256(utf8.encode(key.text))), key.text);
            const again = { text: key.text, hash: undefined, head: key.head };
            assert.equal(bytesToHex(keyHashOf(again)), bytesToHex(nobleSha256(utf8.encode(key.text))), key.text);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
  // The rules' keys share heads: a task's reveal keys all have one, and it holds the midstate once one is hashed.
  const first = stateKeys.reveal(task, 40, node);
  const second = stateKeys.reveal(task, 40, "ef".repeat(32));
  assert.ok(first.head !== undefined && first.head === second.head);
  keyHashOf(first);
  assert.ok(first.head.midstate !== undefined);
  assert.equal(stateKeys.revealAt(task, 40, 3).head, stateKeys.revealAt(task, 41, 9).head);
  assert.equal(stateKeys.taskAt(3).head, undefined);
  assert.equal(stateKeys.account(node).head, undefined);
});
