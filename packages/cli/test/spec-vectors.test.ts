/**
 * The spec-vector runner (spec-tests/README.md). Every case folder under spec-tests/ is its own test: its steps are
 * replayed from pre.json with the transition of `gradual t8n`, each result must meet its step's expect, and the
 * results, every record and the state root must equal post.json. The run fails when a folder is not a runnable case,
 * when an error code, a transaction kind or a required window end has no vector, and when the committed vectors
 * differ from what the generator writes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  expectationMismatch,
  type PostFile,
  parsePre,
  parseTxs,
  parseVectorJson,
  type TxsFile,
  toVectorJson,
  transition,
} from "@gradual/ledger/t8n";
import {
  ERROR_CODES,
  type ErrorCode,
  RETIRED_ERROR_CODES,
  stateFromEntries,
  stateRoot,
  TRANSACTION_KINDS,
} from "@gradual/protocol";
import { staleFiles } from "./vectors/generate.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SPEC_TESTS = path.join(ROOT, "spec-tests");
const CASE_FILES = ["post.json", "pre.json", "txs.json"];
const CATEGORIES = new Set<string>([...TRANSACTION_KINDS, "windows", "edge"]);

/** Window ends and round starts the issue requires a vector for (spec-tests/windows/<name>). */
const REQUIRED_WINDOW_CASES = [
  "reveal-close-seed",
  "audit-upheld",
  "audit-rejected",
  "audit-disputed",
  "audit-unavailable",
  "audit-answered",
  "late-trigger-upheld-clawback",
  "late-trigger-frozen-claim",
  "distribution-accepted",
  "distribution-rejected-reselected",
  "distribution-disputed",
  "distribution-missing",
  "distribution-exhausted",
  "vesting",
  "pause-resume",
  "close-task",
  "cycle-no-submitters",
];

/**
 * Vectors that state what the brief requires and the protocol does not do yet (spec-tests/README.md, "Known protocol
 * bugs"), with the bug. Each must fail; once it passes, the bug is fixed and its entry must go.
 */
const KNOWN_PROTOCOL_BUGS: Readonly<Record<string, string>> = {};

type LoadedCase = { readonly name: string; readonly dir: string; readonly txs: TxsFile | null };

function discover(): { cases: LoadedCase[]; problems: string[] } {
  const cases: LoadedCase[] = [];
  const problems: string[] = [];
  for (const top of readdirSync(SPEC_TESTS, { withFileTypes: true })) {
    if (top.isFile() && top.name === "README.md") continue;
    if (!top.isDirectory() || !CATEGORIES.has(top.name)) {
      problems.push(`spec-tests/${top.name}: not a transaction kind, "windows" or "edge"; no runner would run it`);
      continue;
    }
    for (const entry of readdirSync(path.join(SPEC_TESTS, top.name), { withFileTypes: true })) {
      const name = `${top.name}/${entry.name}`;
      const dir = path.join(SPEC_TESTS, name);
      if (!entry.isDirectory()) {
        problems.push(`spec-tests/${name}: expected a case folder`);
        continue;
      }
      const files = readdirSync(dir).sort();
      if (files.join(",") !== CASE_FILES.join(",")) {
        problems.push(`spec-tests/${name}: expected exactly ${CASE_FILES.join(", ")}, found ${files.join(", ")}`);
      }
      let txs: TxsFile | null = null;
      try {
        txs = parseTxs(parseVectorJson(readFileSync(path.join(dir, "txs.json"), "utf8"), `${name}/txs.json`));
      } catch (error) {
        problems.push(`spec-tests/${name}/txs.json: ${(error as Error).message}`);
      }
      cases.push({ name, dir, txs });
    }
  }
  return { cases, problems };
}

function readJson(dir: string, file: string): unknown {
  return parseVectorJson(readFileSync(path.join(dir, file), "utf8"), file);
}

function comparePost(actual: PostFile, expected: Record<string, unknown>): void {
  const normalized = parseVectorJson(toVectorJson(actual), "computed post") as Record<string, unknown>;
  assert.deepEqual(Object.keys(expected).sort(), ["records", "results", "slot", "stateRoot"], "post.json fields");
  assert.equal(normalized.slot, expected.slot, "post slot");
  const actualResults = normalized.results as unknown[];
  const expectedResults = expected.results as unknown[];
  assert.equal(actualResults.length, expectedResults.length, "number of results");
  actualResults.forEach((result, index) => {
    assert.deepStrictEqual(result, expectedResults[index], `result ${index}`);
  });
  const actualRecords = normalized.records as Record<string, unknown>;
  const expectedRecords = expected.records as Record<string, unknown>;
  const missing = Object.keys(expectedRecords).filter((key) => !(key in actualRecords));
  const extra = Object.keys(actualRecords).filter((key) => !(key in expectedRecords));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "post record keys");
  for (const [key, record] of Object.entries(expectedRecords)) {
    assert.deepStrictEqual(actualRecords[key], record, `record ${key}`);
  }
  assert.equal(normalized.stateRoot, expected.stateRoot, "post stateRoot");
}

function runCase(loaded: LoadedCase): void {
  assert.ok(loaded.txs !== null, "txs.json does not parse");
  const txs = loaded.txs;
  assert.ok(typeof txs.description === "string" && txs.description.length > 0, "txs.json needs a description");
  txs.steps.forEach((step, index) => {
    if ("tx" in step) assert.ok(step.expect !== undefined, `step ${index}: a vector's tx step needs an expect`);
  });
  const expected = readJson(loaded.dir, "post.json") as Record<string, unknown>;
  const expectedRecords = Object.entries(expected.records as Record<string, unknown>);
  assert.equal(stateRoot(stateFromEntries(expectedRecords)), expected.stateRoot, "post.json root vs its records");
  const post = transition(parsePre(readJson(loaded.dir, "pre.json")), txs);
  txs.steps.forEach((step, index) => {
    const result = post.results[index];
    const mismatch = "tx" in step && result !== undefined ? expectationMismatch(result, step.expect) : null;
    if (mismatch !== null) assert.fail(`step ${index}: ${mismatch}`);
  });
  comparePost(post, expected);
}

const { cases, problems } = discover();
const ran = new Set<string>();

for (const loaded of cases) {
  const bug = KNOWN_PROTOCOL_BUGS[loaded.name];
  test(`spec-tests/${loaded.name}`, (context) => {
    ran.add(loaded.name);
    if (bug === undefined) {
      runCase(loaded);
      return;
    }
    assert.throws(() => runCase(loaded), `known protocol bug fixed (${bug}): remove it from KNOWN_PROTOCOL_BUGS`);
    context.diagnostic(`expected failure, known protocol bug: ${bug}`);
  });
}

test("every folder under spec-tests/ is a runnable case and every case ran", () => {
  assert.deepEqual(problems, []);
  const notRun = cases.map(({ name }) => name).filter((name) => !ran.has(name));
  assert.deepEqual(notRun, [], "case folders that did not run");
  for (const name of Object.keys(KNOWN_PROTOCOL_BUGS)) {
    assert.ok(
      cases.some((loaded) => loaded.name === name),
      `KNOWN_PROTOCOL_BUGS names a missing vector ${name}`,
    );
  }
});

/** Steps of the vectors that count for coverage (not the known-bug ones, which fail today). */
function coveredSteps() {
  return cases
    .filter((loaded) => KNOWN_PROTOCOL_BUGS[loaded.name] === undefined)
    .flatMap((loaded) => (loaded.txs?.steps ?? []).map((step) => ({ name: loaded.name, step })));
}

test("every error code has a vector expecting it", () => {
  const expected = new Set<string>();
  for (const { step } of coveredSteps()) {
    if ("tx" in step && step.expect?.ok === false) expected.add(step.expect.code);
  }
  // TX__APPLY_FAILED marks a transaction whose rule threw: a bug by definition (protocol.md §9.1), so no correct
  // implementation can produce it from a vector. applyTransaction.fuzz.test.ts covers its containment instead.
  const BUG_ONLY = new Set(["TX__APPLY_FAILED"]);
  const missing = Object.keys(ERROR_CODES).filter(
    (code) => !expected.has(code) && !BUG_ONLY.has(code) && !RETIRED_ERROR_CODES.has(code as ErrorCode),
  );
  assert.deepEqual(missing, [], "codes without a vector");
});

test("every transaction kind has an accepted vector in its own folder", () => {
  const accepted = new Set<string>();
  for (const { name, step } of coveredSteps()) {
    if (!("tx" in step) || step.expect?.ok !== true) continue;
    const kind = (step.tx as { kind?: unknown }).kind;
    if (typeof kind === "string" && name.startsWith(`${kind}/`)) accepted.add(kind);
  }
  assert.deepEqual(
    TRANSACTION_KINDS.filter((kind) => !accepted.has(kind)),
    [],
    "kinds without an accepted vector",
  );
});

test("every required window end has a vector", () => {
  const present = new Set(cases.map(({ name }) => name));
  assert.deepEqual(
    REQUIRED_WINDOW_CASES.filter((name) => !present.has(`windows/${name}`)),
    [],
    "missing spec-tests/windows/ cases",
  );
});

test("the committed vectors are what the generator writes (npm run vectors:generate)", () => {
  assert.deepEqual(staleFiles(), []);
});

// The transition tool --------------------------------------------------------------------------------------------

const BIN = path.join(ROOT, "packages/cli/bin/gradual.js");
const SAMPLE = path.join(SPEC_TESTS, "windows/audit-upheld");

function gradual(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
}

test("gradual t8n prints exactly the vector's post.json", () => {
  const run = gradual("t8n", "--pre", path.join(SAMPLE, "pre.json"), "--txs", path.join(SAMPLE, "txs.json"));
  assert.equal(run.stderr, "");
  assert.equal(run.status, 0);
  assert.equal(run.stdout, readFileSync(path.join(SAMPLE, "post.json"), "utf8"));
});

test("gradual t8n --slot advances after the steps and --out writes the post-state", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "gradual-t8n-"));
  try {
    const out = path.join(dir, "post.json");
    const pre = path.join(SAMPLE, "pre.json");
    const txsPath = path.join(SAMPLE, "txs.json");
    const run = gradual("t8n", "--pre", pre, "--txs", txsPath, "--slot", "30", "--out", out, "--check");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^step 1: advanceTo 30 \(\d+ events\)$/m);
    const txs = parseTxs(readJson(SAMPLE, "txs.json"));
    const expected = transition(parsePre(readJson(SAMPLE, "pre.json")), { steps: [...txs.steps, { advanceTo: 30 }] });
    assert.equal(readFileSync(out, "utf8"), toVectorJson(expected));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gradual t8n reports bad input with a code, not a stack trace", () => {
  const missing = gradual("t8n", "--pre", path.join(SAMPLE, "nope.json"));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^error\[T8N__NO_FILE\]: cannot read pre-state .*nope\.json: ENOENT$/m);
  const badSlot = gradual("t8n", "--pre", path.join(SAMPLE, "pre.json"), "--slot", "3");
  assert.equal(badSlot.status, 1);
  assert.match(
    badSlot.stderr,
    /^error\[T8N__BAD_SLOT\]: step 0: cannot advance to slot 3, the chain is already at 26$/m,
  );
});
