import { readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTask } from "@gradual/sdk/bundle";
import { writeBundleFile } from "../bundle.ts";

/** `.ts` when this module runs from src/ (tests, through tsx), `.js` when it runs compiled from dist/. */
const MODULE_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const HERE = path.dirname(fileURLToPath(import.meta.url));

const SCRIPTS = {
  worker: "worker",
  process: "taskProcess",
} as const;

type ScriptKind = keyof typeof SCRIPTS;

const sourceOf = (kind: ScriptKind) => path.join(HERE, `${SCRIPTS[kind]}${MODULE_EXTENSION}`);
/** Where the build leaves a script prebuilt: beside this module in dist/, with the list of files it was built from. */
const prebuiltOf = (kind: ScriptKind) => path.join(HERE, `${SCRIPTS[kind]}.bundle.mjs`);
const inputsOf = (kind: ScriptKind) => path.join(HERE, `${SCRIPTS[kind]}.bundle.inputs.json`);

const built = new Map<ScriptKind, Promise<string>>();

/**
 * The task side's code (worker.ts, or taskProcess.ts below, with @gradual/sdk and @gradual/protocol) as one plain
 * JS file. Compiled (dist/), it is the file the build prebuilt beside this module (prebuildSandboxScripts), so that
 * a node never loads esbuild; from the TypeScript sources (tests), or when a prebuilt file is missing or older than
 * one of its inputs, esbuild builds it once per process into the OS temporary directory, content-addressed.
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

/**
 * Writes both scripts beside this module (`<name>.bundle.mjs` and `<name>.bundle.inputs.json`); run by the build
 * (scripts/build.mjs) on the compiled package. Returns the files written.
 */
export async function prebuildSandboxScripts(): Promise<string[]> {
  // A misuse of the build script, which only scripts/build.mjs calls: a bug, so a plain Error without a code.
  if (MODULE_EXTENSION !== ".js") throw new Error("prebuildSandboxScripts: run it on the compiled package (dist/)");
  const written: string[] = [];
  for (const kind of Object.keys(SCRIPTS) as ScriptKind[]) {
    const { code, inputs } = await bundleTask(sourceOf(kind));
    writeFileSync(prebuiltOf(kind), code);
    writeFileSync(inputsOf(kind), `${JSON.stringify(inputs.map((input) => path.relative(HERE, input)))}\n`);
    written.push(prebuiltOf(kind));
  }
  return written;
}

/**
 * The prebuilt script when there is one and none of its inputs changed since. An input that is not where it was (an
 * installed copy laid out differently) cannot be compared and does not count against it.
 */
function prebuiltScript(kind: ScriptKind): string | undefined {
  if (MODULE_EXTENSION !== ".js") return undefined;
  try {
    const builtMs = statSync(prebuiltOf(kind)).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsOf(kind), "utf8")) as string[];
    for (const input of inputs) {
      const changedMs = statSync(path.resolve(HERE, input), { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (changedMs > builtMs) return undefined;
    }
    return prebuiltOf(kind);
  } catch {
    return undefined;
  }
}

function builtScript(kind: ScriptKind): Promise<string> {
  let pending = built.get(kind);
  if (pending === undefined) {
    const prebuilt = prebuiltScript(kind);
    pending =
      prebuilt !== undefined
        ? Promise.resolve(prebuilt)
        : bundleTask(sourceOf(kind))
            .then(({ code }) => writeBundleFile(code, { directory: path.join(tmpdir(), "gradual-workers") }))
            .catch((error: unknown) => {
              built.delete(kind); // let the next runner try again
              throw error;
            });
    built.set(kind, pending);
  }
  return pending;
}
