import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GradualError, type SDK_ERROR_CODES } from "@gradual/protocol";
import type { Message, Plugin } from "esbuild";

/**
 * The task bundler: one esbuild configuration that turns a task's entry into the bundle a node runs (protocol.md
 * §2.1 `bundleHash`). `gradual task build` bundles a task.yml's entry with it; the Koii layer bundles a Koii task
 * folder with it, passing a generated entry and a plugin that points `@_koii/*` at its own modules. Imported as
 * `@gradual/sdk/bundle`, never through the package's main entry, which tasks themselves import.
 */

/** Largest bundle bundleTask produces, in bytes. */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

/** An entry file, or a generated entry module (its imports resolve from `resolveDir`). */
export type BundleEntry =
  | string
  | { readonly contents: string; readonly resolveDir: string; readonly sourcefile: string };

export type BundleTaskOptions = {
  /**
   * The directory the module paths in the bundle's comments are relative to (default: the entry's directory). The
   * same sources under the same layout give the same bytes and hash on every machine, whatever the current directory.
   */
  readonly workingDir?: string;
  /** More modules to leave as imports (Node builtins always are). */
  readonly external?: readonly string[];
  /** esbuild plugins that run before the bundler's own resolution of `@gradual/*` (the Koii layer's aliases). */
  readonly plugins?: readonly Plugin[];
  /** What messages call the task (default: "task" and the entry's path). */
  readonly label?: string;
};

export type BundleTaskReturnType = {
  readonly code: Uint8Array;
  /** sha256 of `code`, lowercase hex: the task's `bundleHash` on the ledger. */
  readonly hash: string;
  readonly bytes: number;
  /** Absolute paths of the files bundled into `code`. */
  readonly inputs: readonly string[];
};

/**
 * esbuild, loaded on the first build only: a node process runs for days and bundles nothing after its start (its
 * task bundle comes from the ledger, its sandbox script from the build), so it should not hold esbuild's module.
 */
const loadEsbuild = () => import("esbuild");

/** CommonJS dependencies call `require`; an ESM file has none, so the bundle makes one (for builtins mostly). */
const REQUIRE_BANNER =
  'import { createRequire as __gradualCreateRequire } from "node:module";\n' +
  "const require = __gradualCreateRequire(import.meta.url);";

/** Stable codes of bundleTask's failures (registered in SDK_ERROR_CODES; the CLI prints them as `error[CODE]`). */
export const BUNDLE_ERROR_CODES = {
  /** An import the bundler found neither beside the task nor, for `@gradual/*`, in this installation. */
  unresolved: "BUNDLE__UNRESOLVED_IMPORT",
  /** Anything else esbuild refused: a syntax or type-stripping error, a missing entry. */
  failed: "BUNDLE__FAILED",
  tooLarge: "BUNDLE__TOO_LARGE",
} as const satisfies Record<string, keyof typeof SDK_ERROR_CODES>;

export type BundleErrorCode = (typeof BUNDLE_ERROR_CODES)[keyof typeof BUNDLE_ERROR_CODES];

/** Why a task could not be bundled; `message` names the entry and esbuild's first messages with file and line. */
export class BundleError extends GradualError<BundleErrorCode> {
  override readonly name = "BundleError";
  readonly entry: string;
  /** The import specifiers that could not be resolved (for BUNDLE__UNRESOLVED_IMPORT). */
  readonly unresolved: readonly string[];
  constructor(
    code: BundleErrorCode,
    entry: string,
    message: string,
    options: { cause?: unknown; unresolved?: string[] },
  ) {
    super(code, { message, cause: options.cause });
    this.entry = entry;
    this.unresolved = options.unresolved ?? [];
  }
}

/**
 * Where `@gradual/*` imports resolve when the task's own folder has no node_modules with them (a task written outside
 * this repository and not installed yet): from this package's own folder, i.e. the installation running the bundler.
 */
const OWN_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const GRADUAL_IMPORT = /^@gradual\/(sdk|protocol)(\/.*)?$/;
const FALLBACK = Symbol("gradual-fallback");

/** Resolves `@gradual/sdk` and `@gradual/protocol` beside the task first, then from this installation. */
const installedGradualPackages: Plugin = {
  name: "gradual-installed-packages",
  setup(builder) {
    builder.onResolve({ filter: GRADUAL_IMPORT }, async (args) => {
      if ((args.pluginData as { [FALLBACK]?: true } | undefined)?.[FALLBACK]) return undefined;
      const options = { kind: args.kind, importer: args.importer, pluginData: { [FALLBACK]: true } };
      const local = await builder.resolve(args.path, { ...options, resolveDir: args.resolveDir });
      if (local.errors.length === 0) return local;
      const installed = await builder.resolve(args.path, { ...options, resolveDir: OWN_DIRECTORY });
      return installed.errors.length === 0 ? installed : { errors: local.errors };
    });
  },
};

const UNRESOLVED = /^Could not resolve "([^"]+)"/;

/** The next step for an import esbuild could not resolve; `folder` is the task's. */
function unresolvedHint(specifier: string, folder: string): string {
  if (GRADUAL_IMPORT.test(specifier))
    return `next: ${specifier} is part of gradual but this installation has none; reinstall gradual, or add it to ${folder}/package.json (gradual task init writes one) and run npm install there`;
  if (specifier.startsWith(".") || path.isAbsolute(specifier))
    return `next: check the path ${JSON.stringify(specifier)} (relative to the file that imports it)`;
  const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
  return `next: install ${name} for the task: cd ${folder} && npm install ${name}`;
}

function formatMessages(messages: readonly Message[]): string {
  return messages
    .slice(0, 10)
    .map((message) => {
      const where = message.location ? `${message.location.file}:${message.location.line}: ` : "";
      return `${where}${message.text}`;
    })
    .join("\n");
}

export function bundleHash(code: Uint8Array): string {
  return createHash("sha256").update(code).digest("hex");
}

/**
 * Bundles a task's entry module into one self-contained ESM file for Node 20 (`@gradual/sdk` and every other
 * dependency inlined, Node builtins left as imports), unminified so that operators can read what they run. The
 * output is deterministic: bundling the same sources twice gives the same bytes and hash.
 */
export async function bundleTask(entry: BundleEntry, options: BundleTaskOptions = {}): Promise<BundleTaskReturnType> {
  buildsInFlight += 1;
  try {
    return await bundleOnce(entry, options);
  } finally {
    buildsInFlight -= 1;
    // esbuild keeps a service process (about 20 MB) alive after a build; a node builds once, at start, so it is
    // stopped when no build is left (a later build starts a new one).
    // The check is repeated once esbuild is at hand: a build that started in between must keep its service.
    if (buildsInFlight === 0) {
      stopping = loadEsbuild()
        .then((esbuild) => (buildsInFlight === 0 ? esbuild.stop() : undefined))
        .catch(() => undefined);
    }
  }
}

let buildsInFlight = 0;
/** The stop of esbuild's service under way, if any: a build waits for it, so that it never runs on a dying service. */
let stopping: Promise<unknown> = Promise.resolve();

async function bundleOnce(entry: BundleEntry, options: BundleTaskOptions): Promise<BundleTaskReturnType> {
  const entryPath = typeof entry === "string" ? path.resolve(entry) : path.join(entry.resolveDir, entry.sourcefile);
  const label = options.label ?? `task ${entryPath}`;
  const builtins = builtinModules.flatMap((name) => [name, `node:${name}`]);
  const workingDir = path.resolve(options.workingDir ?? path.dirname(entryPath));
  const folder = typeof entry === "string" ? path.dirname(entryPath) : workingDir;
  await stopping;
  const { build } = await loadEsbuild();
  const result = await build({
    ...(typeof entry === "string" ? { entryPoints: [entryPath] } : { stdin: { ...entry, loader: "js" as const } }),
    absWorkingDir: workingDir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: false,
    sourcemap: false,
    legalComments: "inline",
    charset: "utf8",
    banner: { js: REQUIRE_BANNER },
    external: [...builtins, ...(options.external ?? [])],
    plugins: [...(options.plugins ?? []), installedGradualPackages],
    metafile: true,
    write: false,
    logLevel: "silent",
  }).catch((error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    const details = errors ? formatMessages(errors) : String(error);
    const unresolved = [...new Set((errors ?? []).flatMap((message) => UNRESOLVED.exec(message.text)?.[1] ?? []))];
    const code = unresolved.length > 0 ? BUNDLE_ERROR_CODES.unresolved : BUNDLE_ERROR_CODES.failed;
    const hint = unresolved.map((specifier) => `\n${unresolvedHint(specifier, folder)}`).join("");
    throw new BundleError(code, entryPath, `cannot bundle ${label}:\n${details}${hint}`, { cause: error, unresolved });
  });
  const output = result.outputFiles[0];
  if (!output || result.outputFiles.length !== 1) {
    throw new BundleError(
      BUNDLE_ERROR_CODES.failed,
      entryPath,
      `cannot bundle ${label}: expected one output file, got ${result.outputFiles.length}`,
      {},
    );
  }
  if (output.contents.byteLength > MAX_BUNDLE_BYTES) {
    throw new BundleError(
      BUNDLE_ERROR_CODES.tooLarge,
      entryPath,
      `the bundle of ${label} is ${output.contents.byteLength} bytes (max ${MAX_BUNDLE_BYTES})`,
      {},
    );
  }
  const code = output.contents.slice();
  // Metafile paths are relative to the working directory; plugin-resolved ones may carry a namespace prefix.
  const inputs = Object.keys(result.metafile?.inputs ?? {})
    .filter((input) => input !== "<stdin>")
    .map((input) => path.resolve(workingDir, input.replace(/^[a-z-]+:/, "")));
  return { code, hash: bundleHash(code), bytes: code.byteLength, inputs };
}
