import {
  applyBlock,
  canonicalStringify,
  type Hash,
  type State,
  stateFromEntries,
  stateRoot,
  type TransactionOutcome,
  transactionToJson,
} from "@gradual/protocol";
import { stringifyWire } from "@gradual/wire";
import {
  type BlockEvent,
  computeBlockHash,
  computeTxsRoot,
  genesisBlock,
  type StoredBlock,
  txResultOf,
  ZERO_HASH,
} from "./block.ts";
import { genesisState } from "./genesis.ts";
import type { LedgerStore } from "./store/LedgerStore.ts";
import type { VerifierPool } from "./verifierPool.ts";
import { type VerifiedEnvelope, verifyEnvelope } from "./verifyEnvelope.ts";

export type VerifyMismatch = {
  /** Block number where the log first disagrees with the replay (-1: the genesis record itself). */
  readonly block: number;
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
  /** The transaction concerned, when there is one. */
  readonly tx?: Hash;
  readonly message: string;
};

export type VerifyReport = {
  readonly ok: boolean;
  readonly chainId: string;
  readonly blocks: number;
  readonly transactions: number;
  readonly head: { readonly number: number; readonly hash: Hash; readonly stateRoot: Hash } | null;
  readonly mismatch: VerifyMismatch | null;
};

export type VerifyLedgerOptions = {
  /** Checks signatures on these workers; in the calling thread when omitted. */
  readonly verifier?: VerifierPool;
  readonly onProgress?: (block: number) => void;
};

/**
 * Internal control flow of verifyLedger: caught below and returned as a `VerifyMismatch` value, never thrown to a
 * caller, so it carries no registered code.
 */
class Mismatch extends Error {
  readonly mismatch: VerifyMismatch;
  constructor(mismatch: VerifyMismatch) {
    super(mismatch.message);
    this.mismatch = mismatch;
  }
}

function expectEqual(block: number, field: string, expected: unknown, actual: unknown, tx?: Hash): void {
  const expectedText = typeof expected === "string" ? expected : canonicalStringify(expected);
  const actualText = typeof actual === "string" ? actual : canonicalStringify(actual);
  if (expectedText === actualText) return;
  const where = tx === undefined ? `block ${block}` : `block ${block}, transaction ${tx}`;
  throw new Mismatch({
    block,
    field,
    expected: expectedText,
    actual: actualText,
    ...(tx === undefined ? {} : { tx }),
    message: `${where}: ${field} is ${actualText} in the log, replay gives ${expectedText}`,
  });
}

async function checkSignatures(block: StoredBlock, chainId: string, verifier: VerifierPool | undefined): Promise<void> {
  const inputs = block.txs.map((tx) => ({ envelope: { tx: transactionToJson(tx.tx), signature: tx.signature } }));
  const results: VerifiedEnvelope[] =
    verifier === undefined ? inputs.map((input) => verifyEnvelope(input, chainId)) : await verifier.verify(inputs);
  results.forEach((result, index) => {
    const stored = block.txs[index] as StoredBlock["txs"][number];
    if (!result.ok) {
      expectEqual(block.number, "signature", "a valid transaction and signature", result.code, stored.hash);
      return;
    }
    expectEqual(block.number, "txHash", result.hash, stored.hash, stored.hash);
  });
}

function replayBlock(state: State, block: StoredBlock): { state: State; events: BlockEvent[] } {
  const applied = applyBlock(
    state,
    block.slot,
    block.txs.map((tx) => tx.tx),
  );
  const events: BlockEvent[] = applied.slotEvents.map((event) => ({ tx: null, event }));
  block.txs.forEach((stored, index) => {
    const outcome = applied.outcomes[index] as TransactionOutcome;
    for (const event of outcome.events) events.push({ tx: stored.hash, event });
    expectEqual(block.number, "result", txResultOf(outcome), stored.result, stored.hash);
  });
  return { state: applied.state, events };
}

/**
 * Replays a ledger's whole block log from its genesis through the protocol core and checks every link: block
 * numbers and slots, prevHash chain, each transaction's hash and signature, txsRoot, each result, the events, the
 * stateRoot after every block, each block hash, and finally the stored state table against the head's root.
 * Stops at the first mismatch and reports it. Everything is recomputed; nothing stored is trusted.
 */
export async function verifyLedger(store: LedgerStore, options: VerifyLedgerOptions = {}): Promise<VerifyReport> {
  return store.readSnapshot(async () => {
    const genesis = await store.readGenesis();
    if (genesis === undefined) throw new TypeError(`${store.location} holds no chain`);
    let state = genesisState(genesis);
    let previous: { number: number; hash: Hash; stateRoot: Hash } | null = null;
    let blocks = 0;
    let transactions = 0;
    const report = (mismatch: VerifyMismatch | null): VerifyReport => ({
      ok: mismatch === null,
      chainId: genesis.chainId,
      blocks,
      transactions,
      head: previous,
      mismatch,
    });
    try {
      for await (const block of store.iterateBlocks(0)) {
        const number = previous === null ? 0 : previous.number + 1;
        expectEqual(number, "number", number, block.number);
        expectEqual(number, "slot", number, block.slot);
        if (previous === null) {
          const expected = genesisBlock(stateRoot(state), block.producedAtMs);
          expectEqual(0, "prevHash", ZERO_HASH, block.prevHash);
          expectEqual(0, "txCount", 0, block.txs.length);
          expectEqual(0, "stateRoot", expected.stateRoot, block.stateRoot);
        } else {
          expectEqual(number, "prevHash", previous.hash, block.prevHash);
          expectEqual(number, "txCount", block.txs.length, block.txCount);
          await checkSignatures(block, genesis.chainId, options.verifier);
          const replayed = replayBlock(state, block);
          state = replayed.state;
          expectEqual(number, "events", stringifyWire(replayed.events), JSON.stringify(block.events));
          expectEqual(number, "stateRoot", stateRoot(state), block.stateRoot);
        }
        expectEqual(number, "txsRoot", computeTxsRoot(block.txs.map((tx) => tx.hash)), block.txsRoot);
        expectEqual(number, "hash", computeBlockHash(block), block.hash);
        previous = { number: block.number, hash: block.hash, stateRoot: block.stateRoot };
        blocks += 1;
        transactions += block.txs.length;
        options.onProgress?.(block.number);
      }
      if (previous === null) throw new TypeError(`${store.location} has a genesis but no block 0`);
      const entries: [string, unknown][] = [];
      for await (const [key, value] of store.loadState()) entries.push([key, value]);
      expectEqual(previous.number, "stateTable", previous.stateRoot, stateRoot(stateFromEntries(entries)));
      return report(null);
    } catch (error) {
      if (error instanceof Mismatch) return report(error.mismatch);
      throw error;
    }
  });
}
