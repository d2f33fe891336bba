/**
 * The action and verdict keys decide() keeps and hands out again (auditKey, verdictKey, NumberedKeys) are exactly the
 * text built from their parts, whatever order and mix of parts they are asked for in (their caches evict).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { auditKey, NumberedKeys, verdictKey } from "../src/decide.ts";

const hex64 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 });

test("NumberedKeys.of(n) is the kind, a slash and n, for any sequence of numbers", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("work", "commit", "reveal", "claim"),
      fc.array(fc.oneof(fc.nat(40), fc.integer({ min: -5, max: 5 }), fc.nat(), fc.maxSafeNat()), { maxLength: 200 }),
      (kind, numbers) => {
        const keys = new NumberedKeys(kind);
        for (const n of numbers) assert.equal(keys.of(n), `${kind}/${n}`);
      },
    ),
  );
});

test("auditKey and verdictKey are their parts joined, for any sequence of cycles and targets", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(30), hex64), { maxLength: 200 }), (asked) => {
      for (const [cycle, target] of asked) {
        assert.equal(auditKey(cycle, target), `audit/${cycle}/${target}`);
        assert.equal(verdictKey(cycle, target), `${cycle}/${target}`);
      }
    }),
  );
});
