import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  ERROR_REGISTRY,
  errorEntry,
  errorMeaning,
  GradualError,
  httpStatusOf,
  isRegisteredCode,
  ProtocolError,
} from "@gradual/protocol";
import { checkErrorCodes } from "./check-error-codes.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("every code used in packages/*/src is in the registry, and the node throws no plain Error without saying why", () => {
  assert.deepEqual(checkErrorCodes(repoRoot), []);
});

test("the check finds an unregistered code in a string, a template or a key, and an uncoded node error", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "gradual-error-codes-"));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write("packages/cli/src/a.ts", 'throw new CliError("CLI__NOT_REGISTERED", "x");\nconst ok = "CLI__BAD_INPUT";\n');
    const template = ["const t = `error[T8N__NOPE]: $", "{m}`;"].join("");
    write("packages/dashboard/src/b.tsx", `const m = { WEB__UNKNOWN: 1 };\n${template}\n`);
    write(
      "packages/node/src/c.ts",
      [
        'throw new Error("seen by an operator");',
        "// Only a bug can get here.",
        'if (x) throw new Error("internal");',
        'throw new GradualError("NODE__INTERNAL", { message: "fine" });',
      ].join("\n"),
    );
    write("packages/node/src/c.test.ts", 'throw new Error("tests may");\n');
    const problems = checkErrorCodes(root).map((problem) => `${problem.file}:${problem.line} ${problem.rule}`);
    assert.deepEqual(problems.sort(), [
      "packages/cli/src/a.ts:1 unregistered-code",
      "packages/dashboard/src/b.tsx:1 unregistered-code",
      "packages/dashboard/src/b.tsx:2 unregistered-code",
      "packages/node/src/c.ts:1 uncoded-node-error",
    ]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the registry: one package per code, DOMAIN__DESCRIPTION names, sorted within a package, a meaning each", () => {
  const seen = new Map<string, string>();
  for (const section of ERROR_REGISTRY) {
    const codes = Object.keys(section.codes);
    // The protocol's rejection codes keep the order of protocol.md; every other table is sorted for easy merges.
    if (section.title !== "rejections of transactions") assert.deepEqual(codes, [...codes].sort(), section.package);
    for (const code of codes) {
      assert.match(code, /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*__[A-Z0-9]+(?:_[A-Z0-9]+)*$/, code);
      assert.equal(seen.get(code), undefined, `${code} is in ${seen.get(code)} and ${section.package}`);
      seen.set(code, section.package);
      const entry = errorEntry(code);
      assert.ok(entry !== undefined && entry.meaning.length > 10 && entry.package === section.package, code);
      if (entry.http !== undefined) assert.ok(entry.http >= 400 && entry.http < 600, code);
    }
  }
  assert.equal(isRegisteredCode("NODE__INTERNAL"), true);
  assert.equal(isRegisteredCode("NODE__NO_SUCH_THING"), false);
  assert.equal(errorMeaning("NODE__NO_SUCH_THING"), "NODE__NO_SUCH_THING");
  assert.equal(httpStatusOf("ROUTE__METHOD"), 405);
  assert.equal(httpStatusOf("SANDBOX__OOM"), 500);
});

test("errors thrown with a code share one base: the code, the message and instanceof of both classes", () => {
  const error = new ProtocolError("advanceSlot: expected slot 3, got 5", "details");
  assert.ok(error instanceof GradualError && error instanceof ProtocolError && error instanceof Error);
  assert.equal(error.code, "PROTOCOL__MISUSE");
  assert.equal(error.name, "ProtocolError");
  assert.equal(error.shortMessage, "advanceSlot: expected slot 3, got 5");
  assert.equal(error.message, "advanceSlot: expected slot 3, got 5\n\ndetails");
  const cause = new Error("disk");
  const coded = new GradualError("NODE__BUNDLE_UNREADABLE", { message: "gone", context: { path: "/x" }, cause });
  assert.deepEqual(
    [coded.code, coded.message, coded.context, coded.cause],
    ["NODE__BUNDLE_UNREADABLE", "gone", { path: "/x" }, cause],
  );
});
