import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256Hex } from "@gradual/protocol";
import fc from "fast-check";
import { simSha256Hex } from "../src/hash.ts";

test("simSha256Hex is the protocol's sha256Hex of the same text, for any text", () => {
  // Any UTF-16 code unit (lone surrogates included: both encode them as U+FFFD), any code point, and the
  // simulator's own shapes of text, across SHA-256's block and padding boundaries.
  const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
  const texts = fc.oneof(
    fc.string({ unit: codeUnit, maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ unit: "grapheme-ascii", minLength: 50, maxLength: 130 }),
  );
  fc.assert(
    fc.property(texts, (text) => simSha256Hex(text) === sha256Hex(text)),
    { numRuns: 2_000 },
  );
  assert.equal(simSha256Hex(""), sha256Hex(""));
  assert.equal(simSha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
