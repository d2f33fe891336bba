import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEVNET_PARAMS } from "@gradual/protocol";
import { parseTaskLimitsConfig } from "@gradual/sdk";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { runLocalNetwork } from "../src/local/localNetwork.ts";
import { createSandboxedTaskRunner } from "../src/sandbox/sandboxedRunner.ts";
import { callTimeoutMs, DEFAULT_TASK_LIMITS, deriveTaskLimits, describeTaskLimits } from "../src/sandbox/types.ts";
import { LONG_ROUND } from "./long/longRound.ts";

/**
 * Tasks that work longer than a fixed per-call limit: their time limits follow the round (deriveTaskLimits). The
 * 35-second case on real 400 ms slots is `npm run test:long-task` (test/long/longTask.ts); here the derivation is
 * checked on that round and the same thing runs for real on short slots.
 */

describe("time limits follow the round's windows", () => {
  test("a devnet-like round whose work period is 40 s gives task() 40 s, beyond the old fixed 30 s", () => {
    const limits = deriveTaskLimits(LONG_ROUND, 400, DEFAULT_TASK_LIMITS);
    assert.equal(limits.workTimeoutMs, (120 - 20) * 400);
    assert.equal(limits.workTimeoutMs, 40_000);
    assert.ok((limits.workTimeoutMs as number) > DEFAULT_TASK_LIMITS.callTimeoutMs);
    assert.equal(limits.auditTimeoutMs, 30 * 400);
    assert.equal(limits.distributionTimeoutMs, 20 * 400);
    assert.equal(callTimeoutMs(limits, "route"), 30_000);
    assert.equal(callTimeoutMs(limits, "setup"), 30_000);
  });

  test("the devnet's own round: 6 s of work, 2.4 s to audit, 1.6 s to list at 400 ms slots", () => {
    const limits = deriveTaskLimits(DEVNET_PARAMS, 400, DEFAULT_TASK_LIMITS);
    assert.deepEqual(
      [limits.workTimeoutMs, limits.auditTimeoutMs, limits.distributionTimeoutMs],
      [6_000, 2_400, 1_600],
    );
    assert.match(describeTaskLimits(limits), /task\+submission 6 s, audit 2\.4 s, distribution 1\.6 s/);
  });

  test("explicit limits (task.yml, operator flags) win over derived ones; undefined ones do not erase them", () => {
    const limits = deriveTaskLimits(DEVNET_PARAMS, 400, DEFAULT_TASK_LIMITS, {
      workTimeoutMs: 1_234,
      memoryMb: 256,
      auditTimeoutMs: undefined,
    });
    assert.equal(limits.workTimeoutMs, 1_234);
    assert.equal(limits.memoryMb, 256);
    assert.equal(limits.auditTimeoutMs, 2_400);
  });

  test("bad windows or slot lengths are refused", () => {
    assert.throws(() => deriveTaskLimits(DEVNET_PARAMS, 0, DEFAULT_TASK_LIMITS), /slotMs/);
    assert.throws(
      () => deriveTaskLimits({ ...DEVNET_PARAMS, commitSlots: 20 }, 400, DEFAULT_TASK_LIMITS),
      /roundSlots - commitSlots/,
    );
  });

  test("task.yml limits: known fields in range only", () => {
    assert.deepEqual(parseTaskLimitsConfig({ memoryMb: 256, workTimeoutMs: "90000" }), {
      memoryMb: 256,
      workTimeoutMs: 90_000,
    });
    assert.deepEqual(parseTaskLimitsConfig(undefined), {});
    assert.throws(() => parseTaskLimitsConfig({ cpuMs: 5 }), /limits\.cpuMs: no such limit/);
    assert.throws(() => parseTaskLimitsConfig({ memoryMb: 4 }), /limits\.memoryMb: expected an integer in 16\.\./);
    assert.throws(() => parseTaskLimitsConfig({ toString: 1 }), /no such limit/);
    assert.throws(() => parseTaskLimitsConfig([1]), /expected a mapping/);
  });
});

describe("a task that works longer than the fixed per-call limit", () => {
  let directory = "";
  let bundlePath = "";
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "gradual-long-task-"));
    const source = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "sleepingTask.ts");
    bundlePath = await writeBundleFile((await bundleTask(source)).code, { directory });
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test("submits when its round allows: 1.2 s of work under a 400 ms call limit, in a 1.5 s work period", {
    timeout: 120_000,
  }, async () => {
    // 100 ms slots: the devnet round's work period is (20 - 5) x 100 = 1.5 s; setup and routes keep 400 ms.
    const seen: string[] = [];
    const result = await runLocalNetwork({
      nodes: 2,
      rounds: 2,
      seed: "long-task-short-slots",
      slotMs: 100,
      config: { sleepMs: "1200" },
      limits: { callTimeoutMs: 400 },
      createRunner: (host, limits) => createSandboxedTaskRunner({ bundlePath, host, limits }),
      onLimits: (limits) => seen.push(describeTaskLimits(limits)),
    });
    assert.match(seen[0] ?? "", /task\+submission 1\.5 s/);
    const work = result.calls.filter((call) => call.call === "task+submission");
    assert.ok(work.length >= 2, `work calls: ${work.length}`);
    assert.deepEqual(
      work.filter((call) => !call.ok),
      [],
    );
    for (const account of result.accounts) {
      assert.ok(
        result.events.some((event) => event.type === "Committed" && event.node === account),
        `node ${account.slice(0, 8)} committed`,
      );
    }
  });

  test("the same work under a work period shorter than it is ended with SANDBOX__TIMEOUT and commits nothing", {
    timeout: 120_000,
  }, async () => {
    const result = await runLocalNetwork({
      nodes: 2,
      rounds: 2,
      seed: "long-task-too-long",
      slotMs: 50, // a 750 ms work period
      config: { sleepMs: "1200" },
      createRunner: (host, limits) => createSandboxedTaskRunner({ bundlePath, host, limits }),
    });
    const work = result.calls.filter((call) => call.call === "task+submission");
    assert.ok(work.length >= 2 && work.every((call) => !call.ok && call.detail.startsWith("SANDBOX__TIMEOUT")));
    assert.ok(!result.events.some((event) => event.type === "Committed"));
  });
});
