import {
  computeBlockHash,
  computeTxsRoot,
  type EnvelopeInput,
  type VerifiedEnvelope,
  ZERO_HASH,
} from "@gradual/ledger/client";
import {
  type Account,
  applyBlock,
  createGenesisState,
  GradualError,
  getChain,
  type NODE_ERROR_CODES,
  type ProtocolEvent,
  type State,
  stateRoot,
  type Transaction,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";

/**
 * A verifying replica of the ledger (ARCHITECTURE.md): the node replays every block through the same protocol core
 * the ledger runs and checks everything a block claims before using it: the link to the previous block
 * (`prevHash`), the transactions root recomputed from the transactions it was given, every signature (on the
 * verifier pool's worker threads), the state root after replaying, and the block hash. Its decisions rest on state
 * it verified itself, not on answers it has to trust. A mismatch stops the node with a code naming what differs.
 */

export type ReplicaTransaction = { readonly tx: Transaction; readonly signature: string };

export type ReplicaBlock = {
  readonly number: number;
  readonly slot: number;
  readonly prevHash: string;
  readonly txsRoot: string;
  readonly stateRoot: string;
  readonly hash: string;
  /** Transactions included in the block, in order (accepted and refused-but-included alike), with signatures. */
  readonly txs: readonly ReplicaTransaction[];
};

export type ReplicaGenesis = {
  readonly chainId: string;
  readonly accounts: readonly { readonly account: Account; readonly balance: bigint }[];
  readonly stateRoot: string;
};

/** Checks envelopes' shape, chain id and signatures (the ledger's VerifierPool fits). */
export type SignatureVerifier = {
  verify(inputs: readonly EnvelopeInput[]): Promise<readonly VerifiedEnvelope[]>;
};

/** What a replica finds wrong in a served block (their meanings: NODE_ERROR_CODES in the error registry). */
export type ReplicaErrorCode = Extract<keyof typeof NODE_ERROR_CODES, `NODE__REPLICA_${string}`>;

/** A served block the replica cannot accept: the node stops acting and shows the code on /health. */
export class ReplicaMismatchError extends GradualError<ReplicaErrorCode> {
  override readonly name = "ReplicaMismatchError";
  readonly block: number;
  constructor(code: ReplicaErrorCode, block: number, detail: string) {
    super(code, { message: `${code}: block ${block}: ${detail}`, context: { block } });
    this.block = block;
  }
}

export class Replica {
  #state: State;
  #height = 0;
  #headHash: string;
  readonly #verifier: SignatureVerifier | undefined;
  /** Task ids of a settlement that names tasks itself (EVM); undefined: the core's (the transaction's hash). */
  readonly #taskIdOf: ((creator: string, taskCount: number) => string) | undefined;

  /** Without a verifier, signatures are not checked (tests of the replay alone); a node always passes one. */
  constructor(
    genesis: ReplicaGenesis,
    verifier?: SignatureVerifier,
    options: { readonly taskIdOf?: (creator: string, taskCount: number) => string } = {},
  ) {
    this.#state = createGenesisState({ chainId: genesis.chainId, accounts: genesis.accounts });
    this.#verifier = verifier;
    this.#taskIdOf = options.taskIdOf;
    const root = stateRoot(this.#state);
    if (root !== genesis.stateRoot) {
      throw new ReplicaMismatchError(
        "NODE__REPLICA_STATE_ROOT",
        0,
        `the ledger says state root ${genesis.stateRoot}, the genesis gives ${root}`,
      );
    }
    this.#headHash = computeBlockHash({
      number: 0,
      slot: 0,
      prevHash: ZERO_HASH,
      txsRoot: computeTxsRoot([]),
      stateRoot: root,
    });
  }

  get state(): State {
    return this.#state;
  }

  get height(): number {
    return this.#height;
  }

  /** Hash of the last verified block (block 0's is computed from the genesis). */
  get headHash(): string {
    return this.#headHash;
  }

  get slot(): number {
    return getChain(this.#state).slot;
  }

  /** Verifies and applies the next block; returns the events it produced. Throws ReplicaMismatchError. */
  async apply(block: ReplicaBlock): Promise<ProtocolEvent[]> {
    const fail = (code: ReplicaErrorCode, detail: string) => new ReplicaMismatchError(code, block.number, detail);
    if (block.number !== this.#height + 1 || block.slot !== this.slot + 1) {
      throw fail(
        "NODE__REPLICA_SEQUENCE",
        `replica at block ${this.#height} (slot ${this.slot}) got slot ${block.slot}`,
      );
    }
    if (block.prevHash !== this.#headHash) {
      throw fail(
        "NODE__REPLICA_PREV_HASH",
        `prevHash ${block.prevHash}, but block ${this.#height} is ${this.#headHash}`,
      );
    }
    const hashes = block.txs.map((entry) => transactionHash(entry.tx));
    const txsRoot = computeTxsRoot(hashes);
    if (txsRoot !== block.txsRoot) {
      throw fail(
        "NODE__REPLICA_TXS_ROOT",
        `txsRoot ${block.txsRoot}, the ${hashes.length} transactions give ${txsRoot}`,
      );
    }
    const hash = computeBlockHash({
      number: block.number,
      slot: block.slot,
      prevHash: block.prevHash,
      txsRoot: block.txsRoot,
      stateRoot: block.stateRoot,
    });
    if (hash !== block.hash) throw fail("NODE__REPLICA_BLOCK_HASH", `hash ${block.hash}, the header gives ${hash}`);
    if (this.#verifier !== undefined && block.txs.length > 0) {
      const checked = await this.#verifier.verify(
        block.txs.map((entry) => ({ envelope: { tx: transactionToJson(entry.tx), signature: entry.signature } })),
      );
      checked.forEach((result, index) => {
        if (!result.ok || result.hash !== hashes[index]) {
          const why = result.ok ? "hash differs" : result.code;
          throw fail("NODE__REPLICA_SIGNATURE", `transaction ${index} (${hashes[index]}): ${why}`);
        }
      });
    }
    let taskIds: (string | undefined)[] | undefined;
    const taskIdOf = this.#taskIdOf;
    if (taskIdOf !== undefined) {
      // Every creation the settlement recorded succeeded: the k-th of the block takes the count before it plus k.
      let count = getChain(this.#state).taskCount;
      taskIds = block.txs.map(({ tx }) => (tx.kind === "createTask" ? taskIdOf(tx.from, count++) : undefined));
    }
    const result = applyBlock(
      this.#state,
      block.slot,
      block.txs.map((entry) => entry.tx),
      undefined,
      taskIds,
    );
    const root = stateRoot(result.state);
    if (root !== block.stateRoot) {
      throw fail("NODE__REPLICA_STATE_ROOT", `the ledger says state root ${block.stateRoot}, replaying gives ${root}`);
    }
    this.#state = result.state;
    this.#height = block.number;
    this.#headHash = block.hash;
    return [...result.slotEvents, ...result.outcomes.flatMap((outcome) => outcome.events)];
  }
}
