import { computeBlockHash, computeTxsRoot, ZERO_HASH } from "@gradual/ledger/client";
import {
  type Account,
  applyBlock,
  type BlockResult,
  checkConservation,
  createGenesisState,
  getAccount,
  getChain,
  type ProtocolEvent,
  type State,
  stateRoot,
  type Transaction,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";
import { toWire } from "@gradual/wire";
import type { TransactionBody } from "../decide.ts";

/**
 * The one in-memory chain of the local runs (`gradual task test`, `gradual koii test`, a linked Koii project's own
 * tests): the real protocol core applied block by block, with no signatures, no network and no clock of its own. Its
 * owner decides when a block is produced (virtual time: one slot per `produce`), and every block is checked for
 * conservation of tokens (protocol.md §9.2), as the simulator does.
 */

/** A block as the ledger's GET /v1/blocks serves it (bigints as decimal strings). */
export type MemoryBlock = {
  readonly number: number;
  readonly slot: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly txs: readonly { hash: string; tx: Record<string, unknown>; result: unknown }[];
};

export type MemoryChainOptions = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
  /** Hears each transaction the chain refused (a node would log it). */
  readonly onRefused?: (tx: Transaction, refusal: { code: string; message: string }) => void;
  /** Hears each block's events, slot events first, in order. */
  readonly onEvents?: (events: readonly ProtocolEvent[]) => void;
  /** Keep every block in the ledger's wire form, for a ledger reader that serves GET /blocks (default false). */
  readonly keepBlocks?: boolean;
};

export class MemoryChain {
  readonly chainId: string;
  /** Every event of every block, in order. */
  readonly events: ProtocolEvent[] = [];
  /** Block n holds slot n and block 0 is genesis, as on the real ledger; empty unless `keepBlocks`. */
  readonly blocks: MemoryBlock[] = [];
  #state: State;
  #pending: Transaction[] = [];
  /** Next nonce per sender, counting the transactions still pending. */
  readonly #nonces = new Map<Account, number>();
  readonly #options: MemoryChainOptions;

  constructor(options: MemoryChainOptions) {
    this.chainId = options.chainId;
    this.#options = options;
    this.#state = createGenesisState({ chainId: options.chainId, accounts: options.accounts });
    if (options.keepBlocks) this.blocks.push(wireBlock(undefined, this.#state, [], []));
  }

  get state(): State {
    return this.#state;
  }

  /** The slot of the last block. */
  get slot(): number {
    return getChain(this.#state).slot;
  }

  /** Queues a transaction from `from` for the next block, with the chain id and its next nonce; returns it. */
  send(from: Account, body: TransactionBody): Transaction {
    const nonce = Math.max(this.#nonces.get(from) ?? 0, getAccount(this.#state, from).nonce);
    this.#nonces.set(from, nonce + 1);
    const tx = { ...body, chainId: this.chainId, from, nonce } as Transaction;
    this.#pending.push(tx);
    return tx;
  }

  /** One block at the next slot holding every queued transaction. */
  produce(): BlockResult {
    const transactions = this.#pending;
    this.#pending = [];
    const block = applyBlock(this.#state, this.slot + 1, transactions);
    block.outcomes.forEach((outcome, index) => {
      if (!outcome.ok) this.#options.onRefused?.(transactions[index] as Transaction, outcome);
    });
    if (this.#options.keepBlocks)
      this.blocks.push(wireBlock(this.blocks.at(-1), block.state, transactions, block.outcomes));
    this.#state = block.state;
    const produced = [...block.slotEvents, ...block.outcomes.flatMap((outcome) => outcome.events)];
    this.events.push(...produced);
    this.#options.onEvents?.(produced);
    checkConservation(this.#state);
    return block;
  }

  /** Produces blocks until the chain is at `slot` (nothing if it already is or is past it). */
  advanceTo(slot: number): void {
    while (this.slot < slot) this.produce();
  }
}

function wireBlock(
  previous: MemoryBlock | undefined,
  state: State,
  txs: readonly Transaction[],
  outcomes: BlockResult["outcomes"],
): MemoryBlock {
  const slot = getChain(state).slot;
  const hashes = txs.map((tx) => transactionHash(tx));
  const prevHash = previous?.hash ?? ZERO_HASH;
  const header = { number: slot, slot, prevHash, txsRoot: computeTxsRoot(hashes), stateRoot: stateRoot(state) };
  return {
    number: slot,
    slot,
    prevHash,
    hash: computeBlockHash(header),
    txs: txs.map((tx, index) => {
      const outcome = outcomes[index];
      const result =
        outcome === undefined || outcome.ok
          ? { ok: true }
          : { ok: false, code: outcome.code, message: outcome.message, context: toWire(outcome.context) };
      return { hash: hashes[index] as string, tx: transactionToJson(tx), result };
    }),
  };
}
