#!/usr/bin/env node
// Runs the compiled CLI: dist/ is built by `npm run build` at the repository root (which `npm ci` runs) and
// shipped in the packed package. No TypeScript loader is involved, and every process the CLI starts runs plain JS.
import { fileURLToPath } from "node:url";

const main = new URL("../dist/main.js", import.meta.url);
try {
  await import(main.href);
} catch (error) {
  const missing = error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(`'${fileURLToPath(main)}'`);
  if (!missing) throw error;
  process.stderr.write(
    "error[CLI__NOT_BUILT]: the gradual CLI is not built (no dist/main.js): run `npm run build` at the repository root\n",
  );
  process.exit(1);
}
