import { isBigintString } from "../encoding/canonical.ts";
import { isLowerHex } from "../encoding/lowerHex.ts";
import { type ErrorCode, type Rejection, reject } from "../errors.ts";
import { AUDIT_MODES, DISTRIBUTION_RULES, LIMITS, type TaskParams } from "../params.ts";
import type { Transaction, TransactionKind } from "../types.ts";

/**
 * The shape of every transaction kind (protocol.md §9.1), checked at the ledger's edge and again by
 * `applyTransaction`. Wire JSON carries amounts as decimal strings; decoding turns them into bigints, and rejects
 * unknown fields so that a signed payload can never carry data the rules ignore.
 */

type FieldType =
  | "account"
  | "hash"
  | "hashOrNull"
  | "amount"
  | "positiveAmount"
  | "uint"
  | "chainId"
  | "name"
  | "url"
  | "params"
  | "proof"
  | "triggerKind"
  | "verdict"
  | "payload"
  | "voteChoice";

const COMMON = { chainId: "chainId", from: "account", nonce: "uint" } as const;

export const TRANSACTION_FIELDS = {
  transfer: { to: "account", amount: "positiveAmount" },
  createTask: {
    name: "name",
    bundleHash: "hash",
    metadataHash: "hashOrNull",
    params: "params",
    funding: "positiveAmount",
  },
  fundTask: { task: "hash", amount: "positiveAmount" },
  closeTask: { task: "hash" },
  stake: { task: "hash", amount: "positiveAmount", nodeUrl: "url" },
  unstake: { task: "hash" },
  withdraw: { task: "hash" },
  commit: { task: "hash", cycle: "uint", commitment: "hash" },
  reveal: { task: "hash", cycle: "uint", proofDigest: "hash", salt: "hash" },
  commitAndReveal: { task: "hash", cycle: "uint", commitment: "hash", proofDigest: "hash", salt: "hash" },
  triggerAudit: {
    task: "hash",
    cycle: "uint",
    target: "account",
    triggerKind: "triggerKind",
    verdict: "verdict",
    attempt: "uint",
    reasonDigest: "hash",
  },
  publishProof: { task: "hash", cycle: "uint", trigger: "uint", payload: "payload" },
  vote: { task: "hash", cycle: "uint", trigger: "uint", choice: "voteChoice" },
  submitDistribution: {
    task: "hash",
    cycle: "uint",
    attempt: "uint",
    listRoot: "hash",
    listBlob: "hash",
    total: "amount",
    entryCount: "uint",
  },
  claimDistribution: {
    task: "hash",
    cycle: "uint",
    recipient: "account",
    amount: "amount",
    index: "uint",
    proof: "proof",
  },
  claim: { task: "hash" },
} as const satisfies Record<TransactionKind, Record<string, FieldType>>;

export const TRANSACTION_KINDS = Object.keys(TRANSACTION_FIELDS) as TransactionKind[];

const CHAIN_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;

type Malformed = Rejection<"TX__MALFORMED">;

function malformed(field: string, expected: string, got: unknown): Malformed {
  const shown =
    typeof got === "string" ? JSON.stringify(got).slice(0, 80) : typeof got === "bigint" ? `${got}` : typeof got;
  return reject("TX__MALFORMED", { field, expected, got: shown }, `${field}: expected ${expected}, got ${shown}`);
}

/**
 * A kind that is not one: named as JSON says it, except a bigint (a canonically parsed "5n"), which JSON cannot
 * say and which used to throw here instead of being refused.
 */
function unknownKind(kind: unknown): DecodeRejection {
  const shown = typeof kind === "bigint" ? `${kind}n` : JSON.stringify(kind);
  return reject("TX__UNKNOWN_KIND", { kind: String(kind) }, `unknown transaction kind ${shown}`);
}

const AMOUNT_LIMIT = 2n ** 128n;
const DECIMAL_AMOUNT = /^(0|[1-9][0-9]{0,38})$/;

function toAmount(field: string, raw: unknown, positive: boolean): bigint | Malformed {
  let value: bigint | undefined;
  if (typeof raw === "bigint") value = raw;
  // Wire form only (§9.2): plain decimal digits, no sign, no leading zero, no "n" suffix.
  else if (typeof raw === "string" && DECIMAL_AMOUNT.test(raw)) value = BigInt(raw);
  if (value === undefined || value < 0n || value >= AMOUNT_LIMIT || (positive && value === 0n)) {
    const expected = positive ? "a positive integer amount as a decimal string" : "a non-negative integer amount";
    return malformed(field, expected, raw);
  }
  return value;
}

function isMalformed(value: unknown): value is Malformed {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}

const PARAM_TYPES: Record<keyof TaskParams, "uint" | "amount" | "auditMode" | "distributionRule"> = {
  roundSlots: "uint",
  commitSlots: "uint",
  revealSlots: "uint",
  auditSlots: "uint",
  voteSlots: "uint",
  distributionSlots: "uint",
  distributionAuditSlots: "uint",
  minimumStake: "amount",
  bountyPerRound: "amount",
  maxNodes: "uint",
  auditsPerNode: "uint",
  auditMode: "auditMode",
  triggerBond: "amount",
  slashQuorumBps: "uint",
  slashSupermajorityBps: "uint",
  minParticipationBps: "uint",
  slashFractionBps: "uint",
  whistleblowerShareBps: "uint",
  losingVotePenalty: "amount",
  maxTriggersPerNodePerCycle: "uint",
  allowedFailedDistributions: "uint",
  warmupRounds: "uint",
  rampRounds: "uint",
  unbondingRounds: "uint",
  vestingRounds: "uint",
  maxProofBytes: "uint",
  distributionRule: "distributionRule",
};

export const PARAM_NAMES = Object.keys(PARAM_TYPES) as (keyof TaskParams)[];

export function decodeParams(raw: unknown, prefix = "params"): TaskParams | Malformed {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return malformed(prefix, "an object", raw);
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // Own properties only: "constructor" or "__proto__" must not pass for a parameter (§9.1).
    if (!Object.hasOwn(PARAM_TYPES, key)) return malformed(`${prefix}.${key}`, "no such parameter", record[key]);
  }
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(PARAM_TYPES)) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    const field = `${prefix}.${name}`;
    if (type === "uint") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
        return malformed(field, "a non-negative integer", value);
      }
      out[name] = value;
    } else if (type === "amount") {
      const amount = toAmount(field, value, false);
      if (isMalformed(amount)) return amount;
      out[name] = amount;
    } else if (type === "distributionRule") {
      if (typeof value !== "string" || !(DISTRIBUTION_RULES as readonly string[]).includes(value)) {
        return malformed(field, `one of ${DISTRIBUTION_RULES.join(", ")}`, value);
      }
      out[name] = value;
    } else {
      if (typeof value !== "string" || !(AUDIT_MODES as readonly string[]).includes(value)) {
        return malformed(field, `one of ${AUDIT_MODES.join(", ")}`, value);
      }
      out[name] = value;
    }
  }
  return out as TaskParams;
}

function decodeField(field: string, type: FieldType, value: unknown): unknown {
  switch (type) {
    case "account":
    case "hash":
      return typeof value === "string" && isLowerHex(value, 64)
        ? value
        : malformed(field, "64 lowercase hex characters", value);
    case "hashOrNull":
      return value === null || value === undefined
        ? null
        : typeof value === "string" && isLowerHex(value, 64)
          ? value
          : malformed(field, "null or 64 lowercase hex characters", value);
    case "amount":
      return toAmount(field, value, false);
    case "positiveAmount":
      return toAmount(field, value, true);
    case "uint":
      return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value < 2 ** 32
        ? value
        : malformed(field, "an integer in [0, 2^32)", value);
    case "chainId":
      return typeof value === "string" && CHAIN_ID.test(value) && !isBigintString(value)
        ? value
        : malformed(field, "a chain id of lowercase letters, digits and dashes (at most 32)", value);
    case "name":
      return typeof value === "string" &&
        value.length <= LIMITS.maxTaskNameLength &&
        NAME.test(value) &&
        !isBigintString(value)
        ? value
        : malformed(
            field,
            `a name of letters, digits, space, '.', '_' or '-' (at most ${LIMITS.maxTaskNameLength})`,
            value,
          );
    case "url":
      return typeof value === "string" &&
        value.length <= LIMITS.maxNodeUrlLength &&
        /^https?:\/\/[^\s]+$/.test(value) &&
        !/^-?\d+n$/.test(value)
        ? value
        : malformed(field, `an http(s) URL of at most ${LIMITS.maxNodeUrlLength} characters`, value);
    case "params":
      return decodeParams(value, field);
    case "triggerKind":
      return value === "proof" || value === "distribution"
        ? value
        : malformed(field, "'proof' or 'distribution'", value);
    case "verdict":
      return value === "invalid" || value === "unavailable" || value === "valid"
        ? value
        : malformed(field, "'invalid', 'unavailable' or 'valid'", value);
    case "payload":
      return typeof value === "string" &&
        value.length % 2 === 0 &&
        value.length <= 2 * LIMITS.maxProofBytes &&
        /^[0-9a-f]*$/.test(value)
        ? value
        : malformed(field, `lowercase hex of at most ${LIMITS.maxProofBytes} bytes`, value);
    case "voteChoice":
      return value === "valid" || value === "invalid" || value === "unavailable"
        ? value
        : malformed(field, "'valid', 'invalid' or 'unavailable'", value);
    case "proof": {
      if (!Array.isArray(value) || value.length > LIMITS.maxListProofLength) {
        return malformed(field, `an array of at most ${LIMITS.maxListProofLength} hashes`, value);
      }
      // An index loop: no [index, sibling] pair per sibling (a claim carries 14 of them).
      for (let index = 0; index < value.length; index += 1) {
        const sibling: unknown = value[index];
        if (typeof sibling !== "string" || !isLowerHex(sibling, 64)) {
          return malformed(`${field}[${index}]`, "64 lowercase hex characters", sibling);
        }
      }
      return value as string[];
    }
  }
}

/** Each kind's fields (the common ones first), built once: decoding runs twice per transaction (edge and core). */
const KIND_FIELDS = Object.fromEntries(
  TRANSACTION_KINDS.map((kind) => {
    const fields: Readonly<Record<string, FieldType>> = Object.freeze({ ...COMMON, ...TRANSACTION_FIELDS[kind] });
    return [kind, { fields, entries: Object.entries(fields) as readonly (readonly [string, FieldType])[] }];
  }),
) as Record<
  TransactionKind,
  { readonly fields: Readonly<Record<string, FieldType>>; readonly entries: readonly (readonly [string, FieldType])[] }
>;

export type DecodeRejection = Rejection<"TX__MALFORMED" | "TX__UNKNOWN_KIND" | "TX__UNKNOWN_FIELD">;

/** Turns wire JSON (or an in-memory object) into a typed transaction, or says exactly which field is wrong. */
export function decodeTransaction(raw: unknown): Transaction | DecodeRejection {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return malformed("tx", "an object", raw);
  const record = raw as Record<string, unknown>;
  const kind = Object.hasOwn(record, "kind") ? record.kind : undefined;
  // Own properties only: an Object.prototype name ("constructor", "toString", "__proto__") is not a kind (§9.1).
  if (typeof kind !== "string" || !Object.hasOwn(TRANSACTION_FIELDS, kind)) {
    return unknownKind(kind);
  }
  const fast = fastDecoder(kind as TransactionKind);
  if (fast !== undefined && hasExactlyFields(record, fast)) {
    const tx = fast.decode(record);
    if (tx !== undefined) return tx;
  }
  return decodeFields(record, kind as TransactionKind);
}

/**
 * `decodeTransaction` by the general path alone: every kind's fields checked one by one from the table. Exported for
 * the tests that hold the per-kind decoders to it.
 */
export function decodeTransactionGeneral(raw: unknown): Transaction | DecodeRejection {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return malformed("tx", "an object", raw);
  const record = raw as Record<string, unknown>;
  const kind = Object.hasOwn(record, "kind") ? record.kind : undefined;
  if (typeof kind !== "string" || !Object.hasOwn(TRANSACTION_FIELDS, kind)) {
    return unknownKind(kind);
  }
  return decodeFields(record, kind as TransactionKind);
}

/** The general path: the unknown-field check, then each field of the kind's table in order, into a new object. */
function decodeFields(record: Record<string, unknown>, kind: TransactionKind): Transaction | DecodeRejection {
  const { fields, entries } = KIND_FIELDS[kind];
  // for-in with an own-property check visits exactly Object.keys(record), without allocating its array.
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key !== "kind" && !Object.hasOwn(fields, key)) {
      return reject("TX__UNKNOWN_FIELD", { field: key }, `${kind} has no field ${JSON.stringify(key)}`);
    }
  }
  const tx: Record<string, unknown> = { kind };
  for (const [field, type] of entries) {
    const decoded = decodeField(field, type, Object.hasOwn(record, field) ? record[field] : undefined);
    if (isMalformed(decoded)) return decoded;
    tx[field] = decoded;
  }
  return tx as Transaction;
}

// Per-kind decoders ---------------------------------------------------------------------------------------------

/**
 * The kinds a cycle sends by the ten thousand, each decoded by a function of its own: its fields read once by name
 * and the transaction built as one object literal (the general path's keyed reads and stores of a table's field
 * names cost several microseconds a transaction, as much as the rest of a vote's rules). A per-kind decoder only
 * accepts: given a record with exactly the kind's fields (`hasExactlyFields`), it returns the very object the
 * general path would build (same fields, same order, same values), or `undefined` for anything it does not accept,
 * and the general path then decides and names the wrong field. test/schema.test.ts holds the two paths to the same
 * result over random records.
 */
type FastDecoder = {
  /** "kind" and the kind's fields (the common ones first), in the general path's order. */
  readonly names: readonly string[];
  readonly allowed: ReadonlySet<string>;
  /** The last key order seen that passed, compared first (the same producer sends its fields in one order). */
  lastKeys: readonly string[] | null;
  readonly decode: (record: Record<string, unknown>) => Transaction | undefined;
};

/**
 * True if the record's own enumerable keys are exactly "kind" and the kind's fields, in any order (what the general
 * path's unknown-field check passes and its field reads find, every field present).
 */
function hasExactlyFields(record: Record<string, unknown>, fast: FastDecoder): boolean {
  const keys = Object.keys(record);
  if (keys.length !== fast.names.length) return false;
  const last = fast.lastKeys;
  if (last !== null) {
    let index = 0;
    while (index < keys.length && keys[index] === last[index]) index += 1;
    if (index === keys.length) return true;
  }
  // Distinct keys, as many as the names and each one of them: exactly the names.
  for (let index = 0; index < keys.length; index += 1) if (!fast.allowed.has(keys[index] as string)) return false;
  fast.lastKeys = keys;
  return true;
}

function isHash(value: unknown): value is string {
  return typeof value === "string" && isLowerHex(value, 64);
}

/**
 * Hashes that passed `isLowerHex` lately, of the fields whose values come back by the thousand: a transaction's
 * task and sender, a claim's recipient and its proof's siblings (claims of one list share the upper levels of its
 * tree). Finding one here (the string keeps its hash once computed) costs a fraction of checking its 64 digits
 * again, and a string's content decides, so the answer is the same. Fields that are new each time (salts, digests,
 * commitments) are checked without it. Bounded: it starts over past KNOWN_HASH_LIMIT entries.
 */
const knownHashes = new Set<string>();
const KNOWN_HASH_LIMIT = 1 << 15;

/** `isHash`, through `knownHashes`. */
function isKnownHash(value: unknown): value is string {
  if (typeof value !== "string" || value.length !== 64) return false;
  if (knownHashes.has(value)) return true;
  if (!isLowerHex(value, 64)) return false;
  if (knownHashes.size >= KNOWN_HASH_LIMIT) knownHashes.clear();
  knownHashes.add(value);
  return true;
}

function isUint(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value < 2 ** 32;
}

/** The last chain id that passed its check: every transaction of a chain carries the same one. */
let knownChainId = "";

function isChainId(value: unknown): value is string {
  if (typeof value !== "string") return false;
  if (value === knownChainId) return true;
  if (!CHAIN_ID.test(value) || isBigintString(value)) return false;
  knownChainId = value;
  return true;
}

/** The amount `toAmount` gives, or undefined where it refuses. */
function amountOf(value: unknown, positive: boolean): bigint | undefined {
  if (typeof value === "bigint") {
    return value >= 0n && value < AMOUNT_LIMIT && (!positive || value !== 0n) ? value : undefined;
  }
  const amount = toAmount("", value, positive);
  return typeof amount === "bigint" ? amount : undefined;
}

function isProof(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length > LIMITS.maxListProofLength) return false;
  for (let index = 0; index < value.length; index += 1) if (!isKnownHash(value[index])) return false;
  return true;
}

function fastDecoderOf(
  kind: TransactionKind,
  decode: (record: Record<string, unknown>) => Transaction | undefined,
): FastDecoder {
  const names = ["kind", ...KIND_FIELDS[kind].entries.map(([name]) => name)];
  return { names, allowed: new Set(names), lastKeys: null, decode };
}

// Each reads its fields in the general path's order and builds them in that order (kind, chainId, from, nonce, the
// kind's own fields): a test checks the order against the table.
const FAST_DECODERS: Partial<Record<TransactionKind, FastDecoder>> = {
  transfer: fastDecoderOf("transfer", (record) => {
    const { chainId, from, nonce, to } = record;
    const amount = amountOf(record.amount, true);
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(to) || amount === undefined) return;
    return { kind: "transfer", chainId, from, nonce, to, amount };
  }),
  fundTask: fastDecoderOf("fundTask", (record) => {
    const { chainId, from, nonce, task } = record;
    const amount = amountOf(record.amount, true);
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || amount === undefined)
      return;
    return { kind: "fundTask", chainId, from, nonce, task, amount };
  }),
  closeTask: fastDecoderOf("closeTask", (record) => {
    const { chainId, from, nonce, task } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task)) return;
    return { kind: "closeTask", chainId, from, nonce, task };
  }),
  unstake: fastDecoderOf("unstake", (record) => {
    const { chainId, from, nonce, task } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task)) return;
    return { kind: "unstake", chainId, from, nonce, task };
  }),
  withdraw: fastDecoderOf("withdraw", (record) => {
    const { chainId, from, nonce, task } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task)) return;
    return { kind: "withdraw", chainId, from, nonce, task };
  }),
  claim: fastDecoderOf("claim", (record) => {
    const { chainId, from, nonce, task } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task)) return;
    return { kind: "claim", chainId, from, nonce, task };
  }),
  commit: fastDecoderOf("commit", (record) => {
    const { chainId, from, nonce, task, cycle, commitment } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isHash(commitment)) return;
    return { kind: "commit", chainId, from, nonce, task, cycle, commitment };
  }),
  reveal: fastDecoderOf("reveal", (record) => {
    const { chainId, from, nonce, task, cycle, proofDigest, salt } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isHash(proofDigest) || !isHash(salt)) return;
    return { kind: "reveal", chainId, from, nonce, task, cycle, proofDigest, salt };
  }),
  commitAndReveal: fastDecoderOf("commitAndReveal", (record) => {
    const { chainId, from, nonce, task, cycle, commitment, proofDigest, salt } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isHash(commitment) || !isHash(proofDigest) || !isHash(salt)) return;
    return { kind: "commitAndReveal", chainId, from, nonce, task, cycle, commitment, proofDigest, salt };
  }),
  triggerAudit: fastDecoderOf("triggerAudit", (record) => {
    const { chainId, from, nonce, task, cycle, target, triggerKind, verdict, attempt, reasonDigest } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isKnownHash(target) || !(triggerKind === "proof" || triggerKind === "distribution")) return;
    if (!(verdict === "invalid" || verdict === "unavailable" || verdict === "valid")) return;
    if (!isUint(attempt) || !isHash(reasonDigest)) return;
    return {
      kind: "triggerAudit",
      chainId,
      from,
      nonce,
      task,
      cycle,
      target,
      triggerKind,
      verdict,
      attempt,
      reasonDigest,
    };
  }),
  vote: fastDecoderOf("vote", (record) => {
    const { chainId, from, nonce, task, cycle, trigger, choice } = record;
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isUint(trigger) || !(choice === "valid" || choice === "invalid" || choice === "unavailable")) return;
    return { kind: "vote", chainId, from, nonce, task, cycle, trigger, choice };
  }),
  submitDistribution: fastDecoderOf("submitDistribution", (record) => {
    const { chainId, from, nonce, task, cycle, attempt, listRoot, listBlob, entryCount } = record;
    const total = amountOf(record.total, false);
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isUint(attempt) || !isHash(listRoot) || !isHash(listBlob) || total === undefined || !isUint(entryCount))
      return;
    return {
      kind: "submitDistribution",
      chainId,
      from,
      nonce,
      task,
      cycle,
      attempt,
      listRoot,
      listBlob,
      total,
      entryCount,
    };
  }),
  claimDistribution: fastDecoderOf("claimDistribution", (record) => {
    const { chainId, from, nonce, task, cycle, recipient, index, proof } = record;
    const amount = amountOf(record.amount, false);
    if (!isChainId(chainId) || !isKnownHash(from) || !isUint(nonce) || !isKnownHash(task) || !isUint(cycle)) return;
    if (!isKnownHash(recipient) || amount === undefined || !isUint(index) || !isProof(proof)) return;
    return { kind: "claimDistribution", chainId, from, nonce, task, cycle, recipient, amount, index, proof };
  }),
};

function fastDecoder(kind: TransactionKind): FastDecoder | undefined {
  return FAST_DECODERS[kind];
}

/** The kinds with a decoder of their own (for the tests). */
export function fastDecoderKinds(): readonly TransactionKind[] {
  return Object.keys(FAST_DECODERS) as TransactionKind[];
}

export function isDecodeRejection(value: Transaction | DecodeRejection): value is DecodeRejection {
  return (value as { ok?: unknown }).ok === false;
}

function jsonCopy(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)),
  );
}

/**
 * Wire form: bigints as plain decimal strings, everything else as is; exactly what a JSON round trip with bigints
 * as strings gives. Top-level fields are copied directly (every submission, status and block served converts
 * transactions), nested values (task params, distribution entries) go through that round trip.
 */
export function transactionToJson(tx: Transaction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = tx as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    switch (typeof value) {
      case "string":
      case "boolean":
        out[key] = value;
        break;
      case "bigint":
        out[key] = value.toString();
        break;
      case "number":
        out[key] = Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
        break;
      case "object":
        out[key] = value === null ? null : jsonCopy(value);
        break;
      default:
        break; // undefined, functions and symbols have no JSON form: absent, as JSON.stringify leaves them
    }
  }
  return out;
}

export type { ErrorCode };
