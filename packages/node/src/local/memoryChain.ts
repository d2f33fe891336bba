import {
  type Block,
  blockToWire,
  checkNonce,
  genesisBlock,
  type SealedEntry,
  type SignedEnvelope,
  sealBlock,
  verifyEnvelope,
} from "@gradual/ledger/client";
import {
  type Account,
  applyBlock,
  type BlockResult,
  checkConservation,
  createGenesisState,
  getAccount,
  getChain,
  type Hash,
  type ProtocolEvent,
  type State,
  stateRoot,
  type Transaction,
  transactionHash,
} from "@gradual/protocol";
import type { BlockWire } from "@gradual/wire";
import type { TransactionBody } from "../decide.ts";

/**
 * The one in-memory chain: the real protocol core applied block by block, with no network, no disk and no clock of
 * its own. Its owner decides when a block is produced (virtual time: one slot per `produce`), and every block is
 * checked for conservation of tokens (protocol.md §9.2), as the simulator does. Blocks are sealed exactly as the
 * ledger seals them (`sealBlock`), so a verifying replica follows this chain as it follows the ledger
 * (`memorySettlement`).
 *
 * Two ways in: `send` queues an unsigned transaction body with the sender's next nonce (the local runs, which hold
 * every key and trust themselves); `submit` admits a signed envelope as the ledger's edge does (shape, chain id,
 * signature, nonce), for a node that settles here.
 */

export type MemoryChainOptions = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
  /** Hears each transaction the chain refused (a node would log it). */
  readonly onRefused?: (tx: Transaction, refusal: { code: string; message: string }) => void;
  /** Hears each block's events, slot events first, in order. */
  readonly onEvents?: (events: readonly ProtocolEvent[]) => void;
  /** Keep every block (a replica or a ledger reader needs them; default false). */
  readonly keepBlocks?: boolean;
  /** Keep every event in `events` (default true; a long simulation reads each block's as it comes). */
  readonly keepEvents?: boolean;
  /** Recount every token after every block (default true; the simulator runs its own incremental checks). */
  readonly checkConservation?: boolean;
  /**
   * The wall time (ms since the epoch) a kept block records as `producedAtMs`, by slot (default 0: the chain has no
   * clock). The EVM indexer gives the start of the contract's slot, so a dashboard maps slots to times.
   */
  readonly blockTimeMs?: (slot: number) => number;
  /**
   * A test hook of the simulator: replaces a block's state or events before anyone sees them, to prove that its
   * invariant checks catch a break. Never set outside tests.
   */
  readonly afterBlock?: (block: ProducedBlock) => { state: State; events: ProtocolEvent[] } | undefined;
};

/** What one `produce` made: the block's slot, the state after it, its events (slot events first) and outcomes. */
export type ProducedBlock = {
  readonly slot: number;
  readonly state: State;
  readonly events: ProtocolEvent[];
  readonly outcomes: BlockResult["outcomes"];
};

/** A block as the ledger's GET /v1/blocks serves it (bigints as decimal strings). */
export type MemoryBlock = BlockWire;

/** What `submit` made of an envelope: queued for the next block, or refused with the edge's code. */
export type MemorySubmitOutcome =
  | { readonly ok: true; readonly hash: Hash }
  | { readonly ok: false; readonly code: string; readonly message: string };

export class MemoryChain {
  readonly chainId: string;
  /** Every event of every block, in order. */
  readonly events: ProtocolEvent[] = [];
  /** The genesis state's root (block 0's). */
  readonly genesisRoot: Hash;
  readonly genesisAccounts: readonly { readonly account: Account; readonly balance: bigint }[];
  #state: State;
  /** Queued for the next block; `hash` is filled in only when blocks are kept (hashing costs a simulation time). */
  #pending: { readonly tx: Transaction; readonly signature: string; readonly hash?: Hash; readonly taskId?: Hash }[] =
    [];
  /** Next nonce per sender, counting the transactions still pending. */
  readonly #nonces = new Map<Account, number>();
  /** Block n holds slot n and block 0 is genesis, as on the ledger; empty unless `keepBlocks`. */
  readonly #blocks: Block[] = [];
  readonly #wire: BlockWire[] = [];
  readonly #options: MemoryChainOptions;

  constructor(options: MemoryChainOptions) {
    this.chainId = options.chainId;
    this.genesisAccounts = options.accounts;
    this.#options = options;
    this.#state = createGenesisState({ chainId: options.chainId, accounts: options.accounts });
    this.genesisRoot = stateRoot(this.#state);
    if (options.keepBlocks) this.#blocks.push(genesisBlock(this.genesisRoot, options.blockTimeMs?.(0) ?? 0));
  }

  get state(): State {
    return this.#state;
  }

  /** The slot of the last block. */
  get slot(): number {
    return getChain(this.#state).slot;
  }

  /** The number of the last block (block n holds slot n). */
  get height(): number {
    return this.slot;
  }

  /** Blocks `from..to` as sealed (empty unless `keepBlocks`). */
  sealed(from: number, to: number): readonly Block[] {
    return this.#blocks.slice(Math.max(0, from), to + 1);
  }

  /**
   * Every kept block in the ledger's wire form (GET /v1/blocks), block 0 first; empty unless `keepBlocks`. Read it
   * again after a block is produced: the array a read returned does not follow.
   */
  get blocks(): readonly BlockWire[] {
    // Converted when first read (only a ledger reader reads them): a run nobody reads pays nothing for it.
    for (let number = this.#wire.length; number < this.#blocks.length; number += 1)
      this.#wire.push(blockToWire(this.#blocks[number] as Block));
    return this.#wire;
  }

  /** The sender's next nonce: counted here once known (only this chain's blocks move it), else the account's. */
  #nextNonce(from: Account): number {
    return this.#nonces.get(from) ?? getAccount(this.#state, from).nonce;
  }

  /**
   * Queues an unsigned transaction from `from` for the next block, with the chain id and its next nonce. `taskId`:
   * the id a `createTask` gives its task instead of its hash (`Env.taskId`: the EVM indexer replays the contract's);
   * `signature`: what the block records in the signature's place (default none; the EVM indexer records where the
   * call is on its chain).
   */
  send(
    from: Account,
    body: TransactionBody,
    options: { readonly taskId?: Hash; readonly signature?: string } = {},
  ): Transaction {
    const nonce = this.#nextNonce(from);
    this.#nonces.set(from, nonce + 1);
    // The same object as `{ ...body, chainId, from, nonce }`, built with Object.assign: a spread at a site that sees
    // every kind of transaction takes V8's slow path, about four times the cost (the simulator sends every one here).
    const tx = Object.assign({}, body, { chainId: this.chainId, from, nonce }) as Transaction;
    const signature = options.signature ?? "";
    this.#pending.push(options.taskId === undefined ? { tx, signature } : { tx, signature, taskId: options.taskId });
    return tx;
  }

  /** Admits a signed envelope as the ledger's edge does (shape, chain id, signature, next nonce) and queues it. */
  submit(envelope: SignedEnvelope): MemorySubmitOutcome {
    const verified = verifyEnvelope({ envelope }, this.chainId);
    if (!verified.ok) return { ok: false, code: verified.code, message: verified.message };
    const { tx } = verified;
    const pending = this.#nextNonce(tx.from) - getAccount(this.#state, tx.from).nonce;
    const nonce = checkNonce(this.#state, tx, pending);
    if (nonce !== null) return { ok: false, code: nonce.code, message: nonce.message };
    this.#nonces.set(tx.from, tx.nonce + 1);
    this.#pending.push({ hash: verified.hash, tx, signature: verified.signature });
    return { ok: true, hash: verified.hash };
  }

  /**
   * One block holding every queued transaction, at the next slot or at `slot` (later slots' windows pass in it, as
   * when a ledger produced no block for them).
   */
  produce(slot = this.slot + 1): ProducedBlock {
    if (this.#options.keepBlocks && slot !== this.slot + 1) {
      // Only a bug in the caller: a replica follows one block per slot, so a chain that keeps blocks never skips.
      throw new Error(`a chain that keeps its blocks produces one per slot (slot ${this.slot} to ${slot})`);
    }
    const entries = this.#pending;
    this.#pending = [];
    const applied = applyBlock(
      this.#state,
      slot,
      entries.map((entry) => entry.tx),
      undefined,
      entries.map((entry) => entry.taskId),
    );
    applied.outcomes.forEach((outcome, index) => {
      if (outcome.ok) return;
      const { tx } = entries[index] as { tx: Transaction };
      // Refused at the edge, the transaction used no nonce: the sender's next one is read from its account again.
      if (!outcome.included) this.#nonces.delete(tx.from);
      this.#options.onRefused?.(tx, outcome);
    });
    if (this.#options.keepBlocks) {
      const prevHash = (this.#blocks.at(-1) as Block).hash;
      const sealed: SealedEntry[] = entries.map((entry) => ({
        ...entry,
        hash: entry.hash ?? transactionHash(entry.tx),
      }));
      this.#blocks.push(
        sealBlock({
          prevHash,
          slot,
          entries: sealed,
          applied,
          stateRoot: stateRoot(applied.state),
          producedAtMs: this.#options.blockTimeMs?.(slot) ?? 0,
        }),
      );
    }
    let produced: ProducedBlock = {
      slot,
      state: applied.state,
      events: [...applied.slotEvents, ...applied.outcomes.flatMap((outcome) => outcome.events)],
      outcomes: applied.outcomes,
    };
    const replaced = this.#options.afterBlock?.(produced);
    if (replaced !== undefined) produced = { ...produced, ...replaced };
    this.#state = produced.state;
    if (this.#options.keepEvents !== false) this.events.push(...produced.events);
    this.#options.onEvents?.(produced.events);
    if (this.#options.checkConservation !== false) checkConservation(this.#state);
    return produced;
  }

  /** Produces blocks until the chain is at `slot` (nothing if it already is or is past it). */
  advanceTo(slot: number): void {
    while (this.slot < slot) this.produce();
  }
}
