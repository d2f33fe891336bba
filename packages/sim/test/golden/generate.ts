/**
 * Writes expected.json: the summaries of GOLDEN_RUNS as this tree's simulator computes them.
 *
 *   node --import tsx packages/sim/test/golden/generate.ts
 *
 * Run it on the code whose outcomes are the reference (before a speed change; after a rule change, on the tree
 * with the new rules and the old simulator), never to make a failing golden test pass. Shipped scenarios run on the
 * reference path (decide() in every slot, no hints).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GOLDEN_RUNS, runGolden } from "./runs.ts";

const out: Record<string, unknown> = {};
for (const run of GOLDEN_RUNS) {
  const started = performance.now();
  out[run.id] = runGolden(run, { reference: true });
  process.stderr.write(`${run.id}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
writeFileSync(fileURLToPath(new URL("./expected.json", import.meta.url)), `${JSON.stringify(out, null, 2)}\n`);
