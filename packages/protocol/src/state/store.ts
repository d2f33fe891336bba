import { bytesToHex } from "../encoding/hash.ts";
import { ProtocolError } from "../gradualError.ts";
import type { AccountRecord, ChainRecord, CycleRecord, NodeRecord, TaskRecord, TotalsRecord } from "../types.ts";
import { type KeyLike, stateKeys } from "./keys.ts";
import { accountRecord, cycleRecord, nodeRecord, taskRecord, totalsRecord } from "./records.ts";
import {
  createEditSession,
  type EditSession,
  type Replaced,
  type TrieNode,
  trieDiff,
  trieDiffEach,
  trieEntries,
  trieGet,
  trieHash,
  trieSet,
} from "./trie.ts";

/** An immutable protocol state: the root of a persistent Merkle trie. */
export type State = { readonly root: TrieNode | null };

export function stateRoot(state: State): string {
  return bytesToHex(trieHash(state.root));
}

export function readRecord<T>(state: State, key: KeyLike): T | undefined {
  return trieGet(state.root, key) as T | undefined;
}

export function* stateEntries(state: State): Generator<[string, unknown]> {
  yield* trieEntries(state.root);
}

const ZERO_TOTALS: TotalsRecord = {
  balances: 0n,
  stakes: 0n,
  unbonding: 0n,
  escrows: 0n,
  reserved: 0n,
  vesting: 0n,
  bonds: 0n,
  burned: 0n,
};

/** A kind's record builder (state/records.ts): `record` with `changes`, as a new object of the kind's hidden class. */
export type RecordBuilder<T> = (record: T, changes: Partial<T>) => T;

export type TotalsDelta = { -readonly [K in keyof TotalsRecord]?: bigint };

/** Marks a journal entry that undoes a write to the trie (the entry's field slot holds the key). */
const TRIE_WRITE = Symbol("trie write");
/** Marks an undone field that the record did not have: it is deleted, not set to `undefined`. */
const MISSING = Symbol("missing");

/**
 * The working copy of a block (or of one transition): writes go into the trie at once, inside the draft's edit
 * session, so reads see earlier writes by walking the trie alone; the state the draft started from stays untouched
 * (only branches and records the session created are ever changed in place). Money moves only through `move`, which
 * keeps the running totals in step.
 *
 * A transaction is bracketed by `commit` or `rollback`. Every write and every in-place change since the last
 * bracket is in the undo journal, so `rollback` restores exactly what the transaction found: the same records with
 * the same fields, hence the same root (the root depends only on the set of keys and values, §9.4). Records that
 * the block itself created (first changed through `update`) are changed in place by later updates of the same
 * block instead of being copied once per transaction.
 */
export class Draft {
  #root: TrieNode | null;
  /** This transaction's moves between the buckets of the totals, applied to the totals record by `commit`. */
  #totals: TotalsDelta = {};
  #totalsChanged = false;
  readonly #session: EditSession;
  /** Records this draft created through `update` and may change in place (nothing outside the draft holds them). */
  readonly #owned = new Set<object>();
  /**
   * Undo entries since the last `commit`, three slots each, undone last first: (record, field, old value) for an
   * in-place change (`MISSING` when the field was absent), (TRIE_WRITE, key, old value) for a write to the trie.
   */
  readonly #journal: unknown[] = [];
  /** Where the trie reports the value a write replaced (one object, reused). */
  readonly #replaced: Replaced = { value: undefined };

  /** Without a session the draft opens its own: the state it starts from is never owned by it, so never changed. */
  constructor(state: State, session: EditSession | null = null) {
    this.#root = state.root;
    this.#session = session ?? createEditSession();
  }

  get<T>(key: KeyLike): T | undefined {
    return trieGet(this.#root, key) as T | undefined;
  }

  set(key: KeyLike, value: unknown): void {
    const replaced = this.#replaced;
    this.#root = trieSet(this.#root, key, value, this.#session, replaced);
    const old = replaced.value;
    replaced.value = undefined;
    this.#journal.push(TRIE_WRITE, key, old);
    // A record the draft owns is changed in place only while it is the value of its one key: not once replaced
    // (someone may still hold it) nor once written under a second key.
    const owned = this.#owned;
    if (owned.size > 0) {
      if (typeof old === "object" && old !== null) owned.delete(old);
      if (typeof value === "object" && value !== null) owned.delete(value);
    }
  }

  delete(key: KeyLike): void {
    this.set(key, undefined);
  }

  /**
   * The record under `key` with `changes`: `record` (what `get(key)` returned) changed in place when this draft
   * created it, else a copy built by `build` (its kind's builder in state/records.ts) that the draft writes and may
   * change in place from then on. Callers that still need a changed field's old value read it before the update.
   */
  update<T extends object>(key: KeyLike, record: T, changes: Partial<T>, build: RecordBuilder<T>): T {
    if (!this.#owned.has(record)) {
      // The copy is built by its kind's builder (state/records.ts), so that it has the kind's one hidden class.
      const copy = build(record, changes);
      this.set(key, copy);
      this.#owned.add(copy);
      return copy;
    }
    const fields = changes as Record<string, unknown>;
    const target = record as Record<string, unknown>;
    const journal = this.#journal;
    for (const field in fields) {
      journal.push(record, field, field in target ? target[field] : MISSING);
      target[field] = fields[field];
    }
    return record;
  }

  /** Moves `amount` from one bucket of the totals to another (the records themselves are written by the caller). */
  move(from: keyof TotalsRecord, to: keyof TotalsRecord, amount: bigint): void {
    if (amount < 0n) throw new ProtocolError(`Draft.move: expected a non-negative amount, got ${amount}`);
    if (amount === 0n || from === to) return;
    this.#totals[from] = (this.#totals[from] ?? 0n) - amount;
    this.#totals[to] = (this.#totals[to] ?? 0n) + amount;
    this.#totalsChanged = true;
  }

  /** Adds new money (genesis only). */
  mint(to: keyof TotalsRecord, amount: bigint): void {
    this.#totals[to] = (this.#totals[to] ?? 0n) + amount;
    this.#totalsChanged = true;
  }

  /**
   * Ends a transaction that stands: its moves go into the totals record (a total that would go negative is a bug:
   * `ProtocolError`, with nothing changed, so the caller can still `rollback`), and its journal is dropped.
   */
  commit(): void {
    if (this.#totalsChanged) {
      const delta = this.#totals;
      const key = stateKeys.totals();
      const totals = this.get<TotalsRecord>(key) ?? ZERO_TOTALS;
      const changes: TotalsDelta = {};
      for (const bucket in delta) {
        const total = totals[bucket as keyof TotalsRecord] + (delta[bucket as keyof TotalsRecord] as bigint);
        if (total < 0n) throw new ProtocolError(`invariant broken: total ${bucket} went negative`);
        changes[bucket as keyof TotalsRecord] = total;
      }
      this.update(key, totals, changes, totalsRecord);
      this.#totals = {};
      this.#totalsChanged = false;
    }
    this.#journal.length = 0;
  }

  /** Ends a refused transaction: undoes every write and change since the last `commit`, last first. */
  rollback(): void {
    const journal = this.#journal;
    for (let index = journal.length - 3; index >= 0; index -= 3) {
      const target = journal[index];
      const field = journal[index + 1];
      const old = journal[index + 2];
      if (target === TRIE_WRITE) {
        this.#root = trieSet(this.#root, field as KeyLike, old, this.#session);
      } else if (old === MISSING) {
        delete (target as Record<string, unknown>)[field as string];
      } else {
        (target as Record<string, unknown>)[field as string] = old;
      }
    }
    journal.length = 0;
    if (this.#totalsChanged) {
      this.#totals = {};
      this.#totalsChanged = false;
    }
  }

  /** Commits what is pending and returns the state. The draft may go on from it (a block's next transaction). */
  finish(): State {
    this.commit();
    // The state returned may be kept: none of its records is changed in place from now on.
    this.#owned.clear();
    return { root: this.#root };
  }

  // Typed accessors ---------------------------------------------------------------------------------------------

  chain(): ChainRecord {
    const chain = this.get<ChainRecord>(stateKeys.chain());
    if (chain === undefined) throw new ProtocolError("state has no chain record: create it with createGenesisState");
    return chain;
  }

  account(account: string): AccountRecord {
    return this.get<AccountRecord>(stateKeys.account(account)) ?? accountRecord({ balance: 0n, nonce: 0 });
  }

  setAccount(account: string, record: AccountRecord): void {
    this.set(stateKeys.account(account), record);
  }

  task(task: string): TaskRecord | undefined {
    return this.get<TaskRecord>(stateKeys.task(task));
  }

  setTask(record: TaskRecord): void {
    this.set(stateKeys.task(record.id), record);
  }

  /** `update` of a task record (see there: in place when this draft already changed it). */
  updateTask(record: TaskRecord, changes: Partial<TaskRecord>): TaskRecord {
    return this.update(stateKeys.task(record.id), record, changes, taskRecord);
  }

  node(task: string, account: string): NodeRecord | undefined {
    return this.get<NodeRecord>(stateKeys.node(task, account));
  }

  setNode(record: NodeRecord): void {
    this.set(stateKeys.node(record.task, record.account), record);
  }

  /** `update` of a node record. */
  updateNode(record: NodeRecord, changes: Partial<NodeRecord>): NodeRecord {
    return this.update(stateKeys.node(record.task, record.account), record, changes, nodeRecord);
  }

  cycle(task: string, cycle: number): CycleRecord | undefined {
    return this.get<CycleRecord>(stateKeys.cycle(task, cycle));
  }

  setCycle(record: CycleRecord): void {
    this.set(stateKeys.cycle(record.task, record.cycle), record);
  }

  /** `update` of a cycle record. */
  updateCycle(record: CycleRecord, changes: Partial<CycleRecord>): CycleRecord {
    return this.update(stateKeys.cycle(record.task, record.cycle), record, changes, cycleRecord);
  }

  credit(account: string, amount: bigint): void {
    const record = this.account(account);
    this.update(stateKeys.account(account), record, { balance: record.balance + amount }, accountRecord);
  }

  debit(account: string, amount: bigint): void {
    const record = this.account(account);
    if (record.balance < amount)
      throw new ProtocolError(`debit of ${amount} from ${account}: balance ${record.balance}`);
    this.update(stateKeys.account(account), record, { balance: record.balance - amount }, accountRecord);
  }
}

export { ZERO_TOTALS };

/** Records written or removed between two states (removed ones map to `undefined`): what a store must persist. */
export function* diffStates(before: State, after: State): Generator<[string, unknown]> {
  yield* trieDiff(before.root, after.root);
}

/** `diffStates` with each changed record's old value too, by callback (see `trieDiffEach`). */
export function forEachStateChange(
  before: State,
  after: State,
  visit: (key: string, old: unknown, value: unknown) => void,
): void {
  trieDiffEach(before.root, after.root, visit);
}

/** Rebuilds a state from its records, e.g. after loading them from disk; check its root against the block's. */
export function stateFromEntries(entries: Iterable<readonly [string, unknown]>): State {
  let root: TrieNode | null = null;
  for (const [key, value] of entries) root = trieSet(root, key, value);
  return { root };
}
