/**
 * The draft of a block (state/store.ts): records the block created are changed in place, and a refused transaction
 * is rolled back from the undo journal. Rolling back must restore exactly what the transaction found (the same
 * records, the same fields, the same root), whether the change was a write to the trie or a field changed in place.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  advanceSlot,
  applyBlock,
  applyTransaction,
  bytesToHex,
  Draft,
  getAccount,
  getNode,
  getTask,
  keys,
  readRecord,
  type State,
  stateEntries,
  stateFromEntries,
  stateRoot,
  TOKEN,
  type TotalsRecord,
  type Transaction,
  trieFullRehash,
} from "../src/index.ts";
import { createEditSession } from "../src/state/trie.ts";
import { accountOf, CHAIN_ID, TestChain } from "./harness.ts";

type Item = { n: number; tag?: string };
type Op =
  | { readonly kind: "set"; readonly key: string; readonly value: Item }
  | { readonly kind: "delete"; readonly key: string }
  | { readonly kind: "update"; readonly key: string; readonly n: number; readonly tag: string | undefined };
type Batch = { readonly ops: readonly Op[]; readonly stands: boolean };

const keyArb = fc.integer({ min: 0, max: 12 }).map((index) => `item/${index}`);
// Plain objects (fast-check's records have no prototype), as the rules' records are.
const itemArb: fc.Arbitrary<Item> = fc.integer({ min: 0, max: 9 }).map((n) => ({ n }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: keyArb, value: itemArb }),
  fc.record({ kind: fc.constant("delete" as const), key: keyArb }),
  // Updates most often: they are the in-place changes the journal has to undo.
  fc.record({
    kind: fc.constant("update" as const),
    key: keyArb,
    n: fc.integer({ min: 0, max: 9 }),
    tag: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant("update" as const),
    key: keyArb,
    n: fc.integer({ min: 0, max: 9 }),
    tag: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
  }),
);
const transactionArb: fc.Arbitrary<Batch> = fc.record({
  ops: fc.array(opArb, { maxLength: 8 }),
  stands: fc.boolean(),
});
const entriesArb = fc.uniqueArray(fc.tuple(keyArb, itemArb), { maxLength: 10, selector: ([key]) => key });

/** The builder `Draft.update` copies an item with (the rules' records have theirs in state/records.ts). */
function itemRecord(item: Item, changes: Partial<Item>): Item {
  return { ...item, ...changes };
}

function changesOf(op: Extract<Op, { kind: "update" }>): Partial<Item> {
  return op.tag === undefined ? { n: op.n } : { n: op.n, tag: op.tag };
}

/** Plain copies of every record, so that a later in-place change cannot alter what was recorded. */
function snapshot(state: State): Map<string, Item> {
  return new Map([...stateEntries(state)].map(([key, value]) => [key, { ...(value as Item) }]));
}

describe("Draft: in-place changes and rollback", () => {
  it("changes a record it created in place, and rollback restores its fields (an added one is removed again)", () => {
    const draft = new Draft(stateFromEntries([["item/0", { n: 1 }]]), createEditSession());
    const original = draft.get<Item>("item/0") as Item;
    const copy = draft.update<Item>("item/0", original, { n: 2 }, itemRecord);
    assert.notEqual(copy, original, "a record from before the draft is copied, never changed");
    assert.deepEqual(original, { n: 1 });
    draft.commit();
    const rootBefore = stateRoot(draft.finish());
    const again = new Draft(stateFromEntries([["item/0", { n: 1 }]]), createEditSession());
    const owned = again.update<Item>("item/0", again.get<Item>("item/0") as Item, { n: 2 }, itemRecord);
    again.commit();
    assert.equal(
      again.update<Item>("item/0", owned, { n: 3, tag: "a" }, itemRecord),
      owned,
      "the draft's own record: in place",
    );
    assert.deepEqual(owned, { n: 3, tag: "a" });
    again.set("item/1", { n: 7 });
    again.rollback();
    assert.deepEqual(owned, { n: 2 });
    assert.deepEqual(Object.keys(owned), ["n"]);
    assert.equal(again.get("item/1"), undefined);
    assert.equal(stateRoot(again.finish()), rootBefore);
  });

  it("leaves after any mix of standing and refused transactions exactly the standing ones' records and root", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(transactionArb, { maxLength: 10 }), (entries, transactions) => {
        const base = stateFromEntries(entries);
        const baseRoot = stateRoot(base);
        const baseRecords = snapshot(base);
        const draft = new Draft(base, createEditSession());
        const model = new Map<string, Item>(entries.map(([key, value]) => [key, { ...value }]));
        for (const { ops, stands } of transactions) {
          const before = new Map([...model].map(([key, value]) => [key, { ...value }]));
          for (const op of ops) {
            if (op.kind === "set") {
              draft.set(op.key, op.value);
              model.set(op.key, { ...op.value });
            } else if (op.kind === "delete") {
              draft.delete(op.key);
              model.delete(op.key);
            } else {
              const record = draft.get<Item>(op.key);
              if (record === undefined) continue;
              draft.update<Item>(op.key, record, changesOf(op), itemRecord);
              model.set(op.key, { ...model.get(op.key), ...changesOf(op) } as Item);
            }
            // Reads see the transaction's own writes.
            assert.deepEqual(draft.get(op.key), model.get(op.key));
          }
          if (stands) draft.commit();
          else {
            draft.rollback();
            model.clear();
            for (const [key, value] of before) model.set(key, value);
          }
          for (const [key, value] of model) assert.deepEqual(draft.get(key), value);
        }
        const state = draft.finish();
        assert.deepEqual(snapshot(state), model);
        assert.equal(stateRoot(state), stateRoot(stateFromEntries(model)));
        assert.equal(stateRoot(state), bytesToHex(trieFullRehash(state.root)));
        // The state the draft started from is untouched, records included.
        assert.deepEqual(snapshot(base), baseRecords);
        assert.equal(bytesToHex(trieFullRehash(base.root)), baseRoot);
      }),
      { numRuns: 300 },
    );
  });
});

describe("applyBlock: a transaction refused after changing records in place", () => {
  it("leaves the same root and records as applying the transactions one by one", () => {
    const chain = new TestChain({ creator: 10_000n * TOKEN, alice: 1_000n * TOKEN, bob: 1_000n * TOKEN });
    const task = chain.createTask("creator");
    // A tampered total (only the stake's worth of balances on the books), so that bob's stake, the second, fails
    // where the totals are committed: after its handler changed the task record (which alice's stake made the
    // block's own) and bob's account in place, and wrote bob's node. It is included as TX__APPLY_FAILED.
    const totals = readRecord<TotalsRecord>(chain.state, keys.totals()) as TotalsRecord;
    const tamper = new Draft(chain.state);
    tamper.set(keys.totals(), { ...totals, balances: 100n * TOKEN });
    const state = tamper.finish();
    const slot = chain.slot + 1;
    const stake = (name: string): Transaction => ({
      kind: "stake",
      chainId: CHAIN_ID,
      from: accountOf(name),
      nonce: 0,
      task,
      amount: 100n * TOKEN,
      nodeUrl: "http://127.0.0.1:1",
    });
    const transactions = [stake("alice"), stake("bob")];
    const failures: unknown[] = [];
    const block = applyBlock(state, slot, transactions, (error) => failures.push(error));
    assert.equal(block.outcomes[0]?.ok, true);
    assert.equal(block.outcomes[1]?.ok === false && block.outcomes[1].code, "TX__APPLY_FAILED");
    assert.equal(failures.length, 1);

    let expected = advanceSlot(state, slot).state;
    for (const tx of transactions) expected = applyTransaction(expected, tx, { slot }).state;
    assert.equal(stateRoot(block.state), stateRoot(expected));
    assert.deepEqual(new Map(stateEntries(block.state)), new Map(stateEntries(expected)));
    assert.equal(getTask(block.state, task)?.nodeCount, 1);
    assert.equal(getNode(block.state, task, accountOf("bob")), undefined);
    assert.deepEqual(getAccount(block.state, accountOf("bob")), { balance: 1_000n * TOKEN, nonce: 1 });
    // The state the block started from is untouched.
    assert.equal(getTask(state, task)?.nodeCount, 0);
  });
});
