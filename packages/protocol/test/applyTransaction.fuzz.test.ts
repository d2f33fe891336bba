import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  applyBlock,
  applyTransaction,
  DEVNET_PARAMS,
  ERROR_CODES,
  getAccount,
  getChain,
  keys,
  type State,
  stateEntries,
  stateFromEntries,
  stateRoot,
  TOKEN,
  TRANSACTION_FIELDS,
  TRANSACTION_KINDS,
  type Transaction,
  transactionToJson,
} from "../src/index.ts";
import { accountOf, CHAIN_ID, TestChain } from "./harness.ts";

/**
 * protocol.md §9.1: no transaction, however shaped, makes `applyTransaction` or `applyBlock` throw. Random
 * transactions of every kind (prototype-named kinds and fields, boundary amounts, wrong types) are refused at the
 * edge or included with a code; a handler that throws (forced here with a damaged state record) is included as
 * TX__APPLY_FAILED with its nonce used and nothing else changed.
 */

const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"];
const ALICE = accountOf("alice");
const BOB = accountOf("bob");

function chainWithTask(): { state: State; task: string } {
  const chain = new TestChain({ alice: 10_000n * TOKEN, bob: 10_000n * TOKEN });
  const task = chain.createTask("alice");
  chain.advance(1);
  return { state: chain.state, task };
}

const anyValue = (task: string) =>
  fc.oneof(
    fc.constantFrom(ALICE, BOB, task, "0".repeat(64), "f".repeat(64)),
    fc.constantFrom("0", "1", "5n", "-1", "01", (2n ** 128n - 1n).toString(), (2n ** 128n).toString(), "1e3"),
    fc.constantFrom(0, 1, -1, 2 ** 32, 2 ** 53, 1.5, Number.NaN),
    fc.constantFrom(null, true, [], {}, "proof", "distribution", "valid", "invalid", "unavailable"),
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.constant({ ...DEVNET_PARAMS }),
    fc.constant(transactionToJson({ kind: "transfer", chainId: CHAIN_ID, from: ALICE, nonce: 0, to: BOB, amount: 1n })),
    fc.array(fc.record({ recipient: fc.constantFrom(ALICE, BOB), amount: fc.constantFrom("1", "0", "2") }), {
      maxLength: 3,
    }),
    fc.string({ maxLength: 12 }),
  );

function randomTransaction(task: string, nonce: number) {
  const kinds = [...TRANSACTION_KINDS, ...PROTOTYPE_NAMES, "mint"];
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      from: fc.constantFrom(ALICE, BOB),
      overrides: fc.dictionary(fc.constantFrom("to", "amount", "task", "cycle", ...PROTOTYPE_NAMES), anyValue(task), {
        maxKeys: 3,
      }),
      values: fc.array(anyValue(task), { minLength: 8, maxLength: 8 }),
      nonceDelta: fc.constantFrom(0, 0, 0, 1, -1),
    })
    .map(({ kind, from, overrides, values, nonceDelta }) => {
      const fields = Object.hasOwn(TRANSACTION_FIELDS, kind)
        ? Object.keys(TRANSACTION_FIELDS[kind as keyof typeof TRANSACTION_FIELDS])
        : [];
      const tx: Record<string, unknown> = { kind, chainId: CHAIN_ID, from, nonce: Math.max(0, nonce + nonceDelta) };
      fields.forEach((field, index) => {
        tx[field] = values[index % values.length];
      });
      // Own keys, the way JSON.parse makes them (even "__proto__").
      for (const [key, value] of Object.entries(overrides)) Object.defineProperty(tx, key, { value, enumerable: true });
      return tx as unknown as Transaction;
    });
}

const KNOWN = new Set(Object.keys(ERROR_CODES));

describe("applyTransaction under random transactions (protocol.md §9.1)", () => {
  it("never throws; every refusal has a registered code; a refused-at-edge transaction leaves the state as it was", () => {
    const { state, task } = chainWithTask();
    fc.assert(
      fc.property(randomTransaction(task, 0), (tx) => {
        const result = applyTransaction(state, tx, { slot: getChain(state).slot });
        if (result.ok) return;
        assert.ok(KNOWN.has(result.code), `unregistered code ${result.code}`);
        if (!result.included) assert.equal(result.state, state);
        else {
          const from = (tx as { from: string }).from;
          assert.equal(getAccount(result.state, from).nonce, getAccount(state, from).nonce + 1, "nonce used");
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("applyBlock takes any sequence of them and stays deterministic", () => {
    const { state, task } = chainWithTask();
    const slot = getChain(state).slot + 1;
    fc.assert(
      fc.property(fc.array(randomTransaction(task, 0), { maxLength: 12 }), (txs) => {
        const first = applyBlock(state, slot, txs);
        const second = applyBlock(state, slot, txs);
        assert.equal(stateRoot(first.state), stateRoot(second.state));
        assert.deepEqual(
          first.outcomes.map((outcome) => (outcome.ok ? "ok" : outcome.code)),
          second.outcomes.map((outcome) => (outcome.ok ? "ok" : outcome.code)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("includes a transaction whose handler throws as TX__APPLY_FAILED: nonce used, nothing else changed", () => {
    const chain = new TestChain({ alice: 10n * TOKEN, bob: 10n * TOKEN });
    // A damaged record (a balance that is a number, not a bigint) makes the transfer handler throw a TypeError.
    const entries = [...stateEntries(chain.state)].map(([key, value]): [string, unknown] =>
      key === keys.account(ALICE) ? [key, { ...(value as object), balance: 5_000_000 }] : [key, value],
    );
    const damaged = stateFromEntries(entries);
    const tx: Transaction = { kind: "transfer", chainId: CHAIN_ID, from: ALICE, nonce: 0, to: BOB, amount: 1n };
    const heard: unknown[] = [];
    const result = applyTransaction(damaged, tx, { slot: getChain(damaged).slot }, (error) => heard.push(error));
    assert.ok(!result.ok);
    assert.deepEqual([result.code, result.included, result.context], ["TX__APPLY_FAILED", true, { kind: "transfer" }]);
    assert.equal(heard.length, 1, "the listener hears about the bug");
    assert.ok(heard[0] instanceof TypeError);
    assert.equal(getAccount(result.state, ALICE).nonce, 1, "nonce used");
    assert.equal(getAccount(result.state, BOB).balance, 10n * TOKEN, "nothing else changed");
    const block = applyBlock(damaged, getChain(damaged).slot + 1, [tx, { ...tx, nonce: 1 }]);
    assert.deepEqual(
      block.outcomes.map((outcome) => (outcome.ok ? "ok" : outcome.code)),
      ["TX__APPLY_FAILED", "TX__APPLY_FAILED"],
      "the block goes on after the first failure",
    );
    const again = applyBlock(damaged, getChain(damaged).slot + 1, [tx, { ...tx, nonce: 1 }]);
    assert.equal(stateRoot(again.state), stateRoot(block.state), "deterministic");
  });
});
