import {
  findParamsProblems,
  GradualError,
  LIMITS,
  PRESETS,
  type PresetName,
  parseTokenAmount,
  type TaskParams,
} from "@gradual/protocol";
import { parseTaskLimitsConfig, type TaskLimitsConfig } from "@gradual/sdk";
import { parse as parseYaml } from "yaml";

/**
 * config-task.yml (Koii's create-task-cli input) mapped onto gradual's task parameters (docs/koii.md "Config").
 * Validation follows create-task-cli's `validate.ts`: the same fields are checked with the same messages, collected
 * into one error. Fields that mean nothing on gradual are reported once as warnings and never fail the mapping.
 */

export type KoiiRequirementTag = {
  readonly type: string;
  readonly value?: string | string[];
  readonly description?: string;
};

export type KoiiTaskVariable = {
  /** The environment variable the task reads (`process.env[name]`); the operator supplies it with --task-var. */
  readonly name: string;
  readonly kind: "TASK_VARIABLE" | "GLOBAL_VARIABLE";
  readonly description?: string;
};

export type KoiiConfigMapping = {
  readonly name: string;
  readonly description: string;
  readonly params: TaskParams;
  /** Escrow locked at creation: total_bounty_amount in base units. */
  readonly funding: bigint;
  readonly bountyPerRound: bigint;
  readonly taskVariables: readonly KoiiTaskVariable[];
  /** What the file asked for before any rescaling: round_time, submission_window, audit_window in slots. */
  readonly koiiWindows: { readonly roundTime: number; readonly submissionWindow: number; readonly auditWindow: number };
  /**
   * `limits:`, a gradual field Koii does not have (docs/koii.md "Limits"): what the task asks of the sandbox. Time
   * limits not given follow the mapped windows: task() the work period, audit the audit window.
   */
  readonly limits: TaskLimitsConfig;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
};

export type MapKoiiConfigOptions = {
  /** The parameter set the fields are applied to (default devnet). */
  readonly preset?: PresetName;
  /** Rescale round_time to this many slots, windows in proportion (local runs of tasks with long rounds). */
  readonly roundSlots?: number;
  /** Text of the file named by markdownDescriptionPath, when the caller read it. */
  readonly markdownDescription?: string;
};

/** Invalid values, one message per field in create-task-cli's words. */
export class KoiiConfigError extends GradualError<"KOII__BAD_CONFIG"> {
  override readonly name = "KoiiConfigError";
  readonly errors: Readonly<Record<string, string>>;
  constructor(errors: Record<string, string>) {
    const lines = Object.entries(errors).map(([field, message]) => `  ${field}: ${message}`);
    super("KOII__BAD_CONFIG", {
      message: `config-task.yml has errors (create-task-cli would refuse it too):\n${lines.join("\n")}\nPlease resolve these issues`,
      context: { errors },
    });
    this.errors = errors;
  }
}

const REQUIREMENT_TYPES = [
  "GLOBAL_VARIABLE",
  "TASK_VARIABLE",
  "CPU",
  "RAM",
  "STORAGE",
  "NETWORK",
  "ARCHITECTURE",
  "OS",
  "ADDON",
];

/** Fields that configure Koii's chain, uploads or desktop node, with why they are ignored here. */
const IGNORED: Readonly<Record<string, string>> = {
  task_executable_network: "the bundle is stored on the gradual ledger (content-addressed), not on IPFS or Arweave",
  task_audit_program: "gradual bundles src/ itself (gradual koii build)",
  task_audit_program_id: "gradual bundles src/ itself",
  space: "gradual has no task account to size or rent",
  task_type: "bounties are paid in the gradual token",
  token_type: "bounties are paid in the gradual token",
  environment: "every task on a gradual ledger is visible to every node",
  imageUrl: "kept in the metadata only",
  infoUrl: "kept in the metadata only",
  koiiOceanUrl: "kept in the metadata only",
  tags: "kept in the metadata only",
  task_id: "updates and migrations of Koii tasks do not apply",
  migrationDescription: "updates and migrations of Koii tasks do not apply",
  task_description: "older name of description",
  secret_web3_storage_key: "no IPFS upload happens",
  task_metadata: "the metadata is stored on the ledger",
  task_locals: "not used",
  koii_vars: "not used",
};

const MAPPED = new Set([
  "limits",
  "task_name",
  "author",
  "description",
  "markdownDescriptionPath",
  "repositoryUrl",
  "round_time",
  "submission_window",
  "audit_window",
  "minimum_stake_amount",
  "total_bounty_amount",
  "bounty_amount_per_round",
  "allowed_failed_distributions",
  "requirementsTags",
]);

const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;

/** Koii's numbers may be written as strings in older files ("500"). */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function validateRequirementsTags(tags: unknown): boolean {
  if (!Array.isArray(tags)) return false;
  for (const tag of tags as Record<string, unknown>[]) {
    if (
      typeof tag !== "object" ||
      tag === null ||
      typeof tag.type !== "string" ||
      !REQUIREMENT_TYPES.includes(tag.type)
    )
      return false;
    const variable = tag.type === "GLOBAL_VARIABLE" || tag.type === "TASK_VARIABLE";
    if (
      variable
        ? tag.value !== undefined && typeof tag.value !== "string"
        : typeof tag.value !== "string" || tag.value === ""
    ) {
      return false;
    }
  }
  return true;
}

type Raw = Record<string, unknown>;

/** create-task-cli's checks (src/utils/validate.ts), message for message; returns field -> message. */
function koiiCliErrors(file: Raw, description: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const text = (key: string) => typeof file[key] === "string" && (file[key] as string).trim().length > 0;
  if (!text("author")) errors.author = "Missing";
  if (description.trim().length === 0) errors.description = "Missing";
  if (!text("repositoryUrl")) errors.repositoryUrl = "Missing";
  if (
    file.requirementsTags !== undefined &&
    file.requirementsTags !== null &&
    !validateRequirementsTags(file.requirementsTags)
  ) {
    errors.requirementsTags = "tags do not have valid types or the values specified are not acceptable";
  }
  const round = numeric(file.round_time);
  const audit = numeric(file.audit_window);
  const submission = numeric(file.submission_window);
  const stake = numeric(file.minimum_stake_amount);
  const total = numeric(file.total_bounty_amount);
  const perRound = numeric(file.bounty_amount_per_round);
  const failed = numeric(file.allowed_failed_distributions);
  // create-task-cli also treats allowed_failed_distributions: 0 as missing; gradual accepts 0 (docs/koii.md).
  const missing = [file.task_name, round, audit, submission, stake, total, perRound, failed].some(
    (value) => value === undefined || value === null || value === "",
  );
  if (missing) errors.taskParams = "task parameter missing";
  else if (
    typeof file.task_name !== "string" ||
    [round, audit, submission, stake, total].some((value) => (value as number) <= 0) ||
    (failed as number) < 0
  ) {
    errors.taskParams = "type error in task params";
  }
  if (typeof file.task_name === "string" && file.task_name.length > 24)
    errors.task_name = "cannot be more than 24 characters long";
  if (total !== undefined && total < 10) errors.total_bounty_amount = "Total bounty amount cannot be less than 10 KOII";
  if (perRound !== undefined && total !== undefined && perRound > total) {
    errors.bounty_amount_per_round = "cannot be more than total bounty amount";
  }
  return errors;
}

function ignoredFieldWarnings(file: Raw): string[] {
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(file)) {
    if (MAPPED.has(key)) continue;
    const why = IGNORED[key];
    if (why !== undefined) {
      if (value !== undefined && value !== null && value !== "") warnings.push(`${key} is ignored: ${why}`);
    } else warnings.push(`${key} is not a config-task.yml field gradual knows; ignored`);
  }
  return warnings;
}

function taskVariablesOf(tags: unknown, warnings: string[]): KoiiTaskVariable[] {
  if (!Array.isArray(tags)) return [];
  const variables: KoiiTaskVariable[] = [];
  for (const tag of tags as KoiiRequirementTag[]) {
    if (tag.type === "TASK_VARIABLE" || tag.type === "GLOBAL_VARIABLE") {
      if (typeof tag.value === "string" && tag.value !== "") {
        variables.push({
          name: tag.value,
          kind: tag.type,
          ...(typeof tag.description === "string" ? { description: tag.description } : {}),
        });
      }
    } else if (tag.type === "ADDON") {
      warnings.push(
        `requirementsTags ADDON ${String(tag.value)} is ignored: gradual nodes start no add-ons (Orca is not supported)`,
      );
    } else {
      warnings.push(
        `requirementsTags ${tag.type} ${String(tag.value)} is ignored: gradual does not match nodes to hardware`,
      );
    }
  }
  return variables;
}

export type RoundLayout = Pick<
  TaskParams,
  | "roundSlots"
  | "commitSlots"
  | "revealSlots"
  | "auditSlots"
  | "voteSlots"
  | "distributionSlots"
  | "distributionAuditSlots"
>;

/**
 * Koii's round: submission window then audit window, both measured from the round's start (KOII_API.md §f, inferred),
 * the rest idle. gradual's review round: reveal (= Koii's submission window), audit (= audit window), then votes on
 * triggers, which Koii does not separate; they get the idle rest of the round, at most as long as the audit window.
 * The distribution round reuses the same two windows (Koii submits and audits lists in them too). The commit window,
 * which Koii does not have, is the last `submission_window` slots of the work round, at most half of it.
 */
export function layoutRound(
  roundTime: number,
  submissionWindow: number,
  auditWindow: number,
  warnings: string[],
): RoundLayout {
  let reveal = submissionWindow;
  let audit = auditWindow;
  let vote = Math.min(audit, roundTime - reveal - audit);
  if (vote < 1) {
    const voteBudget = Math.max(1, Math.floor(roundTime / 5));
    const budget = roundTime - voteBudget;
    reveal = Math.max(1, Math.floor((budget * submissionWindow) / (submissionWindow + auditWindow)));
    audit = Math.max(1, budget - reveal);
    vote = roundTime - reveal - audit;
    warnings.push(
      `submission_window + audit_window (${submissionWindow} + ${auditWindow}) leave no slot of the ${roundTime}-slot round for ` +
        `audit votes; scaled to ${reveal} + ${audit} with ${vote} slots for votes`,
    );
  }
  const commit = Math.max(1, Math.min(submissionWindow, Math.floor(roundTime / 2)));
  return {
    roundSlots: roundTime,
    commitSlots: commit,
    revealSlots: reveal,
    auditSlots: audit,
    voteSlots: vote,
    distributionSlots: reveal,
    distributionAuditSlots: audit,
  };
}

function rescale(value: number, from: number, to: number): number {
  return Math.max(1, Math.round((value * to) / from));
}

/** Parses config-task.yml text and maps it; throws KoiiConfigError with create-task-cli's messages when invalid. */
export function mapKoiiConfig(yamlText: string, options: MapKoiiConfigOptions = {}): KoiiConfigMapping {
  let parsed: unknown;
  try {
    parsed = parseYaml(yamlText);
  } catch (error) {
    throw new KoiiConfigError({ file: `not valid YAML (${error instanceof Error ? error.message : String(error)})` });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new KoiiConfigError({ file: "expected a YAML mapping of config-task.yml fields" });
  }
  const file = parsed as Raw;
  const description =
    options.markdownDescription ??
    (typeof file.description === "string"
      ? file.description
      : typeof file.task_description === "string"
        ? file.task_description
        : "");
  const errors = koiiCliErrors(file, description);
  if (Object.keys(errors).length > 0) throw new KoiiConfigError(errors);

  const warnings = ignoredFieldWarnings(file);
  const koiiWindows = {
    roundTime: numeric(file.round_time) as number,
    submissionWindow: numeric(file.submission_window) as number,
    auditWindow: numeric(file.audit_window) as number,
  };
  const slotErrors: Record<string, string> = {};
  for (const [field, value] of Object.entries({
    round_time: koiiWindows.roundTime,
    submission_window: koiiWindows.submissionWindow,
    audit_window: koiiWindows.auditWindow,
  })) {
    if (!Number.isSafeInteger(value)) slotErrors[field] = `expected a whole number of slots, got ${value}`;
  }
  if (koiiWindows.roundTime < 3) slotErrors.round_time = "a gradual round needs at least 3 slots";
  if (koiiWindows.roundTime > LIMITS.maxRoundSlots) slotErrors.round_time = `at most ${LIMITS.maxRoundSlots} slots`;
  const amounts: Record<string, bigint> = {};
  for (const field of ["minimum_stake_amount", "total_bounty_amount", "bounty_amount_per_round"]) {
    try {
      amounts[field] = parseTokenAmount(numeric(file[field]) as number);
    } catch (error) {
      slotErrors[field] = (error as Error).message;
    }
  }
  if (Object.keys(slotErrors).length > 0) throw new KoiiConfigError(slotErrors);

  let { roundTime, submissionWindow, auditWindow } = koiiWindows;
  if (options.roundSlots !== undefined && options.roundSlots !== roundTime) {
    const to = options.roundSlots;
    if (!Number.isSafeInteger(to) || to < 3) throw new RangeError(`roundSlots: expected an integer >= 3, got ${to}`);
    submissionWindow = rescale(submissionWindow, roundTime, to);
    auditWindow = rescale(auditWindow, roundTime, to);
    warnings.push(
      `round_time ${roundTime} rescaled to ${to} slots for this run (windows ${koiiWindows.submissionWindow}/${koiiWindows.auditWindow} -> ${submissionWindow}/${auditWindow})`,
    );
    roundTime = to;
  }
  const layout = layoutRound(roundTime, submissionWindow, auditWindow, warnings);

  let allowedFailed = numeric(file.allowed_failed_distributions) as number;
  if (!Number.isSafeInteger(allowedFailed))
    throw new KoiiConfigError({ allowed_failed_distributions: "expected a whole number" });
  if (allowedFailed > LIMITS.maxAllowedFailedDistributions) {
    warnings.push(
      `allowed_failed_distributions ${allowedFailed} capped at gradual's limit of ${LIMITS.maxAllowedFailedDistributions}`,
    );
    allowedFailed = LIMITS.maxAllowedFailedDistributions;
  }

  let name = String(file.task_name);
  if (!TASK_NAME.test(name)) {
    const cleaned = name.replace(/[^A-Za-z0-9 ._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "koii-task";
    warnings.push(
      `task_name ${JSON.stringify(name)} becomes ${JSON.stringify(cleaned)}: gradual names use letters, digits, space, '.', '_' and '-'`,
    );
    name = cleaned;
  }

  const preset = options.preset ?? "devnet";
  if (!(preset in PRESETS))
    throw new RangeError(`preset: expected one of ${Object.keys(PRESETS).join(", ")}, got ${preset}`);
  const bountyPerRound = amounts.bounty_amount_per_round as bigint;
  const params: TaskParams = {
    ...PRESETS[preset],
    ...layout,
    minimumStake: amounts.minimum_stake_amount as bigint,
    bountyPerRound,
    allowedFailedDistributions: allowedFailed,
    // A Koii task's distribution list comes from its own code: a `custom` rule, checked by the other nodes' votes
    // (docs/protocol.md §6.2-§6.3). gradual's own tasks default to the ledger-computed `weighted` rule.
    distributionRule: "custom",
  };
  const problems = findParamsProblems(params);
  if (problems.length > 0) {
    throw new KoiiConfigError(Object.fromEntries(problems.map((problem) => [problem.field, problem.reason])));
  }
  let limits: TaskLimitsConfig;
  try {
    limits = parseTaskLimitsConfig(file.limits);
  } catch (error) {
    throw new KoiiConfigError({ limits: (error as Error).message });
  }
  const metadata: Record<string, unknown> = { format: "gradual-koii-task-metadata/v1", koiiWindows, limits };
  for (const key of [
    "author",
    "repositoryUrl",
    "imageUrl",
    "infoUrl",
    "koiiOceanUrl",
    "tags",
    "requirementsTags",
    "environment",
  ]) {
    if (file[key] !== undefined && file[key] !== null) metadata[key] = file[key];
  }
  metadata.description = description;
  return {
    name,
    description,
    params,
    funding: amounts.total_bounty_amount as bigint,
    bountyPerRound,
    taskVariables: taskVariablesOf(file.requirementsTags, warnings),
    koiiWindows,
    limits,
    metadata,
    warnings,
  };
}
