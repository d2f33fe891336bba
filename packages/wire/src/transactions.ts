import {
  decodeTransaction,
  isDecodeRejection,
  TRANSACTION_KINDS,
  type Transaction,
  transactionToJson,
} from "@gradual/protocol";
import type { Wire } from "./bigints.ts";
import { custom, type Decoder, integer, literal, object, record, string, union, unknown } from "./decoder.ts";
import { WireError } from "./errors.ts";
import { hex64, signatureHex } from "./primitives.ts";

/** A transaction in wire form (protocol.md §9.1): amounts as decimal strings. */
export type WireTransaction = Wire<Transaction>;

const TRANSACTION_SCHEMA = {
  type: "object",
  required: ["kind", "chainId", "from", "nonce"],
  properties: {
    kind: { enum: [...TRANSACTION_KINDS], type: "string" },
    chainId: { type: "string" },
    from: hex64.schema,
    nonce: integer({ minimum: 0 }).schema,
  },
  additionalProperties: true,
  description: "A transaction in wire form (protocol.md §9.1): amounts as decimal strings",
};

/**
 * Checked by the protocol's own transaction decoder (`decodeTransaction`, what the ledger's edge runs), so the
 * wire shape of each kind is written once, in the protocol; the copy returned is the protocol's wire form of it.
 */
export const wireTransaction: Decoder<WireTransaction> = custom(
  "a transaction (protocol.md §9.1)",
  TRANSACTION_SCHEMA,
  (value, path) => {
    const decoded = decodeTransaction(value);
    if (isDecodeRejection(decoded)) {
      const context = decoded.context as { field?: string; expected?: string; got?: string; kind?: string };
      const field = context.field === undefined || context.field === "tx" ? path : `${path}.${context.field}`;
      throw new WireError("WIRE__MALFORMED", {
        message: `${path === "" ? "transaction" : path}: ${decoded.message}`,
        context: {
          path: field,
          expected: context.expected ?? "a transaction (protocol.md §9.1)",
          got: context.got ?? String(context.kind ?? ""),
          code: decoded.code,
        },
      });
    }
    return transactionToJson(decoded) as WireTransaction;
  },
);

/** An error answered by the ledger, and the body of every refused request: `{ code, message, context }`. */
export const errorBody = object(
  {
    code: string({ description: "stable code, DOMAIN__DESCRIPTION (docs/errors.md)" }),
    message: string(),
    context: record(unknown()),
  },
  { id: "Error" },
);

/** A transaction's result in its block: accepted, or included with the code that refused it (protocol.md §9.1). */
export const txResult = union(
  object({ ok: literal(true) }),
  object({ ok: literal(false), code: string(), message: string(), context: record(unknown()) }),
);

/** What a client sends: the transaction in wire form and the sender's signature of its signing payload. */
export const envelope = object({ tx: wireTransaction, signature: signatureHex });
