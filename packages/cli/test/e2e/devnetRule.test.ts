import assert from "node:assert/strict";
import { test } from "node:test";
import { makeTempDir, removeDir, runGradual } from "./support.ts";

/** `gradual devnet --rule`: the task's distribution rule over task.yml's, checked before anything starts. */
test("gradual devnet --rule refuses an unknown rule with a code and the rules it knows", async () => {
  const dataDir = makeTempDir("rule-bad");
  try {
    const result = await runGradual(["devnet", "--rule", "stake-squared", "--data", dataDir], 60_000);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error\[CLI__BAD_OPTION\]: --rule: expected weighted, equal, custom, got stake-squared/m,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  } finally {
    removeDir(dataDir);
  }
});

test("gradual devnet checks its numeric options before anything starts: --rounds, --port, --slot-ms", async () => {
  const dataDir = makeTempDir("numbers-bad");
  try {
    for (const [flag, value, expected] of [
      ["--rounds", "abc", '--rounds: expected an integer in 1..100000, got "abc"'],
      ["--port", "99999", '--port: expected an integer in 0..65535, got "99999"'],
      ["--slot-ms", "-5", '--slot-ms: expected an integer in 50..60000, got "-5"'],
    ] as const) {
      const result = await runGradual(["devnet", flag, value, "--data", dataDir], 60_000);
      assert.equal(result.code, 1, `${flag} ${value}`);
      assert.equal(result.stderr.trim(), `error[CLI__BAD_INPUT]: ${expected}`);
      assert.doesNotMatch(result.stdout, /stopping the devnet/);
    }
  } finally {
    removeDir(dataDir);
  }
});

test("gradual devnet --rule custom runs the example under Koii's rule: lists posted, raced, accepted", async () => {
  const dataDir = makeTempDir("rule-custom");
  try {
    const args = ["devnet", "--rule", "custom", "--nodes", "3", "--cheaters", "0", "--rounds", "4"];
    const result = await runGradual([...args, "--port", "0", "--data", dataDir], 240_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /rounds of 20 slots × 250 ms, custom rule/);
    // --rounds 4: rounds 0 to 3, and nothing of round 4.
    assert.match(result.stdout, /── round 3 · /);
    assert.doesNotMatch(result.stdout, /── round 4 · /);
    // The story names what only the custom rule has: a posted list, and its acceptance.
    assert.match(result.stdout, /list posted: node-\d posted a list of 3 entries/);
    assert.match(result.stdout, /✔ list accepted: \S+ to 3 nodes; each claims its entry/);
  } finally {
    removeDir(dataDir);
  }
});
