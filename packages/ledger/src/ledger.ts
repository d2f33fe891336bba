import {
  type Account,
  applyBlock,
  canonicalStringify,
  diffStates,
  formatTokenAmount,
  getAccount,
  type Hash,
  type State,
  stateEntries,
  stateFromEntries,
  stateRoot,
  type Transaction,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";
import { toWire } from "@gradual/wire";
import { type Block, type BlockHeader, genesisBlock, headerOf, sealBlock, type TxResult } from "./block.ts";
import type { Clock } from "./clock.ts";
import { checkNonce, type EdgeRejection } from "./edge.ts";
import { type ErrorBody, LedgerError, StorageError } from "./errors.ts";
import { faucetAccount, genesisState, genesisToJson, type LedgerGenesis } from "./genesis.ts";
import { keyPairFromSecret, signTransaction } from "./keys.ts";
import type { Logger } from "./logger.ts";
import { Mempool, type MempoolEntry } from "./mempool.ts";
import type { LedgerMetrics } from "./metrics.ts";
import type { LedgerStore, StoredTransaction } from "./store/LedgerStore.ts";
import type { VerifierPool } from "./verifierPool.ts";
import type { EnvelopeInput, VerifiedEnvelope } from "./verifyEnvelope.ts";

export type LedgerOptions = {
  /** Genesis for an empty store; must match the stored one otherwise. */
  readonly genesis?: LedgerGenesis;
  /** Most transactions in one block; the rest wait for the next slot. */
  readonly maxTransactionsPerBlock?: number;
  readonly maxMempoolTransactions?: number;
  readonly maxPendingPerSender?: number;
  /**
   * Anti-spam reserve (protocol.md §9.2): a sender may have `k` transactions pending only while its balance is at
   * least `k × reservePerPending` base units. Not a fee: nothing is taken. 0 turns the check off.
   */
  readonly reservePerPending?: bigint;
};

/**
 * Default most transactions per block. A block per slot bounds inclusion at this many per slot: at the default
 * 400 ms slot, 4,096 capped it at 10,240 tx/s, less than two cores admit (about 12,000 tx/s acknowledged on a quiet
 * 2-core machine), so the mempool grew for as long as the load lasted and every transaction waited extra slots.
 * 8,192 allows 20,480 tx/s at 400 ms.
 */
export const DEFAULT_MAX_TRANSACTIONS_PER_BLOCK = 8_192;

/** Default anti-spam reserve per pending transaction: 0.01 token. */
const DEFAULT_RESERVE_PER_PENDING = 10_000_000n;

export type LedgerModules = {
  readonly store: LedgerStore;
  readonly verifier: VerifierPool;
  readonly clock: Clock;
  readonly metrics: LedgerMetrics;
  readonly logger: Logger;
  /** Called after each block is durable and before it is visible (startLedger writes DATA/head.json here). */
  readonly onDurableBlock?: (header: BlockHeader) => void | Promise<void>;
};

export type PendingStatus = {
  readonly hash: Hash;
  readonly status: "pending";
  readonly tx: Transaction;
  readonly signature: string;
  /** Head block number when the transaction was acknowledged: it lands in a later block. */
  readonly receivedAtBlock: number;
};
export type IncludedStatus = {
  readonly hash: Hash;
  readonly status: "included";
  readonly tx: Transaction;
  readonly signature: string;
  readonly block: number;
  readonly position: number;
  readonly result: TxResult;
};
export type TxStatus = PendingStatus | IncludedStatus;

/** What one submitted envelope came to: acknowledged (pending or already included) or refused at the edge. */
export type SubmitOutcome =
  | { readonly ok: true; readonly status: TxStatus }
  | { readonly ok: false; readonly error: ErrorBody };

export type BlockListener = (block: Block) => void;

function edgeError(rejection: EdgeRejection | ErrorBody): ErrorBody {
  return {
    code: rejection.code,
    message: rejection.message,
    context: toWire(rejection.context) as Record<string, unknown>,
  };
}

/**
 * The settlement ledger's core: the head state, the mempool, admission of signed transactions, block production
 * with the protocol core, and durable storage of all of it. Single-threaded by design: every state change happens
 * on this thread, in order; signatures are checked beforehand on the verifier pool.
 *
 * Acknowledgement rule: a transaction is acknowledged only after its mempool row is durable, and a block's
 * effects become visible (head, statuses, events) only after the block is durable.
 */
export class Ledger {
  readonly genesis: LedgerGenesis;
  readonly chainId: string;
  readonly maxTransactionsPerBlock: number;
  readonly reservePerPending: bigint;
  readonly mempool: Mempool;
  readonly #modules: LedgerModules;
  #state: State;
  #head: BlockHeader;
  #logQueue: MempoolEntry[] = [];
  #logFlush: Promise<void> | undefined;
  #production: Promise<unknown> = Promise.resolve();
  #waiters = new Map<Hash, ((status: TxStatus) => void)[]>();
  #listeners = new Set<BlockListener>();
  #fatalListeners = new Set<(error: Error) => void>();
  #failure: Error | undefined;
  #stopping = false;
  #faucetWindow: { startMs: number; count: number } = { startMs: 0, count: 0 };

  private constructor(
    genesis: LedgerGenesis,
    state: State,
    head: BlockHeader,
    options: LedgerOptions,
    modules: LedgerModules,
  ) {
    this.genesis = genesis;
    this.chainId = genesis.chainId;
    this.#state = state;
    this.#head = head;
    this.#modules = modules;
    this.maxTransactionsPerBlock = options.maxTransactionsPerBlock ?? DEFAULT_MAX_TRANSACTIONS_PER_BLOCK;
    this.reservePerPending = options.reservePerPending ?? DEFAULT_RESERVE_PER_PENDING;
    if (this.reservePerPending < 0n)
      throw new TypeError(`expected reservePerPending >= 0, got ${this.reservePerPending}`);
    this.mempool = new Mempool({
      ...(options.maxMempoolTransactions === undefined ? {} : { maxTransactions: options.maxMempoolTransactions }),
      ...(options.maxPendingPerSender === undefined ? {} : { maxPerSender: options.maxPendingPerSender }),
    });
  }

  /**
   * Opens a store: initializes it from `options.genesis` when empty; otherwise loads the state, checks its root
   * against the last block's, and puts the logged mempool back (those transactions were acknowledged).
   */
  static async open(options: LedgerOptions, modules: LedgerModules): Promise<Ledger> {
    const { store, clock } = modules;
    let genesis = await store.readGenesis();
    if (genesis === undefined) {
      if (options.genesis === undefined) {
        throw new LedgerError("LEDGER__CONFIG", {
          message: `${store.location} holds no chain yet: start it with a genesis file (--genesis FILE) or --devnet`,
        });
      }
      genesis = options.genesis;
      const state = genesisState(genesis);
      await store.initialize(genesis, genesisBlock(stateRoot(state), Math.round(clock.now())), stateEntries(state));
    } else if (
      options.genesis !== undefined &&
      canonicalStringify(genesisToJson(options.genesis)) !== canonicalStringify(genesisToJson(genesis))
    ) {
      throw new LedgerError("LEDGER__CONFIG", {
        message: `the genesis given differs from the one ${store.location} was started with (chain ${genesis.chainId}); use another data directory`,
      });
    }
    const head = await store.getHead();
    if (head === undefined)
      throw new LedgerError("LEDGER__DAMAGED", { message: `${store.location} has a genesis but no block 0` });
    const entries: [string, unknown][] = [];
    for await (const entry of store.loadState()) entries.push([entry[0], entry[1]]);
    const state = stateFromEntries(entries);
    const root = stateRoot(state);
    if (root !== head.stateRoot) {
      throw new LedgerError("LEDGER__DAMAGED", {
        message: `the stored state's root ${root} does not match block ${head.number}'s stateRoot ${head.stateRoot}: the data directory is damaged; run \`gradual ledger verify\``,
      });
    }
    await checkRecentBlocks(store, head);
    const ledger = new Ledger(genesis, state, head, options, modules);
    for (const row of await store.loadMempool()) {
      ledger.mempool.add({ ...row, logged: true, receivedAtBlock: head.number });
    }
    return ledger;
  }

  get head(): BlockHeader {
    return this.#head;
  }

  get state(): State {
    return this.#state;
  }

  get store(): LedgerStore {
    return this.#modules.store;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  get isDevnet(): boolean {
    return this.genesis.devnet !== null;
  }

  onBlock(listener: BlockListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called once if a write fails: the ledger has stopped acknowledging and must be restarted. */
  onFatal(listener: (error: Error) => void): () => void {
    this.#fatalListeners.add(listener);
    return () => this.#fatalListeners.delete(listener);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#modules.logger.error(`stopping: ${error.message}`);
    for (const listener of this.#fatalListeners) listener(error);
  }

  #assertNotFailed(): void {
    if (this.#failure !== undefined) {
      throw new LedgerError("LEDGER__STORAGE_FAILURE", { message: `the ledger stopped: ${this.#failure.message}` });
    }
  }

  #assertAccepting(): void {
    this.#assertNotFailed();
    if (this.#stopping) throw new LedgerError("LEDGER__SHUTTING_DOWN");
  }

  // Admission ---------------------------------------------------------------------------------------------------

  /**
   * Checks envelopes at the edge and logs the admitted ones durably. Resolves once every admitted transaction of
   * this call is durable (so each `ok: true` outcome is an acknowledgement); edge rejections are answered with
   * their code and never stored. The same transaction submitted again gets its existing status.
   */
  async submit(inputs: readonly EnvelopeInput[]): Promise<SubmitOutcome[]> {
    this.#assertAccepting();
    const verified = await this.#modules.verifier.verify(inputs);
    return this.#admitVerified(verified);
  }

  async #admitVerified(verified: readonly VerifiedEnvelope[]): Promise<SubmitOutcome[]> {
    this.#assertAccepting();
    const { metrics, clock } = this.#modules;
    const outcomes: (SubmitOutcome | Promise<SubmitOutcome>)[] = new Array(verified.length);
    const admitted: MempoolEntry[] = [];
    const admittedAt: number[] = [];
    for (let index = 0; index < verified.length; index += 1) {
      const item = verified[index] as VerifiedEnvelope;
      if (!item.ok) {
        metrics.reject(item.code, "edge");
        outcomes[index] = { ok: false, error: edgeError(item) };
        continue;
      }
      const existing = this.mempool.get(item.hash);
      if (existing !== undefined) {
        outcomes[index] = this.#whenLogged(existing).then((status) => ({ ok: true, status }));
        continue;
      }
      const refusal = this.#admissionRefusal(item.tx);
      if (refusal !== null) {
        outcomes[index] = this.#refusedOrKnown(item.hash, refusal);
        continue;
      }
      const entry: MempoolEntry = {
        seq: this.mempool.nextSeq(),
        hash: item.hash,
        tx: item.tx,
        signature: item.signature,
        receivedAtMs: Math.round(clock.now()),
        receivedAtBlock: this.#head.number,
        logged: false,
        wire: JSON.stringify(transactionToJson(item.tx)),
      };
      this.mempool.add(entry);
      this.#logQueue.push(entry);
      admitted.push(entry);
      admittedAt.push(index);
    }
    // One wait for the whole call: its entries are logged together (or in order, by consecutive group commits).
    if (admitted.length > 0) await this.#allLogged(admitted);
    for (let at = 0; at < admitted.length; at += 1) {
      outcomes[admittedAt[at] as number] = { ok: true, status: pendingStatus(admitted[at] as MempoolEntry) };
    }
    return Promise.all(outcomes);
  }

  #admissionRefusal(tx: Transaction): ErrorBody | EdgeRejection | null {
    const pending = this.mempool.pendingFrom(tx.from);
    const nonce = checkNonce(this.#state, tx, pending);
    if (nonce !== null) return nonce;
    if (this.mempool.size >= this.mempool.maxTransactions) {
      return new LedgerError("LEDGER__MEMPOOL_FULL", { context: { limit: this.mempool.maxTransactions } }).toBody();
    }
    if (pending >= this.mempool.maxPerSender) {
      return new LedgerError("LEDGER__SENDER_LIMIT", {
        context: { sender: tx.from, limit: this.mempool.maxPerSender },
      }).toBody();
    }
    // Writes cost their writer (§9.2): pending transactions must be covered by the sender's balance, so keys
    // without funds queue nothing and a flood needs funds in proportion to its size.
    if (this.reservePerPending > 0n) {
      const balance = getAccount(this.#state, tx.from).balance;
      const needed = BigInt(pending + 1) * this.reservePerPending;
      if (balance < needed) {
        return new LedgerError("LEDGER__INSUFFICIENT_RESERVE", {
          message:
            `the sender's balance of ${formatTokenAmount(balance, { unit: true })} does not cover the reserve of ` +
            `${formatTokenAmount(this.reservePerPending, { unit: true })} a pending transaction (${pending + 1} pending): ` +
            `it needs ${formatTokenAmount(needed, { unit: true })} (§9.2)`,
          context: { sender: tx.from, balance: balance.toString(), needed: needed.toString(), pending },
        }).toBody();
      }
    }
    return null;
  }

  /** A nonce that is too low may be this very transaction, already in a block: then its status is the answer. */
  async #refusedOrKnown(hash: Hash, refusal: ErrorBody | EdgeRejection): Promise<SubmitOutcome> {
    if (refusal.code === "TX__NONCE_TOO_LOW") {
      const stored = await this.#modules.store.getTransaction(hash);
      if (stored !== undefined) return { ok: true, status: includedStatus(stored) };
    }
    this.#modules.metrics.reject(refusal.code, "edge");
    return { ok: false, error: edgeError(refusal) };
  }

  async #whenLogged(entry: MempoolEntry): Promise<TxStatus> {
    await this.#allLogged([entry]);
    return pendingStatus(entry);
  }

  async #allLogged(entries: readonly MempoolEntry[]): Promise<void> {
    while (!entries.every((entry) => entry.logged)) {
      this.#assertNotFailed();
      await this.#flushLog();
    }
  }

  /** Group commit: every entry queued in this event-loop turn is written in one durable transaction. */
  #flushLog(): Promise<void> {
    if (this.#logFlush !== undefined) return this.#logFlush;
    this.#logFlush = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const rows = this.#logQueue;
      this.#logQueue = [];
      try {
        if (rows.length === 0) return;
        const started = performance.now();
        try {
          await this.#modules.store.appendMempool(rows);
        } catch (error) {
          this.mempool.dropUnlogged(rows);
          const failure = error instanceof Error ? error : new Error(String(error));
          this.#fail(failure);
          throw error instanceof LedgerError ? error : new LedgerError("LEDGER__STORAGE_FAILURE", { cause: error });
        }
        this.#modules.metrics.fsyncSeconds.mempool.observe((performance.now() - started) / 1000);
        this.#modules.metrics.admitted.count += rows.length;
        for (const row of rows) row.logged = true;
      } finally {
        this.#logFlush = undefined;
        if (this.#logQueue.length > 0) void this.#flushLog().catch(() => {});
      }
    });
    return this.#logFlush;
  }

  /**
   * Devnet faucet: a transfer signed by the genesis faucet key, admitted like any other transaction (so the log
   * stays replayable). Limited per request and per minute.
   */
  async faucet(to: Account, amount: bigint): Promise<TxStatus> {
    const config = this.genesis.devnet?.faucet;
    if (config == null) throw new LedgerError("API__NOT_FOUND", { message: "this chain has no faucet" });
    if (amount <= 0n || amount > config.maxAmount) {
      throw new LedgerError("LEDGER__FAUCET_LIMIT", {
        message: `expected an amount in [1, ${config.maxAmount}] base units, got ${amount}`,
        context: { maxAmount: config.maxAmount.toString(), amount: amount.toString() },
      });
    }
    const now = this.#modules.clock.now();
    if (now - this.#faucetWindow.startMs >= 60_000) this.#faucetWindow = { startMs: now, count: 0 };
    if (this.#faucetWindow.count >= config.maxRequestsPerMinute) {
      throw new LedgerError("LEDGER__FAUCET_LIMIT", {
        message: `the faucet serves at most ${config.maxRequestsPerMinute} requests a minute`,
        context: { maxRequestsPerMinute: config.maxRequestsPerMinute },
      });
    }
    this.#faucetWindow.count += 1;
    const keyPair = keyPairFromSecret(config.secretKey);
    const from = keyPair.publicKey;
    const nonce = getAccount(this.#state, from).nonce + this.mempool.pendingFrom(from);
    const tx: Transaction = { kind: "transfer", chainId: this.chainId, from, nonce, to, amount };
    const signature = signTransaction(keyPair, tx);
    const [outcome] = await this.#admitVerified([{ ok: true, tx, hash: transactionHash(tx), signature }]);
    if (outcome === undefined || !outcome.ok) {
      throw new LedgerError(outcome?.error.code ?? "API__INTERNAL", {
        message: `faucet transfer refused: ${outcome?.error.message ?? "no outcome"}`,
        context: outcome?.error.context ?? {},
      });
    }
    return outcome.status;
  }

  /**
   * Drops a stuck pending transaction and the sender's later ones (their nonces follow it), durably. The caller
   * authenticated the request (the sender's signature or the operator token). Serialized with block production,
   * so a block never takes a dropped entry.
   */
  dropPending(hash: Hash): Promise<Hash[]> {
    const run = this.#production.then(async () => {
      this.#assertAccepting();
      const entry = this.mempool.get(hash);
      if (entry === undefined || !entry.logged) throw new LedgerError("API__TX_NOT_FOUND", { context: { hash } });
      const entries = this.mempool.withLaterFromSender(hash);
      try {
        await this.#modules.store.dropMempool(entries.map((item) => item.seq));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.#fail(failure);
        throw failure;
      }
      this.mempool.remove(entries);
      this.#modules.logger.warn(`dropped ${entries.length} pending transaction(s) from ${entry.tx.from} at ${hash}`);
      return entries.map((item) => item.hash);
    });
    this.#production = run.catch(() => {});
    return run;
  }

  faucetAccount(): Account | null {
    return faucetAccount(this.genesis);
  }

  // Statuses ----------------------------------------------------------------------------------------------------

  async getTxStatus(hash: Hash): Promise<TxStatus | undefined> {
    const pending = this.mempool.get(hash);
    if (pending?.logged) return pendingStatus(pending);
    const stored = await this.#modules.store.getTransaction(hash);
    return stored === undefined ? undefined : includedStatus(stored);
  }

  /** Resolves with the included status, or with the current (pending) status after `timeoutMs`. */
  async waitForInclusion(hash: Hash, timeoutMs: number): Promise<TxStatus | undefined> {
    const current = await this.getTxStatus(hash);
    if (current === undefined || current.status === "included") return current;
    return new Promise<TxStatus | undefined>((resolve) => {
      let cancel = () => {};
      const done = (status: TxStatus) => {
        cancel();
        resolve(status);
      };
      const list = this.#waiters.get(hash) ?? [];
      list.push(done);
      this.#waiters.set(hash, list);
      cancel = this.#modules.clock.setTimer(timeoutMs, () => {
        const remaining = (this.#waiters.get(hash) ?? []).filter((waiter) => waiter !== done);
        if (remaining.length > 0) this.#waiters.set(hash, remaining);
        else this.#waiters.delete(hash);
        void this.getTxStatus(hash).then(resolve, () => resolve(current));
      });
    });
  }

  // Blocks ------------------------------------------------------------------------------------------------------

  /** Produces the next block (one slot). Calls are serialized; each resolves once its block is durable. */
  produceBlock(): Promise<BlockHeader> {
    const next = this.#production.then(() => this.#produce());
    this.#production = next.catch(() => {});
    return next;
  }

  async #produce(): Promise<BlockHeader> {
    if (this.#failure !== undefined) throw this.#failure;
    const { store, metrics, clock, logger } = this.#modules;
    // Logged entries only: everything in a block was acknowledged or is about to be, never the other way round.
    if (this.#logQueue.length > 0) await this.#flushLog();
    const started = performance.now();
    const before = this.#state;
    const slot = this.#head.number + 1;
    const entries = this.mempool.takeLogged(this.maxTransactionsPerBlock);
    const applied = applyBlock(
      before,
      slot,
      entries.map((entry) => entry.tx),
      (error, tx) => {
        // A bug in the rules, contained by the protocol (TX__APPLY_FAILED, protocol.md §9.1): tell the operator.
        metrics.applyFailures.count += 1;
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        logger.error(
          `ALERT TX__APPLY_FAILED: ${tx.kind} from ${tx.from} nonce ${tx.nonce} in block ${slot}: ${detail}`,
        );
      },
    );
    const state = applied.state;
    applied.outcomes.forEach((outcome, index) => {
      if (!outcome.ok && !outcome.included) {
        const hash = (entries[index] as MempoolEntry).hash;
        logger.error(`admitted transaction ${hash} refused at the edge in block ${slot}: ${outcome.code}`);
      }
    });
    const block = sealBlock({
      prevHash: this.#head.hash,
      slot,
      entries,
      applied,
      stateRoot: stateRoot(state),
      producedAtMs: Math.round(clock.now()),
    });
    const changes = [...diffStates(before, state)];
    metrics.applySeconds.observe((performance.now() - started) / 1000);
    const committing = performance.now();
    const lastSeq = entries.length === 0 ? -1 : (entries[entries.length - 1] as MempoolEntry).seq;
    try {
      await store.commitBlock(block, changes, lastSeq);
      await this.#modules.onDurableBlock?.(headerOf(block));
    } catch (error) {
      const failure = error instanceof Error ? error : new StorageError(`store block ${slot}`, error, store.location);
      this.#fail(failure);
      throw failure;
    }
    metrics.fsyncSeconds.block.observe((performance.now() - committing) / 1000);
    this.#publish(block, state, entries);
    return this.#head;
  }

  #publish(block: Block, state: State, entries: readonly MempoolEntry[]): void {
    const { metrics } = this.#modules;
    this.#state = state;
    this.#head = headerOf(block);
    this.mempool.remove(entries);
    metrics.blocks.count += 1;
    block.txs.forEach((tx, position) => {
      if (tx.result.ok) metrics.accepted.count += 1;
      else metrics.reject(tx.result.code, "block");
      const waiters = this.#waiters.get(tx.hash);
      if (waiters !== undefined) {
        this.#waiters.delete(tx.hash);
        const status = includedStatus({ ...tx, block: block.number, position });
        for (const waiter of waiters) waiter(status);
      }
    });
    for (const listener of this.#listeners) {
      try {
        listener(block);
      } catch (error) {
        this.#modules.logger.warn(`block listener failed: ${String(error)}`);
      }
    }
  }

  /** Stops accepting, waits for the block in progress and the pending log flush. The store stays open. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#production.catch(() => {});
    if (this.#logQueue.length > 0 || this.#logFlush !== undefined) await this.#flushLog().catch(() => {});
    // Whoever waits for inclusion gets the pending status now: the transaction is logged and survives the restart.
    const waiters = [...this.#waiters.entries()];
    this.#waiters.clear();
    for (const [hash, list] of waiters) {
      const entry = this.mempool.get(hash);
      if (entry === undefined) continue;
      for (const waiter of list) waiter(pendingStatus(entry));
    }
  }
}

/** Blocks read back at start-up and checked against their hashes and links (the store checks each on read). */
const BLOCKS_CHECKED_AT_START = 64;

async function checkRecentBlocks(store: LedgerStore, head: BlockHeader): Promise<void> {
  const from = Math.max(0, head.number - BLOCKS_CHECKED_AT_START + 1);
  const blocks = await store.getBlocks(from, head.number);
  if (blocks.length !== head.number - from + 1) {
    throw new LedgerError("LEDGER__DAMAGED", {
      message: `${store.location} is missing blocks between ${from} and ${head.number}; run \`gradual ledger verify\``,
    });
  }
  for (let index = 1; index < blocks.length; index += 1) {
    const block = blocks[index] as Block | StoredBlockLike;
    const previous = blocks[index - 1] as Block | StoredBlockLike;
    if (block.prevHash !== previous.hash) {
      throw new LedgerError("LEDGER__DAMAGED", {
        message: `block ${block.number} in ${store.location} does not link to block ${previous.number}; run \`gradual ledger verify\``,
      });
    }
  }
}

type StoredBlockLike = { readonly number: number; readonly prevHash: string; readonly hash: string };

function pendingStatus(entry: MempoolEntry): PendingStatus {
  return {
    hash: entry.hash,
    status: "pending",
    tx: entry.tx,
    signature: entry.signature,
    receivedAtBlock: entry.receivedAtBlock,
  };
}

function includedStatus(stored: StoredTransaction): IncludedStatus {
  return {
    hash: stored.hash,
    status: "included",
    tx: stored.tx,
    signature: stored.signature,
    block: stored.block,
    position: stored.position,
    result: stored.result,
  };
}
