import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CLI_BIN } from "../../src/devnet/processes.ts";
import { removeDir, runGradual } from "./support.ts";

/**
 * `gradual task dev`: a run at start with per-step timings, a rerun after a file changes, and a clean stop on
 * SIGINT (what Ctrl-C sends). Every wait is bounded; the process is killed in `after` if a wait failed.
 */
describe("gradual task dev", { timeout: 240_000 }, () => {
  let dir = "";
  let project = "";
  let dev: ChildProcess | undefined;
  let output = "";
  let exited: Promise<number | null> = Promise.resolve(null);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gradual-e2e-dev-"));
    project = join(dir, "counter");
    const init = await runGradual(["task", "init", project], 30_000);
    assert.equal(init.code, 0, init.stderr);
  });

  after(() => {
    dev?.kill("SIGKILL");
    removeDir(dir);
  });

  /** Resolves once the output holds `count` matches of `pattern`; rejects after timeoutMs or if the process ends. */
  const waitForOutput = (pattern: RegExp, count: number, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => output.match(new RegExp(pattern.source, "g"))?.length ?? 0;
      const check = () => {
        if (matches() < count) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${count} × ${pattern}; output:\n${output}`));
      }, timeoutMs);
      const ended = () => {
        cleanup();
        reject(new Error(`gradual task dev exited while waiting for ${pattern}; output:\n${output}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        dev?.stdout?.off("data", check);
        dev?.off("exit", ended);
      };
      dev?.stdout?.on("data", check);
      dev?.once("exit", ended);
      check();
    });

  test("runs the task at start and prints each round's step timings", async () => {
    dev = spawn(process.execPath, [CLI_BIN, "task", "dev", project, "--nodes", "2", "--rounds", "1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => dev?.once("exit", (code) => resolve(code)));
    dev.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitForOutput(/watching .* for changes/, 1, 120_000);
    assert.match(output, /── run 1 \(start\)/);
    assert.match(output, /bundle +[\d.]+ ms/);
    assert.match(output, /round \d+ +task [\d.]+ ms · submission [\d.]+ ms · audit (–|[\d.]+ ms) · distribution/);
    assert.match(output, /round \d+ +task – · submission – · audit [\d.]+ ms/, "the audits of the cycle, timed");
    assert.match(output, /✔ passed: [1-9]\d* cycle\(s\) paid; \d+ calls ok, 0 failed/);
  });

  test("reruns when a file of the task changes", async () => {
    appendFileSync(join(project, "task.ts"), "\n// a change\n");
    await waitForOutput(/watching .* for changes/, 2, 120_000);
    assert.match(output, /── run 2 \(changed: task\.ts\)/);
    assert.equal(output.match(/✔ passed/g)?.length, 2, output);
  });

  test("stops on SIGINT (Ctrl-C) with exit code 0", async () => {
    dev?.kill("SIGINT");
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve("still running after 30 s"), 30_000).unref()),
    ]);
    assert.equal(code, 0, output);
    assert.match(output, /stopped after 2 run\(s\)/);
  });
});
