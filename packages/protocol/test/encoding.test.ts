/** Canonical encoding (protocol.md §9.2): one byte string per value, bigints unambiguous, round trips exact. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex as nobleBytesToHex } from "@noble/hashes/utils.js";
import fc from "fast-check";
import {
  accumulateSalt,
  bytesToHex,
  canonicalBytes,
  canonicalParse,
  canonicalStringify,
  computeCommitment,
  hashCanonicalHex,
  hexToBytes,
  isBigintString,
  merkleRoot,
  sha256Hex,
  signingPayload,
  type Transaction,
} from "../src/index.ts";

/** Strings the encoder accepts: anything that does not read as a bigint ("12n"). */
const plainString = fc.string({ maxLength: 12 }).filter((value) => !isBigintString(value));

/** Values the protocol stores: null, booleans, safe integers, bigints, plain strings, arrays and records. */
const canonicalValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
    plainString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(plainString, tie("value"), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

/** A copy of a value with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value === "object" && value !== null) {
    // fromEntries defines own properties: an assignment would turn a "__proto__" key into a prototype change (a CI run
    // drew { "__proto__": "" }).
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

describe("canonical encoding", () => {
  it("round-trips every storable value through canonicalParse", () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        const text = canonicalStringify(value);
        assert.deepEqual(canonicalParse(text), value);
        assert.equal(canonicalStringify(canonicalParse(text)), text, "re-encoding is byte-identical");
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on key insertion order", () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        assert.equal(canonicalStringify(reverseKeys(value)), canonicalStringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it("sorts keys by UTF-16 code unit at every depth and writes no whitespace", () => {
    const value = { b: 1, a: { z: [3, { y: true, x: null }], "": "e" }, B: "c", aa: 2n, "\u00e9": 0 };
    assert.equal(
      canonicalStringify(value),
      '{"B":"c","a":{"":"e","z":[3,{"x":null,"y":true}]},"aa":"2n","b":1,"\u00e9":0}',
    );
  });

  it("writes bigints with an n suffix, distinct from numbers and strings", () => {
    assert.equal(canonicalStringify(5n), '"5n"');
    assert.equal(canonicalStringify(-12n), '"-12n"');
    assert.equal(canonicalStringify(5), "5");
    assert.equal(canonicalStringify("5"), '"5"');
    assert.notEqual(canonicalStringify({ amount: 5n }), canonicalStringify({ amount: 5 }));
    assert.equal(canonicalParse('"5n"'), 5n);
    assert.equal(canonicalParse('"5"'), "5");
    assert.equal(canonicalParse('"05n"'), "05n", "not a canonical bigint, so a plain string");
  });

  it("rejects strings that would read back as bigints", () => {
    for (const ambiguous of ["0n", "12n", "-7n", "-0n", "340282366920938463463374607431768211456n"]) {
      assert.ok(isBigintString(ambiguous));
      assert.throws(() => canonicalStringify(ambiguous), /ambiguous with a bigint/, ambiguous);
      assert.throws(() => canonicalStringify({ nested: [ambiguous] }), /ambiguous/);
    }
    for (const fine of ["n", "12", "12N", "012n", "1.5n", "12n ", "", "abc"]) {
      assert.ok(!isBigintString(fine), fine);
      assert.equal(canonicalParse(canonicalStringify(fine)), fine);
    }
  });

  it("rejects what has no single encoding: unsafe or fractional numbers, functions, symbols, undefined", () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)]) {
      assert.throws(() => canonicalStringify(bad), TypeError, String(bad));
    }
    assert.throws(() => canonicalStringify(() => 1), TypeError);
    assert.throws(() => canonicalStringify(Symbol("s")), TypeError);
    assert.throws(() => canonicalStringify(undefined), TypeError);
    assert.equal(canonicalStringify(-0), "0");
    assert.equal(canonicalStringify({ kept: 1, dropped: undefined }), '{"kept":1}', "undefined fields are absent");
  });

  it("hashes under a domain tag: same value, different domain, different hash", () => {
    const value = { a: 1n };
    assert.notEqual(hashCanonicalHex("one", value), hashCanonicalHex("two", value));
    assert.equal(hashCanonicalHex("one", value), sha256Hex("gradual/one/v1\n", canonicalBytes(value)));
    assert.equal(hashCanonicalHex("one", reverseKeys({ x: 1, y: 2 })), hashCanonicalHex("one", { x: 1, y: 2 }));
    assert.equal(bytesToHex(canonicalBytes("é")), "22c3a922", "UTF-8 bytes");
  });
});

/** The encoder as first written (protocol.md §9.2), kept as the reference the faster one must match byte for byte. */
function referenceStringify(value: unknown): string {
  if (typeof value !== "object" || value === null) return canonicalStringify(value);
  if (Array.isArray(value)) return `[${value.map(referenceStringify).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${referenceStringify(record[key])}`).join(",")}}`;
}

describe("encoding fast paths agree with their definitions", () => {
  it("canonicalStringify matches the reference encoder, undefined fields included", () => {
    const withHoles = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        canonicalValue,
        fc.dictionary(plainString, fc.option(tie("value"), { nil: undefined }), { maxKeys: 6, noNullPrototype: true }),
      ),
    })).value;
    fc.assert(
      fc.property(withHoles, (value) => {
        assert.equal(canonicalStringify(value), referenceStringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it("signingPayload is the domain tag followed by the canonical bytes (§9.2)", () => {
    const tx: Transaction = {
      kind: "transfer",
      chainId: "gradual-test",
      from: sha256Hex("from"),
      nonce: 3,
      to: sha256Hex("to"),
      amount: 2n ** 100n,
    };
    const expected = new Uint8Array([...new TextEncoder().encode("gradual/tx/v1\n"), ...canonicalBytes(tx)]);
    assert.deepEqual(signingPayload(tx), expected);
  });

  it("computeCommitment is §4.1's hash of the five inputs' bytes, and the v1 canonical hash of malformed ones", () => {
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
    const cycleBytes = (cycle: number) =>
      new Uint8Array([cycle >>> 24, (cycle >>> 16) & 0xff, (cycle >>> 8) & 0xff, cycle & 0xff]);
    fc.assert(
      fc.property(
        hex,
        fc.integer({ min: 0, max: 0xffffffff }),
        hex,
        hex,
        hex,
        (task, cycle, node, proofDigest, salt) => {
          const input = { task, cycle, node, proofDigest, salt };
          const expected = nobleSha256(
            new Uint8Array([
              ...new TextEncoder().encode("gradual/commit/v2\n"),
              ...hexToBytes(task),
              ...cycleBytes(cycle),
              ...hexToBytes(node),
              ...hexToBytes(proofDigest),
              ...hexToBytes(salt),
            ]),
          );
          assert.equal(computeCommitment(input), bytesToHex(expected));
        },
      ),
      { numRuns: 200 },
    );
    const malformed = fc.oneof(
      fc.string({ maxLength: 70 }).filter((value) => !isBigintString(value) && !/^[0-9a-f]{64}$/.test(value)),
      fc.stringMatching(/^[0-9A-F]{64}$/).filter((value) => /[A-F]/.test(value)),
    );
    fc.assert(
      fc.property(malformed, fc.integer(), hex, hex, hex, (task, cycle, node, proofDigest, salt) => {
        const input = { task, cycle, node, proofDigest, salt };
        assert.equal(computeCommitment(input), hashCanonicalHex("commit", input));
      }),
      { numRuns: 200 },
    );
    // A cycle outside 32 bits has no 4-byte form: the v1 hash.
    const [task, node, proofDigest, salt] = ["a", "b", "c", "d"].map((text) => sha256Hex(text)) as [
      string,
      string,
      string,
      string,
    ];
    const large = { task, cycle: 2 ** 32, node, proofDigest, salt };
    assert.equal(computeCommitment(large), hashCanonicalHex("commit", large));
  });

  it("accumulateSalt is the first 96 bits of H(tag, accumulator bytes, salt bytes), zero-padded (§4.4)", () => {
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(hex, hex, (accumulator, salt) => {
        const expected = nobleSha256(
          new Uint8Array([
            ...new TextEncoder().encode("gradual/seed/salt/v2\n"),
            ...hexToBytes(accumulator),
            ...hexToBytes(salt),
          ]),
        );
        assert.equal(accumulateSalt(accumulator, salt), bytesToHex(expected).slice(0, 24) + "0".repeat(40));
      }),
      { numRuns: 200 },
    );
  });

  it("bytesToHex writes what @noble/hashes writes, for every length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1100 }), (bytes) => {
        assert.equal(bytesToHex(bytes), nobleBytesToHex(bytes));
      }),
      { numRuns: 300 },
    );
    assert.equal(bytesToHex(new Uint8Array(32).fill(0xab)), "ab".repeat(32));
    assert.throws(() => bytesToHex("ab" as unknown as Uint8Array));
  });

  it("merkleRoot hashes leaves and pairs as §6.4 says, for every size up to 70", () => {
    const reference = (leaves: readonly Uint8Array[]): Uint8Array => {
      const empty = new Uint8Array(32);
      if (leaves.length === 0) return empty;
      let level: Uint8Array[] = leaves.map((leaf) => nobleSha256(new Uint8Array([0, ...leaf])));
      while (level.length > 1) {
        const next: Uint8Array[] = [];
        for (let index = 0; index < level.length; index += 2) {
          next.push(nobleSha256(new Uint8Array([1, ...(level[index] as Uint8Array), ...(level[index + 1] ?? empty)])));
        }
        level = next;
      }
      return level[0] as Uint8Array;
    };
    for (let size = 0; size <= 70; size += 1) {
      const leaves = Array.from({ length: size }, (_, index) => nobleSha256(new Uint8Array([index, size])));
      assert.equal(bytesToHex(merkleRoot(leaves)), bytesToHex(reference(leaves)), `${size} leaves`);
    }
  });
});
