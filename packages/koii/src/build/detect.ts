import { existsSync } from "node:fs";
import * as path from "node:path";

/**
 * Telling a Koii task folder from a gradual one, without loading the bundler (esbuild) or the Koii API (Express):
 * the CLI's long-running commands (`gradual devnet`) ask this first and load the rest only for a Koii folder.
 */

export const KOII_CONFIG_FILE = "config-task.yml";

export const ENTRY_CANDIDATES: readonly string[] = ["src/index.ts", "src/index.js", "src/index.mjs", "src/index.mts"];

export function isKoiiTaskDirectory(directory: string): boolean {
  return existsSync(path.join(directory, KOII_CONFIG_FILE)) && findKoiiEntry(directory) !== undefined;
}

export function findKoiiEntry(directory: string): string | undefined {
  for (const candidate of ENTRY_CANDIDATES) {
    const file = path.join(directory, candidate);
    if (existsSync(file)) return file;
  }
  return undefined;
}
