import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";
import { failureCode } from "../src/sandbox/codes.ts";
import { moduleOfStack } from "../src/sandbox/refusals.ts";
import { createSandboxedTaskRunner } from "../src/sandbox/sandboxedRunner.ts";
import type { TaskCallResult, TaskLimits, TaskRunner } from "../src/sandbox/types.ts";
import { createFakeHost } from "./fakeHost.ts";

/**
 * A task whose code the sandbox refuses something (a dependency that starts a program, as puppeteer starts its
 * browser; a read outside the task's folders) fails that call with SANDBOX__ACCESS_DENIED and a message naming what
 * was refused, the module (and npm package) that asked, and that no option allows it, instead of Node's bare "Access
 * to this API has been restricted". The sandbox still refuses it: nothing ran, nothing was read.
 */

const LIMITS: TaskLimits = { memoryMb: 64, callTimeoutMs: 10_000, maxProofBytes: 64 * 1024 };
const BOUND = { timeout: 60_000 };

/** A dependency of the task, installed in its node_modules: it starts a program, as a browser driver does. */
const SPAWNER = `import { execFileSync } from "node:child_process";
export function launchBrowser() {
  return execFileSync("/bin/true").toString();
}
`;

const TASK = `import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { defineTask } from "@gradual/sdk";
import { launchBrowser } from "spawner";

export default defineTask({
  async task(ctx) {
    if (ctx.cycle === 1) launchBrowser();
    if (ctx.cycle === 2) readFileSync(ctx.config.outside);
    if (ctx.cycle === 3) new Worker("1", { eval: true });
    if (ctx.cycle === 4) throw new Error("an ordinary failure");
  },
  submission: () => "done",
  audit: () => true,
});
`;

/** A task that reads outside its folders as it loads. */
const LOAD_TIME = `import { readFileSync } from "node:fs";
import { defineTask } from "@gradual/sdk";

const secret = readFileSync("/etc/passwd", "utf8");

export default defineTask({ task() {}, submission: () => secret.length, audit: () => true });
`;

function failed(result: TaskCallResult<unknown>): { code: string; message: string } {
  assert.ok(!result.ok, `expected a failure, got ${JSON.stringify(result)}`);
  return { code: failureCode(result), message: result.message };
}

describe("sandbox refusals", () => {
  let scratch = "";
  let outside = "";
  let runner: TaskRunner | undefined;
  let loadTimeBundle = "";

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "gradual-refusals-"));
    const folder = path.join(scratch, "task");
    mkdirSync(path.join(folder, "node_modules", "spawner"), { recursive: true });
    writeFileSync(
      path.join(folder, "node_modules", "spawner", "package.json"),
      JSON.stringify({ name: "spawner", version: "1.0.0", type: "module", main: "index.js" }),
    );
    writeFileSync(path.join(folder, "node_modules", "spawner", "index.js"), SPAWNER);
    writeFileSync(path.join(folder, "task.js"), TASK);
    writeFileSync(path.join(folder, "loadTime.js"), LOAD_TIME);
    outside = path.join(scratch, "outside.txt");
    writeFileSync(outside, "not for the task");
    const bundle = await writeBundleFile((await bundleTask(path.join(folder, "task.js"))).code, {
      directory: scratch,
    });
    loadTimeBundle = await writeBundleFile((await bundleTask(path.join(folder, "loadTime.js"))).code, {
      directory: scratch,
    });
    runner = await createSandboxedTaskRunner({
      bundlePath: bundle,
      host: createFakeHost({ outside }).host,
      limits: LIMITS,
    });
  });

  after(async () => {
    await runner?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("a dependency that starts a program: SANDBOX__ACCESS_DENIED naming it and its package", BOUND, async () => {
    const { code, message } = failed(await (runner as TaskRunner).work(1, 1));
    assert.equal(code, "SANDBOX__ACCESS_DENIED");
    assert.match(
      message,
      /^the node's task sandbox refused to start a program \(child_process\) \(ERR_ACCESS_DENIED\), asked by node_modules\/spawner\/index\.js \(package spawner\): /,
    );
    assert.match(message, /no option of gradual allows it: the sandbox is not configurable/);
    assert.match(message, /docs\/writing-a-task\.md "What a task can reach"/);
  });

  test("a read outside the task's folders: the path, and the task's own module", BOUND, async () => {
    const { code, message } = failed(await (runner as TaskRunner).work(2, 2));
    assert.equal(code, "SANDBOX__ACCESS_DENIED");
    assert.match(message, new RegExp(`refused to read ${outside.replaceAll("/", "\\/")} \\(ERR_ACCESS_DENIED\\)`));
    assert.match(message, /, asked by task\.js: /);
  });

  test("a worker thread is refused with its own words", BOUND, async () => {
    const { code, message } = failed(await (runner as TaskRunner).work(3, 3));
    assert.equal(code, "SANDBOX__ACCESS_DENIED");
    assert.match(message, /refused to start a worker thread \(worker_threads\)/);
  });

  test("an ordinary throw is still TASK__THREW, and the task works on", BOUND, async () => {
    assert.deepEqual(failed(await (runner as TaskRunner).work(4, 4)), {
      code: "TASK__THREW",
      message: "an ordinary failure",
    });
    const ok = await (runner as TaskRunner).work(5, 5);
    assert.ok(ok.ok, JSON.stringify(ok));
  });

  test("a refusal while the bundle loads: the runner does not start, with SANDBOX__ACCESS_DENIED", BOUND, async () => {
    await assert.rejects(
      createSandboxedTaskRunner({ bundlePath: loadTimeBundle, host: createFakeHost().host, limits: LIMITS }),
      (error: { code?: string; message?: string }) => {
        assert.equal(error.code, "SANDBOX__ACCESS_DENIED");
        assert.match(
          error.message ?? "",
          /^cannot load task bundle .*: the node's task sandbox refused to read \/etc\/passwd/,
        );
        assert.match(error.message ?? "", /, asked by loadTime\.js: /);
        return true;
      },
    );
  });
});

describe("moduleOfStack", () => {
  test("the innermost frame in the bundle, the module marker above it, and the last node_modules package", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gradual-refusals-stack-"));
    try {
      const file = path.join(dir, "bundle.mjs");
      const lines = [
        "// node_modules/a/node_modules/@scope/b/lib/launch.js",
        "function launch() {",
        "  spawn();",
        "}",
        "// src/task.js",
        "launch();",
      ];
      writeFileSync(file, lines.join("\n"));
      const url = `file://${file}`;
      const stack = [
        "Error: Access to this API has been restricted",
        "    at spawn (node:child_process:700:10)",
        `    at launch (${url}:3:3)`,
        `    at ${url}:6:1`,
      ].join("\n");
      assert.equal(moduleOfStack(stack, url), "node_modules/a/node_modules/@scope/b/lib/launch.js (package @scope/b)");
      assert.equal(moduleOfStack(`Error\n    at ${url}:6:1`, url), "src/task.js");
      assert.equal(moduleOfStack("Error\n    at node:fs:1:1", url), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
