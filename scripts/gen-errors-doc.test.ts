import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, ERROR_REGISTRY } from "@gradual/protocol";
import { ERRORS_SOURCE, readContextFields, renderErrorsDoc } from "./gen-errors-doc.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("docs/errors.md is up to date (gen-errors-doc --check exits 0)", () => {
  const result = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "scripts/gen-errors-doc.ts", "--check"],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, `${result.stderr}${result.stdout}`);
});

test("context fields resolve the helper types Field, TaskRef, CycleRef and WindowRef", () => {
  const contexts = readContextFields(fs.readFileSync(ERRORS_SOURCE, "utf8"));
  const names = (code: string) => contexts.get(code)?.map((field) => field.name);
  assert.deepEqual(names("TX__UNKNOWN_FIELD"), ["field"]);
  assert.deepEqual(names("TASK__NOT_FOUND"), ["task"]);
  assert.deepEqual(names("COMMIT__DUPLICATE"), ["task", "cycle"]);
  assert.deepEqual(names("COMMIT__WINDOW_CLOSED"), ["task", "cycle", "slot", "opensAt", "closesAt"]);
  assert.deepEqual(names("VOTE__WINDOW_CLOSED"), ["task", "cycle", "slot", "opensAt", "closesAt", "trigger"]);
  assert.deepEqual(Object.keys(ERROR_CODES).sort(), [...contexts.keys()].sort());
});

test("the generated document has one row per registered code, each package's under its heading", () => {
  const doc = renderErrorsDoc(fs.readFileSync(ERRORS_SOURCE, "utf8"));
  const rows = doc.split("\n").filter((line) => line.startsWith("| `"));
  const codes = ERROR_REGISTRY.flatMap((section) => Object.keys(section.codes));
  assert.deepEqual(
    rows.map((row) => /^\| `([A-Z0-9_]+)`/.exec(row)?.[1]),
    codes,
  );
  for (const section of ERROR_REGISTRY)
    assert.ok(doc.includes(`## \`@gradual/${section.package}\`: ${section.title}\n`));
  const notSelected = rows.find((row) => row.startsWith("| `DISTRIBUTION__NOT_SELECTED`"));
  assert.match(notSelected ?? "", /`distributor: string \\\| null`/);
  assert.match(rows.find((row) => row.startsWith("| `TX__BAD_SIGNATURE`")) ?? "", /\| no \(edge\) +\| 401 +\|/);
  assert.match(rows.find((row) => row.startsWith("| `LEDGER__MEMPOOL_FULL`")) ?? "", /\| 503 +\| The mempool/);
  assert.match(rows.find((row) => row.startsWith("| `BUNDLE__TOO_LARGE`")) ?? "", /\| +\| The task bundle/);
});

test("a context type the generator cannot resolve is an error, not a silent gap", () => {
  const source = "type ErrorContextMap = { A__B: Unknown };";
  assert.throws(() => readContextFields(source), /Unknown is not a local type alias/);
});
