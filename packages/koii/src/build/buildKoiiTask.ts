import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GradualError } from "@gradual/protocol";
import { type BundleTaskReturnType, bundleTask } from "@gradual/sdk/bundle";
import type { Plugin } from "esbuild";
import { type KoiiConfigMapping, type MapKoiiConfigOptions, mapKoiiConfig } from "../config/mapKoiiConfig.ts";
import { ENTRY_CANDIDATES, findKoiiEntry, KOII_CONFIG_FILE } from "./detect.ts";

/**
 * Turns a Koii task folder (config-task.yml + src/index calling initializeTaskManager) into a gradual task bundle:
 * one ESM file whose default export is `defineTask(fromKoii(...))`. The task's own sources are bundled as they are,
 * by the SDK's bundler (`@gradual/sdk/bundle`, the one `gradual task build` uses); this module gives it a generated
 * entry and a plugin that points the imports of Koii's packages at gradual's implementation (src/shims).
 */

export { ENTRY_CANDIDATES, findKoiiEntry, isKoiiTaskDirectory, KOII_CONFIG_FILE } from "./detect.ts";

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** `.ts` when this module runs from src/ (tests, through tsx), `.js` when it runs compiled from dist/. */
const MODULE_EXTENSION = path.extname(fileURLToPath(import.meta.url));
/** A module of this package by its path under src/ (or dist/) without extension. */
const own = (...parts: string[]) => `${path.join(SOURCE_ROOT, ...parts)}${MODULE_EXTENSION}`;
const shim = (name: string) => own("shims", name);

/** Koii's import paths and what they become. Both wrapper paths resolve to one module, hence one shared instance. */
export const KOII_MODULES: Readonly<Record<string, string>> = {
  "@_koii/task-manager": shim("taskManager"),
  "@_koii/task-manager/namespace-wrapper": shim("namespaceWrapper"),
  "@_koii/namespace-wrapper": shim("namespaceWrapper"),
  "@_koii/task-manager/extensions": shim("extensions"),
  "@_koii/web3.js": shim("web3"),
  "@_koii/storage-task-sdk": shim("storage"),
  "@_koi/web3.js": shim("web3"),
};

export type KoiiTaskFolder = {
  readonly directory: string;
  readonly configPath: string;
  readonly entry: string;
  readonly mapping: KoiiConfigMapping;
};

/** Reads and maps a Koii task folder's config-task.yml (a folder, or the path of the file itself). */
function loadKoiiTaskFolder(
  pathOrDirectory: string,
  options: Omit<MapKoiiConfigOptions, "markdownDescription"> = {},
): KoiiTaskFolder {
  const resolved = path.resolve(pathOrDirectory);
  const configPath =
    resolved.endsWith(".yml") || resolved.endsWith(".yaml") ? resolved : path.join(resolved, KOII_CONFIG_FILE);
  if (!existsSync(configPath)) {
    throw new GradualError("KOII__NOT_A_TASK_FOLDER", { message: `no ${KOII_CONFIG_FILE} at ${pathOrDirectory}` });
  }
  const directory = path.dirname(configPath);
  const entry = findKoiiEntry(directory);
  if (entry === undefined) {
    throw new GradualError("KOII__NOT_A_TASK_FOLDER", {
      message: `${directory} has no ${ENTRY_CANDIDATES.join(" or ")}: gradual runs Koii tasks of the template's current shape, whose src/index calls initializeTaskManager`,
    });
  }
  const text = readFileSync(configPath, "utf8");
  const markdown = /^\s*markdownDescriptionPath:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(text)?.[1];
  const markdownPath = markdown === undefined ? undefined : path.resolve(directory, markdown);
  const mapping = mapKoiiConfig(text, {
    ...options,
    ...(markdownPath !== undefined && existsSync(markdownPath)
      ? { markdownDescription: readFileSync(markdownPath, "utf8") }
      : {}),
  });
  return { directory, configPath, entry, mapping };
}

const koiiResolver: Plugin = {
  name: "gradual-koii-modules",
  setup(builder) {
    // Koii's packages, and the older `@_koi/` scope of its web3.js fork.
    builder.onResolve({ filter: /^@_koii?\// }, (args) => {
      const target = Object.hasOwn(KOII_MODULES, args.path) ? KOII_MODULES[args.path] : undefined;
      if (target !== undefined) return { path: target };
      return {
        errors: [
          {
            text:
              `${args.path} is not part of gradual's Koii compatibility layer (it provides ${Object.keys(KOII_MODULES).join(", ")}); ` +
              "see docs/koii.md",
          },
        ],
      };
    });
  },
};

export type BuildKoiiTaskReturnType = BundleTaskReturnType & { readonly folder: KoiiTaskFolder };

/**
 * Bundles a Koii task folder for gradual. Deterministic for a given layout: the same sources give the same bytes.
 * The entry is generated: it imports the task's src/index (which registers its functions), then exports
 * `defineTask(fromKoii(...))` with the task's name, description and required variables from config-task.yml.
 */
export async function buildKoiiTask(
  pathOrDirectory: string,
  options: Omit<MapKoiiConfigOptions, "markdownDescription"> = {},
): Promise<BuildKoiiTaskReturnType> {
  const folder = loadKoiiTaskFolder(pathOrDirectory, options);
  const adapterOptions = {
    taskName: folder.mapping.name,
    description: folder.mapping.description.slice(0, 2_000),
    variables: folder.mapping.taskVariables.map((variable) => variable.name),
  };
  const contents = [
    `import ${JSON.stringify(own("runtime", "constants"))};`,
    `import ${JSON.stringify(folder.entry)};`,
    `import { app } from ${JSON.stringify(shim("namespaceWrapper"))};`,
    `import { fromKoii } from ${JSON.stringify(own("runtime", "fromKoii"))};`,
    'import { defineTask } from "@gradual/sdk";',
    `export default defineTask(fromKoii({ ...${JSON.stringify(adapterOptions)}, app }));`,
    "",
  ].join("\n");
  const bundle = await bundleTask(
    { contents, resolveDir: SOURCE_ROOT, sourcefile: "gradual-koii-entry.js" },
    { workingDir: folder.directory, plugins: [koiiResolver], label: `Koii task ${folder.directory}` },
  );
  return { ...bundle, folder };
}
