/**
 * Writes the spec vectors under spec-tests/ (spec-tests/README.md explains them).
 *
 *   npm run vectors:generate              rewrite every vector folder (stale folders are removed)
 *   npm run vectors:generate -- --check   compare instead of writing; exit 1 when a file differs
 *
 * Each case (cases/*.ts) drives the real protocol through a short history to reach its pre-state, then records the
 * steps under test. The files are then replayed from their own text with the transition of `gradual t8n` to produce
 * post.json, so a vector is exactly what the tool and the runner compute from it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  parsePre,
  parseTxs,
  parseVectorJson,
  postFromRun,
  preFromState,
  type TxsFile,
  toVectorJson,
  transition,
} from "@gradual/ledger/t8n";
import { accountOf, NAMES, VectorBuilder } from "./builder.ts";
import { ALL_CASES } from "./cases/index.ts";
import type { VectorCase } from "./scenarios.ts";

export const SPEC_TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../spec-tests");
export const VECTOR_FILES = ["pre.json", "txs.json", "post.json"] as const;

export type VectorTexts = Readonly<Record<(typeof VECTOR_FILES)[number], string>>;

/** Builds one case and returns the text of its three files. */
export function buildVector(vectorCase: VectorCase): VectorTexts {
  const builder = new VectorBuilder();
  vectorCase.build(builder);
  const preText = toVectorJson(preFromState(builder.pre));
  const stepsText = JSON.stringify(builder.steps);
  const accounts = Object.fromEntries(
    NAMES.filter((name) => preText.includes(accountOf(name)) || stepsText.includes(accountOf(name))).map((name) => [
      name,
      accountOf(name),
    ]),
  );
  const txs: TxsFile = { description: vectorCase.description, accounts, steps: builder.steps };
  const txsText = toVectorJson(txs);
  const replayed = transition(
    parsePre(parseVectorJson(preText, "pre.json")),
    parseTxs(parseVectorJson(txsText, "txs.json")),
  );
  const live = postFromRun({ state: builder.state, results: [...builder.results] });
  const same = toVectorJson(replayed) === toVectorJson(live);
  if (vectorCase.knownBug === undefined && !same) {
    throw new Error(`${vectorCase.path}: replaying the files does not reproduce what the builder reached`);
  }
  if (vectorCase.knownBug !== undefined && same) {
    throw new Error(`${vectorCase.path}: the known bug no longer reproduces; drop knownBug and regenerate`);
  }
  // A known-bug vector records the spec outcome the builder applied, not what the protocol computes today.
  const post = vectorCase.knownBug === undefined ? replayed : live;
  return { "pre.json": preText, "txs.json": txsText, "post.json": toVectorJson(post) };
}

function checkPaths(cases: readonly VectorCase[]): void {
  const seen = new Set<string>();
  for (const { path: casePath } of cases) {
    if (!/^[A-Za-z]+\/[a-z0-9-]+$/.test(casePath)) throw new Error(`bad case path ${casePath}`);
    if (seen.has(casePath)) throw new Error(`two cases write ${casePath}`);
    seen.add(casePath);
  }
}

function write(cases: readonly VectorCase[]): number {
  // Build everything first, so a case that fails leaves the committed vectors untouched.
  const built = cases.map((vectorCase) => ({
    folder: path.join(SPEC_TESTS_DIR, vectorCase.path),
    texts: buildVector(vectorCase),
  }));
  mkdirSync(SPEC_TESTS_DIR, { recursive: true });
  for (const entry of readdirSync(SPEC_TESTS_DIR, { withFileTypes: true })) {
    if (entry.isDirectory()) rmSync(path.join(SPEC_TESTS_DIR, entry.name), { recursive: true });
  }
  let bytes = 0;
  for (const { folder, texts } of built) {
    mkdirSync(folder, { recursive: true });
    for (const [file, text] of Object.entries(texts)) {
      writeFileSync(path.join(folder, file), text);
      bytes += Buffer.byteLength(text);
    }
  }
  return bytes;
}

/** Paths of the files that differ from what the generator would write now. */
export function staleFiles(cases: readonly VectorCase[] = ALL_CASES): string[] {
  const stale: string[] = [];
  for (const vectorCase of cases) {
    for (const [file, text] of Object.entries(buildVector(vectorCase))) {
      const target = path.join(SPEC_TESTS_DIR, vectorCase.path, file);
      if (!existsSync(target) || readFileSync(target, "utf8") !== text) stale.push(path.join(vectorCase.path, file));
    }
  }
  return stale;
}

function main(): void {
  checkPaths(ALL_CASES);
  if (process.argv.includes("--check")) {
    const stale = staleFiles();
    for (const file of stale) process.stderr.write(`stale: spec-tests/${file}\n`);
    process.stdout.write(`${ALL_CASES.length} vectors, ${stale.length} stale file(s)\n`);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  const bytes = write(ALL_CASES);
  process.stdout.write(`wrote ${ALL_CASES.length} vectors (${(bytes / 1024).toFixed(0)} KiB) to ${SPEC_TESTS_DIR}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
