import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CliError } from "../src/output.ts";
import { parseTaskVars, parseTaskVarText, readTaskVarFile, taskVarsOf, writeTaskVarFile } from "../src/taskVars.ts";

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CliError, String(error));
    return `${error.code}: ${error.message}`;
  }
  return "no error";
}

test("a .env file: comments, export, quotes, escapes and trailing comments", () => {
  const vars = parseTaskVarText(
    [
      "# Koii's .env convention",
      "",
      "TWITTER_USERNAME=alice",
      "export API_KEY = sk-123  # the key",
      'GREETING="Hej # not a comment\\nsecond line \\"quoted\\" \\\\"',
      "RAW='$HOME \\n stays'",
      "EMPTY=",
      "URL=https://example.com/?a=b#frag",
    ].join("\r\n"),
    "vars.env",
  );
  assert.deepEqual(
    { ...vars },
    {
      TWITTER_USERNAME: "alice",
      API_KEY: "sk-123",
      GREETING: 'Hej # not a comment\nsecond line "quoted" \\',
      RAW: "$HOME \\n stays",
      EMPTY: "",
      URL: "https://example.com/?a=b#frag",
    },
  );
});

test("a malformed line is refused with its file and line number", () => {
  assert.match(
    codeOf(() => parseTaskVarText("A=1\nnot a pair\n", "x.env")),
    /^CLI__BAD_INPUT: x\.env:2: expected NAME=value/,
  );
  assert.match(
    codeOf(() => parseTaskVarText("1ABC=2", "x.env")),
    /x\.env:1: expected NAME=value/,
  );
  assert.match(
    codeOf(() => parseTaskVarText('A="open', "x.env")),
    /x\.env:1: unterminated double quote/,
  );
  assert.match(
    codeOf(() => parseTaskVars(["=value"])),
    /--task-var: expected NAME=value/,
  );
  assert.match(
    codeOf(() => readTaskVarFile("/nonexistent/vars.env")),
    /--task-var-file: cannot read/,
  );
});

test("a hostile name cannot reach a prototype", () => {
  const vars = parseTaskVarText("__proto__=polluted\nconstructor=x", "x.env");
  assert.equal(Object.getPrototypeOf(vars), null);
  assert.equal(Object.getOwnPropertyDescriptor(vars, "__proto__")?.value, "polluted");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const merged = { ...{ a: "1" }, ...vars };
  assert.equal(Object.getPrototypeOf(merged), Object.prototype, "spreading keeps __proto__ a plain own property");
});

test("--task-var overrides --task-var-file; the written file is private and reads back the same", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradual-task-vars-"));
  try {
    const file = join(dir, "in.env");
    writeFileSync(file, "A=from-file\nB=kept\n");
    assert.deepEqual(
      { ...taskVarsOf({ taskVar: ["A=from-flag", "C=x=y"], taskVarFile: file }) },
      {
        A: "from-flag",
        B: "kept",
        C: "x=y",
      },
    );
    const out = join(dir, "out.env");
    const secrets = { KEY: 'a "quoted" \\ value\nwith a newline', EMPTY: "", HASH: "x #y" };
    writeTaskVarFile(out, secrets);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual({ ...readTaskVarFile(out) }, secrets);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
