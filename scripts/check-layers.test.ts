import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkLayers, formatViolation, type Violation } from "./check-layers.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("the real repository has no layering violations", () => {
  const violations = checkLayers(repoRoot);
  assert.deepEqual(violations.map(formatViolation), []);
});

describe("a fake repository with violations", () => {
  let root = "";
  let violations: Violation[] = [];

  const write = (rel: string, text: string): void => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const find = (file: string, rule: Violation["rule"], needle: string): Violation[] =>
    violations.filter((v) => v.file === file && v.rule === rule && v.message.includes(needle));

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "gradual-check-layers-"));
    for (const name of ["protocol", "wire", "ledger", "sdk", "node", "sim", "cli"]) {
      write(`packages/${name}/package.json`, JSON.stringify({ name: `@gradual/${name}` }));
    }
    write(
      "packages/protocol/src/bad.ts",
      [
        'import { randomBytes } from "node:crypto";', // line 1
        'import { readFileSync } from "fs";', // line 2
        "export const now = Date.now();", // line 3
        "export const roll = Math.random();", // line 4
        "export const fine = Math.max(1, 2);", // line 5
        "// Date.now() and process.env in a comment are fine", // line 6
        'export const text = "setTimeout(Math.random)";', // line 7
        "const other = { process: 1, Date: 2 };", // line 8
        "export const props = other.process + other.Date;", // line 9
        "export function local(process: number, fetch: number): number { return process + fetch; }", // line 10
        "export const env = process.env;", // line 11
        "setTimeout(() => {}, 0);", // line 12
        "export const c = globalThis.crypto;", // line 13
        "export type Stamp = Date;", // line 14
        'export const lazy = () => import("node:fs");', // line 15
        "export { randomBytes, readFileSync };", // line 16
      ].join("\n"),
    );
    write("packages/wire/src/bad.ts", 'import { createServer } from "node:http";\nexport { createServer };\n');
    write("packages/wire/test/ok.test.ts", 'import test from "node:test";\ntest("t", () => {});\n');
    write("packages/protocol/test/ok.test.ts", 'import test from "node:test";\ntest("t", () => Date.now());\n');
    write("packages/ledger/src/bad.ts", 'import { run } from "@gradual/node";\nexport { run };\n');
    write("packages/ledger/src/ok.ts", 'import type { X } from "@gradual/protocol";\nexport type Y = X;\n');
    write("packages/sim/src/bad.ts", 'export * from "@gradual/ledger";\nexport * from "../../node/src/index.ts";\n');
    write("packages/cli/src/ok.ts", 'export * from "@gradual/ledger";\nexport * from "@gradual/sim";\n');
    violations = checkLayers(root);
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("protocol importing node:crypto and fs is reported", () => {
    assert.equal(find("packages/protocol/src/bad.ts", "protocol-node-import", '"node:crypto"')[0]?.line, 1);
    assert.equal(find("packages/protocol/src/bad.ts", "protocol-node-import", '"fs"')[0]?.line, 2);
    assert.equal(find("packages/protocol/src/bad.ts", "protocol-node-import", '"node:fs"')[0]?.line, 15);
  });

  test("the wire package (loaded in the browser) importing node:http is reported, its tests may", () => {
    assert.equal(find("packages/wire/src/bad.ts", "browser-node-import", '"node:http"')[0]?.line, 1);
    assert.deepEqual(
      violations.filter((v) => v.file === "packages/wire/test/ok.test.ts"),
      [],
    );
  });

  test("protocol using Date.now() and Math.random() is reported", () => {
    assert.deepEqual(
      find("packages/protocol/src/bad.ts", "protocol-global", "`Date`").map((v) => v.line),
      [3],
    );
    assert.deepEqual(
      find("packages/protocol/src/bad.ts", "protocol-global", "`Math.random`").map((v) => v.line),
      [4],
    );
  });

  test("free process, setTimeout and globalThis.crypto are reported; locals, properties, comments, strings and types are not", () => {
    const lines = find("packages/protocol/src/bad.ts", "protocol-global", "")
      .map((v) => v.line)
      .sort((a, b) => a - b);
    assert.deepEqual(lines, [3, 4, 11, 12, 13]);
  });

  test("protocol tests may use Node and the clock", () => {
    assert.deepEqual(
      violations.filter((v) => v.file.startsWith("packages/protocol/test/")),
      [],
    );
  });

  test("ledger importing @gradual/node is reported", () => {
    const [v] = find("packages/ledger/src/bad.ts", "layering", '"@gradual/node"');
    assert.equal(v?.line, 1);
    assert.deepEqual(
      violations.filter((x) => x.file === "packages/ledger/src/ok.ts"),
      [],
    );
  });

  test("sim importing ledger and a relative path into another package are reported", () => {
    assert.equal(find("packages/sim/src/bad.ts", "layering", '"@gradual/ledger"').length, 1);
    assert.equal(find("packages/sim/src/bad.ts", "relative-escape", "../../node/src/index.ts").length, 1);
  });

  test("cli may import anything", () => {
    assert.deepEqual(
      violations.filter((v) => v.file.startsWith("packages/cli/")),
      [],
    );
  });

  test("nothing else is reported", () => {
    assert.equal(violations.length, 12, violations.map(formatViolation).join("\n"));
  });
});
