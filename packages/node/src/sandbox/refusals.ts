import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { truncate } from "./checks.ts";

/**
 * What the sandbox refused a task, in words (SANDBOX__ACCESS_DENIED). Node's permission model throws a bare "Access
 * to this API has been restricted" (ERR_ACCESS_DENIED, with the permission and the path on the error), and
 * `--no-addons` "Cannot load native addon because loading addons is disabled" (ERR_DLOPEN_DISABLED): neither says
 * that the node's sandbox did it, which module of the task asked, or that nothing can allow it. This runs on the
 * task's side (taskCall.ts, taskEntry.ts), where the error and the bundle are, before the error crosses to the node.
 */

/** Where the policy is explained; every refusal's message ends with it. */
const POLICY =
  "a task's process may not start programs or threads, load native addons, or read or write files outside its " +
  "own folders (it may write its data folder, which is its HOME and TMPDIR), and no option of gradual allows it: the " +
  'sandbox is not configurable (docs/writing-a-task.md "What a task can reach")';

/** What the task tried, from the permission Node names on the error. */
function attempted(permission: string, resource: string): string {
  switch (permission) {
    case "ChildProcess":
      return "start a program (child_process)";
    case "WorkerThreads":
      return "start a worker thread (worker_threads)";
    case "FileSystemRead":
      return resource === "" ? "read a file outside its folders" : `read ${resource}`;
    case "FileSystemWrite":
      return resource === "" ? "write a file outside its data folder" : `write ${resource}`;
    case "Inspector":
      return "open the inspector";
    default:
      return `use ${permission || "a restricted API"}${resource === "" ? "" : ` on ${resource}`}`;
  }
}

/** A module marker of an esbuild bundle: `// node_modules/puppeteer-core/lib/esm/puppeteer/node/Launcher.js`. */
const MODULE_MARKER = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/;

let bundleLines: { readonly url: string; readonly lines: readonly string[] } | undefined;

function linesOf(bundleUrl: string): readonly string[] {
  if (bundleLines?.url !== bundleUrl) {
    bundleLines = { url: bundleUrl, lines: readFileSync(fileURLToPath(bundleUrl), "utf8").split("\n") };
  }
  return bundleLines.lines;
}

/**
 * The module of the bundle the refused call came from: the first frame of the stack in the bundle, and the module
 * marker esbuild wrote above that line; with its npm package when it is a dependency.
 */
export function moduleOfStack(stack: string, bundleUrl: string): string | undefined {
  const prefix = `${bundleUrl}:`;
  let line: number | undefined;
  for (const frame of stack.split("\n")) {
    const at = frame.lastIndexOf(prefix);
    const number = at < 0 ? undefined : /^(\d+):\d+/.exec(frame.slice(at + prefix.length))?.[1];
    if (number === undefined) continue;
    line = Number(number);
    break;
  }
  if (line === undefined) return undefined;
  const lines = linesOf(bundleUrl);
  for (let index = Math.min(line, lines.length) - 1; index >= 0; index -= 1) {
    const module = MODULE_MARKER.exec(lines[index] ?? "")?.[1];
    if (module === undefined) continue;
    const at = module.lastIndexOf("node_modules/");
    const packageName =
      at < 0 ? undefined : /^((?:@[^/]+\/)?[^/]+)\//.exec(module.slice(at + "node_modules/".length))?.[1];
    return packageName === undefined ? module : `${module} (package ${packageName})`;
  }
  return undefined;
}

/**
 * The refusal behind `error`, described for the operator and the task's author, or undefined when `error` is not a
 * refusal of the sandbox. Never throws (a thrown value may be hostile).
 */
export function describeRefusal(error: unknown, bundleUrl: string | undefined): string | undefined {
  try {
    if (typeof error !== "object" || error === null) return undefined;
    const { code, permission, resource, stack } = error as Record<string, unknown>;
    let what: string;
    if (code === "ERR_ACCESS_DENIED") what = attempted(String(permission ?? ""), String(resource ?? ""));
    else if (code === "ERR_DLOPEN_DISABLED") what = "load a native addon (a .node file)";
    else return undefined;
    let module: string | undefined;
    try {
      module = typeof stack === "string" && bundleUrl !== undefined ? moduleOfStack(stack, bundleUrl) : undefined;
    } catch {
      module = undefined; // the bundle could not be read: the refusal is still told
    }
    const who = module === undefined ? "" : `, asked by ${module}`;
    return truncate(`the node's task sandbox refused to ${what} (${String(code)})${who}: ${POLICY}`);
  } catch {
    return undefined;
  }
}
