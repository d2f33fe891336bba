/**
 * Builds what the processes run: every package's TypeScript compiled to JavaScript and declarations in its dist/
 * (`tsc -b tsconfig.build.json`, incremental: about a second when nothing changed), then the EVM contracts (solc-js, into
 * packages/evm/dist/contracts/*.json; skipped when the sources are unchanged), then the node's sandbox scripts
 * (the task side, bundled with esbuild into packages/node/dist/sandbox/*.bundle.mjs, so that a node never loads
 * esbuild), then the dashboard's page (dist/web, with vite) when it is missing or older than its sources.
 *
 *   node scripts/build.mjs     (npm run build; `npm ci` runs it through the root `prepare` script)
 *
 * Plain JavaScript, so it runs before anything is built and without a TypeScript loader.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const started = Date.now();
const compiled = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (compiled.status !== 0) {
  process.stderr.write("build: tsc -b tsconfig.build.json failed\n");
  process.exit(compiled.status ?? 1);
}
const evmCompile = pathToFileURL(join(root, "packages/evm/dist/compile.js")).href;
const { compileContracts } = await import(evmCompile);
try {
  compileContracts({ log: (line) => process.stderr.write(`build: ${line}\n`) });
} catch (error) {
  process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const workerScript = pathToFileURL(join(root, "packages/node/dist/sandbox/workerScript.js")).href;
const { prebuildSandboxScripts } = await import(workerScript);
await prebuildSandboxScripts();
const dashboard = pathToFileURL(join(root, "packages/dashboard/dist/server/build.js")).href;
const { buildDashboard } = await import(dashboard);
await buildDashboard({ log: (line) => process.stderr.write(`build: ${line}\n`) });
process.stderr.write(`build: packages compiled to dist/ in ${Date.now() - started} ms\n`);
