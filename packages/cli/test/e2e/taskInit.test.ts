import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { removeDir, runGradual } from "./support.ts";

/**
 * A task developer outside this repository (issue 16): `gradual task init` in a folder of the OS temporary
 * directory makes a standalone project; `gradual task test` runs it before anything is installed (the bundler takes
 * @gradual/sdk from the CLI's installation), and the README's commands, `npm install` then `npm test`, pass.
 */

type Run = { code: number | null; stdout: string; stderr: string };

/**
 * Runs npm in `cwd` as a user would: without the npm_* variables of the `npm test` running this file, and without
 * NODE_TEST_CONTEXT (with it, the project's own `node --test` would report to this test runner, not print TAP).
 */
function npm(args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== "NODE_TEST_CONTEXT"),
  );
  return new Promise((done, fail) => {
    const child = spawn("npm", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", fail);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe("gradual task init outside the repository", { timeout: 420_000 }, () => {
  let dir = "";
  let project = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gradual-e2e-init-"));
    project = join(dir, "word-count");
  });
  after(() => removeDir(dir));

  test("makes a standalone project: package.json with test, dev and build, a tsconfig, the task, a README", async () => {
    const result = await runGradual(["task", "init", project], 30_000);
    assert.equal(result.code, 0, result.stderr);
    for (const file of ["package.json", "tsconfig.json", "task.ts", "task.yml", "test/task.test.ts", "README.md"])
      assert.ok(existsSync(join(project, file)), file);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const script of ["test", "dev", "build"]) assert.ok(manifest.scripts[script], `script ${script}`);
    assert.match(manifest.dependencies["@gradual/sdk"] ?? "", /^file:\//);
    assert.match(manifest.devDependencies["@gradual/cli"] ?? "", /^file:\//);
    assert.match(readFileSync(join(project, "README.md"), "utf8"), /npm install[\s\S]*npm test/);
  });

  test("gradual task test runs it before npm install", async () => {
    const result = await runGradual(["task", "test", project, "--rounds", "1"], 120_000);
    assert.equal(result.code, 0, `${result.stdout.slice(-1_500)}\n${result.stderr}`);
    assert.match(result.stdout, /[1-9]\d* cycle\(s\) paid; \d+ calls ok, 0 failed/);
  });

  test("the README's commands pass: npm install, npm test (unit test and task test), npm run build", async () => {
    const install = await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], project, 240_000);
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    const tested = await npm(["test"], project, 150_000);
    assert.equal(tested.code, 0, `${tested.stdout.slice(-2_000)}\n${tested.stderr.slice(-2_000)}`);
    assert.match(tested.stdout, /# pass 1/, "the unit test ran");
    assert.match(tested.stdout, /[1-9]\d* cycle\(s\) paid; \d+ calls ok, 0 failed/, "gradual task test ran");
    const built = await npm(["run", "build"], project, 60_000);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /bundle [0-9a-f]{64} \(\d+ bytes\) -> .*word-count\.mjs/);
  });
});
