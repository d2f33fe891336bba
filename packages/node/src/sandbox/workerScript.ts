import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTask, writeBundleFile } from "../bundle.ts";

const WORKER_SOURCE = fileURLToPath(new URL("./worker.ts", import.meta.url));

let built: Promise<string> | undefined;

/**
 * The worker's code (worker.ts with @gradual/sdk and @gradual/protocol) as one plain JS file, built with esbuild
 * from the current sources once per process and stored content-addressed in the OS temporary directory.
 *
 * Why not run worker.ts under tsx: Node 20 applies neither the parent's `--import tsx` hooks nor an
 * `--import tsx` in the worker's execArgv to a worker thread. Registering tsx inside the worker works, but costs
 * 300-900 ms per worker start (a loader thread, then every TS module of the sdk and protocol transpiled) against
 * under 100 ms for this file, and a worker is started again after every timeout or out-of-memory.
 */
export function workerScriptPath(): Promise<string> {
  built ??= buildWorkerScript().catch((error: unknown) => {
    built = undefined; // let the next runner try again
    throw error;
  });
  return built;
}

async function buildWorkerScript(): Promise<string> {
  const { code } = await bundleTask(WORKER_SOURCE);
  return writeBundleFile(code, { directory: path.join(tmpdir(), "gradual-workers") });
}
