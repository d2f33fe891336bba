import * as fs from "node:fs";
import * as path from "node:path";

/** Folders no repository script looks into: dependencies, build output, caches, git's own. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  "node_modules",
  ".tsbuild",
  "dist",
  "coverage",
  "test-output",
  ".git",
]);

/** TypeScript sources: .ts, .tsx, .mts, .cts. */
export const SOURCE_EXT = /\.(?:ts|tsx|mts|cts)$/;

/** Appends to `out` every file below `dir` whose name `accept` takes, skipping SKIPPED_DIRS; a missing folder adds none. */
export function walkFiles(dir: string, accept: (name: string) => boolean, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walkFiles(full, accept, out);
    } else if (entry.isFile() && accept(entry.name)) out.push(full);
  }
}
