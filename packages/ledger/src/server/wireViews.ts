import { transactionToJson } from "@gradual/protocol";
import type { Block, BlockHeader, StoredBlock } from "../block.ts";
import type { TxStatus } from "../ledger.ts";
import { toWire } from "../wire.ts";
import type { BlockHeaderWire, BlockWire, SubmitResult, TxStatusWire } from "./schemas.ts";

/** Ledger values in wire form (bigints as decimal strings), shaped as in schemas.ts. */

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
  const tx = transactionToJson(status.tx) as TxStatusWire["tx"];
  return { ...ackToWire(status), tx, signature: status.signature } as TxStatusWire;
}

export function headerToWire(header: BlockHeader): BlockHeaderWire {
  const { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs } = header;
  return { number, slot, prevHash, txsRoot, stateRoot, hash, txCount, producedAtMs };
}

export function blockToWire(block: Block | StoredBlock): BlockWire {
  return {
    ...headerToWire(block),
    txs: block.txs.map((tx) => ({
      hash: tx.hash,
      tx: transactionToJson(tx.tx) as BlockWire["txs"][number]["tx"],
      signature: tx.signature,
      result: tx.result,
    })),
    events: block.events.map((item) => ({
      tx: item.tx,
      event: toWire(item.event) as BlockWire["events"][number]["event"],
    })),
  };
}
