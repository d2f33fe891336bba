import { type BuildKoiiTaskReturnType, buildKoiiTask, KoiiConfigError } from "@gradual/koii";
import type { LedgerClient } from "@gradual/ledger/client";
import type { Hash, PresetName } from "@gradual/protocol";
import { loadKeyOrFail } from "../commands/keys.ts";
import { CliError, refusalError } from "../output.ts";
import type { TaskConfig } from "../taskConfig.ts";

/** Koii task folders in the CLI: building and publishing to a ledger (detection is in detect.ts). */

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
    const message = (error as Error).message;
    // A Koii task's package.json names @_koii/* packages, which are on no registry: npm install fails on them until
    // `gradual koii link` points them at gradual's own (docs/koii.md).
    const hint = /next: install /.test(message)
      ? `\n(a Koii task's npm install fails on its @_koii/* packages: run gradual koii link ${pathOrDirectory} first, then npm install there)`
      : "";
    throw new CliError("KOII__BUILD_FAILED", `${message}${hint}`);
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
  if (!result.result.ok) throw refusalError(result.result);
  return result.hash as Hash;
}

/**
 * The task variables a node needs for this task: each one config-task.yml requires, from `values`, or a CLI error
 * naming the missing ones. Values for variables the task does not declare are dropped.
 */
export function koiiTaskVars(task: KoiiTask, values: Readonly<Record<string, string>>): Record<string, string> {
  const missing = task.folder.mapping.taskVariables.filter((variable) => !Object.hasOwn(values, variable.name));
  if (missing.length > 0) {
    throw new CliError(
      "KOII__MISSING_TASK_VARIABLE",
      `${task.folder.configPath} requires task variable(s) ${missing.map((variable) => variable.name).join(", ")}: pass ${missing
        .map((variable) => `--task-var ${variable.name}=VALUE`)
        .join(" ")} or a --task-var-file holding them`,
    );
  }
  return Object.fromEntries(
    task.folder.mapping.taskVariables.map((variable) => [variable.name, values[variable.name] as string]),
  );
}
