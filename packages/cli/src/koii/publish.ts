import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import {
  type BuildKoiiTaskReturnType,
  buildKoiiTask,
  isKoiiTaskDirectory,
  KOII_CONFIG_FILE,
  KoiiConfigError,
} from "@gradual/koii";
import type { LedgerClient } from "@gradual/ledger/client";
import type { Hash, PresetName } from "@gradual/protocol";
import { loadKeyOrFail } from "../commands/keys.ts";
import { CliError } from "../output.ts";
import type { TaskConfig } from "../taskConfig.ts";

/**
 * Koii task folders in the CLI: detection (so `task create --config config-task.yml` and `devnet --task DIR` can tell
 * a Koii task from a gradual one), building, and publishing to a ledger.
 */

/** True for a folder holding config-task.yml and src/index, or for the path of a config-task.yml itself. */
export function isKoiiTaskPath(pathOrDirectory: string): boolean {
  const resolved = resolve(pathOrDirectory);
  if (basename(resolved) === KOII_CONFIG_FILE) return existsSync(resolved);
  return existsSync(resolved) && statSync(resolved).isDirectory() && isKoiiTaskDirectory(resolved);
}

export type KoiiTaskOptions = {
  readonly preset?: PresetName;
  /** Rescale the round to this many slots (windows in proportion), for local runs. */
  readonly roundSlots?: number;
};

/** A built Koii task: the bundle and, in `config`, the same fields a task.yml gives (for devnet and task commands). */
export type KoiiTask = BuildKoiiTaskReturnType & { readonly config: TaskConfig };

/** Builds a Koii task folder; configuration errors become CLI errors with create-task-cli's messages. */
export async function loadKoiiTask(pathOrDirectory: string, options: KoiiTaskOptions = {}): Promise<KoiiTask> {
  let built: BuildKoiiTaskReturnType;
  try {
    built = await buildKoiiTask(pathOrDirectory, {
      ...(options.preset === undefined ? {} : { preset: options.preset }),
      ...(options.roundSlots === undefined ? {} : { roundSlots: options.roundSlots }),
    });
  } catch (error) {
    if (error instanceof KoiiConfigError) throw new CliError("KOII__BAD_CONFIG", error.message);
    if (error instanceof RangeError || error instanceof TypeError)
      throw new CliError("KOII__BAD_CONFIG", error.message);
    throw new CliError("KOII__BUILD_FAILED", (error as Error).message);
  }
  const { folder } = built;
  return {
    ...built,
    config: {
      path: folder.configPath,
      directory: folder.directory,
      name: folder.mapping.name,
      entry: folder.entry,
      preset: options.preset ?? "devnet",
      params: folder.mapping.params,
      funding: folder.mapping.funding,
      config: {},
      limits: folder.mapping.limits,
    },
  };
}

/**
 * Publishes a built Koii task: uploads the bundle and a metadata blob (config-task.yml's metadata fields and its
 * original windows), then sends createTask with the mapped parameters and total_bounty_amount as funding.
 */
export async function publishKoiiTask(
  client: LedgerClient,
  task: KoiiTask,
  keyFile: string,
  log: (line: string) => void,
): Promise<Hash> {
  const keyPair = loadKeyOrFail(keyFile);
  for (const warning of task.folder.mapping.warnings) log(`config-task.yml: ${warning}`);
  const stored = await client.uploadBlob(task.code, keyPair);
  log(`uploaded Koii task bundle ${stored.hash} (${task.bytes} bytes)`);
  const metadata = new TextEncoder().encode(
    JSON.stringify({
      ...task.folder.mapping.metadata,
      name: task.folder.mapping.name,
      taskVariables: task.folder.mapping.taskVariables,
    }),
  );
  const metadataHash = (await client.uploadBlob(metadata, keyPair)).hash;
  const result = await client.send(
    keyPair,
    {
      kind: "createTask",
      name: task.config.name,
      bundleHash: task.hash,
      metadataHash,
      params: task.config.params,
      funding: task.config.funding,
    },
    { timeoutMs: 30_000 },
  );
  if (result.status !== "included")
    throw new CliError("TASK__NOT_INCLUDED", `createTask ${result.hash} was not included in time`);
  if (!result.result.ok) throw new CliError(result.result.code, result.result.message);
  return result.hash as Hash;
}

/** The `--task-var` flags a node needs for this task: each required variable from `values`, or a CLI error. */
export function koiiTaskVarFlags(task: KoiiTask, values: Readonly<Record<string, string>>): string[] {
  const missing = task.folder.mapping.taskVariables.filter((variable) => values[variable.name] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      "KOII__MISSING_TASK_VARIABLE",
      `${task.folder.configPath} requires task variable(s) ${missing.map((variable) => variable.name).join(", ")}: pass ${missing
        .map((variable) => `--task-var ${variable.name}=VALUE`)
        .join(" ")}`,
    );
  }
  return task.folder.mapping.taskVariables.flatMap((variable) => [
    "--task-var",
    `${variable.name}=${values[variable.name]}`,
  ]);
}
