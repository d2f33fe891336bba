import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import {
  findParamsProblems,
  PARAM_NAMES,
  PRESETS,
  type PresetName,
  parseTokenAmount,
  type TaskParams,
} from "@gradual/protocol";
import { parseTaskLimitsConfig, type TaskLimitsConfig } from "@gradual/sdk";
import { parse as parseYaml } from "yaml";
import { CliError } from "./output.ts";

/**
 * The task config file (docs/writing-a-task.md, "`task.yml`"), YAML:
 *
 *   name: web-scraper            # letters, digits, space . _ -
 *   entry: ./task.ts             # the module whose default export is defineTask({...})
 *   preset: devnet               # devnet | mainnet: the parameter set to start from
 *   params: { roundSlots: 20 }   # overrides; amounts (minimumStake, bountyPerRound, triggerBond,
 *                                #   losingVotePenalty) in tokens as strings, e.g. "10" or "0.5"
 *   bountyPerRound: "100"        # shortcut for params.bountyPerRound, in tokens
 *   funding: "2000"              # escrow locked at creation, in tokens
 *   config: { urls: "..." }      # string values the task reads as ctx.config
 *   limits: { memoryMb: 256 }    # optional: memoryMb, cpuPercent, callTimeoutMs, workTimeoutMs, auditTimeoutMs,
 *                                #   distributionTimeoutMs (docs/writing-a-task.md "Limits")
 */
export type TaskConfig = {
  readonly path: string;
  readonly directory: string;
  readonly name: string;
  readonly entry: string;
  readonly preset: PresetName;
  readonly params: TaskParams;
  readonly funding: bigint;
  readonly config: Readonly<Record<string, string>>;
  /** What the task asks of the sandbox; time limits not given follow the round's windows. */
  readonly limits: TaskLimitsConfig;
};

const AMOUNT_PARAMS = new Set(["minimumStake", "bountyPerRound", "triggerBond", "losingVotePenalty"]);
const TOP_LEVEL = ["name", "entry", "preset", "params", "bountyPerRound", "funding", "config", "description", "limits"];

function bad(path: string, message: string): never {
  throw new CliError("TASK_CONFIG__INVALID", `${path}: ${message}`);
}

function tokens(path: string, field: string, value: unknown): bigint {
  if (typeof value !== "string" && typeof value !== "number")
    bad(path, `${field}: expected an amount in tokens, got ${typeof value}`);
  try {
    return parseTokenAmount(String(value));
  } catch (error) {
    return bad(path, `${field}: ${(error as Error).message}`);
  }
}

/** Finds the config in a directory (task.yml) or takes a file path as is. */
function resolveTaskConfigPath(pathOrDirectory: string): string {
  const direct = resolve(pathOrDirectory);
  if (existsSync(direct) && !existsSync(resolve(direct, "task.yml"))) return direct;
  const inside = resolve(direct, "task.yml");
  if (existsSync(inside)) return inside;
  throw new CliError(
    "TASK_CONFIG__NOT_FOUND",
    `no task config at ${pathOrDirectory} (expected a task.yml file or a folder holding one)`,
  );
}

export function loadTaskConfig(pathOrDirectory: string): TaskConfig {
  const path = resolveTaskConfigPath(pathOrDirectory);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    return bad(path, `not valid YAML (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(path, "expected a YAML mapping at the top");
  const file = raw as Record<string, unknown>;
  const unknown = Object.keys(file).filter((key) => !TOP_LEVEL.includes(key));
  if (unknown.length > 0) bad(path, `unknown field(s) ${unknown.join(", ")} (expected ${TOP_LEVEL.join(", ")})`);
  if (typeof file.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(file.name)) {
    bad(path, `name: expected letters, digits, space, '.', '_' or '-' (at most 64), got ${JSON.stringify(file.name)}`);
  }
  if (typeof file.entry !== "string") bad(path, "entry: expected the path of the task module, e.g. ./task.ts");
  const directory = dirname(path);
  const entry = isAbsolute(file.entry) ? file.entry : resolve(directory, file.entry);
  if (!existsSync(entry)) bad(path, `entry: ${file.entry} does not exist (resolved to ${entry})`);
  const preset = (file.preset ?? "devnet") as PresetName;
  if (!(preset in PRESETS))
    bad(path, `preset: expected one of ${Object.keys(PRESETS).join(", ")}, got ${JSON.stringify(file.preset)}`);
  const overrides: Record<string, unknown> = {};
  const params = file.params ?? {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) bad(path, "params: expected a mapping");
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (!(PARAM_NAMES as readonly string[]).includes(key))
      bad(path, `params.${key}: no such parameter (see docs/protocol.md §10)`);
    overrides[key] = AMOUNT_PARAMS.has(key) ? tokens(path, `params.${key}`, value) : value;
  }
  if (file.bountyPerRound !== undefined) overrides.bountyPerRound = tokens(path, "bountyPerRound", file.bountyPerRound);
  const merged = { ...PRESETS[preset], ...overrides } as TaskParams;
  const problem = findParamsProblems(merged)[0];
  if (problem !== undefined) bad(path, `params.${problem.field}: ${problem.reason}`);
  const funding = file.funding === undefined ? merged.bountyPerRound * 20n : tokens(path, "funding", file.funding);
  const config: Record<string, string> = {};
  if (file.config !== undefined) {
    if (typeof file.config !== "object" || file.config === null || Array.isArray(file.config))
      bad(path, "config: expected a mapping of strings");
    for (const [key, value] of Object.entries(file.config as Record<string, unknown>)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        bad(path, `config.${key}: expected a string, got ${typeof value}`);
      }
      config[key] = String(value);
    }
  }
  let limits: TaskLimitsConfig;
  try {
    limits = parseTaskLimitsConfig(file.limits);
  } catch (error) {
    return bad(path, (error as Error).message);
  }
  return { path, directory, name: file.name, entry, preset, params: merged, funding, config, limits };
}
