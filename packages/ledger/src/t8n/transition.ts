import {
  advanceSlot,
  applyTransaction,
  checkConservation,
  decodeTransaction,
  ERROR_CODES,
  type ErrorCode,
  GradualError,
  getChain,
  isDecodeRejection,
  type ProtocolEvent,
  type RegisteredCode,
  type State,
  stateEntries,
  stateFromEntries,
  stateRoot,
  type Transaction,
  transactionHash,
} from "@gradual/protocol";
import { admitTransaction } from "../edge.ts";
import { sortKeysDeep, T8nError } from "./json.ts";

/**
 * The state transition behind `gradual t8n`, the spec-vector generator and the spec-vector runner (one code path for
 * all three, after ethereumjs' t8n): a pre-state, an ordered list of steps (advance to a slot, or apply a
 * transaction), and the post-state with every step's result. spec-tests/README.md describes the file formats.
 */

/** What a vector says a transaction step must do. `included` is false exactly for edge codes (TX__*). */
export type Expectation =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: ErrorCode; readonly included: boolean };

export type AdvanceStep = { readonly advanceTo: number; readonly note?: string };

/**
 * A transaction in wire JSON. With `signature` it goes through the ledger edge (`admitTransaction`: size, shape,
 * chain, signature, nonce) first; without, it is taken as already verified and goes straight to `applyTransaction`.
 * `bytes` is the envelope's size as the transport measured it (default: the length of its JSON).
 */
export type TxStep = {
  readonly tx: unknown;
  readonly signature?: string;
  readonly bytes?: number;
  readonly expect?: Expectation;
  readonly note?: string;
};

export type Step = AdvanceStep | TxStep;

export type PreFile = {
  readonly slot: number;
  /** Checked against the records when present. */
  readonly stateRoot?: string;
  readonly records: Readonly<Record<string, unknown>>;
};

export type TxsFile = {
  readonly description?: string;
  /** Names of the accounts the vector uses (public keys in hex), for readers. */
  readonly accounts?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
};

export type AdvanceResult = { readonly step: number; readonly advanceTo: number; readonly events: ProtocolEvent[] };

export type TxResult = {
  readonly step: number;
  readonly kind: string | null;
  /** The transaction hash (a created task's id), null when the transaction does not decode. */
  readonly hash: string | null;
  readonly ok: boolean;
  readonly code?: ErrorCode;
  readonly included?: boolean;
  readonly context?: unknown;
  readonly events: ProtocolEvent[];
};

export type StepResult = AdvanceResult | TxResult;

export type PostFile = {
  readonly slot: number;
  readonly stateRoot: string;
  readonly results: readonly StepResult[];
  readonly records: Readonly<Record<string, unknown>>;
};

export type RunOptions = {
  /** Advance to this slot, one slot at a time, after the last step (`t8n --slot N`). */
  readonly finalSlot?: number;
};

export type RunOutput = { readonly state: State; readonly results: StepResult[] };

// ---------------------------------------------------------------------------------------------------------------
// Reading the input files

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function badInput(code: RegisteredCode, message: string): T8nError {
  return new T8nError(code, message);
}

function isSlot(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Checks the shape of a parsed pre.json: `{ slot, stateRoot?, records }`. */
export function parsePre(value: unknown, what = "pre.json"): PreFile {
  if (!isRecord(value)) throw badInput("T8N__BAD_PRE", `${what}: expected an object { slot, records }`);
  const extra = Object.keys(value).find((key) => !["slot", "stateRoot", "records"].includes(key));
  if (extra !== undefined) throw badInput("T8N__BAD_PRE", `${what}: unknown field "${extra}"`);
  if (!isSlot(value.slot)) throw badInput("T8N__BAD_PRE", `${what}: "slot" must be a non-negative integer`);
  if (value.stateRoot !== undefined && (typeof value.stateRoot !== "string" || !/^[0-9a-f]{64}$/.test(value.stateRoot)))
    throw badInput("T8N__BAD_PRE", `${what}: "stateRoot" must be 64 lowercase hex characters`);
  if (!isRecord(value.records)) {
    throw badInput("T8N__BAD_PRE", `${what}: "records" must map state keys to records`);
  }
  return value as PreFile;
}

function parseExpectation(value: unknown, where: string): Expectation {
  if (!isRecord(value)) throw badInput("T8N__BAD_TXS", `${where}.expect: expected { ok: true } or { ok: false, ... }`);
  if (value.ok === true && Object.keys(value).length === 1) return { ok: true };
  if (value.ok !== false || typeof value.code !== "string" || !(value.code in ERROR_CODES)) {
    throw badInput("T8N__BAD_TXS", `${where}.expect: expected { ok: false, code: <an ERROR_CODES code>, included }`);
  }
  if (typeof value.included !== "boolean" || Object.keys(value).length !== 3) {
    throw badInput("T8N__BAD_TXS", `${where}.expect: expected exactly { ok, code, included: boolean }`);
  }
  return { ok: false, code: value.code as ErrorCode, included: value.included };
}

function parseStep(value: unknown, index: number): Step {
  const where = `steps[${index}]`;
  if (!isRecord(value)) throw badInput("T8N__BAD_TXS", `${where}: expected { advanceTo } or { tx, ... }`);
  if (value.note !== undefined && typeof value.note !== "string") {
    throw badInput("T8N__BAD_TXS", `${where}.note: expected a string`);
  }
  if ("advanceTo" in value) {
    const extra = Object.keys(value).find((key) => key !== "advanceTo" && key !== "note");
    if (extra !== undefined) throw badInput("T8N__BAD_TXS", `${where}: an advanceTo step has no field "${extra}"`);
    if (!isSlot(value.advanceTo)) {
      throw badInput("T8N__BAD_TXS", `${where}.advanceTo: expected a non-negative integer`);
    }
    return value as AdvanceStep;
  }
  if (!("tx" in value)) throw badInput("T8N__BAD_TXS", `${where}: expected "advanceTo" or "tx"`);
  const extra = Object.keys(value).find((key) => !["tx", "signature", "bytes", "expect", "note"].includes(key));
  if (extra !== undefined) throw badInput("T8N__BAD_TXS", `${where}: a tx step has no field "${extra}"`);
  if (value.signature !== undefined && typeof value.signature !== "string") {
    throw badInput("T8N__BAD_TXS", `${where}.signature: expected a hex string`);
  }
  if (value.bytes !== undefined && !isSlot(value.bytes)) {
    throw badInput("T8N__BAD_TXS", `${where}.bytes: expected a non-negative integer`);
  }
  if (value.expect === undefined) return value as TxStep;
  return { ...(value as TxStep), expect: parseExpectation(value.expect, where) };
}

/** Checks the shape of a parsed txs.json: `{ description?, accounts?, steps: [...] }` or a bare array of steps. */
export function parseTxs(value: unknown, what = "txs.json"): TxsFile {
  const file = Array.isArray(value) ? { steps: value } : value;
  if (!isRecord(file) || !Array.isArray(file.steps)) {
    throw badInput("T8N__BAD_TXS", `${what}: expected { steps: [...] } or an array of steps`);
  }
  const extra = Object.keys(file).find((key) => !["description", "accounts", "steps"].includes(key));
  if (extra !== undefined) throw badInput("T8N__BAD_TXS", `${what}: unknown field "${extra}"`);
  if (file.description !== undefined && typeof file.description !== "string") {
    throw badInput("T8N__BAD_TXS", `${what}: "description" must be a string`);
  }
  if (file.accounts !== undefined && !isRecord(file.accounts)) {
    throw badInput("T8N__BAD_TXS", `${what}: "accounts" must map names to public keys`);
  }
  const steps = (file.steps as unknown[]).map((step, index) => {
    try {
      return parseStep(step, index);
    } catch (error) {
      if (error instanceof T8nError) throw badInput(error.code, `${what}: ${error.message}`);
      throw error;
    }
  });
  return { ...(file as TxsFile), steps };
}

// ---------------------------------------------------------------------------------------------------------------
// States and files

/** Builds the state of a pre.json; checks that it holds a chain at `slot`, its root if given, and conservation. */
export function stateFromPre(pre: PreFile, what = "pre.json"): State {
  const state = stateFromEntries(Object.entries(pre.records));
  let chainSlot: number;
  try {
    chainSlot = getChain(state).slot;
  } catch {
    throw badInput("T8N__BAD_PRE", `${what}: the records hold no "chain" record`);
  }
  if (chainSlot !== pre.slot) {
    throw badInput("T8N__BAD_PRE", `${what}: "slot" is ${pre.slot} but the chain record is at slot ${chainSlot}`);
  }
  const root = stateRoot(state);
  if (pre.stateRoot !== undefined && pre.stateRoot !== root) {
    throw badInput("T8N__BAD_PRE", `${what}: "stateRoot" is ${pre.stateRoot} but the records hash to ${root}`);
  }
  try {
    checkConservation(state);
  } catch (error) {
    throw badInput("T8N__BAD_PRE", `${what}: ${(error as Error).message}`);
  }
  return state;
}

/** Every record of a state, keys and fields in canonical (sorted) order. */
function recordsOf(state: State): Record<string, unknown> {
  const records: Record<string, unknown> = {};
  const entries = [...stateEntries(state)].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  for (const [key, value] of entries) records[key] = sortKeysDeep(value);
  return records;
}

export function preFromState(state: State): PreFile {
  return { slot: getChain(state).slot, stateRoot: stateRoot(state), records: recordsOf(state) };
}

export function postFromRun(output: RunOutput): PostFile {
  return {
    slot: getChain(output.state).slot,
    stateRoot: stateRoot(output.state),
    results: output.results,
    records: recordsOf(output.state),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running steps

/** Thrown when a transition breaks conservation (protocol.md §11.1): a protocol bug, never a bad input. */
export class InvariantError extends GradualError<"T8N__INVARIANT_BROKEN"> {
  override readonly name = "InvariantError";
  constructor(message: string) {
    super("T8N__INVARIANT_BROKEN", { message });
  }
}

function checked(state: State, step: number): State {
  try {
    checkConservation(state);
  } catch (error) {
    throw new InvariantError(`after step ${step}: ${(error as Error).message}`);
  }
  return state;
}

function advance(state: State, step: number, slot: number): { state: State; result: AdvanceResult } {
  const from = getChain(state).slot;
  if (slot < from) {
    throw badInput("T8N__BAD_SLOT", `step ${step}: cannot advance to slot ${slot}, the chain is already at ${from}`);
  }
  let current = state;
  const events: ProtocolEvent[] = [];
  for (let next = from + 1; next <= slot; next += 1) {
    const advanced = advanceSlot(current, next);
    current = checked(advanced.state, step);
    events.push(...advanced.events);
  }
  return { state: current, result: { step, advanceTo: slot, events } };
}

function wireBytes(step: TxStep): number {
  const envelope = { tx: step.tx, signature: step.signature };
  const text = JSON.stringify(envelope, (_key, raw: unknown) => (typeof raw === "bigint" ? `${raw}` : raw));
  return new TextEncoder().encode(text).length;
}

function describe(tx: unknown): { kind: string | null; hash: string | null } {
  const kind = isRecord(tx) && typeof tx.kind === "string" ? tx.kind : null;
  const decoded = decodeTransaction(tx);
  return { kind, hash: isDecodeRejection(decoded) ? null : transactionHash(decoded) };
}

function applyTx(state: State, step: number, input: TxStep): { state: State; result: TxResult } {
  const { kind, hash } = describe(input.tx);
  let tx = input.tx as Transaction;
  if (input.signature !== undefined) {
    const admitted = admitTransaction(
      state,
      { tx: input.tx, signature: input.signature },
      { bytes: input.bytes ?? wireBytes(input) },
    );
    if ((admitted as { ok?: unknown }).ok === false) {
      const refusal = admitted as { code: ErrorCode; context: unknown };
      const result = { step, kind, hash, ok: false, code: refusal.code, included: false, context: refusal.context };
      return { state, result: { ...result, events: [] } };
    }
    tx = admitted as Transaction;
  }
  const applied = applyTransaction(state, tx, { slot: getChain(state).slot });
  const events = [...applied.events];
  if (applied.ok) return { state: checked(applied.state, step), result: { step, kind, hash, ok: true, events } };
  const { code, included, context } = applied;
  const result: TxResult = { step, kind, hash, ok: false, code, included, context, events };
  return { state: checked(applied.state, step), result };
}

/**
 * Runs the steps in order from `state` and returns the final state and one result per step (plus one for
 * `finalSlot`). Conservation is recomputed after every slot and transaction; a break throws `InvariantError`.
 */
export function runSteps(state: State, steps: readonly Step[], options: RunOptions = {}): RunOutput {
  let current = state;
  const results: StepResult[] = [];
  steps.forEach((step, index) => {
    const outcome = "advanceTo" in step ? advance(current, index, step.advanceTo) : applyTx(current, index, step);
    current = outcome.state;
    results.push(outcome.result);
  });
  if (options.finalSlot !== undefined) {
    const outcome = advance(current, steps.length, options.finalSlot);
    current = outcome.state;
    results.push(outcome.result);
  }
  return { state: current, results };
}

/** Why a result does not meet its step's expectation, or null when it does. */
export function expectationMismatch(result: StepResult, expect: Expectation | undefined): string | null {
  if (expect === undefined || !("ok" in result)) return null;
  const got = result.ok ? "ok" : `${result.code} (included: ${result.included})`;
  if (expect.ok) return result.ok ? null : `expected ok, got ${got}`;
  if (!result.ok && result.code === expect.code && result.included === expect.included) return null;
  return `expected ${expect.code} (included: ${expect.included}), got ${got}`;
}

/** pre.json + txs.json -> post.json, the whole transition tool in one call. */
export function transition(pre: PreFile, txs: TxsFile, options: RunOptions = {}): PostFile {
  return postFromRun(runSteps(stateFromPre(pre), txs.steps, options));
}
