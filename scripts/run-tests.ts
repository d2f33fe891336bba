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
 * Files run two at a time in the order given to node --test: the slowest first (SLOWEST_FIRST), then the rest in path
 * order.
 *
 * First it builds (scripts/build.mjs, about a second when nothing changed): end-to-end tests spawn the `gradual`
 * executable, which runs the compiled dist/, and must run the code under test. The test files themselves run from
 * the TypeScript sources: `--conditions=source` makes `@gradual/*` imports resolve to each package's src/ (the
 * "source" export condition), so a test never mixes a package's sources with its compiled copy.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/**
 * The slowest files, slowest first (their durations in the default run on 2 cores, 2026-12-06): they start first, so
 * that the many short files fill the other worker's time around them instead of one long file ending the run alone.
 * A scheduling hint only: a file not listed runs after them, in path order, and a name that no longer exists is
 * ignored.
 */
const SLOWEST_FIRST = [
  "packages/evm/test/gradual.evm.test.ts",
  "packages/sim/test/properties.test.ts",
  "packages/sim/test/cli.test.ts",
  "packages/cli/test/evm/evmDevnet.test.ts",
  "packages/cli/test/koii/devnet-b.test.ts",
  "packages/ledger/test/storage.test.ts",
  "packages/cli/test/koii/devnet-a.test.ts",
  "packages/cli/test/e2e/nodeStatus.test.ts",
  "packages/cli/test/e2e/restart.test.ts",
  "packages/cli/test/e2e/compiled.test.ts",
  "packages/protocol/test/invariants.property.test.ts",
  "packages/cli/test/e2e/examples.test.ts",
  "packages/evm/test/specVectors.evm.test.ts",
  "packages/ledger/test/kill.test.ts",
  "packages/cli/test/evm/deploy.test.ts",
  "packages/ledger/test/durability.test.ts",
  "packages/cli/test/e2e/help.test.ts",
  "packages/sim/test/determinism.test.ts",
];
const rank = (file: string) => {
  const at = SLOWEST_FIRST.indexOf(file);
  return at < 0 ? SLOWEST_FIRST.length : at;
};

const filters = process.argv.slice(2).filter((a) => a.length > 0);
const files = [...new Set(found)]
  .map((f) => path.relative(root, f).split(path.sep).join("/"))
  .filter((rel) => filters.length === 0 || filters.some((f) => rel.includes(f)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

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

// The EVM tests' harness contracts (contracts/test), compiled once here rather than by each EVM test file that starts
// before they are (solc-js, about 35 s of one core each on a clean clone).
if (files.some((file) => file.startsWith("packages/evm/"))) {
  const compile = pathToFileURL(path.join(root, "packages/evm/dist/compile.js")).href;
  const { compileContracts } = (await import(compile)) as {
    compileContracts: (options: { includeTests: boolean }) => unknown;
  };
  compileContracts({ includeTests: true });
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
