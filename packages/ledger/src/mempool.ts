import type { Account, Hash } from "@gradual/protocol";
import type { MempoolRow } from "./store/LedgerStore.ts";

export type MempoolOptions = {
  /** Most transactions waiting at once. */
  readonly maxTransactions?: number;
  /** Most transactions one sender may have waiting (its nonces run ahead of its account by at most this). */
  readonly maxPerSender?: number;
};

export type MempoolEntry = MempoolRow & {
  /** Head block number when the entry was admitted (after a restart: the head at start). */
  readonly receivedAtBlock: number;
  /** True once the row is durably logged; only logged entries are acknowledged and put in blocks. */
  logged: boolean;
};

/**
 * Admitted transactions waiting for a block, in arrival order. Arrival order is also the order of each sender's
 * nonces (admission requires the next nonce), so a block may take any prefix and stay valid.
 */
export class Mempool {
  readonly maxTransactions: number;
  readonly maxPerSender: number;
  readonly #entries = new Map<Hash, MempoolEntry>();
  readonly #perSender = new Map<Account, number>();
  #nextSeq = 1;

  constructor(options: MempoolOptions = {}) {
    this.maxTransactions = options.maxTransactions ?? 100_000;
    // A fair share: 1% of the pool by default, so one sender (funded or not) cannot crowd out the others.
    this.maxPerSender = options.maxPerSender ?? Math.max(1, Math.floor(this.maxTransactions / 100));
  }

  get size(): number {
    return this.#entries.size;
  }

  get(hash: Hash): MempoolEntry | undefined {
    return this.#entries.get(hash);
  }

  pendingFrom(sender: Account): number {
    return this.#perSender.get(sender) ?? 0;
  }

  nextSeq(): number {
    return this.#nextSeq++;
  }

  /** Adds an entry at the end (its seq must be the largest so far). */
  add(entry: MempoolEntry): void {
    if (entry.seq >= this.#nextSeq) this.#nextSeq = entry.seq + 1;
    this.#entries.set(entry.hash, entry);
    this.#perSender.set(entry.tx.from, this.pendingFrom(entry.tx.from) + 1);
  }

  /** Up to `max` logged entries from the front, in order. */
  takeLogged(max: number): MempoolEntry[] {
    const taken: MempoolEntry[] = [];
    for (const entry of this.#entries.values()) {
      if (taken.length >= max || !entry.logged) break;
      taken.push(entry);
    }
    return taken;
  }

  /** Removes entries that went into a block (a prefix of the mempool). */
  remove(entries: readonly MempoolEntry[]): void {
    for (const entry of entries) {
      if (!this.#entries.delete(entry.hash)) continue;
      const left = this.pendingFrom(entry.tx.from) - 1;
      if (left > 0) this.#perSender.set(entry.tx.from, left);
      else this.#perSender.delete(entry.tx.from);
    }
  }

  /** The entry with `hash` and every later entry of the same sender (their nonces depend on it), in order. */
  withLaterFromSender(hash: Hash): MempoolEntry[] {
    const first = this.#entries.get(hash);
    if (first === undefined) return [];
    return [...this.#entries.values()].filter(
      (entry) => entry.tx.from === first.tx.from && entry.tx.nonce >= first.tx.nonce,
    );
  }

  /** Drops entries that were never logged (their submitters got an error, not an acknowledgement). */
  dropUnlogged(entries: readonly MempoolEntry[]): void {
    this.remove(entries.filter((entry) => !entry.logged));
  }

  oldestReceivedAtMs(): number | undefined {
    for (const entry of this.#entries.values()) return entry.receivedAtMs;
    return undefined;
  }
}
