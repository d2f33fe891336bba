/**
 * The binary record encoding that state-trie leaves hash (protocol.md §9.4): pinned bytes for each kind of value,
 * and a decoder written from the table in protocol.md that gives every encoded value back (so the encoding is
 * injective: two different records never hash the same bytes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bytesToHex, recordBytes } from "../src/index.ts";

/** Reads one value at `at`; returns it and the offset after it. */
function decode(bytes: Uint8Array, at: number): [unknown, number] {
  const tag = bytes[at] as number;
  let offset = at + 1;
  const uint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[offset] as number;
      offset += 1;
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) {
        assert.ok(byte !== 0 || shift === 7n, "no superfluous LEB128 bytes");
        return value;
      }
    }
  };
  const text = (): string => {
    const length = Number(uint());
    const value = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  switch (tag) {
    case 0x00:
      return [null, offset];
    case 0x01:
      return [false, offset];
    case 0x02:
      return [true, offset];
    case 0x03:
      return [Number(uint()), offset];
    case 0x04: {
      const magnitude = uint();
      assert.notEqual(magnitude, 0n, "negative zero");
      return [-Number(magnitude), offset];
    }
    case 0x05:
      return [uint(), offset];
    case 0x06: {
      const magnitude = uint();
      assert.notEqual(magnitude, 0n, "negative zero");
      return [-magnitude, offset];
    }
    case 0x07: {
      const value = text();
      assert.ok(!/^([0-9a-f]{2})+$/.test(value), "hex strings are tag 0x08");
      return [value, offset];
    }
    case 0x08: {
      const length = Number(uint());
      assert.ok(length > 0);
      const value = bytesToHex(bytes.subarray(offset, offset + length));
      return [value, offset + length];
    }
    case 0x09: {
      const count = Number(uint());
      const items: unknown[] = [];
      for (let index = 0; index < count; index += 1) {
        const [item, next] = decode(bytes, offset);
        items.push(item);
        offset = next;
      }
      return [items, offset];
    }
    case 0x0a: {
      const count = Number(uint());
      const record: Record<string, unknown> = {};
      let previous: string | undefined;
      for (let index = 0; index < count; index += 1) {
        const key = text();
        assert.ok(previous === undefined || previous < key, "members in ascending key order, each once");
        previous = key;
        const [member, next] = decode(bytes, offset);
        record[key] = member;
        offset = next;
      }
      return [record, offset];
    }
    default:
      throw new Error(`unknown tag ${tag}`);
  }
}

function decodeAll(bytes: Uint8Array): unknown {
  const [value, end] = decode(bytes, 0);
  assert.equal(end, bytes.length, "no trailing bytes");
  return value;
}

/** Values as records hold them: objects without `undefined` members. */
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 140n), max: 2n ** 140n }),
    fc.string({ unit: "binary" }),
    fc.stringMatching(/^([0-9a-f]{2}){0,40}$/),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ unit: "binary", maxLength: 8 }).filter((key) => key !== "__proto__"),
      tie("value"),
      { maxKeys: 6, noNullPrototype: true },
    ),
  ),
})).value;

describe("record bytes", () => {
  it("encodes each kind of value as protocol.md §9.4 says", () => {
    const cases: [unknown, string][] = [
      [null, "00"],
      [false, "01"],
      [true, "02"],
      [0, "0300"],
      [-0, "0300"],
      [127, "037f"],
      [128, "038001"],
      [300, "03ac02"],
      [-1, "0401"],
      [Number.MAX_SAFE_INTEGER, "03ffffffffffffff0f"],
      [0n, "0500"],
      [1_000_000_000_000n, "0580a094a58d1d"],
      [-5n, "0605"],
      [2n ** 64n, "0580808080808080808002"],
      ["", "0700"],
      ["abc", "0703616263"],
      ["é", "0702c3a9"],
      ["0a", "08010a"],
      ["0A", "07023041"],
      ["abc1", "0802abc1"],
      ["a".repeat(64), `0820${"aa".repeat(32)}`],
      [[], "0900"],
      [[1, "x"], "090203010701" + "78"],
      [{}, "0a00"],
      [{ nonce: 2, balance: 5n, gone: undefined }, "0a02" + "0762616c616e6365" + "0505" + "056e6f6e6365" + "0302"],
    ];
    for (const [value, hex] of cases) assert.equal(bytesToHex(recordBytes(value)), hex, JSON.stringify(String(value)));
  });

  it("gives every value back through a decoder written from the table (so it is injective)", () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        assert.deepEqual(decodeAll(recordBytes(value)), value);
      }),
      { numRuns: 500 },
    );
  });

  it("finds each object's layout among layouts that share a first key, a prefix or their keys", () => {
    // Few key names, so first keys collide and one record's keys are a prefix or a reordering of another's; members
    // that are `undefined` are left out of the bytes and the count.
    const recordArb = fc.array(
      fc.tuple(fc.constantFrom("a", "b", "c", "d", "nonce", "balance"), fc.option(fc.nat(300), { nil: undefined })),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 8 }), (records) => {
        for (const members of records) {
          const record: Record<string, unknown> = {};
          for (const [key, value] of members) record[key] = value;
          const defined = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
          assert.deepEqual(decodeAll(recordBytes(record)), defined);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("counts an object's members in as many bytes as the count needs (128 and more)", () => {
    for (const size of [127, 128, 130, 300]) {
      const record = Object.fromEntries(Array.from({ length: size }, (_, index) => [`k${index}`, index]));
      const withGap = { ...record, k0: undefined };
      assert.deepEqual(decodeAll(recordBytes(record)), record);
      const { k0: _gone, ...rest } = record;
      assert.deepEqual(decodeAll(recordBytes(withGap)), rest);
    }
  });

  it("refuses what a record cannot hold", () => {
    for (const value of [0.5, Number.NaN, 2 ** 53, undefined, () => 1, Symbol("x")]) {
      assert.throws(() => recordBytes(value), TypeError);
    }
    assert.throws(() => recordBytes([undefined]), TypeError);
  });
});
