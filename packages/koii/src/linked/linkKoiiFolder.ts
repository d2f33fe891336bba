/**
 * `gradual koii link DIR`: makes a Koii task folder's own `npm install`, tests and scripts run against gradual.
 * Koii's packages are not in the registry gradual's machines reach, so `npm install` in a Koii folder fails on them.
 * Linking writes local packages of the same names under DIR/.gradual/koii/packages (one CommonJS bundle of gradual's
 * Koii API, `api.cjs`, shared by all of them, and thin ESM and CommonJS entry files), and points the folder's
 * package.json dependencies on them at those folders (`file:`), keeping the original ranges under
 * `gradualKoiiLink` so that `--undo` restores them. Outside any node, the linked API runs the task against an
 * in-memory gradual ledger in the test's own process (linkedRuntime.ts). docs/koii.md "Your own tests".
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GradualError } from "@gradual/protocol";
import { build } from "esbuild";
import { KOII_MODULES } from "../build/buildKoiiTask.ts";

/** Where the linked packages live inside the task folder. */
const LINK_DIR = path.join(".gradual", "koii");
const VERSION = "0.0.0-gradual";
const RECORD_FIELD = "gradualKoiiLink";
/** Copies of the folder's package.json and .gitignore before the first link, in LINK_DIR, for `--undo`. */
const ORIGINAL_PACKAGE = "original-package.json";
const ORIGINAL_GITIGNORE = "original-gitignore";
/** What `original-gitignore` holds when the folder had no .gitignore. */
const NO_FILE = "\u0000none\u0000";

/** `.ts` from sources (tests), `.js` compiled: the linked runtime module next to this one. */
const MODULE_EXTENSION = path.extname(fileURLToPath(import.meta.url));
const RUNTIME = fileURLToPath(new URL(`./linkedRuntime${MODULE_EXTENSION}`, import.meta.url));

/** The packages a Koii folder may depend on, each with the API parts its entry points export. */
const PACKAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "@_koii/task-manager": {
    ".": "taskManager",
    "./namespace-wrapper": "namespaceWrapper",
    "./extensions": "extensions",
  },
  "@_koii/namespace-wrapper": { ".": "namespaceWrapper" },
  "@_koii/web3.js": { ".": "web3" },
  "@_koii/storage-task-sdk": { ".": "storage" },
};

const DEPENDS_ON: Readonly<Record<string, readonly string[]>> = {
  "@_koii/task-manager": ["@_koii/namespace-wrapper", "@_koii/web3.js"],
  "@_koii/namespace-wrapper": ["@_koii/web3.js"],
};

const PARTS: Readonly<Record<string, string>> = {
  taskManager: KOII_MODULES["@_koii/task-manager"] as string,
  namespaceWrapper: KOII_MODULES["@_koii/namespace-wrapper"] as string,
  web3: KOII_MODULES["@_koii/web3.js"] as string,
  storage: KOII_MODULES["@_koii/storage-task-sdk"] as string,
  extensions: KOII_MODULES["@_koii/task-manager/extensions"] as string,
};

export type LinkResult = {
  readonly directory: string;
  readonly linked: readonly string[];
  /** `@_koii/*` dependencies gradual has no implementation of (npm install still fails on them). */
  readonly unknown: readonly string[];
  readonly bundleBytes: number;
};

type PackageJson = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function readPackageJson(directory: string): PackageJson {
  const file = path.join(directory, "package.json");
  if (!existsSync(file)) {
    throw new GradualError("KOII__LINK_NO_PACKAGE", {
      message: `${directory} has no package.json: link a Koii task folder (npm init first)`,
    });
  }
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
    return value as PackageJson;
  } catch (error) {
    throw new GradualError("KOII__LINK_NO_PACKAGE", {
      message: `${file} is not a package.json: ${(error as Error).message}`,
    });
  }
}

async function exportNames(modulePath: string): Promise<string[]> {
  const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  return Object.keys(module).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name));
}

/** The API bundle: every part, and `start()`, which installs the local chain once (on first import). */
async function writeApiBundle(outfile: string): Promise<number> {
  const imports = Object.entries(PARTS).map(([name, file]) => `import * as ${name} from ${JSON.stringify(file)};`);
  const contents = [
    ...imports,
    `import { startLinkedRuntime } from ${JSON.stringify(RUNTIME)};`,
    "let started = false;",
    "export function start() {",
    "  if (started || process.env.GRADUAL_KOII_LINK_OFF === '1') return;",
    "  started = true;",
    "  startLinkedRuntime({ app: namespaceWrapper.app, directory: process.cwd() });",
    "  // Koii's wrapper listens on EXPRESS_PORT (default 3000) when it loads outside a node; Koii's tests call it there.",
    "  const server = namespaceWrapper.listenLocally(Number(process.env.EXPRESS_PORT ?? 3000));",
    "  server.on('error', (error) => console.warn(\"[gradual local] the task's Express app cannot listen: \" + error.message));",
    "  server.unref();",
    "}",
    `export { ${Object.keys(PARTS).join(", ")} };`,
  ].join("\n");
  const result = await build({
    stdin: { contents, resolveDir: path.dirname(RUNTIME), sourcefile: "gradual-koii-linked.js", loader: "js" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile,
    write: true,
    logLevel: "silent",
    // From sources (tests), resolve gradual's packages to their sources too, so that the parts and the runtime share
    // one copy of each module (the runtime's hooks and the wrapper's state).
    ...(MODULE_EXTENSION === ".ts" ? { conditions: ["source"] } : {}),
    metafile: true,
  });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  return output?.bytes ?? 0;
}

function entryFiles(part: string, names: readonly string[], apiRelative: string): { cjs: string; mjs: string } {
  const api = JSON.stringify(apiRelative);
  return {
    cjs: `const api = require(${api});\napi.start();\nmodule.exports = api.${part};\n`,
    mjs: [
      `import api from ${api};`,
      "api.start();",
      `const part = api.${part};`,
      ...names.map((name) => `export const ${name} = part.${name};`),
      "export default part.default ?? part;",
      "",
    ].join("\n"),
  };
}

/** Links `directory` (see the module comment); idempotent. */
export async function linkKoiiFolder(directory: string): Promise<LinkResult> {
  const root = path.resolve(directory);
  const pkg = readPackageJson(root);
  const linkRoot = path.join(root, LINK_DIR);
  mkdirSync(linkRoot, { recursive: true });
  // The folder's own files as they were before the first link, byte for byte, for --undo.
  const saved = path.join(linkRoot, ORIGINAL_PACKAGE);
  if (!existsSync(saved)) writeFileSync(saved, readFileSync(path.join(root, "package.json")));
  const savedIgnore = path.join(linkRoot, ORIGINAL_GITIGNORE);
  if (!existsSync(savedIgnore)) {
    const ignore = path.join(root, ".gitignore");
    writeFileSync(savedIgnore, existsSync(ignore) ? readFileSync(ignore) : NO_FILE);
  }
  const bundleBytes = await writeApiBundle(path.join(linkRoot, "api.cjs"));
  const names = Object.fromEntries(
    await Promise.all(Object.entries(PARTS).map(async ([part, file]) => [part, await exportNames(file)] as const)),
  );
  for (const [name, entries] of Object.entries(PACKAGES)) {
    const folder = path.join(linkRoot, "packages", name.slice("@_koii/".length));
    mkdirSync(folder, { recursive: true });
    const exportsField: Record<string, { import: string; require: string }> = {};
    for (const [subpath, part] of Object.entries(entries)) {
      const base = subpath === "." ? "index" : subpath.slice(2);
      const files = entryFiles(part, names[part] ?? [], "../../api.cjs");
      writeFileSync(path.join(folder, `${base}.cjs`), files.cjs);
      writeFileSync(path.join(folder, `${base}.mjs`), files.mjs);
      exportsField[subpath] = { import: `./${base}.mjs`, require: `./${base}.cjs` };
    }
    // As Koii's packages depend on each other (the task manager on the wrapper, the wrapper on web3.js), so that a
    // folder that lists only the task manager still finds the others.
    const dependencies = Object.fromEntries(
      (DEPENDS_ON[name] ?? []).map((other) => [other, `file:../${other.slice("@_koii/".length)}`]),
    );
    const manifest = {
      name,
      version: VERSION,
      private: true,
      main: "./index.cjs",
      exports: exportsField,
      dependencies,
    };
    writeFileSync(path.join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const record = { ...((pkg[RECORD_FIELD] as Record<string, string> | undefined) ?? {}) };
  const linked: string[] = [];
  const unknown: string[] = [];
  for (const field of ["dependencies", "devDependencies"] as const) {
    const deps = pkg[field];
    if (deps === undefined) continue;
    for (const [name, range] of Object.entries(deps)) {
      if (!name.startsWith("@_koii/") && !name.startsWith("@_koi/")) continue;
      const target = name.replace(/^@_koi\//, "@_koii/");
      if (!Object.hasOwn(PACKAGES, target)) {
        unknown.push(name);
        continue;
      }
      const local = `file:./${path.posix.join(".gradual", "koii", "packages", target.slice("@_koii/".length))}`;
      if (range !== local) record[`${field}:${name}`] = range;
      deps[name] = local;
      linked.push(name);
    }
  }
  pkg[RECORD_FIELD] = record;
  writePackageJsonLike(root, pkg);
  ensureIgnored(root);
  return { directory: root, linked, unknown, bundleBytes };
}

/** Restores the dependency ranges `linkKoiiFolder` replaced and removes the linked packages. */
export function unlinkKoiiFolder(directory: string): { directory: string; restored: string[] } {
  const root = path.resolve(directory);
  const pkg = readPackageJson(root);
  const record = (pkg[RECORD_FIELD] as Record<string, string> | undefined) ?? {};
  const restored: string[] = [];
  for (const [key, range] of Object.entries(record)) {
    const [field, name] = key.split(/:(.+)/) as ["dependencies" | "devDependencies", string];
    const deps = pkg[field];
    if (deps !== undefined && Object.hasOwn(deps, name)) {
      deps[name] = range;
      restored.push(name);
    }
  }
  delete pkg[RECORD_FIELD];
  const linkRoot = path.join(root, LINK_DIR);
  const saved = path.join(linkRoot, ORIGINAL_PACKAGE);
  // The file as it was (line endings, indentation, key order), else the same JSON in the file's own style.
  if (existsSync(saved)) writeFileSync(path.join(root, "package.json"), readFileSync(saved));
  else writePackageJsonLike(root, pkg);
  const savedIgnore = path.join(linkRoot, ORIGINAL_GITIGNORE);
  if (existsSync(savedIgnore)) {
    const original = readFileSync(savedIgnore);
    const ignore = path.join(root, ".gitignore");
    if (original.toString("utf8") === NO_FILE) rmSync(ignore, { force: true });
    else writeFileSync(ignore, original);
  }
  rmSync(linkRoot, { recursive: true, force: true });
  // `.gradual/` itself, when the link made it and nothing else is in it.
  const gradualDir = path.dirname(linkRoot);
  if (existsSync(gradualDir) && readdirSync(gradualDir).length === 0) rmSync(gradualDir, { recursive: true });
  return { directory: root, restored };
}

/** Writes package.json with the line endings and indentation the file has (a Windows checkout keeps its CRLF). */
function writePackageJsonLike(root: string, pkg: PackageJson): void {
  const file = path.join(root, "package.json");
  const before = readFileSync(file, "utf8");
  const eol = before.includes("\r\n") ? "\r\n" : "\n";
  const indent = /\n([ \t]+)"/.exec(before)?.[1] ?? "  ";
  writeFileSync(file, `${JSON.stringify(pkg, null, indent).replace(/\n/g, eol)}${eol}`);
}

function ensureIgnored(root: string): void {
  const file = path.join(root, ".gitignore");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (text.split("\n").some((line) => line.trim() === ".gradual/" || line.trim() === ".gradual")) return;
  writeFileSync(file, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}.gradual/\n`);
}
