import type { Account, Hash, TriggerKind, Verdict } from "../types.ts";

/**
 * A state key (protocol.md §9.3): its text and, once the trie has needed it, the packed sha256 of the text that is
 * its path (§9.4). The rules build keys with `stateKeys`, so that a key read or written again carries its hash with
 * it instead of finding it in the trie's memo of key hashes (a lookup in a map of every key, a cache miss, about a
 * tenth of a transaction's time). Two keys with the same text are the same key, whatever object holds them.
 */
export type StateKey = { readonly text: string; hash: string | undefined; readonly head: KeyHead | undefined };

/**
 * What the keys of one kind and one first part share when that much of their text, `{kind}/{part}`, is at least 64
 * ASCII characters (a task id or an account): the same first 64 bytes, SHA-256's first block, whose compression the
 * trie does once (`midstate`, filled by the first key hashed) and not once per key: a new key of 130 to 140
 * characters costs two compressions instead of three, one instead of two for the short index keys.
 */
export type KeyHead = { midstate: Int32Array | undefined };

/** Each second level's head, by level; null where `{kind}/{part}` is too short or not ASCII. */
const headsByLevel = new WeakMap<Level, KeyHead | null>();

/** The head the keys under `level` (reached by `kind` and `part`) share, if they share one. */
function headOf(level: Level, kind: string, part: Part): KeyHead | undefined {
  let head = headsByLevel.get(level);
  if (head === undefined) {
    head =
      typeof part === "string" && kind.length + 1 + part.length >= 64 && isAsciiHead(kind, part)
        ? { midstate: undefined }
        : null;
    headsByLevel.set(level, head);
  }
  return head ?? undefined;
}

/** True if the first 64 characters of `{kind}/{part}` are ASCII (so they are its first 64 UTF-8 bytes). */
function isAsciiHead(kind: string, part: string): boolean {
  for (let index = 0; index < kind.length; index += 1) if (kind.charCodeAt(index) >= 0x80) return false;
  const rest = Math.min(part.length, 63 - kind.length);
  for (let index = 0; index < rest; index += 1) if (part.charCodeAt(index) >= 0x80) return false;
  return true;
}

/** A key as text, or as a `StateKey` that carries its hash once computed. */
export type KeyLike = string | StateKey;

export function keyText(key: KeyLike): string {
  return typeof key === "string" ? key : key.text;
}

type Part = string | number;
type Level = Map<Part, Level | StateKey>;

/**
 * Keys, each built once and then found again by its parts. A key is read by the hundred thousand per block (every
 * query builds one): a string built anew has to be hashed by V8 over all of its ~150 characters on every read, while
 * the key kept here carries its text and its path, and its parts (a task id, an account, both held by records) carry
 * theirs. The cache only saves work: the same parts always give the same text. Bounded: it starts over past
 * KEY_CACHE_LIMIT keys.
 */
const KEY_CACHE_LIMIT = 1 << 18;
/** Each kind's first level, by kind: what `forgetCycleKeys` and starting over reach the levels through. */
const kindLevels = new Map<string, Level>();
let keyCacheSize = 0;

/**
 * A kind's first level, made once: a key built of its parts by a function of its own arity (`key1`...`key5`) looks
 * up only its parts, not its kind, and its code has no loop over a count of parts (about a quarter less time a key).
 */
function kindLevel(kind: string): Level {
  const level: Level = new Map();
  kindLevels.set(kind, level);
  return level;
}

function levelOf(level: Level, part: Part): Level {
  let next = level.get(part) as Level | undefined;
  if (next === undefined) {
    next = new Map();
    level.set(part, next);
  }
  return next;
}

/** A new key, kept under `last` in `level` unless the cache is full: then it starts over with nothing kept. */
function newKey(level: Level, last: Part, text: string, head: KeyHead | undefined): StateKey {
  const key: StateKey = { text, hash: undefined, head };
  if (keyCacheSize >= KEY_CACHE_LIMIT) {
    for (const first of kindLevels.values()) first.clear();
    keyCacheSize = 0;
  } else {
    level.set(last, key);
    keyCacheSize += 1;
  }
  return key;
}

// Built from the parts directly: no array of parts for each new key.
function key1(kind: string, first: Level, a: Part): StateKey {
  return (first.get(a) as StateKey | undefined) ?? newKey(first, a, `${kind}/${a}`, undefined);
}

function key2(kind: string, first: Level, a: Part, b: Part): StateKey {
  const level = levelOf(first, a);
  return (level.get(b) as StateKey | undefined) ?? newKey(level, b, `${kind}/${a}/${b}`, headOf(level, kind, a));
}

function key3(kind: string, first: Level, a: Part, b: Part, c: Part): StateKey {
  const second = levelOf(first, a);
  const level = levelOf(second, b);
  const key = level.get(c) as StateKey | undefined;
  return key ?? newKey(level, c, `${kind}/${a}/${b}/${c}`, headOf(second, kind, a));
}

function key4(kind: string, first: Level, a: Part, b: Part, c: Part, d: Part): StateKey {
  const second = levelOf(first, a);
  const level = levelOf(levelOf(second, b), c);
  const key = level.get(d) as StateKey | undefined;
  return key ?? newKey(level, d, `${kind}/${a}/${b}/${c}/${d}`, headOf(second, kind, a));
}

function key5(kind: string, first: Level, a: Part, b: Part, c: Part, d: Part, e: Part): StateKey {
  const second = levelOf(first, a);
  const level = levelOf(levelOf(levelOf(second, b), c), d);
  const key = level.get(e) as StateKey | undefined;
  return key ?? newKey(level, e, `${kind}/${a}/${b}/${c}/${d}/${e}`, headOf(second, kind, a));
}

/**
 * The `kind` part of a `triggerOf` key: one open trigger per proof and verdict (`proof`, `availability`) and per
 * list (`distribution`).
 */
export function triggerSlotName(kind: TriggerKind, verdict: Verdict): string {
  if (verdict === "unavailable") return "availability";
  return verdict === "valid" ? "appeal" : kind;
}

/** Kinds of key under `{kind}/{task}/{cycle}/...`: a pruned cycle's (protocol.md §9.3). */
const PER_CYCLE_KINDS = [
  "commit",
  "reveal",
  "revealAt",
  "nodeCycle",
  "trigger",
  "triggerOf",
  "vote",
  "voteAt",
  "distribution",
  "listClaim",
  "published",
  "cycle",
] as const;

/**
 * Drops the cached key strings of one cycle of one task, once it is pruned and its keys are read no more: without
 * this the cache of a long-running ledger or node kept every cycle's keys until it started over (up to
 * KEY_CACHE_LIMIT strings of about 150 characters). Only memory changes: a key read again is built again.
 */
export function forgetCycleKeys(task: Hash, cycle: number): void {
  for (const kind of PER_CYCLE_KINDS) {
    const byTask = kindLevels.get(kind)?.get(task);
    if (byTask instanceof Map) byTask.delete(cycle);
  }
}

const CHAIN_KEY: StateKey = { text: "chain", hash: undefined, head: undefined };
const TOTALS_KEY: StateKey = { text: "totals", hash: undefined, head: undefined };

const ACCOUNT = kindLevel("account");
const TASK_AT = kindLevel("taskAt");
const TASK = kindLevel("task");
const NODE = kindLevel("node");
const NODE_AT = kindLevel("nodeAt");
const CYCLE = kindLevel("cycle");
const COMMIT = kindLevel("commit");
const REVEAL = kindLevel("reveal");
const REVEAL_AT = kindLevel("revealAt");
const NODE_CYCLE = kindLevel("nodeCycle");
const TRIGGER = kindLevel("trigger");
const TRIGGER_OF = kindLevel("triggerOf");
const VOTE = kindLevel("vote");
const VOTE_AT = kindLevel("voteAt");
const DISTRIBUTION = kindLevel("distribution");
const LIST_CLAIM = kindLevel("listClaim");
const SLASH_LOG = kindLevel("slashLog");
const VESTING = kindLevel("vesting");
const PUBLISHED = kindLevel("published");

/**
 * State keys (protocol.md §9.3) as the rules use them. The trie is keyed by sha256(key), so prefixes cannot be
 * scanned: every collection the rules iterate has an explicit count and an `...At` index record. A key is its kind
 * and its parts joined by `/`.
 */
export const stateKeys = {
  chain: () => CHAIN_KEY,
  totals: () => TOTALS_KEY,
  account: (account: Account) => key1("account", ACCOUNT, account),
  taskAt: (index: number) => key1("taskAt", TASK_AT, index),
  task: (task: Hash) => key1("task", TASK, task),
  node: (task: Hash, account: Account) => key2("node", NODE, task, account),
  nodeAt: (task: Hash, index: number) => key2("nodeAt", NODE_AT, task, index),
  cycle: (task: Hash, cycle: number) => key2("cycle", CYCLE, task, cycle),
  commit: (task: Hash, cycle: number, node: Account) => key3("commit", COMMIT, task, cycle, node),
  reveal: (task: Hash, cycle: number, node: Account) => key3("reveal", REVEAL, task, cycle, node),
  revealAt: (task: Hash, cycle: number, index: number) => key3("revealAt", REVEAL_AT, task, cycle, index),
  nodeCycle: (task: Hash, cycle: number, node: Account) => key3("nodeCycle", NODE_CYCLE, task, cycle, node),
  trigger: (task: Hash, cycle: number, index: number) => key3("trigger", TRIGGER, task, cycle, index),
  /** The open trigger against a proof or a list, so that a second trigger joins the first by voting. */
  triggerOf: (task: Hash, cycle: number, kind: string, attempt: number, target: Account) =>
    key5("triggerOf", TRIGGER_OF, task, cycle, kind, attempt, target),
  vote: (task: Hash, cycle: number, trigger: number, voter: Account) => key4("vote", VOTE, task, cycle, trigger, voter),
  voteAt: (task: Hash, cycle: number, trigger: number, index: number) =>
    key4("voteAt", VOTE_AT, task, cycle, trigger, index),
  distribution: (task: Hash, cycle: number, attempt: number) =>
    key3("distribution", DISTRIBUTION, task, cycle, attempt),
  /** That a recipient's entry of the cycle's accepted list was claimed (§6.4). */
  listClaim: (task: Hash, cycle: number, recipient: Account) => key3("listClaim", LIST_CLAIM, task, cycle, recipient),
  /** A node's vesting slashes in a task, in order (§7.2). */
  slashLog: (task: Hash, account: Account) => key2("slashLog", SLASH_LOG, task, account),
  vesting: (task: Hash, account: Account) => key2("vesting", VESTING, task, account),
  /** A payload published to answer an availability challenge (§5.6), as hex. */
  published: (task: Hash, cycle: number, node: Account) => key3("published", PUBLISHED, task, cycle, node),
} as const;

type KeyTexts = {
  readonly [Name in keyof typeof stateKeys]: (...parts: Parameters<(typeof stateKeys)[Name]>) => string;
};

/** The same keys as text (protocol.md §9.3): what `readRecord`, `stateEntries` and a store use. */
export const keys = Object.fromEntries(
  Object.entries(stateKeys).map(([name, build]) => [
    name,
    (...parts: Part[]) => (build as (...args: Part[]) => StateKey)(...parts).text,
  ]),
) as KeyTexts;
