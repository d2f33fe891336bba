/**
 * The state trie (protocol.md §9.4): the root as protocol.md defines it (a reference written from the text, and a
 * pinned root); a canonical shape, so the root depends only on the set of records; path copying, so old states stay
 * valid, also inside an edit session; cached hashes that agree with a full rehash; and a diff that finds exactly
 * what changed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { concatBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import {
  bytesToHex,
  Draft,
  diffStates,
  forEachStateChange,
  keyHashOf,
  readRecord,
  recordBytes,
  type State,
  sha256,
  stateEntries,
  stateFromEntries,
  stateRoot,
  trieFullRehash,
  trieHash,
} from "../src/index.ts";
import { createEditSession } from "../src/state/trie.ts";

type Value = number | string;
type Op = { readonly key: string; readonly value: Value | undefined };

/** A small key pool so that updates overwrite and delete existing keys often. */
const keyArb = fc.integer({ min: 0, max: 40 }).map((index) => `record/${index}`);
const valueArb: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom("x", "y", "z"));
const entriesArb = fc.uniqueArray(fc.tuple(keyArb, valueArb), { maxLength: 30, selector: ([key]) => key });
const opArb: fc.Arbitrary<Op> = fc.record({ key: keyArb, value: fc.option(valueArb, { nil: undefined }) });

const EMPTY_ROOT = "0".repeat(64);

function apply(state: State, ops: readonly Op[]): State {
  const draft = new Draft(state);
  for (const { key, value } of ops) {
    if (value === undefined) draft.delete(key);
    else draft.set(key, value);
  }
  return draft.finish();
}

function entriesOf(state: State): Map<string, unknown> {
  return new Map(stateEntries(state));
}

function fullRoot(state: State): string {
  return bytesToHex(trieFullRehash(state.root));
}

/**
 * The root exactly as protocol.md §9.4 words it, with nothing shared with the implementation but `recordBytes`: a
 * group of records is empty (32 zero bytes), one leaf, or a branch over the sixteen groups of the next nibble.
 */
function referenceRoot(records: ReadonlyMap<string, unknown>): string {
  const leaves = [...records].map(([key, value]) => ({
    keyHash: nobleSha256(new TextEncoder().encode(key)),
    value,
  }));
  const nibble = (hash: Uint8Array, depth: number) => ((hash[depth >> 1] as number) >> (depth % 2 === 0 ? 4 : 0)) & 15;
  const hashOf = (group: typeof leaves, depth: number): Uint8Array => {
    if (group.length === 0) return new Uint8Array(32);
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      return nobleSha256(concatBytes(Uint8Array.of(0x00), only.keyHash, recordBytes(only.value)));
    }
    let bitmap = 0;
    const hashes: Uint8Array[] = [];
    for (let slot = 0; slot < 16; slot += 1) {
      const child = group.filter((leaf) => nibble(leaf.keyHash, depth) === slot);
      if (child.length === 0) continue;
      bitmap |= 1 << (15 - slot);
      hashes.push(hashOf(child, depth + 1));
    }
    return nobleSha256(concatBytes(Uint8Array.of(0x01, bitmap >> 8, bitmap & 0xff), ...hashes));
  };
  return bytesToHex(hashOf(leaves, 0));
}

describe("state trie", () => {
  it("has the all-zero root when empty, and keys hash as sha256(key)", () => {
    assert.equal(stateRoot({ root: null }), EMPTY_ROOT);
    assert.equal(stateRoot(stateFromEntries([])), EMPTY_ROOT);
    assert.deepEqual(keyHashOf("task/abc"), sha256("task/abc"));
  });

  it("hashes a key's UTF-8, whatever its characters and length", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (key) => {
        assert.deepEqual(keyHashOf(key), nobleSha256(new TextEncoder().encode(key)));
      }),
      { numRuns: 300 },
    );
    // A key as the rules build it (concatenated, never read before), and one with a lone surrogate.
    const account = "ab".repeat(32);
    const built = `reveal/${"cd".repeat(32)}/${7}/${account}`;
    assert.deepEqual(keyHashOf(built), nobleSha256(new TextEncoder().encode(built)));
    assert.deepEqual(keyHashOf("task/\ud800é"), nobleSha256(new TextEncoder().encode("task/\ud800é")));
  });

  it("computes the root protocol.md §9.4 defines", () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        assert.equal(stateRoot(stateFromEntries(entries)), referenceRoot(new Map(entries)));
      }),
      { numRuns: 300 },
    );
    // 600 keys: every branch of the first two levels is full, and some leaves sit three or four nibbles deep.
    const many = Array.from({ length: 600 }, (_, index): [string, unknown] => [`account/${index}`, { nonce: index }]);
    assert.equal(stateRoot(stateFromEntries(many)), referenceRoot(new Map(many)));
  });

  it("pins the root of a small state (a change to the root's definition must change this test)", () => {
    const state = stateFromEntries([
      ["chain", { chainId: "gradual-devnet", slot: 7, supply: 10n ** 18n, taskCount: 1 }],
      [`account/${"ab".repeat(32)}`, { balance: 1_000_000_000_000n, nonce: 3 }],
      [`revealAt/${"cd".repeat(32)}/1/0`, "ef".repeat(32)],
      ["taskAt/0", "cd".repeat(32)],
    ]);
    assert.equal(stateRoot(state), "7d86c0fc511674624fe424ae759fdb4e06d410c923ec623789b092d9cf842677");
  });

  it("gives a root that does not depend on insertion order", () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(), (entries, rotation) => {
        const shift = entries.length === 0 ? 0 : rotation % entries.length;
        const reordered = [...entries.slice(shift), ...entries.slice(0, shift)].reverse();
        assert.equal(stateRoot(stateFromEntries(reordered)), stateRoot(stateFromEntries(entries)));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the root of the final set of records, whatever sequence of updates led to it", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 40 }), (entries, ops) => {
        const state = apply(stateFromEntries(entries), ops);
        const model = new Map<string, Value>(entries);
        for (const { key, value } of ops) {
          if (value === undefined) model.delete(key);
          else model.set(key, value);
        }
        assert.deepEqual(entriesOf(state), model);
        for (const [key, value] of model) assert.equal(readRecord(state, key), value);
        assert.equal(stateRoot(state), stateRoot(stateFromEntries(model)));
      }),
      { numRuns: 300 },
    );
  });

  it("restores the previous root when a new key is deleted again", () => {
    fc.assert(
      fc.property(entriesArb, keyArb, valueArb, (entries, key, value) => {
        const base = stateFromEntries(entries.filter(([existing]) => existing !== key));
        const added = apply(base, [{ key, value }]);
        assert.notEqual(stateRoot(added), stateRoot(base));
        assert.equal(stateRoot(apply(added, [{ key, value: undefined }])), stateRoot(base));
      }),
      { numRuns: 300 },
    );
  });

  it("restores the previous root when an overwritten key gets its old value back", () => {
    fc.assert(
      fc.property(
        entriesArb.filter((entries) => entries.length > 0),
        fc.nat(),
        (entries, pick) => {
          const base = stateFromEntries(entries);
          const [key, value] = entries[pick % entries.length] as [string, Value];
          const changed = apply(base, [{ key, value: `${value}!` }]);
          assert.notEqual(stateRoot(changed), stateRoot(base));
          assert.equal(stateRoot(apply(changed, [{ key, value }])), stateRoot(base));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps the incremental (cached) root equal to a full rehash after random updates", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(fc.array(opArb, { maxLength: 6 }), { maxLength: 12 }), (entries, batches) => {
        let state = stateFromEntries(entries);
        assert.equal(stateRoot(state), fullRoot(state));
        for (const batch of batches) {
          // Hash every intermediate state, so later roots reuse cached subtrees as they do on a real chain.
          state = apply(state, batch);
          assert.equal(bytesToHex(trieHash(state.root)), fullRoot(state));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("leaves the state a Draft started from untouched (path copying)", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { minLength: 1, maxLength: 20 }), (entries, ops) => {
        const base = stateFromEntries(entries);
        const rootBefore = stateRoot(base);
        const snapshot = entriesOf(base);
        apply(base, ops);
        assert.equal(stateRoot(base), rootBefore);
        assert.deepEqual(entriesOf(base), snapshot);
        assert.equal(fullRoot(base), rootBefore);
      }),
      { numRuns: 200 },
    );
  });

  it("changes branches in place inside an edit session, and never a state from before the session", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(fc.array(opArb, { maxLength: 6 }), { maxLength: 8 }), (entries, batches) => {
        const base = stateFromEntries(entries);
        const rootBefore = stateRoot(base);
        const snapshot = entriesOf(base);
        const session = createEditSession();
        let state = base;
        const model = new Map<string, Value>(entries);
        for (const batch of batches) {
          const draft = new Draft(state, session);
          for (const { key, value } of batch) {
            if (value === undefined) draft.delete(key);
            else draft.set(key, value);
            if (value === undefined) model.delete(key);
            else model.set(key, value);
          }
          state = draft.finish();
          // Roots of intermediate states are cached; later in-place writes must drop them.
          stateRoot(state);
        }
        assert.deepEqual(entriesOf(state), model);
        assert.equal(stateRoot(state), fullRoot(state));
        assert.equal(stateRoot(state), stateRoot(stateFromEntries(model)));
        assert.equal(stateRoot(base), rootBefore);
        assert.equal(fullRoot(base), rootBefore);
        assert.deepEqual(entriesOf(base), snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it("lets a Draft read its own writes before finishing", () => {
    const draft = new Draft(stateFromEntries([["a", 1]]));
    draft.set("b", 2);
    draft.delete("a");
    assert.equal(draft.get("a"), undefined);
    assert.equal(draft.get("b"), 2);
    assert.deepEqual(entriesOf(draft.finish()), new Map([["b", 2]]));
  });

  it("diffStates yields exactly the keys whose value changed, with undefined for removed ones", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 30 }), (entries, ops) => {
        const before = stateFromEntries(entries);
        const after = apply(before, ops);
        const old = entriesOf(before);
        const now = entriesOf(after);
        const expected = new Map<string, unknown>();
        for (const key of new Set([...old.keys(), ...now.keys()])) {
          if (old.get(key) !== now.get(key)) expected.set(key, now.get(key));
        }
        const diff = [...diffStates(before, after)];
        assert.equal(new Set(diff.map(([key]) => key)).size, diff.length, "each key at most once");
        assert.deepEqual(new Map(diff), expected);
        assert.deepEqual([...diffStates(after, after)], []);
      }),
      { numRuns: 300 },
    );
  });

  it("forEachStateChange visits what diffStates yields, each with its old value", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 30 }), (entries, ops) => {
        const before = stateFromEntries(entries);
        const after = apply(before, ops);
        const expected = new Map(
          [...diffStates(before, after)].map(([key, value]) => [key, [readRecord(before, key), value]]),
        );
        const visited: [string, [unknown, unknown]][] = [];
        forEachStateChange(before, after, (key, old, value) => visited.push([key, [old, value]]));
        assert.equal(new Set(visited.map(([key]) => key)).size, visited.length, "each key at most once");
        assert.deepEqual(new Map(visited), expected);
        forEachStateChange(after, after, () => assert.fail("a state has no changes against itself"));
      }),
      { numRuns: 300 },
    );
  });

  it("diffStates applied to the old records rebuilds the new root", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(opArb, { maxLength: 30 }), (entries, ops) => {
        const before = stateFromEntries(entries);
        const after = apply(before, ops);
        const records = entriesOf(before);
        for (const [key, value] of diffStates(before, after)) {
          if (value === undefined) records.delete(key);
          else records.set(key, value);
        }
        assert.equal(stateRoot(stateFromEntries(records)), stateRoot(after));
      }),
      { numRuns: 200 },
    );
  });
});
