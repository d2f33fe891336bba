import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { isKoiiTaskDirectory, KOII_CONFIG_FILE } from "@gradual/koii/detect";

/**
 * Whether a path is a Koii task: a folder holding config-task.yml and src/index, or the path of a config-task.yml
 * itself. Light on purpose (no bundler, no Koii API): `gradual devnet` asks it before loading either.
 */
export function isKoiiTaskPath(pathOrDirectory: string): boolean {
  const resolved = resolve(pathOrDirectory);
  if (basename(resolved) === KOII_CONFIG_FILE) return existsSync(resolved);
  return existsSync(resolved) && statSync(resolved).isDirectory() && isKoiiTaskDirectory(resolved);
}
