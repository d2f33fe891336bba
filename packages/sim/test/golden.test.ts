import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { GOLDEN_RUNS, runGolden } from "./golden/runs.ts";

/*
 * Outcomes pinned before the simulator's speed work (golden/generate.ts wrote golden/expected.json with the code of
 * that time, the shipped scenarios on its every-slot reference path): every speed-up (wake-ups, hints, memoised
 * answers in decide()) must leave each run's state root, transactions, refusals, metrics and per-round series
 * exactly as they were. After a change to the rules, regenerate expected.json with the new rules on the old
 * simulator, not on the code under test.
 */
const expected = JSON.parse(readFileSync(new URL("./golden/expected.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

test("golden: every pinned run is still pinned, and nothing pinned is missing", () => {
  assert.deepEqual(Object.keys(expected).sort(), GOLDEN_RUNS.map((run) => run.id).sort());
});

for (const run of GOLDEN_RUNS) {
  test(`golden: ${run.id} gives the pinned outcome`, () => {
    assert.deepEqual(runGolden(run), expected[run.id]);
  });
}
