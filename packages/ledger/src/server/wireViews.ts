import { transactionToJson } from "@gradual/protocol";
import {
  type BlockEventWire,
  type BlockHeaderWire,
  type BlockWire,
  type SubmitResult,
  type TxStatusWire,
  toWire,
  type WireTransaction,
} from "@gradual/wire";
import type { Block, BlockHeader, StoredBlock } from "../block.ts";
import type { TxStatus } from "../ledger.ts";

/** Ledger values in wire form (bigints as decimal strings), shaped as the routes of @gradual/wire answer them. */

export function ackToWire(status: TxStatus): SubmitResult {
  if (status.status === "pending") {
    return { hash: status.hash, status: "pending", receivedAtBlock: status.receivedAtBlock };
  }
  return {
    hash: status.hash,
    status: "included",
    block: status.block,
    position: status.position,
    result: status.result,
  };
}

export function txStatusToWire(status: TxStatus): TxStatusWire {
  const tx = transactionToJson(status.tx) as WireTransaction;
  return { ...ackToWire(status), tx, signature: status.signature };
}

export function headerToWire(header: BlockHeader): BlockHeaderWire {
  const { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs } = header;
  return { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs };
}

export function blockEventsToWire(block: Block | StoredBlock): BlockEventWire[] {
  return block.events.map((item) => ({ tx: item.tx, event: toWire(item.event) }));
}

export function blockToWire(block: Block | StoredBlock): BlockWire {
  return {
    ...headerToWire(block),
    txs: block.txs.map((tx) => ({
      hash: tx.hash,
      tx: transactionToJson(tx.tx) as WireTransaction,
      signature: tx.signature,
      result: tx.result,
    })),
    events: blockEventsToWire(block),
  };
}
