/**
 * Seeded choices (protocol.md §4.4, §5.1, §6.1): the Feistel permutation, the audit ring, the exponential race and
 * its fixed-point logarithm, and the seed chain.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import {
  accumulateSalt,
  auditorIndicesOf,
  auditTargetIndices,
  bytesToHex,
  drawByWeight,
  hexToBytes,
  log2Fixed,
  nextSeed,
  raceTime,
  SeededPermutation,
  sha256Hex,
} from "../src/index.ts";

const ONE = 1n << 48n;
const seedOf = (label: string | number) => sha256Hex(`seed:${label}`);
const accountAt = (index: number) => sha256Hex(`account:${index}`);
const hexArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => bytesToHex(bytes));

describe("SeededPermutation", () => {
  it("is a bijection of [0, size) for every size up to 100 and around powers of two", () => {
    const sizes = [...Array.from({ length: 100 }, (_, index) => index + 1), 127, 128, 129, 255, 256, 257, 1000, 4097];
    for (const size of sizes) {
      const permutation = new SeededPermutation(seedOf(size), size);
      const seen = new Uint8Array(size);
      for (let index = 0; index < size; index += 1) {
        const position = permutation.forward(index);
        assert.ok(Number.isInteger(position) && position >= 0 && position < size, `size ${size}: ${position}`);
        assert.equal(seen[position], 0, `size ${size}: position ${position} hit twice`);
        seen[position] = 1;
        assert.equal(permutation.inverse(position), index, `size ${size}: inverse(forward(${index}))`);
      }
    }
  });

  it("inverse(forward(x)) = x and forward(inverse(p)) = p for random seeds and sizes", () => {
    fc.assert(
      fc.property(hexArb, fc.integer({ min: 1, max: 1 << 20 }), fc.nat(), (seed, size, pick) => {
        const permutation = new SeededPermutation(seed, size);
        const x = pick % size;
        assert.equal(permutation.inverse(permutation.forward(x)), x);
        assert.equal(permutation.forward(permutation.inverse(x)), x);
      }),
      { numRuns: 300 },
    );
  });

  it("is the Feistel network of protocol.md §5.1, round values cached or not", () => {
    const reference = (seed: string, size: number, value: number): number => {
      let bits = 2;
      while (2 ** bits < size) bits += 1;
      if (bits % 2 === 1) bits += 1;
      const half = bits / 2;
      const round = (index: number, x: number) => {
        const input = [index, x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
        const digest = nobleSha256(
          new Uint8Array([...new TextEncoder().encode("gradual/permutation/v1\n"), ...hexToBytes(seed), ...input]),
        );
        return (
          (((digest[0] as number) << 24) |
            ((digest[1] as number) << 16) |
            ((digest[2] as number) << 8) |
            (digest[3] as number)) >>>
          0
        );
      };
      const encrypt = (v: number) => {
        let left = Math.floor(v / 2 ** half);
        let right = v % 2 ** half;
        for (let index = 0; index < 4; index += 1)
          [left, right] = [right, (left ^ (round(index, right) % 2 ** half)) >>> 0];
        return left * 2 ** half + right;
      };
      let out = encrypt(value);
      while (out >= size) out = encrypt(out);
      return out;
    };
    fc.assert(
      fc.property(
        hexArb,
        fc.integer({ min: 1, max: 1 << 20 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (seed, size, picks) => {
          const permutation = new SeededPermutation(seed, size);
          // Twice each: the second call reads the cached round values.
          for (const pick of [...picks, ...picks])
            assert.equal(permutation.forward(pick % size), reference(seed, size, pick % size));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("depends on the seed", () => {
    const left = new SeededPermutation(seedOf("left"), 64);
    const right = new SeededPermutation(seedOf("right"), 64);
    const order = (permutation: SeededPermutation) => Array.from({ length: 64 }, (_, i) => permutation.forward(i));
    assert.notDeepEqual(order(left), order(right));
    assert.deepEqual(order(left), order(new SeededPermutation(seedOf("left"), 64)));
  });

  it("rejects sizes outside [1, 2^30]", () => {
    for (const size of [0, -1, 1.5, 2 ** 30 + 1, Number.NaN]) {
      assert.throws(() => new SeededPermutation(seedOf(0), size), RangeError, `size ${size}`);
    }
    assert.equal(new SeededPermutation(seedOf(0), 1).forward(0), 0);
  });
});

describe("audit assignment", () => {
  it("audits every submission exactly min(k, m-1) times, never by its own node, with distinct targets", () => {
    for (let size = 1; size <= 40; size += 1) {
      for (const k of [1, 2, 3, 5, 8, 64]) {
        const permutation = new SeededPermutation(seedOf(`${size}/${k}`), size);
        const expected = Math.min(k, size - 1);
        const audited = new Array<number>(size).fill(0);
        for (let auditor = 0; auditor < size; auditor += 1) {
          const targets = auditTargetIndices(permutation, auditor, k, "sampled");
          assert.equal(targets.length, expected, `m=${size} k=${k}: auditor ${auditor} has ${targets.length}`);
          assert.equal(new Set(targets).size, targets.length, "distinct targets");
          assert.ok(!targets.includes(auditor), "never its own submission");
          for (const target of targets) audited[target] = (audited[target] as number) + 1;
        }
        assert.deepEqual(audited, new Array<number>(size).fill(expected), `m=${size} k=${k}`);
      }
    }
  });

  it("auditorIndicesOf(t) is exactly the set of auditors whose targets include t", () => {
    fc.assert(
      fc.property(hexArb, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), (seed, size, k) => {
        const permutation = new SeededPermutation(seed, size);
        const targetsOf = Array.from({ length: size }, (_, auditor) =>
          auditTargetIndices(permutation, auditor, k, "sampled"),
        );
        for (let target = 0; target < size; target += 1) {
          const auditors = auditorIndicesOf(permutation, target, k, "sampled");
          const expected = targetsOf.flatMap((targets, auditor) => (targets.includes(target) ? [auditor] : []));
          assert.deepEqual(
            [...auditors].sort((x, y) => x - y),
            expected,
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it("mode 'all' pairs everyone with everyone else", () => {
    const permutation = new SeededPermutation(seedOf("all"), 7);
    for (let index = 0; index < 7; index += 1) {
      const others = [0, 1, 2, 3, 4, 5, 6].filter((other) => other !== index);
      assert.deepEqual(auditTargetIndices(permutation, index, 2, "all"), others);
      assert.deepEqual(auditorIndicesOf(permutation, index, 2, "all"), others);
    }
  });
});

/** log2Fixed as first written, all in bigints: the double-based one must give exactly its results. */
function log2FixedReference(x: bigint): bigint {
  const integerPart = BigInt(x.toString(2).length - 1);
  let mantissa = (x << 48n) >> integerPart;
  let result = integerPart << 48n;
  for (let bit = 47n; bit >= 0n; bit -= 1n) {
    mantissa = (mantissa * mantissa) >> 48n;
    if (mantissa >= 2n * ONE) {
      mantissa >>= 1n;
      result += 1n << bit;
    }
  }
  return result;
}

describe("log2Fixed", () => {
  it("gives exactly the all-bigint computation's result", () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 64n }), fc.bigInt({ min: 1n, max: 2n ** 200n })), (x) => {
        assert.equal(log2Fixed(x), log2FixedReference(x));
      }),
      { numRuns: 2_000 },
    );
    for (const x of [1n, 2n, 3n, 2n ** 48n - 1n, 2n ** 49n - 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 64n + 1n]) {
      assert.equal(log2Fixed(x), log2FixedReference(x), `x = ${x}`);
    }
  });

  it("is exact on powers of two", () => {
    for (let k = 0n; k <= 200n; k += 1n) assert.equal(log2Fixed(1n << k), k * ONE, `2^${k}`);
  });

  it("matches floor(log2(x) * 2^48), computed to 80 digits, within one unit below", () => {
    const known: readonly (readonly [bigint, bigint])[] = [
      [3n, 446127282977750n],
      [5n, 653564656432238n],
      [10n, 935039633142894n],
      [1_000_003n, 5610239017103196n],
      [2n ** 63n + 1n, 17732923532771328n],
      [12_345_678_901_234_567_890n, 17851323160435032n],
      [2n ** 64n - 1n, 18014398509481983n],
    ];
    for (const [x, exact] of known) {
      const got = log2Fixed(x);
      assert.ok(got <= exact && exact - got <= 1n, `log2Fixed(${x}) = ${got}, exact floor ${exact}`);
    }
  });

  it("shifts by exactly k when x is multiplied by 2^k, and never decreases", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 64n }), fc.integer({ min: 0, max: 64 }), (x, k) => {
        assert.equal(log2Fixed(x << BigInt(k)), log2Fixed(x) + BigInt(k) * ONE);
        assert.ok(log2Fixed(x + 1n) >= log2Fixed(x));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects x < 1", () => {
    assert.throws(() => log2Fixed(0n), RangeError);
    assert.throws(() => log2Fixed(-5n), RangeError);
  });
});

describe("drawByWeight", () => {
  const candidatesArb = fc.uniqueArray(fc.record({ node: hexArb, weight: fc.bigInt({ min: 0n, max: 10n ** 20n }) }), {
    minLength: 1,
    maxLength: 12,
    selector: (candidate) => candidate.node,
  });

  it("is deterministic and does not depend on the order of the candidates", () => {
    fc.assert(
      fc.property(hexArb, fc.nat(5), candidatesArb, fc.nat(), (seed, attempt, candidates, rotation) => {
        const winner = drawByWeight(seed, attempt, candidates);
        assert.equal(drawByWeight(seed, attempt, candidates), winner);
        const shift = rotation % candidates.length;
        const rotated = [...candidates.slice(shift), ...candidates.slice(0, shift)].reverse();
        assert.equal(drawByWeight(seed, attempt, rotated), winner);
      }),
      { numRuns: 200 },
    );
  });

  it("never picks a zero weight; returns null only when no weight is positive", () => {
    fc.assert(
      fc.property(hexArb, fc.nat(5), candidatesArb, (seed, attempt, candidates) => {
        const winner = drawByWeight(seed, attempt, candidates);
        const positive = candidates.filter((candidate) => candidate.weight > 0n);
        // Zero weights win only when nobody weighs anything (protocol.md §6.1).
        if (positive.length === 0) assert.equal(winner, candidates.length === 0 ? null : winner);
        else assert.ok(positive.some((candidate) => candidate.node === winner));
        if (positive.length === 0 && candidates.length > 0) {
          assert.ok(
            candidates.some((candidate) => candidate.node === winner),
            "an all-zero race still picks one",
          );
        }
        if (positive.length === 1) assert.equal(winner, positive[0]?.node, "a lone positive weight always wins");
      }),
      { numRuns: 300 },
    );
    assert.equal(drawByWeight(seedOf(1), 0, []), null);
  });

  it("is invariant under scaling every weight, and the winner stays the winner when its weight grows", () => {
    fc.assert(
      fc.property(
        hexArb,
        fc.nat(5),
        candidatesArb,
        fc.bigInt({ min: 2n, max: 10n ** 6n }),
        (seed, attempt, candidates, factor) => {
          const winner = drawByWeight(seed, attempt, candidates);
          const scaled = candidates.map((candidate) => ({ ...candidate, weight: candidate.weight * factor }));
          assert.equal(drawByWeight(seed, attempt, scaled), winner);
          if (winner === null) return;
          const boosted = candidates.map((candidate) =>
            candidate.node === winner ? { ...candidate, weight: candidate.weight * factor } : candidate,
          );
          assert.equal(drawByWeight(seed, attempt, boosted), winner);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("changes with the attempt, so a retry can pick another node", () => {
    const candidates = Array.from({ length: 8 }, (_, index) => ({ node: accountAt(index), weight: 1n }));
    const winners = new Set(Array.from({ length: 16 }, (_, attempt) => drawByWeight(seedOf(1), attempt, candidates)));
    assert.ok(winners.size > 1);
  });

  it("wins in proportion to weight over 10,000 fixed seeds (a deterministic check with a wide margin)", () => {
    const weights = [1n, 2n, 3n, 4n, 0n];
    const candidates = weights.map((weight, index) => ({ node: accountAt(index), weight }));
    const wins = new Map<string, number>();
    const draws = 10_000;
    for (let index = 0; index < draws; index += 1) {
      const winner = drawByWeight(seedOf(index), 0, candidates) as string;
      wins.set(winner, (wins.get(winner) ?? 0) + 1);
    }
    assert.equal(wins.get(accountAt(4)), undefined, "zero weight never wins");
    for (let index = 0; index < 4; index += 1) {
      const expected = (draws * (index + 1)) / 10;
      const got = wins.get(accountAt(index)) ?? 0;
      // Binomial standard deviation is at most 50 here; 300 is six of them.
      assert.ok(Math.abs(got - expected) < 300, `weight ${index + 1}: ${got} wins, expected about ${expected}`);
    }
  });

  it("raceTime is positive and at most 64 (u is never 0)", () => {
    fc.assert(
      fc.property(hexArb, fc.nat(10), hexArb, (seed, attempt, node) => {
        const time = raceTime(seed, attempt, node);
        assert.ok(time >= 0n && time <= 64n * ONE);
      }),
      { numRuns: 100 },
    );
  });
});

describe("seed chain", () => {
  it("folds salts in ledger order and binds the cycle number", () => {
    const [a, b] = [seedOf("a"), seedOf("b")];
    const empty = "0".repeat(64);
    const ab = accumulateSalt(accumulateSalt(empty, a), b);
    const ba = accumulateSalt(accumulateSalt(empty, b), a);
    assert.notEqual(ab, ba);
    assert.equal(ab, accumulateSalt(accumulateSalt(empty, a), b));
    assert.notEqual(nextSeed(seedOf("p"), ab, 1), nextSeed(seedOf("p"), ab, 2));
    assert.notEqual(nextSeed(seedOf("p"), ab, 1), nextSeed(seedOf("q"), ab, 1));
    assert.match(nextSeed(seedOf("p"), ab, 1), /^[0-9a-f]{64}$/);
  });
});
