import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GradualError } from "@gradual/protocol";
import { BUNDLE_ERROR_CODES, BundleError, bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../src/bundle.ts";

const HONEST = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "honestTask.ts");
const BOUND = { timeout: 20_000 };

let scratch = "";
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "gradual-bundle-test-"));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Every module specifier the bundle still imports (static or dynamic). */
function importsOf(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)];
  return specifiers.map((match) => match[1] as string);
}

describe("bundleTask", () => {
  test(
    "is deterministic: the same sources give the same bytes and hash, whatever the current directory",
    BOUND,
    async () => {
      const first = await bundleTask(HONEST);
      const cwd = process.cwd();
      process.chdir(tmpdir());
      try {
        const second = await bundleTask(HONEST);
        assert.equal(second.hash, first.hash);
        assert.deepEqual(second.code, first.code);
      } finally {
        process.chdir(cwd);
      }
      assert.equal(first.hash, createHash("sha256").update(first.code).digest("hex"));
      assert.equal(first.bytes, first.code.byteLength);
    },
  );

  test("makes one self-contained, readable ESM file that imports Node builtins only", BOUND, async () => {
    const { code } = await bundleTask(HONEST);
    const text = new TextDecoder().decode(code);
    assert.deepEqual(
      importsOf(text).filter((specifier) => !specifier.startsWith("node:")),
      [],
      "@gradual/sdk and its dependencies are inlined",
    );
    assert.match(text, /function defineTask\(/, "the sdk is inside, unminified");
    assert.match(text, /export \{[^}]*\bas default\b/);
  });

  test("loads with import() and exports the task as default", BOUND, async () => {
    const { code, hash } = await bundleTask(HONEST);
    const file = await writeBundleFile(code, { directory: scratch });
    const module = (await import(pathToFileURL(file).href)) as { default: Record<string, unknown> };
    assert.equal(path.basename(file), `${hash}.mjs`);
    for (const name of ["setup", "task", "submission", "audit", "distribution", "routes"]) {
      assert.equal(typeof module.default[name], "function", name);
    }
  });

  test("reports a syntax error with its file and line", BOUND, async () => {
    const broken = path.join(scratch, "broken.ts");
    await writeFile(broken, "export default {\n  task( {\n};\n");
    await assert.rejects(bundleTask(broken), /cannot bundle task .*broken\.ts:\n.*broken\.ts:\d+: /);
  });

  test("reports an import it cannot resolve with its code, the file and line, and the next step", BOUND, async () => {
    const entry = path.join(scratch, "missing-import.ts");
    await writeFile(entry, 'import { nothing } from "no-such-package-here";\nexport default nothing;\n');
    await assert.rejects(bundleTask(entry), (error: unknown) => {
      assert.ok(error instanceof BundleError && error instanceof GradualError);
      assert.equal(error.code, BUNDLE_ERROR_CODES.unresolved);
      assert.deepEqual(error.unresolved, ["no-such-package-here"]);
      assert.match(error.message, /missing-import\.ts:1: Could not resolve "no-such-package-here"/);
      assert.match(error.message, /next: install no-such-package-here for the task: cd .* && npm install/);
      return true;
    });
  });

  test(
    "takes @gradual/sdk from this installation for a task outside any project (no node_modules)",
    BOUND,
    async () => {
      // The scratch folder is in the OS temporary directory: no node_modules above it holds @gradual/sdk.
      const entry = path.join(scratch, "standalone.ts");
      await writeFile(
        entry,
        'import { defineTask } from "@gradual/sdk";\n' +
          "export default defineTask({ task() {}, submission: () => null, audit: () => true });\n",
      );
      const { code, inputs } = await bundleTask(entry);
      assert.match(new TextDecoder().decode(code), /function defineTask\(/);
      assert.ok(
        inputs.some((input) => /[\\/]sdk[\\/]dist[\\/]defineTask\.js$/.test(input)),
        "the sdk's compiled modules of this installation are bundled",
      );
    },
  );
});

describe("writeBundleFile", () => {
  test("stores the bytes as <hash>.mjs, reuses the file, and checks the expected hash", BOUND, async () => {
    const code = new TextEncoder().encode("export default 1;\n");
    const hash = createHash("sha256").update(code).digest("hex");
    const file = await writeBundleFile(code, { directory: scratch, expectedHash: hash });
    assert.equal(file, path.join(scratch, `${hash}.mjs`));
    assert.deepEqual(new Uint8Array(await readFile(file)), code);
    assert.equal(await writeBundleFile(code, { directory: scratch }), file);
    await assert.rejects(
      writeBundleFile(code, { directory: scratch, expectedHash: "0".repeat(64) }),
      /hash mismatch: expected 0{64}, got [0-9a-f]{64}/,
    );
  });
});
