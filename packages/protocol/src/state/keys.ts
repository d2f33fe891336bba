import type { Account, Hash, TriggerKind, Verdict } from "../types.ts";

/**
 * A state key (protocol.md §9.3): its text and, once the trie has needed it, the packed sha256 of the text that is
 * its path (§9.4). The rules build keys with `stateKeys`, so that a key read or written again carries its hash with
 * it instead of finding it in the trie's memo of key hashes (a lookup in a map of every key, a cache miss, about a
 * tenth of a transaction's time). Two keys with the same text are the same key, whatever object holds them.
 */
export type StateKey = { readonly text: string; hash: string | undefined };

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
let keyCache = new Map<string, Level>();
let keyCacheSize = 0;

function cachedKey(kind: string, count: number, a: Part, b?: Part, c?: Part, d?: Part, e?: Part): StateKey {
  let level = keyCache.get(kind);
  if (level === undefined) {
    level = new Map();
    keyCache.set(kind, level);
  }
  const last = count === 1 ? a : count === 2 ? b : count === 3 ? c : count === 4 ? d : e;
  for (let index = 0; index < count - 1; index += 1) {
    const part = (index === 0 ? a : index === 1 ? b : index === 2 ? c : d) as Part;
    let next = level.get(part) as Level | undefined;
    if (next === undefined) {
      next = new Map();
      level.set(part, next);
    }
    level = next;
  }
  let key = level.get(last as Part) as StateKey | undefined;
  if (key === undefined) {
    // Built from the parts directly: no array of parts for each new key.
    let text: string;
    if (count === 1) text = `${kind}/${a}`;
    else if (count === 2) text = `${kind}/${a}/${b}`;
    else if (count === 3) text = `${kind}/${a}/${b}/${c}`;
    else if (count === 4) text = `${kind}/${a}/${b}/${c}/${d}`;
    else text = `${kind}/${a}/${b}/${c}/${d}/${e}`;
    key = { text, hash: undefined };
    if (keyCacheSize >= KEY_CACHE_LIMIT) {
      keyCache = new Map();
      keyCacheSize = 0;
    } else {
      level.set(last as Part, key);
      keyCacheSize += 1;
    }
  }
  return key;
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
    const byTask = keyCache.get(kind)?.get(task);
    if (byTask instanceof Map) byTask.delete(cycle);
  }
}

const CHAIN_KEY: StateKey = { text: "chain", hash: undefined };
const TOTALS_KEY: StateKey = { text: "totals", hash: undefined };

/**
 * State keys (protocol.md §9.3) as the rules use them. The trie is keyed by sha256(key), so prefixes cannot be
 * scanned: every collection the rules iterate has an explicit count and an `...At` index record. A key is its kind
 * and its parts joined by `/`.
 */
export const stateKeys = {
  chain: () => CHAIN_KEY,
  totals: () => TOTALS_KEY,
  account: (account: Account) => cachedKey("account", 1, account),
  taskAt: (index: number) => cachedKey("taskAt", 1, index),
  task: (task: Hash) => cachedKey("task", 1, task),
  node: (task: Hash, account: Account) => cachedKey("node", 2, task, account),
  nodeAt: (task: Hash, index: number) => cachedKey("nodeAt", 2, task, index),
  cycle: (task: Hash, cycle: number) => cachedKey("cycle", 2, task, cycle),
  commit: (task: Hash, cycle: number, node: Account) => cachedKey("commit", 3, task, cycle, node),
  reveal: (task: Hash, cycle: number, node: Account) => cachedKey("reveal", 3, task, cycle, node),
  revealAt: (task: Hash, cycle: number, index: number) => cachedKey("revealAt", 3, task, cycle, index),
  nodeCycle: (task: Hash, cycle: number, node: Account) => cachedKey("nodeCycle", 3, task, cycle, node),
  trigger: (task: Hash, cycle: number, index: number) => cachedKey("trigger", 3, task, cycle, index),
  /** The open trigger against a proof or a list, so that a second trigger joins the first by voting. */
  triggerOf: (task: Hash, cycle: number, kind: string, attempt: number, target: Account) =>
    cachedKey("triggerOf", 5, task, cycle, kind, attempt, target),
  vote: (task: Hash, cycle: number, trigger: number, voter: Account) =>
    cachedKey("vote", 4, task, cycle, trigger, voter),
  voteAt: (task: Hash, cycle: number, trigger: number, index: number) =>
    cachedKey("voteAt", 4, task, cycle, trigger, index),
  distribution: (task: Hash, cycle: number, attempt: number) => cachedKey("distribution", 3, task, cycle, attempt),
  /** That a recipient's entry of the cycle's accepted list was claimed (§6.4). */
  listClaim: (task: Hash, cycle: number, recipient: Account) => cachedKey("listClaim", 3, task, cycle, recipient),
  /** A node's vesting slashes in a task, in order (§7.2). */
  slashLog: (task: Hash, account: Account) => cachedKey("slashLog", 2, task, account),
  vesting: (task: Hash, account: Account) => cachedKey("vesting", 2, task, account),
  /** A payload published to answer an availability challenge (§5.6), as hex. */
  published: (task: Hash, cycle: number, node: Account) => cachedKey("published", 3, task, cycle, node),
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
