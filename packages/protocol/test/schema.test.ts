/**
 * Transaction shapes (protocol.md §9.1): every kind round-trips through its wire JSON, and a bad transaction is
 * refused at the edge with the offending field named.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyTransaction,
  DEVNET_PARAMS,
  decodeTransaction,
  isDecodeRejection,
  sha256Hex,
  TOKEN,
  TRANSACTION_FIELDS,
  TRANSACTION_KINDS,
  type Transaction,
  type TransactionKind,
  transactionHash,
  transactionToJson,
} from "../src/index.ts";
import { TestChain } from "./harness.ts";

const hash = (label: string) => sha256Hex(label);
const base = { chainId: "gradual-test", from: hash("from"), nonce: 7 };

/** One transaction of each kind, with every field set (so every field is exercised by the table tests below). */
const EXAMPLES: { readonly [K in TransactionKind]: Extract<Transaction, { kind: K }> } = {
  transfer: { ...base, kind: "transfer", to: hash("to"), amount: 5n },
  createTask: {
    ...base,
    kind: "createTask",
    name: "Image labels v1.0_beta",
    bundleHash: hash("bundle"),
    metadataHash: hash("metadata"),
    params: DEVNET_PARAMS,
    funding: 1_000n * TOKEN,
  },
  fundTask: { ...base, kind: "fundTask", task: hash("task"), amount: 2n ** 100n },
  closeTask: { ...base, kind: "closeTask", task: hash("task") },
  stake: { ...base, kind: "stake", task: hash("task"), amount: 10n * TOKEN, nodeUrl: "https://node.example:8080/x" },
  unstake: { ...base, kind: "unstake", task: hash("task") },
  withdraw: { ...base, kind: "withdraw", task: hash("task") },
  commit: { ...base, kind: "commit", task: hash("task"), cycle: 3, commitment: hash("commitment") },
  reveal: { ...base, kind: "reveal", task: hash("task"), cycle: 3, proofDigest: hash("proof"), salt: hash("salt") },
  commitAndReveal: {
    ...base,
    kind: "commitAndReveal",
    task: hash("task"),
    cycle: 4,
    commitment: hash("commitment"),
    proofDigest: hash("proof"),
    salt: hash("salt"),
  },
  triggerAudit: {
    ...base,
    kind: "triggerAudit",
    task: hash("task"),
    cycle: 3,
    target: hash("target"),
    triggerKind: "distribution",
    verdict: "invalid",
    attempt: 1,
    reasonDigest: hash("reason"),
  },
  publishProof: { ...base, kind: "publishProof", task: hash("task"), cycle: 3, trigger: 1, payload: "00ff10" },
  vote: { ...base, kind: "vote", task: hash("task"), cycle: 3, trigger: 2, choice: "unavailable" },
  submitDistribution: {
    ...base,
    kind: "submitDistribution",
    task: hash("task"),
    cycle: 3,
    attempt: 0,
    listRoot: hash("root"),
    listBlob: hash("blob"),
    total: 99n * TOKEN + 1n,
    entryCount: 2,
  },
  claimDistribution: {
    ...base,
    kind: "claimDistribution",
    task: hash("task"),
    cycle: 3,
    recipient: hash("r1"),
    amount: 1n,
    index: 1,
    proof: [hash("sibling")],
  },
  claim: { ...base, kind: "claim", task: hash("task") },
};

function decodeError(raw: unknown): { code: string; field: string | undefined; message: string } {
  const decoded = decodeTransaction(raw);
  assert.ok(isDecodeRejection(decoded), `expected a rejection for ${JSON.stringify(raw)}`);
  const context = decoded.context as { field?: string };
  return { code: decoded.code, field: context.field, message: decoded.message };
}

function wireOf(kind: TransactionKind): Record<string, unknown> {
  return transactionToJson(EXAMPLES[kind]);
}

describe("decodeTransaction", () => {
  it("has an example for every kind", () => {
    assert.deepEqual(Object.keys(EXAMPLES).sort(), [...TRANSACTION_KINDS].sort());
    assert.equal(TRANSACTION_KINDS.length, 16);
  });

  for (const kind of TRANSACTION_KINDS) {
    it(`round-trips ${kind} through its wire JSON`, () => {
      const tx = EXAMPLES[kind];
      const wire = JSON.parse(JSON.stringify(transactionToJson(tx)));
      assert.doesNotMatch(JSON.stringify(wire), /"-?\d+n"/, "wire amounts are plain decimal strings");
      const decoded = decodeTransaction(wire);
      assert.deepEqual(decoded, tx);
      assert.equal(transactionHash(decoded as Transaction), transactionHash(tx), "same signing payload");
      assert.deepEqual(decodeTransaction(tx), tx, "an in-memory transaction decodes to itself");
    });
  }

  it("transactionToJson is the JSON round trip with bigints as decimal strings, for every kind", () => {
    const roundTrip = (value: unknown) =>
      JSON.parse(
        JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)),
      );
    for (const kind of TRANSACTION_KINDS) {
      const tx = EXAMPLES[kind];
      assert.deepEqual(transactionToJson(tx), roundTrip(tx), kind);
      assert.equal(JSON.stringify(transactionToJson(tx)), JSON.stringify(roundTrip(tx)), `${kind}: same key order`);
    }
    const odd = { ...EXAMPLES.transfer, nonce: -0, memo: undefined, note: Number.NaN } as unknown as Transaction;
    assert.equal(JSON.stringify(transactionToJson(odd)), JSON.stringify(roundTrip(odd)));
  });

  it("rejects an unknown field with its name, for every kind", () => {
    for (const kind of TRANSACTION_KINDS) {
      const error = decodeError({ ...wireOf(kind), memo: "hi" });
      assert.deepEqual([error.code, error.field], ["TX__UNKNOWN_FIELD", "memo"], kind);
    }
  });

  it("rejects an unknown kind", () => {
    const error = decodeError({ ...wireOf("transfer"), kind: "mint" });
    assert.equal(error.code, "TX__UNKNOWN_KIND");
    assert.equal(decodeError(null).code, "TX__MALFORMED");
    assert.equal(decodeError([]).code, "TX__MALFORMED");
  });

  it("rejects a wrongly typed or missing value in every field of every kind, naming the field", () => {
    for (const kind of TRANSACTION_KINDS) {
      const fields = ["chainId", "from", "nonce", ...Object.keys(TRANSACTION_FIELDS[kind])];
      for (const field of fields) {
        const wrong = decodeError({ ...wireOf(kind), [field]: true });
        assert.deepEqual([wrong.code, wrong.field], ["TX__MALFORMED", field], `${kind}.${field} = true`);
        assert.ok(wrong.message.startsWith(`${field}: expected`), wrong.message);
        if (field === "metadataHash") continue; // optional: absent means null
        const { [field]: _removed, ...missing } = wireOf(kind);
        const absent = decodeError(missing);
        assert.deepEqual([absent.code, absent.field], ["TX__MALFORMED", field], `${kind} without ${field}`);
      }
    }
    const { metadataHash: _dropped, ...withoutMetadata } = wireOf("createTask");
    assert.deepEqual(decodeTransaction(withoutMetadata), { ...EXAMPLES.createTask, metadataHash: null });
  });

  it("rejects bad values inside fields with the precise path", () => {
    const cases: readonly (readonly [TransactionKind, Record<string, unknown>, string])[] = [
      ["transfer", { amount: 5 }, "amount"],
      ["transfer", { amount: "0" }, "amount"],
      ["transfer", { amount: "-1" }, "amount"],
      ["transfer", { amount: "1.5" }, "amount"],
      ["transfer", { amount: "007" }, "amount"],
      ["transfer", { amount: (2n ** 128n).toString() }, "amount"],
      ["transfer", { to: hash("to").toUpperCase() }, "to"],
      ["transfer", { to: hash("to").slice(2) }, "to"],
      ["transfer", { nonce: -1 }, "nonce"],
      ["transfer", { nonce: 2 ** 32 }, "nonce"],
      ["transfer", { nonce: 1.5 }, "nonce"],
      ["transfer", { chainId: "Gradual_Test" }, "chainId"],
      ["createTask", { name: "bad/name" }, "name"],
      ["createTask", { name: "x".repeat(65) }, "name"],
      ["createTask", { params: { ...(wireOf("createTask").params as object), roundSlots: "20" } }, "params.roundSlots"],
      ["createTask", { params: { ...(wireOf("createTask").params as object), surprise: 1 } }, "params.surprise"],
      [
        "createTask",
        { params: { ...(wireOf("createTask").params as object), minimumStake: "-5" } },
        "params.minimumStake",
      ],
      ["createTask", { params: { ...(wireOf("createTask").params as object), auditMode: "half" } }, "params.auditMode"],
      ["stake", { nodeUrl: "ftp://node.example" }, "nodeUrl"],
      ["stake", { nodeUrl: `https://${"a".repeat(256)}` }, "nodeUrl"],
      ["triggerAudit", { triggerKind: "list" }, "triggerKind"],
      ["vote", { choice: "maybe" }, "choice"],
      ["submitDistribution", { total: "-1" }, "total"],
      ["submitDistribution", { listRoot: "x" }, "listRoot"],
      ["claimDistribution", { proof: [hash("a"), "x"] }, "proof[1]"],
      // A sibling that is not a string is malformed too (it used to throw a TypeError).
      ["claimDistribution", { proof: [null] }, "proof[0]"],
      ["claimDistribution", { proof: [hash("a"), 7, hash("b")] }, "proof[1]"],
      ["claimDistribution", { proof: hash("a") }, "proof"],
      ["claimDistribution", { proof: Array.from({ length: 21 }, () => hash("a")) }, "proof"],
      ["publishProof", { payload: "0g" }, "payload"],
      ["publishProof", { payload: "abc" }, "payload"],
      ["triggerAudit", { verdict: "upheld" }, "verdict"],
    ];
    for (const [kind, change, field] of cases) {
      const error = decodeError({ ...wireOf(kind), ...change });
      assert.deepEqual([error.code, error.field], ["TX__MALFORMED", field], `${kind} ${field}`);
    }
  });

  it("accepts amounts as bigints or plain decimal strings only (no n suffix, sign, leading zero or space)", () => {
    for (const amount of [5n, "5"]) {
      assert.deepEqual(decodeTransaction({ ...wireOf("transfer"), amount }), EXAMPLES.transfer);
    }
    for (const amount of ["5n", "05", "+5", " 5", "5 ", "5.0", "0x5", "5e0", 5]) {
      assert.equal(decodeError({ ...wireOf("transfer"), amount }).code, "TX__MALFORMED", JSON.stringify(amount));
    }
  });

  it("refuses Object.prototype names as kinds, fields and parameters (own properties only)", () => {
    for (const kind of ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) {
      const decoded = decodeTransaction({ ...wireOf("transfer"), kind });
      assert.ok(isDecodeRejection(decoded) && decoded.code === "TX__UNKNOWN_KIND", kind);
    }
    for (const field of ["constructor", "toString", "valueOf", "__proto__"]) {
      const raw = JSON.parse(`{${JSON.stringify(field)}: 1, ${JSON.stringify(wireOf("transfer")).slice(1)}`);
      const decoded = decodeTransaction(raw);
      assert.ok(isDecodeRejection(decoded) && decoded.code === "TX__UNKNOWN_FIELD", field);
      const create = wireOf("createTask") as { params: Record<string, unknown> };
      const params = JSON.parse(`{${JSON.stringify(field)}: 1, ${JSON.stringify(create.params).slice(1)}`);
      const withParam = decodeTransaction({ ...create, params });
      assert.ok(isDecodeRejection(withParam) && withParam.code === "TX__MALFORMED", `params.${field}`);
    }
  });

  it("makes applyTransaction refuse a malformed transaction without including it", () => {
    const chain = new TestChain({ alice: 10n * TOKEN });
    const state = chain.state;
    const result = applyTransaction(state, { ...EXAMPLES.transfer, amount: "ten" } as never, { slot: 0 });
    assert.ok(!result.ok);
    assert.deepEqual([result.code, result.included], ["TX__MALFORMED", false]);
    assert.equal(result.state, state, "the state is returned untouched");
  });
});
