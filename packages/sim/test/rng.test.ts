import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../src/index.ts";

test("a seed and a stream give one sequence; streams are independent", () => {
  const draw = (seed: number, stream: string) => {
    const random = new SeededRandom(seed, stream);
    return Array.from({ length: 5 }, () => random.nextUint32());
  };
  assert.deepEqual(draw(1, "a"), draw(1, "a"));
  assert.notDeepEqual(draw(1, "a"), draw(1, "b"));
  assert.notDeepEqual(draw(1, "a"), draw(2, "a"));
});

test("draws are spread evenly", () => {
  const random = new SeededRandom(7, "spread");
  const buckets = new Array(10).fill(0);
  for (let index = 0; index < 100_000; index += 1) buckets[random.int(10)] += 1;
  for (const count of buckets) assert.ok(count > 9_500 && count < 10_500, `bucket ${count}`);
  assert.deepEqual(new SeededRandom(1, "x").shuffle([1, 2, 3, 4]).sort(), [1, 2, 3, 4]);
  assert.throws(() => new SeededRandom(-1, "x"), RangeError);
});
