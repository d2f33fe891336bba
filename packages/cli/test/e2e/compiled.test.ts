import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI_BIN } from "../../src/devnet/processes.ts";
import { makeTempDir, removeDir } from "./support.ts";

/**
 * The `gradual` executable and every process it starts run compiled JavaScript: no TypeScript loader, no `.ts`
 * module. Each run here goes through a guard (a module resolve hook, given in NODE_OPTIONS so that the ledger and
 * node processes a devnet starts inherit it) that fails any import of tsx or of a TypeScript file. Task processes
 * get an empty environment and run a bundle, which is one `.mjs` file by construction.
 */

const REPO = resolve(fileURLToPath(import.meta.url), "../../../../..");
const GUARD_MARK = "GRADUAL_GUARD: loaded";

let dir = "";
let guardOptions = "";

before(() => {
  dir = makeTempDir("compiled");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const path = result.url.startsWith("file:") ? new URL(result.url).pathname : "";
  if (/[\\\\/]node_modules[\\\\/]tsx[\\\\/]/.test(path) || /\\.(?:[cm]?ts|tsx)$/.test(path))
    throw new Error(${JSON.stringify(GUARD_MARK)} + " " + result.url);
  return result;
}
`,
  );
  const guard = join(dir, "guard.mjs");
  writeFileSync(
    guard,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  guardOptions = `--import=${guard}`;
});

after(() => removeDir(dir));

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `node <args>` with the guard, killed after timeoutMs; `until` ends it early (SIGINT) once stdout matches. */
function guarded(args: readonly string[], timeoutMs: number, until?: RegExp): Promise<Run> {
  return new Promise((done, fail) => {
    const env = { ...process.env, NODE_OPTIONS: guardOptions };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env, cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until?.test(stdout)) child.kill("SIGINT");
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

describe("compiled entry points", { timeout: 240_000 }, () => {
  test("the guard itself fails a TypeScript import", async () => {
    const source = pathToFileURL(join(REPO, "packages/cli/src/main.ts")).href;
    const result = await guarded(["--input-type=module", "-e", `await import(${JSON.stringify(source)})`], 30_000);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(GUARD_MARK));
  });

  for (const command of ["--help", "ledger", "node", "devnet", "task", "dashboard", "koii", "sim", "keys"]) {
    test(`gradual ${command === "--help" ? "" : `${command} `}--help loads no TypeScript`, async () => {
      const args = command === "--help" ? ["--help"] : [command, "--help"];
      const result = await guarded([CLI_BIN, ...args], 60_000);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, new RegExp(GUARD_MARK));
      assert.match(result.stdout, /Usage: gradual/);
    });
  }

  test("gradual task test runs the web-scraper example (its demo site is TypeScript) without tsx", async () => {
    const task = join(REPO, "examples/web-scraper");
    const result = await guarded([CLI_BIN, "task", "test", task, "--nodes", "2", "--rounds", "1"], 120_000);
    assert.doesNotMatch(result.stderr, new RegExp(GUARD_MARK));
    assert.equal(result.code, 0, `${result.stdout.slice(-1_500)}\n${result.stderr}`);
    assert.match(result.stdout, /[1-9]\d* cycle\(s\) paid; \d+ calls ok, 0 failed/);
  });

  test("a devnet's ledger and nodes run compiled JavaScript until a node commits", async () => {
    const args = [CLI_BIN, "devnet", "--data", join(dir, "devnet"), "--port", "0", "--nodes", "2", "--cheaters", "0"];
    const result = await guarded(args, 150_000, /cycle \d+: \d+ commits/);
    assert.doesNotMatch(result.stderr, new RegExp(GUARD_MARK));
    assert.match(result.stdout, /cycle \d+: \d+ commits/, `${result.stdout.slice(-2_000)}\n${result.stderr}`);
  });
});
