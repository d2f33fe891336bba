import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exited, spawnGradualThread, stopProcess } from "../../src/devnet/processes.ts";
import { makeTempDir, removeDir, waitFor } from "./support.ts";

/**
 * A devnet runs its nodes as worker threads of its process (`spawnGradualThread`): the compiled `gradual` command in a
 * thread, stopped by SIGTERM as a process would be, ended at once by SIGKILL, and failing as a process fails. A
 * `gradual ledger --devnet` stands in for a long-running command here (the devnet tests run real nodes this way).
 */

const LISTENING = /"url":"([^"]+)"/;

function readLog(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

describe("gradual commands as threads of the devnet's process", { timeout: 60_000 }, () => {
  const dir = makeTempDir("threads");
  after(() => removeDir(dir));

  test("a command that fails at start: the URL promise rejects, the exit code and the error line are kept", async () => {
    const log = join(dir, "bad.log");
    const thread = spawnGradualThread("bad", ["ledger", "--data", join(dir, "empty"), "--port", "0"], log, LISTENING);
    await assert.rejects(thread.url, /bad exited \(code 2\) before it was ready/);
    assert.equal(thread.process.exitCode, 2);
    assert.equal(thread.process.signalCode, null);
    assert.equal(thread.process.pid, process.pid, "a thread runs in this process");
    await exited(thread.process);
    // The log is written asynchronously: the error line lands shortly after the exit.
    await waitFor("the error line in the log", async () => /error\[LEDGER__CONFIG\]/.test(readLog(log)) || undefined, {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
  });

  test("SIGTERM stops a serving command through its own handler (exit code 0); SIGKILL terminates one", async () => {
    const log = join(dir, "ledger.log");
    const args = ["ledger", "--devnet", "--data", join(dir, "ledger"), "--port", "0", "--no-dashboard"];
    const first = spawnGradualThread("ledger", args, log, LISTENING);
    const url = await first.url;
    assert.equal((await fetch(`${url}/v1/blocks/head`)).status, 200, "the thread's ledger serves");
    await stopProcess(first.process, 20_000);
    assert.equal(first.process.exitCode, 0);
    assert.equal(first.process.signalCode, null);
    await waitFor(
      "the stop line in the log",
      async () => /ledger info: SIGTERM: stopping/.test(readLog(log)) || undefined,
      {
        timeoutMs: 5_000,
        intervalMs: 20,
      },
    );
    await assert.rejects(fetch(`${url}/v1/blocks/head`), "the server closed");

    // The same data again (the clean stop released it); this time ended at once.
    const second = spawnGradualThread("ledger", args, log, LISTENING);
    await second.url;
    assert.equal(second.process.kill("SIGKILL"), true);
    await exited(second.process);
    assert.equal(second.process.signalCode, "SIGKILL");
    assert.equal(second.process.exitCode, null);
    assert.equal(second.process.kill("SIGTERM"), false, "an ended thread takes no signal");
  });

  test("SIGTERM before the command has a handler ends the thread at once, as a process's default action would", async () => {
    const args = ["ledger", "--devnet", "--data", join(dir, "early"), "--port", "0", "--no-dashboard"];
    const thread = spawnGradualThread("early", args, join(dir, "early.log"), LISTENING);
    // Sent before the thread has loaded the command: delivered while its modules load, before any handler exists.
    thread.process.kill("SIGTERM");
    await assert.rejects(thread.url, /early exited \(code 143\) before it was ready/);
    assert.equal(thread.process.exitCode, 143);
  });
});
