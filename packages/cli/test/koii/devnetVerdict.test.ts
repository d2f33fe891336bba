import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type NodeTaskCalls, taskCallsOf, taskCallVerdict } from "../../src/koii/taskCalls.ts";
import { makeTempDir, removeDir, runGradual } from "../e2e/support.ts";
import { EXAMPLES } from "./support.ts";

/**
 * `gradual koii devnet` ends with the totals of the nodes' task calls, and exits 1 (KOII_DEVNET__TASK_FAILED) when
 * no call on any node submitted a proof: a task whose task() throws every round no longer looks like a good run.
 */

const node = (label: string, counts: Partial<NodeTaskCalls> = {}): NodeTaskCalls => ({
  label,
  submitted: 0,
  nothing: 0,
  failed: 0,
  lastFailure: null,
  runnerLoaded: true,
  lastError: null,
  ...counts,
});

describe("taskCallVerdict", () => {
  test("a proof submitted anywhere is a working task, failures beside it are counted", () => {
    const verdict = taskCallVerdict(
      [
        node("node-1", { submitted: 3 }),
        node("node-2", {
          submitted: 1,
          failed: 2,
          lastFailure: { cycle: 3, code: "SANDBOX__TIMEOUT", message: "slow" },
        }),
      ],
      "/data",
    );
    assert.equal(verdict.failure, undefined);
    assert.equal(
      verdict.line,
      "task calls (task + submission): 6 made, 4 submitted a proof, 0 submitted nothing, 2 failed (submitted/failed per node: node-1 3/0, node-2 1/2)",
    );
  });

  test("every call failed: how many, and the latest failure with its code", () => {
    const verdict = taskCallVerdict(
      [
        node("node-1", { failed: 2, lastFailure: { cycle: 3, code: "TASK__THREW", message: "boom" } }),
        node("node-2", { failed: 2, lastFailure: { cycle: 4, code: "TASK__THREW", message: "bang" } }),
      ],
      "/data",
    );
    assert.equal(
      verdict.failure,
      "every task call failed: 4 of 4; last: node-2 in cycle 4: TASK__THREW: bang (the nodes' logs: /data/node-N.log)",
    );
  });

  test("nothing submitted, a task that never started, too few rounds, no answer: each a failure of its own", () => {
    assert.match(
      taskCallVerdict([node("node-1", { nothing: 3 })], "/d").failure ?? "",
      /^no task call submitted a proof: submission\(\) returned nothing in all 3 call\(s\)/,
    );
    assert.match(
      taskCallVerdict([node("node-1", { failed: 1, nothing: 2 })], "/d").failure ?? "",
      /^no task call submitted a proof: 1 of 3 failed, the others submitted nothing/,
    );
    assert.equal(
      taskCallVerdict([node("node-1", { runnerLoaded: false, lastError: "SANDBOX__ACCESS_DENIED: refused" })], "/d")
        .failure,
      "no task call was made: the task did not start on node-1: SANDBOX__ACCESS_DENIED: refused (the nodes' logs: /d/node-N.log)",
    );
    assert.match(taskCallVerdict([node("node-1")], "/d").failure ?? "", /^no task call was made: .*run more rounds/);
    assert.match(taskCallVerdict([undefined], "/d").failure ?? "", /^no node answered \/health/);
  });

  test("taskCallsOf reads a node's /health, and ignores one without taskCalls", () => {
    const calls = taskCallsOf("node-1", {
      ok: true,
      runnerLoaded: true,
      lastError: null,
      taskCalls: { submitted: 2, nothing: 0, failed: 1, lastFailure: { cycle: 5, code: "TASK__THREW", message: "x" } },
    });
    assert.deepEqual(
      calls,
      node("node-1", {
        submitted: 2,
        failed: 1,
        lastFailure: { cycle: 5, code: "TASK__THREW", message: "x" },
      }),
    );
    assert.equal(taskCallsOf("node-1", { ok: true }), undefined);
  });
});

describe("gradual koii devnet: the exit code says whether the task worked", { timeout: 300_000 }, () => {
  let dir: string | undefined;
  before(() => {
    dir = makeTempDir("koii-devnet-verdict");
  });
  after(() => removeDir(dir));

  const devnet = (folder: string, data: string) =>
    runGradual(
      [
        ...["koii", "devnet", folder, "--rounds", "5", "--nodes", "2", "--port", "0"],
        ...["--slot-ms", "100", "--round-slots", "12", "--data", data, "--quiet"],
      ],
      240_000,
    );

  test("a task() that throws every round: exit 1, the totals, KOII_DEVNET__TASK_FAILED", async () => {
    const folder = join(dir as string, "throws");
    cpSync(`${EXAMPLES}hello-world`, folder, { recursive: true });
    writeFileSync(
      join(folder, "src", "task", "1-task.js"),
      'export async function task(round) {\n  throw new Error("no work in round " + round);\n}\n',
    );
    const data = join(dir as string, "throws-data");
    const result = await devnet(folder, data);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    assert.match(
      last,
      /^task calls \(task \+ submission\): (\d+) made, 0 submitted a proof, 0 submitted nothing, \1 failed/,
    );
    assert.match(
      result.stderr,
      new RegExp(
        `^error\\[KOII_DEVNET__TASK_FAILED\\]: every task call failed: (\\d+) of \\1; last: node-\\d in cycle \\d+: TASK__THREW: no work in round \\d+ \\(the nodes' logs: ${data}/node-N\\.log\\)\\n$`,
      ),
    );
  });

  test("hello-world: exit 0, with the proofs submitted", async () => {
    const result = await devnet(`${EXAMPLES}hello-world`, join(dir as string, "hello-data"));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    assert.match(
      last,
      /^task calls \(task \+ submission\): (\d+) made, \1 submitted a proof, 0 submitted nothing, 0 failed/,
    );
    assert.doesNotMatch(last, /: 0 made/);
    assert.equal(result.stderr, "");
  });
});
