/**
 * Transaction shapes (protocol.md §9.1): every kind round-trips through its wire JSON, and a bad transaction is
 * refused at the edge with the offending field named.
 */
import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import fc from "fast-check";
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
import { decodeTransactionGeneral, fastDecoderKinds } from "../src/transactions/schema.ts";
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

/** What decoding gives: the transaction or rejection as `shapeOf` shows it, or what it threw. */
function outcomeOf(decode: (raw: unknown) => unknown, raw: unknown): unknown {
  try {
    return shapeOf(decode(raw));
  } catch (error) {
    return { threw: String(error) };
  }
}

/** A decoded transaction or a rejection, with every field's order and value, bigints and -0 told apart. */
function shapeOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  return Object.entries(value).map(([key, inner]) => [
    key,
    typeof inner === "bigint" ? `${inner}n` : Object.is(inner, -0) ? "-0" : Array.isArray(inner) ? [...inner] : inner,
  ]);
}

describe("decodeTransaction's per-kind decoders", () => {
  const hex = (label: string) => hash(label);
  /** Values a field may be given: every type, edge values and near-misses of each field type. */
  const valueArb = fc.oneof(
    fc.constantFrom<unknown>(
      hex("a"),
      hex("b").toUpperCase(),
      `${hex("c").slice(0, 63)}g`,
      hex("d").slice(0, 62),
      `${hex("e")}0`,
      "",
      "0",
      "1",
      "007",
      "12n",
      "-5",
      "340282366920938463463374607431768211456",
      "gradual-test",
      "gradual-other",
      "Gradual",
      "123",
      "valid",
      "invalid",
      "unavailable",
      "proof",
      "distribution",
      "http://node.example",
      0,
      -0,
      1,
      -1,
      0.5,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53,
      Number.NaN,
      0n,
      1n,
      -1n,
      2n ** 128n - 1n,
      2n ** 128n,
      null,
      undefined,
      true,
      [],
      [hex("s1"), hex("s2")],
      [hex("s1"), "x"],
      Array.from({ length: 65 }, (_, index) => hex(`s${index}`)),
      {},
    ),
    fc.string(),
    fc.integer(),
    fc.bigInt(),
  );
  const kindArb = fc.constantFrom(...TRANSACTION_KINDS);
  /** A valid example of a kind, then some of its fields changed, removed, added or reordered. */
  const recordArb = fc
    .tuple(
      kindArb,
      fc.array(fc.tuple(fc.constantFrom("set", "delete", "add"), fc.nat(20), valueArb), { maxLength: 3 }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([kind, edits, wire, reverse]) => {
      const example = EXAMPLES[kind] as unknown as Record<string, unknown>;
      const record: Record<string, unknown> = wire ? { ...transactionToJson(EXAMPLES[kind]) } : { ...example };
      const names = Object.keys(record);
      for (const [edit, at, value] of edits) {
        const name = names[at % names.length] as string;
        if (edit === "set") record[name] = value;
        else if (edit === "delete") delete record[name];
        else record[at % 2 === 0 ? "extra" : "amount"] = value;
      }
      return reverse ? Object.fromEntries(Object.entries(record).reverse()) : record;
    });

  it("covers the kinds a cycle sends by the ten thousand", () => {
    for (const kind of ["commit", "reveal", "vote", "claimDistribution", "transfer"] as const) {
      assert.ok(fastDecoderKinds().includes(kind), kind);
    }
  });

  it("builds each kind's fields in the general path's order", () => {
    for (const kind of fastDecoderKinds()) {
      for (const raw of [EXAMPLES[kind], transactionToJson(EXAMPLES[kind])]) {
        const reordered = Object.fromEntries(Object.entries(raw).reverse());
        const fast = decodeTransaction(reordered);
        assert.ok(!isDecodeRejection(fast), kind);
        assert.deepEqual(Object.keys(fast), [
          "kind",
          "chainId",
          "from",
          "nonce",
          ...Object.keys(TRANSACTION_FIELDS[kind]),
        ]);
        assert.deepEqual(shapeOf(fast), shapeOf(decodeTransactionGeneral(reordered)), kind);
      }
    }
  });

  it("decode every field set to every tricky value as the general path does, the second time too", () => {
    const values = fc.sample(valueArb, { numRuns: 400, seed: 20261206 });
    for (const kind of TRANSACTION_KINDS) {
      for (const base of [EXAMPLES[kind] as unknown as Record<string, unknown>, transactionToJson(EXAMPLES[kind])]) {
        for (const field of Object.keys(base)) {
          for (const value of values) {
            const record = { ...base, [field]: value };
            // Twice: what the first decode remembered (a key order, a checked hash) must not change the second.
            for (let run = 0; run < 2; run += 1) {
              assert.deepEqual(outcomeOf(decodeTransaction, record), outcomeOf(decodeTransactionGeneral, record));
            }
          }
        }
      }
    }
  });

  it("decode every record exactly as the general path does, valid or not", () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        // Twice: the second run finds the key order the first one remembered.
        for (let run = 0; run < 2; run += 1) {
          assert.deepEqual(outcomeOf(decodeTransaction, record), outcomeOf(decodeTransactionGeneral, record));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("decode a record with an inherited or non-enumerable field as the general path does", () => {
    const vote = { ...EXAMPLES.vote } as Record<string, unknown>;
    const { choice, ...rest } = vote;
    const inherited = Object.assign(Object.create({ choice }), rest);
    const hidden = Object.defineProperty({ ...rest }, "choice", { value: choice, enumerable: false });
    for (const record of [inherited, hidden]) {
      assert.deepEqual(shapeOf(decodeTransaction(record)), shapeOf(decodeTransactionGeneral(record)));
    }
    assert.ok(isDecodeRejection(decodeTransaction(inherited)));
  });
});

test('a kind that is a bigint (a canonically parsed "5n") is refused as an unknown kind by both paths, not thrown', () => {
  for (const decode of [decodeTransaction, decodeTransactionGeneral]) {
    const decoded = decode({ kind: 5n, chainId: "gradual-test" });
    assert.ok(isDecodeRejection(decoded));
    assert.equal(decoded.code, "TX__UNKNOWN_KIND");
    assert.equal(decoded.message, "unknown transaction kind 5n");
  }
});
