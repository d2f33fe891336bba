import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runNode } from "../e2e/support.ts";
import { EXAMPLES } from "./support.ts";

const COMMAND = new URL("./koiiCommand.ts", import.meta.url).pathname;

/**
 * The `koii` command's own output and exit codes (koii test, koii check) from its sources; what `koii test` runs is
 * tested in packages/koii/test/koiiLocalNetwork.test.ts.
 */

describe("the koii command", { timeout: 60_000 }, () => {
  const cli = (...args: string[]) => runNode(["--conditions=source", "--import", "tsx", COMMAND, ...args], 60_000);

  it("koii test --json reports the rounds and calls; koii check shows the mapping", async () => {
    const test = await cli("koii", "test", `${EXAMPLES}hello-world`, "--nodes", "2", "--rounds", "1", "--json");
    assert.equal(test.code, 0, test.stderr);
    const report = JSON.parse(test.stdout.slice(test.stdout.indexOf('{\n  "task"'))) as {
      accepted: unknown[];
      failedCalls: unknown[];
    };
    assert.equal(report.failedCalls.length, 0);
    assert.ok(report.accepted.length >= 1);
    const check = await cli("koii", "check", `${EXAMPLES}hello-world`);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /round_time 1500, submission_window 500, audit_window 500/);
    assert.match(check.stdout, /-> roundSlots 1500: commit 500 \| reveal 500, audit 500, votes 500/);
  });

  it("koii test refuses to start without the task variables the config requires", async () => {
    const result = await cli("koii", "test", `${EXAMPLES}with-routes`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error\[KOII__MISSING_TASK_VARIABLE\]: the task requires --task-var GREETING=VALUE/);
  });

  it("koii test takes the task variables from a .env file (--task-var-file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradual-koii-vars-"));
    try {
      const file = join(dir, ".env");
      writeFileSync(file, '# Koii task variables\nGREETING="Hallo"\n');
      const result = await cli(
        "koii",
        "test",
        `${EXAMPLES}with-routes`,
        "--nodes",
        "2",
        "--rounds",
        "1",
        "--task-var-file",
        file,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Hallo from round/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("koii test: a round where submission() returns nothing is no failure, and is labelled as such", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradual-koii-nothing-"));
    try {
      cpSync(`${EXAMPLES}hello-world`, dir, { recursive: true });
      // Odd rounds: nothing to submit (Koii's task manager submits only strings).
      writeFileSync(
        join(dir, "src", "task", "2-submission.js"),
        `import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";
export async function submission(roundNumber) {
  if (roundNumber % 2 === 1) return undefined;
  return await namespaceWrapper.storeGet("value");
}
`,
      );
      const result = await cli("koii", "test", dir, "--nodes", "2", "--rounds", "3");
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /task\+submission -> nothing submitted/);
      assert.match(result.stdout, /round\(s\) [\d, ]+: no submissions \(submission\(\) returned no string\)/);
      assert.match(result.stdout, /0 failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("koii check gives create-task-cli's messages for an invalid config-task.yml", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradual-koii-bad-config-"));
    try {
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "src", "index.js"), "");
      const config = readFileSync(`${EXAMPLES}hello-world/config-task.yml`, "utf8").replace(
        "total_bounty_amount: 200",
        "total_bounty_amount: 5",
      );
      writeFileSync(
        join(dir, "config-task.yml"),
        config.replace("bounty_amount_per_round: 10", "bounty_amount_per_round: 8"),
      );
      const result = await cli("koii", "check", dir);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error\[KOII__BAD_CONFIG\]/);
      assert.match(result.stderr, /total_bounty_amount: Total bounty amount cannot be less than 10 KOII/);
      assert.match(result.stderr, /bounty_amount_per_round: cannot be more than total bounty amount/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
