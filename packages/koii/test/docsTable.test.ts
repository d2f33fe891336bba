/**
 * docs/koii.md's namespace-wrapper table is the migration guide's promise: every method it names exists on the
 * wrapper, every public method of the wrapper is in it, and its status is what calling the method does (`by design`
 * and `not yet` throw KoiiUnsupportedError with that status; `works` never does).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runWithContext } from "../src/runtime/context.ts";
import { KoiiUnsupportedError } from "../src/runtime/errors.ts";
import { NamespaceWrapper, namespaceWrapper } from "../src/runtime/namespaceWrapper.ts";
import { fakeContext } from "./fakeContext.ts";

const DOC = fileURLToPath(new URL("../../../docs/koii.md", import.meta.url));
const STATUSES = { works: "works", "by design": "by-design", "not yet": "not-yet" } as const;
type Status = (typeof STATUSES)[keyof typeof STATUSES];

/** Rows of the table under "## Namespace wrapper": method names (arguments dropped) with their status. */
function documentedMethods(): Map<string, Status> {
  const text = readFileSync(DOC, "utf8");
  const section = text.split(/^## Namespace wrapper$/m)[1]?.split(/^#{2,3} /m)[0] ?? "";
  const methods = new Map<string, Status>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 4 || cells[1] === "method" || /^-+$/.test(cells[1] ?? "")) continue;
    const status = STATUSES[cells[2] as keyof typeof STATUSES];
    assert.ok(status !== undefined, `unknown status ${JSON.stringify(cells[2])} in: ${line.slice(0, 80)}`);
    // "storeGet(key), storeSet(key, value)": split on commas outside parentheses.
    for (const name of (cells[1] ?? "").replace(/\([^)]*\)/g, "").split(",")) {
      const method = name.trim();
      if (method !== "") methods.set(method, status);
    }
  }
  return methods;
}

/** Methods on the prototype and function-valued instance fields (`fetchWithTimeout` is an arrow field). */
function wrapperMethods(): string[] {
  const prototype = NamespaceWrapper.prototype as unknown as Record<string, unknown>;
  const instance = namespaceWrapper as unknown as Record<string, unknown>;
  return [
    ...Object.getOwnPropertyNames(prototype).filter(
      (name) => name !== "constructor" && typeof prototype[name] === "function",
    ),
    ...Object.keys(instance).filter((name) => typeof instance[name] === "function"),
  ];
}

/** Arguments for methods whose status depends on them (`fs` with no method name refuses it by design). */
const SAMPLE_ARGS: Readonly<Record<string, readonly unknown[]>> = { fs: ["readdir", "."] };

describe("docs/koii.md namespace-wrapper table", () => {
  const documented = documentedMethods();

  it("names every public method of the wrapper, and only those", () => {
    assert.ok(documented.size > 30, `parsed ${documented.size} methods`);
    const implemented = wrapperMethods();
    const undocumented = implemented.filter((method) => !documented.has(method));
    const missing = [...documented.keys()].filter((method) => !implemented.includes(method));
    assert.deepEqual(undocumented, [], "methods of the wrapper missing from the table");
    assert.deepEqual(missing, [], "methods in the table the wrapper lacks");
  });

  it("gives each method the status calling it shows", async () => {
    const wrapper = namespaceWrapper as unknown as Record<string, (...args: unknown[]) => unknown>;
    const wrong: string[] = [];
    await runWithContext(fakeContext(), async () => {
      for (const [method, status] of documented) {
        let thrown: unknown;
        try {
          await (wrapper[method] as (...args: unknown[]) => unknown).call(
            namespaceWrapper,
            ...(SAMPLE_ARGS[method] ?? []),
          );
        } catch (error) {
          thrown = error;
        }
        const shown: Status = thrown instanceof KoiiUnsupportedError ? thrown.status : "works";
        if (shown !== status) wrong.push(`${method}: documented ${status}, behaves ${shown}`);
      }
    });
    assert.deepEqual(wrong, []);
  });
});
