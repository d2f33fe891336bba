/**
 * Runs every test file in one `node --test` process (Node 20's --test does not expand globs).
 *
 *   node --conditions=source --import tsx scripts/run-tests.ts [filter...]
 *
 * Test files: **\/*.test.ts under packages/*\/test, packages/*\/src, scripts/ and examples/*\/test.
 * Filters are substrings of the repo-relative path; a file runs if it matches any of them (`npm test -- protocol`).
 * Exits with node --test's exit code.
 *
 * Reporter: spec on a terminal; TAP otherwise (CI, pipes), because only the TAP reporter prints the final
 * `# tests N` / `# pass N` / `# fail N` summary lines (spec prints `ℹ tests N`). This is node's own default,
 * made explicit so it does not depend on the Node version.
 *
 * First it builds (scripts/build.mjs, about a second when nothing changed): end-to-end tests spawn the `gradual`
 * executable, which runs the compiled dist/, and must run the code under test. The test files themselves run from
 * the TypeScript sources: `--conditions=source` makes `@gradual/*` imports resolve to each package's src/ (the
 * "source" export condition), so a test never mixes a package's sources with its compiled copy.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { SKIPPED_DIRS, walkFiles } from "./walkFiles.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

const roots = [
  ...subdirs(path.join(root, "packages")).flatMap((p) => [path.join(p, "test"), path.join(p, "src")]),
  path.join(root, "scripts"),
  ...subdirs(path.join(root, "examples")).map((e) => path.join(e, "test")),
];

const found: string[] = [];
for (const dir of roots) walkFiles(dir, (name) => name.endsWith(".test.ts"), found);

const filters = process.argv.slice(2).filter((a) => a.length > 0);
const files = [...new Set(found)]
  .map((f) => path.relative(root, f).split(path.sep).join("/"))
  .filter((rel) => filters.length === 0 || filters.some((f) => rel.includes(f)))
  .sort();

const filterNote = filters.length > 0 ? ` matching ${filters.map((f) => JSON.stringify(f)).join(" or ")}` : "";
console.error(`run-tests: ${files.length} test file(s)${filterNote}`);
if (files.length === 0) {
  console.error("run-tests: nothing to run");
  process.exit(filters.length > 0 ? 1 : 0);
}

const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.error("run-tests: the build failed; fix it before testing");
  process.exit(build.status ?? 1);
}

const reporter = process.stdout.isTTY ? "spec" : "tap";
const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", `--test-reporter=${reporter}`, "--test-concurrency=2", ...files],
  { cwd: root, stdio: "inherit" },
);
if (result.error) {
  console.error(`run-tests: could not start node: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
