import {
  type Account,
  applyBlock,
  createGenesisState,
  getChain,
  type ProtocolEvent,
  type State,
  stateRoot,
  type Transaction,
} from "@gradual/protocol";

/**
 * A verifying replica of the ledger (ARCHITECTURE.md): the node replays every block through the same protocol core
 * the ledger runs and checks each state root, so its decisions rest on state it verified itself, not on answers it
 * has to trust. A root mismatch stops the node with an error naming the block.
 */

export type ReplicaBlock = {
  readonly number: number;
  readonly slot: number;
  readonly stateRoot: string;
  /** Transactions included in the block, in order (accepted and refused-but-included alike). */
  readonly txs: readonly Transaction[];
};

export type ReplicaGenesis = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
  readonly stateRoot: string;
};

export class ReplicaMismatchError extends Error {
  override readonly name = "ReplicaMismatchError";
  readonly block: number;
  constructor(block: number, expected: string, got: string) {
    super(`block ${block}: the ledger says state root ${expected}, replaying it gives ${got}`);
    this.block = block;
  }
}

export class Replica {
  #state: State;
  #height = 0;

  constructor(genesis: ReplicaGenesis) {
    this.#state = createGenesisState({ chainId: genesis.chainId, accounts: genesis.accounts });
    const root = stateRoot(this.#state);
    if (root !== genesis.stateRoot) throw new ReplicaMismatchError(0, genesis.stateRoot, root);
  }

  get state(): State {
    return this.#state;
  }

  get height(): number {
    return this.#height;
  }

  get slot(): number {
    return getChain(this.#state).slot;
  }

  /** Applies the next block and verifies its root; returns the events it produced. */
  apply(block: ReplicaBlock): ProtocolEvent[] {
    if (block.number !== this.#height + 1 || block.slot !== this.slot + 1) {
      throw new Error(`replica at block ${this.#height} (slot ${this.slot}) cannot apply block ${block.number}`);
    }
    const result = applyBlock(this.#state, block.slot, block.txs);
    const root = stateRoot(result.state);
    if (root !== block.stateRoot) throw new ReplicaMismatchError(block.number, block.stateRoot, root);
    this.#state = result.state;
    this.#height = block.number;
    return [...result.slotEvents, ...result.outcomes.flatMap((outcome) => outcome.events)];
  }
}
