import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { generateKeyPair, signBytes, verifyBytes } from "@gradual/ledger";
import { encodeProof, taskPayloadBytes } from "@gradual/sdk";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { runLocalNetwork } from "../src/local/localNetwork.ts";
import { localNodeName } from "../src/local/localReport.ts";
import { failureCode } from "../src/sandbox/codes.ts";
import { createSandboxedTaskRunner } from "../src/sandbox/sandboxedRunner.ts";
import type { TaskCallResult, TaskHost, TaskLimits, TaskRunner } from "../src/sandbox/types.ts";
import { createFakeHost, type FakeHost } from "./fakeHost.ts";
import { ATTACKS } from "./fixtures/hostileTask.ts";

/**
 * The hostile-task suite: each case is a real task bundle (fixtures/hostileTask.ts) run through the real process
 * sandbox. Every attack is contained and reported with its stable code, and an honest task in its own sandbox beside
 * it keeps working; the last test runs both through a local network and checks that the honest nodes are paid.
 */

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const LIMITS: TaskLimits = { memoryMb: 64, callTimeoutMs: 2_000, maxProofBytes: 64 * 1024 };
const BOUND = { timeout: 30_000 };
const SECRET = "0123456789abcdef-node-secret-key";

let scratch = "";
let keyFile = "";
let outsideFile = "";
const bundles = { honest: "", hostile: "" };
let hostileFake: FakeHost;
let hostile: TaskRunner;
let honestFake: FakeHost;
let addonFolder: string | undefined;
let honest: TaskRunner;

/**
 * A real native addon in a folder anyone may read: where the checkout itself is private (a clone under a mode-700
 * folder, with the task running as `nobody`), the path would fail to resolve before the permission model is ever
 * asked, and the test would prove nothing about it.
 */
async function addonFile(): Promise<string> {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve("better-sqlite3/package.json"));
  const folder = await mkdtemp(path.join(tmpdir(), "gradual-hostile-addon-"));
  await chmod(folder, 0o755);
  const file = path.join(folder, "better_sqlite3.node");
  await copyFile(path.join(root, "build", "Release", "better_sqlite3.node"), file);
  await chmod(file, 0o644);
  addonFolder = folder;
  return file;
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "gradual-hostile-test-"));
  keyFile = path.join(scratch, "node-key.json");
  await writeFile(keyFile, JSON.stringify({ secretKey: SECRET }), { mode: 0o600 });
  outsideFile = path.join(scratch, "escaped.txt");
  for (const name of ["honest", "hostile"] as const) {
    const { code } = await bundleTask(path.join(FIXTURES, `${name}Task.ts`));
    bundles[name] = await writeBundleFile(code, { directory: scratch });
  }
  process.env.GRADUAL_TEST_SECRET = SECRET; // a secret in the node's environment, which the task must not see
  hostileFake = createFakeHost({ keyFile, outsideFile, addonFile: await addonFile(), nodeFolder: process.cwd() });
  hostile = await createSandboxedTaskRunner({ bundlePath: bundles.hostile, host: hostileFake.host, limits: LIMITS });
  honestFake = createFakeHost({ greeting: "hi" });
  honest = await createSandboxedTaskRunner({ bundlePath: bundles.honest, host: honestFake.host, limits: LIMITS });
});

after(async () => {
  delete process.env.GRADUAL_TEST_SECRET;
  await hostile?.close();
  await honest?.close();
  await rm(scratch, { recursive: true, force: true });
  if (addonFolder !== undefined) await rm(addonFolder, { recursive: true, force: true });
});

const outcomeOf = (result: TaskCallResult<Uint8Array>): string => {
  assert.ok(result.ok, `expected a proof, got ${JSON.stringify(result)}`);
  return (JSON.parse(new TextDecoder().decode(result.value)) as { outcome: string }).outcome;
};

const codeOf = (result: TaskCallResult<unknown>): string => (result.ok ? "ok" : failureCode(result));

/** The honest task beside the hostile one still works, and so does the hostile one's next, honest cycle. */
async function assertBothStillWork(): Promise<void> {
  const cycle = 3;
  const result = await honest.work(cycle, cycle);
  assert.ok(result.ok, `honest task: ${JSON.stringify(result)}`);
  assert.equal((JSON.parse(new TextDecoder().decode(result.value)) as { square: number }).square, 9);
  assert.equal(outcomeOf(await hostile.work(1, 1)), "honest", "the hostile task's process was restarted");
}

describe("hostile task: what the permission model denies", () => {
  const denied = [
    ["reads the node's key file", ATTACKS.readNodeKey, /^denied: ERR_ACCESS_DENIED$/],
    ["reads /etc/passwd", ATTACKS.readPasswd, /^denied: ERR_ACCESS_DENIED$/],
    ["writes outside its folder", ATTACKS.writeOutside, /^denied: ERR_ACCESS_DENIED$/],
    ["spawns a process (execSync id)", ATTACKS.spawnProcess, /^denied: ERR_ACCESS_DENIED$/],
    ["loads a native addon (better-sqlite3)", ATTACKS.nativeAddon, /^denied: ERR_(ACCESS_DENIED|DLOPEN_DISABLED)$/],
    ["starts a worker thread", ATTACKS.startWorker, /^denied: ERR_ACCESS_DENIED$/],
    ["lists the node's working directory", ATTACKS.listNodeFolder, /^denied: ERR_ACCESS_DENIED$/],
    ["opens the inspector", ATTACKS.openInspector, /^denied: ERR_ACCESS_DENIED$/],
  ] as const;
  for (const [name, cycle, expected] of denied) {
    test(`a task that ${name} is denied`, BOUND, async () => {
      const outcome = outcomeOf(await hostile.work(cycle, cycle));
      assert.match(outcome, expected);
      assert.ok(!outcome.includes(SECRET));
    });
  }

  test("the write really did not happen", () => {
    assert.equal(existsSync(outsideFile), false);
  });

  test("the task's environment holds nothing of the node's", BOUND, async () => {
    const outcome = outcomeOf(await hostile.work(ATTACKS.readEnvironment, ATTACKS.readEnvironment));
    const environment = JSON.parse(outcome.replace(/^leaked: /, "")) as Record<string, string>;
    assert.deepEqual(Object.keys(environment).sort(), ["HOME", "TMPDIR"]);
    assert.ok(!outcome.includes(SECRET));
  });
});

describe("hostile task: signatures", () => {
  test("bytes that look like a ledger transaction are signed only under the task-payload tag", BOUND, async () => {
    const keyPair = generateKeyPair();
    const fake = createFakeHost();
    const host: TaskHost = { ...fake.host, node: keyPair.publicKey, sign: async (bytes) => signBytes(keyPair, bytes) };
    const runner = await createSandboxedTaskRunner({ bundlePath: bundles.hostile, host, limits: LIMITS });
    try {
      const outcome = outcomeOf(await runner.work(ATTACKS.signTransaction, ATTACKS.signTransaction));
      const signature = outcome.replace(/^signed: /, "");
      const asked = new TextEncoder().encode("gradual/tx/v1\n{}");
      assert.equal(verifyBytes(keyPair.publicKey, asked, signature), false, "never the bare bytes");
      assert.equal(verifyBytes(keyPair.publicKey, taskPayloadBytes(asked), signature), true);
    } finally {
      await runner.close();
    }
  });
});

describe("hostile task: CPU share", () => {
  test("a task over its CPU share is paused, not left to take the node's core", BOUND, async () => {
    // 5% of a core: 50 ms of credit, then each ~100 ms of spinning costs a ~2 s pause (SIGSTOP). On a loaded machine
    // the loop gets little CPU anyway; on an idle one it would take nearly all 4 s of a core without the share.
    const limits = { ...LIMITS, workTimeoutMs: 20_000, cpuPercent: 5 };
    const runner = await createSandboxedTaskRunner({ bundlePath: bundles.hostile, host: hostileFake.host, limits });
    try {
      const outcome = outcomeOf(await runner.work(ATTACKS.cpuHog, ATTACKS.cpuHog));
      const { cpuMs } = JSON.parse(outcome.replace(/^leaked: /, "")) as { cpuMs: number };
      // 50 ms of credit + 5% of 4 s + the overshoot of the 100 ms watchdog ticks: well under a second.
      assert.ok(cpuMs <= 800, `${cpuMs} ms of CPU in 4 s of wall time`);
    } finally {
      await runner.close();
    }
  });
});

describe("hostile task: attacks that end the task process", () => {
  const fatal = [
    ["busy-loops", ATTACKS.busyLoop, ["SANDBOX__TIMEOUT"]],
    ["blocks its event loop inside a host call", ATTACKS.blockInHostCall, ["SANDBOX__TIMEOUT"]],
    ["exits", ATTACKS.exit, ["SANDBOX__CRASHED"]],
    ["fork-bombs through async recursion", ATTACKS.asyncForkBomb, ["SANDBOX__TIMEOUT", "SANDBOX__OOM"]],
    ["writes 1 GB to stdout", ATTACKS.floodStdout, ["SANDBOX__OUTPUT_FLOOD"]],
    ["logs 1 GB through ctx.log", ATTACKS.floodLog, ["SANDBOX__OUTPUT_FLOOD"]],
    ["sends garbage on the host channel", ATTACKS.garbageFrame, ["SANDBOX__BAD_MESSAGE"]],
    ["sends a malformed host request", ATTACKS.malformedMessage, ["SANDBOX__BAD_MESSAGE"]],
    ["announces a 4 GB message", ATTACKS.hugeFrame, ["SANDBOX__BAD_MESSAGE"]],
  ] as const;
  for (const [name, cycle, codes] of fatal) {
    test(
      `a task that ${name} is ended with ${codes.join(" or ")}; the node and an honest task carry on`,
      BOUND,
      async () => {
        const [result, beside] = await Promise.all([
          hostile.work(cycle, cycle),
          honest.audit(3, 3, encodeProof({ square: 9 }), "a".repeat(64)),
        ]);
        assert.ok(
          (codes as readonly string[]).includes(codeOf(result)),
          `${codeOf(result)}: ${JSON.stringify(result)}`,
        );
        assert.deepEqual(beside, { ok: true, value: true }, "the honest task answered while the hostile one was ended");
        await assertBothStillWork();
      },
    );
  }

  for (const [name, cycle] of [
    ["allocates until killed (V8 heap)", ATTACKS.allocateHeap],
    ["allocates buffers outside the heap", ATTACKS.allocateBuffers],
  ] as const) {
    test(`a task that ${name} is ended with SANDBOX__OOM; the node and an honest task carry on`, BOUND, async () => {
      // A work limit long enough that on a loaded machine memory, not the clock, ends the call.
      const limits = { ...LIMITS, workTimeoutMs: 20_000 };
      const runner = await createSandboxedTaskRunner({ bundlePath: bundles.hostile, host: hostileFake.host, limits });
      try {
        const proof = encodeProof({ square: 9 });
        const [result, beside] = await Promise.all([
          runner.work(cycle, cycle),
          honest.audit(3, 3, proof, "a".repeat(64)),
        ]);
        assert.equal(codeOf(result), "SANDBOX__OOM", JSON.stringify(result));
        assert.deepEqual(beside, { ok: true, value: true });
        assert.equal(outcomeOf(await runner.work(1, 1)), "honest", "restarted");
      } finally {
        await runner.close();
      }
    });
  }

  test("every death is logged with its code", () => {
    const logged = hostileFake.logs.map((line) => line.message).join("\n");
    for (const code of [
      "SANDBOX__OOM",
      "SANDBOX__TIMEOUT",
      "SANDBOX__CRASHED",
      "SANDBOX__OUTPUT_FLOOD",
      "SANDBOX__BAD_MESSAGE",
    ]) {
      assert.match(logged, new RegExp(`task process ended: ${code}`));
    }
  });

  test("a flood of stdout reaches the log only up to the budget", BOUND, async () => {
    const lines = hostileFake.logs.filter((line) => line.message.startsWith("stdout:"));
    const characters = lines.reduce((sum, line) => sum + line.message.length, 0);
    assert.ok(characters < 64 * 1024, `${characters} characters of stdout were logged`);
  });
});

describe("hostile task: tampering and forgery", () => {
  test("patched globals change nothing outside the task's own process", BOUND, async () => {
    // The tampering call's own result is whatever its patched JSON makes of it; the node checks it like any other.
    const tampered = await hostile.work(ATTACKS.tamperGlobals, ATTACKS.tamperGlobals);
    assert.ok(tampered.ok, JSON.stringify(tampered));
    const untampered = encodeProof({ cycle: ATTACKS.tamperGlobals, outcome: "tampered" });
    assert.notDeepEqual(tampered.value, untampered, "the patch took effect in the task's process");
    assert.equal((Object.prototype as Record<string, unknown>).ok, undefined, "not in the node's");
    assert.equal(JSON.stringify({ a: 1 }), '{"a":1}');
    const submitters = [
      { account: "b".repeat(64), weight: 3n, proofDigest: "0".repeat(64) },
      { account: "a".repeat(64), weight: 1n, proofDigest: "0".repeat(64) },
    ];
    const expected = {
      ok: true,
      value: [
        { recipient: "a".repeat(64), amount: 25n },
        { recipient: "b".repeat(64), amount: 75n },
      ],
    };
    assert.deepEqual(await honest.distribution(3, 5, submitters, 100n), expected);
    // With Array.prototype.sort broken in its process, the tampered task's list is still sorted by the node.
    assert.deepEqual(await hostile.distribution(3, 5, submitters, 100n), {
      ok: true,
      value: [
        { recipient: "a".repeat(64), amount: 50n },
        { recipient: "b".repeat(64), amount: 50n },
      ],
    });
  });

  test("results forged for call ids the node never sent are ignored", BOUND, async () => {
    const [forged, beside] = await Promise.all([
      hostile.work(ATTACKS.forgeResult, ATTACKS.forgeResult),
      honest.work(4, 4),
    ]);
    assert.ok(beside.ok);
    assert.equal((JSON.parse(new TextDecoder().decode(beside.value)) as { square: number }).square, 16);
    // The forger can only answer its own call: what it sent ("forged", not proof bytes) is checked like any result.
    assert.equal(codeOf(forged), "TASK__INVALID_RESULT", JSON.stringify(forged));
  });
});

describe("hostile task in a local network", () => {
  test("a node whose task busy-loops every cycle commits nothing; the honest nodes are paid", {
    timeout: 120_000,
  }, async () => {
    const result = await runLocalNetwork({
      nodes: 3,
      rounds: 3,
      seed: "hostile-local-network",
      slotMs: 50,
      // The same bundle on every node: honest unless told to attack, which node 2 is, in every cycle.
      createRunner: (host, limits, index) =>
        createSandboxedTaskRunner({
          bundlePath: bundles.hostile,
          host: { ...host, config: index === 2 ? { attack: "busyLoop" } : {} },
          limits,
        }),
    });
    const hostileWork = result.calls.filter(
      (call) => call.node === localNodeName(2) && call.call === "task+submission",
    );
    assert.ok(hostileWork.length > 0 && hostileWork.every((call) => !call.ok), "the hostile node's work all failed");
    assert.ok(
      hostileWork.every((call) => call.detail.startsWith("SANDBOX__TIMEOUT")),
      JSON.stringify(hostileWork),
    );
    const hostileAccount = result.accounts[2];
    const vested = result.events.filter((event) => event.type === "Vested");
    for (const index of [0, 1]) {
      const account = result.accounts[index];
      assert.ok(
        vested.some((event) => event.node === account && event.amount > 0n),
        `honest node ${index} was paid`,
      );
    }
    assert.ok(!vested.some((event) => event.node === hostileAccount), "the hostile node earned nothing");
    assert.ok(
      !result.events.some((event) => event.type === "Committed" && event.node === hostileAccount),
      "the hostile node committed nothing",
    );
  });
});
