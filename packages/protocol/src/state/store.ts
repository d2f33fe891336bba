import { bytesToHex } from "../encoding/hash.ts";
import { ProtocolError } from "../gradualError.ts";
import type { AccountRecord, ChainRecord, CycleRecord, NodeRecord, TaskRecord, TotalsRecord } from "../types.ts";
import { type KeyLike, keyText, stateKeys } from "./keys.ts";
import {
  type EditSession,
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

export type TotalsDelta = { -readonly [K in keyof TotalsRecord]?: bigint };

/**
 * The working copy of one transition: reads see earlier writes, writes path-copy the trie, and the state the draft
 * started from stays untouched. Money moves only through `move`, which keeps the running totals in step.
 */
export class Draft {
  #root: TrieNode | null;
  #totals: TotalsDelta = {};
  /**
   * Writes of this draft by key text (a removed key's value is `undefined`), applied to the trie once in `finish`.
   * By text, not by key object: two objects can hold the same key (the key cache starts over when full).
   */
  readonly #writes = new Map<string, { readonly key: KeyLike; readonly value: unknown }>();
  readonly #session: EditSession | null;

  constructor(state: State, session: EditSession | null = null) {
    this.#root = state.root;
    this.#session = session;
  }

  get<T>(key: KeyLike): T | undefined {
    const write = this.#writes.get(keyText(key));
    if (write !== undefined) return write.value as T | undefined;
    return trieGet(this.#root, key) as T | undefined;
  }

  set(key: KeyLike, value: unknown): void {
    this.#writes.set(keyText(key), { key, value });
  }

  delete(key: KeyLike): void {
    this.#writes.set(keyText(key), { key, value: undefined });
  }

  /** Moves `amount` from one bucket of the totals to another (the records themselves are written by the caller). */
  move(from: keyof TotalsRecord, to: keyof TotalsRecord, amount: bigint): void {
    if (amount < 0n) throw new ProtocolError(`Draft.move: expected a non-negative amount, got ${amount}`);
    if (amount === 0n || from === to) return;
    this.#totals[from] = (this.#totals[from] ?? 0n) - amount;
    this.#totals[to] = (this.#totals[to] ?? 0n) + amount;
  }

  /** Adds new money (genesis only). */
  mint(to: keyof TotalsRecord, amount: bigint): void {
    this.#totals[to] = (this.#totals[to] ?? 0n) + amount;
  }

  finish(): State {
    const delta = this.#totals;
    if (Object.keys(delta).length > 0) {
      const totals = this.get<TotalsRecord>(stateKeys.totals()) ?? ZERO_TOTALS;
      const next = { ...totals };
      for (const [bucket, change] of Object.entries(delta) as [keyof TotalsRecord, bigint][]) {
        next[bucket] = totals[bucket] + change;
        if (next[bucket] < 0n) throw new ProtocolError(`invariant broken: total ${bucket} went negative`);
      }
      this.set(stateKeys.totals(), next);
      this.#totals = {};
    }
    // forEach rather than for-of: no [key, value] array per write.
    this.#writes.forEach(({ key, value }) => {
      this.#root = trieSet(this.#root, key, value, this.#session);
    });
    this.#writes.clear();
    return { root: this.#root };
  }

  // Typed accessors ---------------------------------------------------------------------------------------------

  chain(): ChainRecord {
    const chain = this.get<ChainRecord>(stateKeys.chain());
    if (chain === undefined) throw new ProtocolError("state has no chain record: create it with createGenesisState");
    return chain;
  }

  account(account: string): AccountRecord {
    return this.get<AccountRecord>(stateKeys.account(account)) ?? { balance: 0n, nonce: 0 };
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

  node(task: string, account: string): NodeRecord | undefined {
    return this.get<NodeRecord>(stateKeys.node(task, account));
  }

  setNode(record: NodeRecord): void {
    this.set(stateKeys.node(record.task, record.account), record);
  }

  cycle(task: string, cycle: number): CycleRecord | undefined {
    return this.get<CycleRecord>(stateKeys.cycle(task, cycle));
  }

  setCycle(record: CycleRecord): void {
    this.set(stateKeys.cycle(record.task, record.cycle), record);
  }

  credit(account: string, amount: bigint): void {
    const record = this.account(account);
    this.setAccount(account, { ...record, balance: record.balance + amount });
  }

  debit(account: string, amount: bigint): void {
    const record = this.account(account);
    if (record.balance < amount)
      throw new ProtocolError(`debit of ${amount} from ${account}: balance ${record.balance}`);
    this.setAccount(account, { ...record, balance: record.balance - amount });
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
