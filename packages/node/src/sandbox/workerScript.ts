import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTask, writeBundleFile } from "../bundle.ts";

/** `.ts` when this module runs from src/ (tests, through tsx), `.js` when it runs compiled from dist/. */
const MODULE_EXTENSION = path.extname(fileURLToPath(import.meta.url));

const SOURCES = {
  worker: fileURLToPath(new URL(`./worker${MODULE_EXTENSION}`, import.meta.url)),
  process: fileURLToPath(new URL(`./taskProcess${MODULE_EXTENSION}`, import.meta.url)),
} as const;

const built = new Map<keyof typeof SOURCES, Promise<string>>();

/**
 * The task side's code (worker.ts, or taskProcess.ts below, with @gradual/sdk and @gradual/protocol) as one plain JS file, built with esbuild
 * from this package's modules (src/ under tests, dist/ when compiled) once per process and stored content-addressed in the OS temporary directory.
 *
 * Why not run worker.ts under tsx: Node 20 applies neither the parent's `--import tsx` hooks nor an
 * `--import tsx` in the worker's execArgv to a worker thread. Registering tsx inside the worker works, but costs
 * 300-900 ms per worker start (a loader thread, then every TS module of the sdk and protocol transpiled) against
 * under 100 ms for this file, and a worker is started again after every timeout or out-of-memory.
 */
export function workerScriptPath(): Promise<string> {
  return builtScript("worker");
}

/** The task process's code (taskProcess.ts with @gradual/sdk and @gradual/protocol) as one plain JS file. */
export function taskProcessScriptPath(): Promise<string> {
  return builtScript("process");
}

function builtScript(kind: keyof typeof SOURCES): Promise<string> {
  let pending = built.get(kind);
  if (pending === undefined) {
    pending = bundleTask(SOURCES[kind])
      .then(({ code }) => writeBundleFile(code, { directory: path.join(tmpdir(), "gradual-workers") }))
      .catch((error: unknown) => {
        built.delete(kind); // let the next runner try again
        throw error;
      });
    built.set(kind, pending);
  }
  return pending;
}
