import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GradualError } from "@gradual/protocol";
import { bundleHash } from "@gradual/sdk/bundle";

export type WriteBundleFileOptions = {
  /** Where bundles live (default: `gradual-bundles` in the OS temporary directory). */
  readonly directory?: string;
  /** The hash the bundle must have (the task's `bundleHash` on the ledger); throws when it differs. */
  readonly expectedHash?: string;
};

/**
 * Stores bundle bytes as `<directory>/<sha256>.mjs` (content-addressed, so the `.mjs` loads as ESM anywhere) and
 * returns the path, for createSandboxedTaskRunner. Writing the same bundle again reuses the file. The bundles
 * themselves come from `bundleTask` in `@gradual/sdk/bundle`.
 */
export async function writeBundleFile(code: Uint8Array, options: WriteBundleFileOptions = {}): Promise<string> {
  if (!(code instanceof Uint8Array)) throw new TypeError(`writeBundleFile: expected bytes, got ${typeof code}`);
  const hash = bundleHash(code);
  if (options.expectedHash !== undefined && options.expectedHash !== hash) {
    throw new GradualError("NODE__BUNDLE_HASH_MISMATCH", {
      message: `task bundle hash mismatch: expected ${options.expectedHash}, got ${hash}`,
      context: { expected: options.expectedHash, got: hash },
    });
  }
  const directory = path.resolve(options.directory ?? path.join(tmpdir(), "gradual-bundles"));
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${hash}.mjs`);
  const existing = await readFile(file).catch(() => undefined);
  if (existing && bundleHash(existing) === hash) return file;
  // Write then rename, so a concurrent reader never sees half a bundle.
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, code);
  await rename(partial, file);
  return file;
}
