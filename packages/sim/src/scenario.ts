import { readFileSync } from "node:fs";
import { basename } from "node:path";
import {
  AUDIT_MODES,
  DISTRIBUTION_RULES,
  findParamsProblems,
  GradualError,
  LIMITS,
  PARAM_NAMES,
  parseTokenAmount,
  type TaskParams,
} from "@gradual/protocol";
import { parse as parseYaml } from "yaml";
import { SIM_PRESETS, type SimPresetName } from "./rules.ts";

/**
 * Scenario files (docs/simulator.md "Scenario files"): the task's parameters, the rounds, the node groups and the
 * faults. Everything is validated up front with the path of the offending field, so a typo never becomes a
 * silently honest run.
 */

const STRATEGY_NAMES = [
  "honest",
  "lazy",
  "copier",
  "garbage",
  "griefer",
  "offline",
  "liar",
  "whale",
  "colluding",
  "follower",
  "unavailable",
  "selfpay",
  "downtime",
  "disputer",
  "holdout",
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Coalition strategies that may behave honestly until a `strikeRound`. */
const STRIKING_STRATEGIES: readonly StrategyName[] = [
  "whale",
  "colluding",
  "unavailable",
  "selfpay",
  "downtime",
  "disputer",
  "holdout",
];

const FAULT_KINDS = ["crash", "cannotFetch", "lostTransactions", "lateTransactions"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type GroupSpec = {
  readonly name: string;
  readonly strategy: StrategyName;
  readonly count: number;
  /** Stake per node in base units, after resolving `share`. */
  readonly stake: bigint;
  /** The share of all stake the group was given, when it was given as a share. */
  readonly share: number | null;
  /** Balance each node holds beside its stake (for trigger bonds), in base units. */
  readonly balance: bigint;
  /** The round in whose first slot the group's stake lands (0: before the first round's work). */
  readonly joinRound: number;
  /** The round in whose first slot the group unstakes, or null to stay. */
  readonly leaveRound: number | null;
  /** `offline` only: the chance that a node is away for a whole round. */
  readonly offlineProbability: number;
  /**
   * `whale` and `colluding` only: the round from which the group attacks; before it the group behaves honestly
   * (a patient attacker building trust first). Defaults to joinRound.
   */
  readonly strikeRound: number;
  /**
   * The round from which a striking group behaves honestly again while it stays (null: it strikes until it
   * leaves). The `holdout` uses it to outwait the appeals of what it voted down.
   */
  readonly strikeUntil: number | null;
  /**
   * The round in whose first slot each node of the group stakes `topUp` more (a new lot, with its own warm-up and
   * ramp), or null. The `outlast` buys weight this way once the others have left.
   */
  readonly topUpRound: number | null;
  /** Stake each node adds at `topUpRound`, in base units (0 without one). */
  readonly topUp: bigint;
};

type RoundRange = { readonly fromRound: number; readonly toRound: number };

export type FaultSpec =
  | ({
      readonly kind: "crash";
      readonly group: string;
      readonly count: number | null;
      /** The slot of fromRound (0-based offset) the crash starts at; later rounds are down from their start. */
      readonly atSlot: number;
    } & RoundRange)
  | ({ readonly kind: "cannotFetch"; readonly group: string } & RoundRange)
  | ({ readonly kind: "lostTransactions"; readonly group: string | null; readonly probability: number } & RoundRange)
  | ({
      readonly kind: "lateTransactions";
      readonly group: string | null;
      readonly probability: number;
      readonly delaySlots: number;
    } & RoundRange);

export type Scenario = {
  readonly name: string;
  readonly description: string;
  readonly preset: SimPresetName;
  /** The preset with the file's overrides applied: gradual's rules (see rules.ts for Koii's). */
  readonly params: TaskParams;
  /** Cycles start in rounds [0, rounds); the run then settles every open cycle and closes the task. */
  readonly rounds: number;
  readonly autoClaim: boolean;
  readonly groups: readonly GroupSpec[];
  readonly faults: readonly FaultSpec[];
  /**
   * The protocol's full conservation recount every this many rounds (default 10) and at the end. The O(1) running
   * totals are checked every slot and the record recount every round regardless.
   */
  readonly fullCheckEveryRounds: number;
};

/** A scenario file that cannot run: `SIM__BAD_SCENARIO`, every problem on its own line. */
export class ScenarioError extends GradualError<"SIM__BAD_SCENARIO"> {
  override readonly name = "ScenarioError";
  constructor(message: string) {
    super("SIM__BAD_SCENARIO", { message });
  }
}

const LIMITS_SIM = { maxRounds: 10_000, maxNodes: 100_000, maxGroups: 64, maxFaults: 256 } as const;

const AMOUNT_PARAMS = new Set(["minimumStake", "bountyPerRound", "triggerBond", "losingVotePenalty"]);

type Raw = Record<string, unknown>;

class Reader {
  readonly problems: string[] = [];
  constructor(readonly source: string) {}

  fail(path: string, reason: string): void {
    this.problems.push(`${this.source}: ${path}: ${reason}`);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Raw {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, `expected a mapping, got ${describe(value)}`);
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, `unknown field (expected one of ${allowed.join(", ")})`);
    }
    return value as Raw;
  }

  string(raw: Raw, key: string, path: string, fallback?: string): string {
    const value = raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== "string" || value.length === 0 || value.length > 200) {
      this.fail(`${path}.${key}`, `expected a non-empty string, got ${describe(value)}`);
      return fallback ?? "";
    }
    return value;
  }

  integer(raw: Raw, key: string, path: string, min: number, max: number, fallback?: number): number {
    const value = raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(`${path}.${key}`, `expected an integer in [${min}, ${max}], got ${describe(value)}`);
      return fallback ?? min;
    }
    return value;
  }

  fraction(raw: Raw, key: string, path: string, fallback?: number, { open = false } = {}): number {
    const value = raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    const bad =
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      value < 0 ||
      value > 1 ||
      (open && (value <= 0 || value >= 1));
    if (bad) {
      this.fail(`${path}.${key}`, `expected a number in ${open ? "(0, 1)" : "[0, 1]"}, got ${describe(value)}`);
      return fallback ?? 0;
    }
    return value as number;
  }

  tokens(raw: Raw, key: string, path: string): bigint | null {
    const value = raw[key];
    if (value === undefined) return null;
    try {
      return parseTokenAmount(value as string | number);
    } catch {
      this.fail(`${path}.${key}`, `expected a token amount like 1000 or "0.5", got ${describe(value)}`);
      return null;
    }
  }

  oneOf<T extends string>(raw: Raw, key: string, path: string, options: readonly T[], fallback?: T): T {
    const value = raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
      this.fail(`${path}.${key}`, `expected one of ${options.join(", ")}, got ${describe(value)}`);
      return fallback ?? (options[0] as T);
    }
    return value as T;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "a mapping";
  return String(value);
}

function readParams(reader: Reader, raw: Raw): { preset: SimPresetName; params: TaskParams } {
  const task = reader.object(raw.task ?? {}, "task", ["preset", "params"]);
  const preset = reader.oneOf(task, "preset", "task", Object.keys(SIM_PRESETS) as SimPresetName[], "sim");
  const overrides = reader.object(task.params ?? {}, "task.params", PARAM_NAMES);
  const params: Record<string, unknown> = { ...SIM_PRESETS[preset] };
  for (const [key, value] of Object.entries(overrides)) {
    if (AMOUNT_PARAMS.has(key)) params[key] = reader.tokens(overrides, key, "task.params") ?? params[key];
    else if (key === "auditMode") params[key] = reader.oneOf(overrides, key, "task.params", AUDIT_MODES);
    else if (key === "distributionRule") {
      params[key] = reader.oneOf(overrides, key, "task.params", DISTRIBUTION_RULES);
    } else if (typeof value === "number" && Number.isSafeInteger(value)) params[key] = value;
    else reader.fail(`task.params.${key}`, `expected an integer, got ${describe(value)}`);
  }
  const resolved = params as TaskParams;
  for (const problem of findParamsProblems(resolved)) reader.fail(`task.params.${problem.field}`, problem.reason);
  return { preset, params: resolved };
}

type GroupDraft = Omit<GroupSpec, "stake"> & { stake: bigint | null };

function readGroup(reader: Reader, value: unknown, index: number, params: TaskParams, rounds: number): GroupDraft {
  const path = `groups[${index}]`;
  const raw = reader.object(value, path, [
    "name",
    "strategy",
    "count",
    "stake",
    "share",
    "balance",
    "joinRound",
    "leaveRound",
    "offlineProbability",
    "strikeRound",
    "strikeUntil",
    "topUpRound",
    "topUp",
  ]);
  const strategy = reader.oneOf(raw, "strategy", path, STRATEGY_NAMES);
  const stake = reader.tokens(raw, "stake", path);
  const share = raw.share === undefined ? null : reader.fraction(raw, "share", path, undefined, { open: true });
  if (stake !== null && share !== null) reader.fail(path, "give either stake or share, not both");
  const joinRound = reader.integer(raw, "joinRound", path, 0, rounds - 1, 0);
  const leaveRound =
    raw.leaveRound === undefined ? null : reader.integer(raw, "leaveRound", path, joinRound + 1, rounds);
  const strikeRound = reader.integer(raw, "strikeRound", path, joinRound, (leaveRound ?? rounds) - 1, joinRound);
  if (raw.strikeRound !== undefined && !STRIKING_STRATEGIES.includes(strategy)) {
    reader.fail(`${path}.strikeRound`, `only ${STRIKING_STRATEGIES.join(", ")} groups strike later, not ${strategy}`);
  }
  const strikeUntil =
    raw.strikeUntil === undefined
      ? null
      : reader.integer(raw, "strikeUntil", path, strikeRound + 1, leaveRound ?? rounds);
  if (raw.strikeUntil !== undefined && !STRIKING_STRATEGIES.includes(strategy)) {
    reader.fail(`${path}.strikeUntil`, `only ${STRIKING_STRATEGIES.join(", ")} groups stop striking, not ${strategy}`);
  }
  const topUpRound =
    raw.topUpRound === undefined
      ? null
      : reader.integer(raw, "topUpRound", path, joinRound + 1, (leaveRound ?? rounds) - 1);
  const topUp = reader.tokens(raw, "topUp", path);
  if ((topUpRound === null) !== (topUp === null)) reader.fail(path, "give topUpRound and topUp together");
  return {
    name: reader.string(raw, "name", path, `${strategy}-${index}`),
    strategy,
    count: reader.integer(raw, "count", path, 1, LIMITS_SIM.maxNodes),
    stake: share === null ? (stake ?? params.minimumStake) : null,
    share,
    balance: reader.tokens(raw, "balance", path) ?? params.triggerBond * 100n,
    joinRound,
    leaveRound,
    offlineProbability: reader.fraction(raw, "offlineProbability", path, 0.5),
    strikeRound,
    strikeUntil,
    topUpRound,
    topUp: topUp ?? 0n,
  };
}

/**
 * Stake of groups given as a share of all stake: with fixed stake F and shares s_i, the total T solves
 * T = F + sum(s_i) * T, so group i stakes s_i * F / (1 - sum s_i), split evenly over its nodes.
 */
function resolveShares(reader: Reader, drafts: GroupDraft[], params: TaskParams): GroupSpec[] {
  const fixed = drafts.reduce((sum, group) => sum + (group.stake ?? 0n) * BigInt(group.count), 0n);
  const shareSum = drafts.reduce((sum, group) => sum + (group.share ?? 0), 0);
  if (shareSum >= 1) reader.fail("groups", `shares add up to ${shareSum}, expected less than 1`);
  if (shareSum > 0 && fixed === 0n) reader.fail("groups", "a share needs at least one group with a fixed stake");
  return drafts.map((group, index) => {
    if (group.stake !== null) return { ...group, stake: group.stake };
    const share = BigInt(Math.round((group.share ?? 0) * 1_000_000));
    const rest = BigInt(Math.round(Math.max(1 - shareSum, 1e-6) * 1_000_000));
    const total = (fixed * share) / rest;
    const stake = total / BigInt(group.count);
    if (group.share !== 0 && stake < params.minimumStake) {
      reader.fail(`groups[${index}]`, `share ${group.share} gives ${stake} base units per node, under minimumStake`);
    }
    return { ...group, stake };
  });
}

function readFault(
  reader: Reader,
  value: unknown,
  index: number,
  groups: Set<string>,
  rounds: number,
  roundSlots: number,
): FaultSpec {
  const path = `faults[${index}]`;
  const kindRaw = reader.object(value, path, [
    "kind",
    "group",
    "count",
    "probability",
    "delaySlots",
    "atSlot",
    "fromRound",
    "toRound",
  ]);
  const kind = reader.oneOf(kindRaw, "kind", path, FAULT_KINDS);
  const fromRound = reader.integer(kindRaw, "fromRound", path, 0, rounds, 0);
  const toRound = reader.integer(kindRaw, "toRound", path, fromRound + 1, LIMITS_SIM.maxRounds, rounds);
  const group = kindRaw.group === undefined ? null : reader.string(kindRaw, "group", path);
  if (group !== null && !groups.has(group)) reader.fail(`${path}.group`, `no group named ${JSON.stringify(group)}`);
  const range = { fromRound, toRound };
  if (kind === "crash" || kind === "cannotFetch") {
    if (group === null) reader.fail(`${path}.group`, `a ${kind} fault needs a group`);
    if (kind === "cannotFetch") return { kind, group: group ?? "", ...range };
    const count = kindRaw.count === undefined ? null : reader.integer(kindRaw, "count", path, 1, LIMITS_SIM.maxNodes);
    const atSlot = reader.integer(kindRaw, "atSlot", path, 0, roundSlots - 1, 0);
    return { kind, group: group ?? "", count, atSlot, ...range };
  }
  const probability = reader.fraction(kindRaw, "probability", path);
  if (kind === "lostTransactions") return { kind, group, probability, ...range };
  return { kind, group, probability, delaySlots: reader.integer(kindRaw, "delaySlots", path, 1, 1_000, 3), ...range };
}

/** Validates a scenario given as a plain object (parsed YAML, or built by the report's sweeps). */
export function createScenario(input: unknown, source = "scenario"): Scenario {
  const reader = new Reader(source);
  const raw = reader.object(input, "(root)", [
    "name",
    "description",
    "task",
    "rounds",
    "autoClaim",
    "groups",
    "faults",
    "checks",
  ]);
  const { preset, params } = readParams(reader, raw);
  const rounds = reader.integer(raw, "rounds", "(root)", 1, LIMITS_SIM.maxRounds);
  const groupsRaw = raw.groups;
  if (!Array.isArray(groupsRaw) || groupsRaw.length === 0 || groupsRaw.length > LIMITS_SIM.maxGroups) {
    reader.fail("groups", `expected a list of 1 to ${LIMITS_SIM.maxGroups} groups, got ${describe(groupsRaw)}`);
  }
  const drafts = (Array.isArray(groupsRaw) ? groupsRaw : []).map((group, index) =>
    readGroup(reader, group, index, params, rounds),
  );
  const names = new Set<string>();
  for (const group of drafts) {
    if (names.has(group.name)) reader.fail("groups", `two groups are named ${JSON.stringify(group.name)}`);
    names.add(group.name);
  }
  const nodeCount = drafts.reduce((sum, group) => sum + group.count, 0);
  if (nodeCount > Math.min(params.maxNodes, LIMITS.maxNodes)) {
    reader.fail("groups", `${nodeCount} nodes exceed the task's maxNodes ${params.maxNodes}`);
  }
  const groups = resolveShares(reader, drafts, params);
  const faultsRaw = raw.faults ?? [];
  if (!Array.isArray(faultsRaw) || faultsRaw.length > LIMITS_SIM.maxFaults) {
    reader.fail("faults", `expected a list of at most ${LIMITS_SIM.maxFaults} faults, got ${describe(faultsRaw)}`);
  }
  const faults = (Array.isArray(faultsRaw) ? faultsRaw : []).map((fault, index) =>
    readFault(reader, fault, index, names, rounds, params.roundSlots),
  );
  const checks = reader.object(raw.checks ?? {}, "checks", ["fullEveryRounds"]);
  const autoClaim = raw.autoClaim ?? true;
  if (typeof autoClaim !== "boolean") reader.fail("autoClaim", `expected true or false, got ${describe(autoClaim)}`);
  const scenario: Scenario = {
    name: reader.string(raw, "name", "(root)", source),
    description: raw.description === undefined ? "" : reader.string(raw, "description", "(root)"),
    preset,
    params,
    rounds,
    autoClaim: autoClaim === true,
    groups,
    faults,
    fullCheckEveryRounds: reader.integer(checks, "fullEveryRounds", "checks", 1, LIMITS_SIM.maxRounds, 10),
  };
  if (reader.problems.length > 0) throw new ScenarioError(reader.problems.join("\n"));
  return scenario;
}

export function parseScenario(text: string, source = "scenario"): Scenario {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  return createScenario(parsed, source);
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseScenario(text, basename(path));
}
