import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/*
 * Node 20 is the supported runtime: no installed dependency may require a newer one (npm warns EBADENGINE, and a
 * package that means it may fail at run time). Checked on the lockfile (what `npm ci` installs here) and on the
 * packages' own manifests (what `npm install` of the packed tarballs resolves outside this repository).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The lowest major version of Node an `engines.node` range admits, or undefined when it names none. */
function lowestMajor(range: string): number | undefined {
  const majors = [...range.matchAll(/(\d+)(?:\.\d+){0,2}/g)].map((match) => Number(match[1]));
  if (majors.length === 0) return undefined;
  // Alternatives ("^18 || >=20") admit the lowest of them.
  return Math.min(...majors);
}

test("lowestMajor reads the ranges npm packages use", () => {
  assert.equal(lowestMajor(">=22"), 22);
  assert.equal(lowestMajor(">= 18.0.0"), 18);
  assert.equal(lowestMajor("^18.17.0 || >=20.5.0"), 18);
  assert.equal(lowestMajor("*"), undefined);
});

test("every locked dependency runs on Node 20", () => {
  const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
  };
  const tooNew = Object.entries(lock.packages)
    .filter(([, entry]) => {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      const major = node === undefined ? undefined : lowestMajor(node);
      return major !== undefined && major > 20;
    })
    .map(([name, entry]) => `${name} (node ${(entry.engines as { node: string }).node})`);
  assert.deepEqual(tooNew, []);
});

test("a package that installs fastify pins light-my-request to 6.6.0 (later versions need cookie 2, Node >= 22)", () => {
  const packagesDir = path.join(ROOT, "packages");
  const missing: string[] = [];
  for (const name of readdirSync(packagesDir)) {
    let manifest: { dependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(path.join(packagesDir, name, "package.json"), "utf8"));
    } catch {
      continue;
    }
    const dependencies = manifest.dependencies ?? {};
    if (Object.hasOwn(dependencies, "fastify") && dependencies["light-my-request"] !== "6.6.0") missing.push(name);
  }
  assert.deepEqual(missing, []);
});
