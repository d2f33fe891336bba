import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegisteredCode } from "@gradual/protocol";
import { type BundleTaskReturnType, bundleHash, bundleTask } from "@gradual/sdk/bundle";
import { CliError } from "../output.ts";

/**
 * Bundles in a short-lived child process, so that a long-running command (`gradual devnet`, which bundles the task
 * and its demo site once at start) never holds esbuild's module: about 14 MB for the rest of its run (docs/
 * benchmarks.md, "Node memory"). Where this code runs from TypeScript sources (tests), it bundles in-process.
 */
export async function bundleApart(entry: string): Promise<BundleTaskReturnType> {
  const moduleUrl = import.meta.resolve("@gradual/sdk/bundle");
  if (!moduleUrl.endsWith(".js")) return bundleTask(entry);
  const dir = mkdtempSync(join(tmpdir(), "gradual-bundle-"));
  const out = join(dir, "bundle.mjs");
  const script = [
    `const { bundleTask, BundleError } = await import(${JSON.stringify(moduleUrl)});`,
    `const { writeFileSync } = await import("node:fs");`,
    "try {",
    "  const bundle = await bundleTask(process.argv[1]);",
    "  writeFileSync(process.argv[2], bundle.code);",
    "  process.stdout.write(JSON.stringify({ inputs: bundle.inputs }));",
    "} catch (error) {",
    "  const code = error instanceof BundleError ? error.code : 'BUNDLE__FAILED';",
    "  process.stdout.write(JSON.stringify({ code, message: String(error?.message ?? error) }));",
    "}",
  ].join("\n");
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, entry, out], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.once("error", reject);
      child.once("close", (code) => {
        if (code === 0) resolve(stdout);
        else reject(new CliError("BUNDLE__FAILED", `bundling ${entry} failed (exit ${code}): ${stderr.trim()}`));
      });
    });
    const result = JSON.parse(output) as { inputs?: string[]; code?: string; message?: string };
    // A BUNDLE__* code of the SDK's bundler, as the child process printed it.
    if (result.code !== undefined)
      throw new CliError(result.code as RegisteredCode, result.message ?? "bundling failed");
    const code = new Uint8Array(readFileSync(out));
    return { code, hash: bundleHash(code), bytes: code.length, inputs: result.inputs ?? [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
