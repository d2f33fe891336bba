import { transactionToJson } from "@gradual/protocol";
import type { SubmitResult, TxStatusWire, WireTransaction } from "@gradual/wire";
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
