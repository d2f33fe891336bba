import { DECIMAL_PATTERN } from "./bigints.ts";
import { type Decoder, integer, string } from "./decoder.ts";

/** The scalars of the wire: hashes and accounts, amounts, counts. */

/** 64 lowercase hex characters: a hash, an account (an ed25519 public key), a task id. */
export const hex64 = string({ pattern: "^[0-9a-f]{64}$", description: "64 lowercase hex characters" });
/** An ed25519 signature as 128 lowercase hex characters. */
export const signatureHex = string({ pattern: "^[0-9a-f]{128}$", description: "ed25519 signature, hex" });
/** A bigint amount as it travels: base units as a decimal string. */
export const amount: Decoder<string> = string({
  pattern: DECIMAL_PATTERN,
  description: "base units as a decimal string",
  expected: "a non-negative integer as a decimal string",
});
/** A count, an index, a slot, a block number. */
export const uint = integer({ minimum: 0 });
/** A round (negative before a task starts) or a window bound. */
export const int = integer();
