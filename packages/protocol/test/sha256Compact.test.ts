import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { sha256 } from "../src/encoding/hash.ts";
import {
  paddedLength,
  sha256Compact,
  sha256Prefix,
  sha256PrefixPacked,
  unpackHash,
  writePackedHash,
} from "../src/encoding/sha256Compact.ts";

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

test("sha256Compact equals @noble/hashes on any parts, across the padding boundaries", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), (parts) => {
      assert.equal(bytesToHex(sha256Compact(...parts)), bytesToHex(nobleSha256(joined(parts))));
    }),
    { numRuns: 500 },
  );
  for (let length = 0; length <= 300; length += 1) {
    const input = Uint8Array.from({ length }, (_, index) => (index * 31 + length) & 0xff);
    assert.equal(bytesToHex(sha256Compact(input)), bytesToHex(nobleSha256(input)), `length ${length}`);
  }
});

test("sha256Prefix hashes only the first `length` bytes of its buffer", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
      const length = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
      assert.equal(bytesToHex(sha256Prefix(bytes, length)), bytesToHex(nobleSha256(bytes.subarray(0, length))));
    }),
    { numRuns: 300 },
  );
  assert.throws(() => sha256Prefix(new Uint8Array(3), 4), RangeError);
});

test("a buffer with room for the padding is hashed in place: the message stays, only bytes after it change", () => {
  for (let length = 0; length <= 200; length += 1) {
    for (const room of [0, 1, 8, 9, 63, 64, 72, 200]) {
      const bytes = Uint8Array.from({ length: length + room }, (_, index) => (index * 37 + room) & 0xff);
      const message = bytes.slice(0, length);
      const expected = bytesToHex(nobleSha256(message));
      assert.equal(bytesToHex(sha256Prefix(bytes, length)), expected, `length ${length}, room ${room}`);
      assert.deepEqual(bytes.subarray(0, length), message);
      assert.equal(bytesToHex(unpackHash(sha256PrefixPacked(bytes, length))), expected);
      assert.ok(paddedLength(length) >= length + 9 && paddedLength(length) % 64 === 0);
    }
  }
});

test("a packed hash holds the 32 digest bytes, two a character, big-endian", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const packed = sha256PrefixPacked(bytes, bytes.length);
      const expected = nobleSha256(bytes);
      assert.equal(packed.length, 16);
      assert.deepEqual(unpackHash(packed), expected);
      for (let index = 0; index < 16; index += 1) {
        assert.equal(
          packed.charCodeAt(index),
          (expected[index * 2] as number) * 256 + (expected[index * 2 + 1] as number),
        );
      }
      const out = new Uint8Array(40);
      writePackedHash(packed, out, 5);
      assert.deepEqual(out.subarray(5, 37), expected);
    }),
    { numRuns: 200 },
  );
});

test("sha256 (hash.ts) gives @noble/hashes' digest on both sides of its 4 KiB switch", () => {
  for (const length of [0, 55, 56, 64, 4_095, 4_096, 4_097, 70_000]) {
    const input = Uint8Array.from({ length }, (_, index) => (index * 7) & 0xff);
    assert.equal(bytesToHex(sha256(input)), bytesToHex(nobleSha256(input)), `one part of ${length} bytes`);
    const split = Math.floor(length / 3);
    assert.equal(
      bytesToHex(sha256("tag/", input.subarray(0, split), input.subarray(split))),
      bytesToHex(nobleSha256(joined([new TextEncoder().encode("tag/"), input]))),
      `three parts, ${length} bytes`,
    );
  }
  // The known vector of "abc" (FIPS 180-4).
  assert.equal(bytesToHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
