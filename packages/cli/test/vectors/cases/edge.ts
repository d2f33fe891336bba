import { MAX_TRANSACTION_BYTES } from "@gradual/ledger";
import { accountOf } from "../builder.ts";
import { transferBody, type VectorCase } from "../scenarios.ts";

/**
 * The ledger edge (protocol.md §9.2): signed envelopes go through `admitTransaction` (size, shape, chain id,
 * signature, nonce) before the core sees them; a refusal there is never included and uses no nonce.
 */
export const EDGE_CASES: readonly VectorCase[] = [
  {
    path: "edge/accepted-signed",
    description: "A correctly signed transfer passes the edge and is applied: alice pays bob 100 and her nonce is 1.",
    build(b) {
      b.begin();
      b.send("alice", transferBody("bob", 100n), { sign: true });
    },
  },
  {
    path: "edge/bad-signature",
    description:
      "alice signed a transfer of 100 to bob; the envelope claims 900 with that signature: TX__BAD_SIGNATURE, not included, nonce unused.",
    build(b) {
      b.begin();
      const signed = b.wire("alice", transferBody("bob", 100n));
      const tampered = b.wire("alice", transferBody("bob", 900n));
      b.step({ tx: tampered, signature: b.signature("alice", signed) }, "TX__BAD_SIGNATURE");
    },
  },
  {
    path: "edge/wrong-chain",
    description:
      "A transfer correctly signed for chain gradual-other is refused here with TX__WRONG_CHAIN: the chain id is part of the signed payload.",
    build(b) {
      b.begin();
      const tx = b.wire("alice", transferBody("bob", 100n), { chainId: "gradual-other" });
      b.step({ tx, signature: b.signature("alice", tx) }, "TX__WRONG_CHAIN");
    },
  },
  {
    path: "edge/nonce-too-low",
    description:
      "A replay: the same signed transfer sent twice is applied once; the second copy is TX__NONCE_TOO_LOW and not included.",
    build(b) {
      b.begin();
      const tx = b.wire("alice", transferBody("bob", 100n));
      const signature = b.signature("alice", tx);
      b.step({ tx, signature });
      b.step({ tx, signature }, "TX__NONCE_TOO_LOW");
    },
  },
  {
    path: "edge/nonce-too-high",
    description: "A signed transfer with nonce 2 while alice's next nonce is 0: TX__NONCE_TOO_HIGH, not included.",
    build(b) {
      b.begin();
      const tx = b.wire("alice", transferBody("bob", 100n), { nonce: 2 });
      b.step({ tx, signature: b.signature("alice", tx) }, "TX__NONCE_TOO_HIGH");
    },
  },
  {
    path: "edge/malformed",
    description:
      'A transfer whose amount is "1.5" (amounts are integers in base units): TX__MALFORMED; the shape is checked before the signature.',
    build(b) {
      b.begin();
      const tx = { ...b.wire("alice", transferBody("bob", 100n)), amount: "1.5" };
      b.step({ tx, signature: "00".repeat(64) }, "TX__MALFORMED");
    },
  },
  {
    path: "edge/unknown-kind",
    description: 'A transaction of kind "mint", which the protocol does not define: TX__UNKNOWN_KIND.',
    build(b) {
      b.begin();
      const tx = { kind: "mint", chainId: "gradual-spec", from: accountOf("alice"), nonce: 0, amount: "1000" };
      b.step({ tx, signature: "00".repeat(64) }, "TX__UNKNOWN_KIND");
    },
  },
  {
    path: "edge/unknown-field",
    description:
      'A transfer with an extra "memo" field: TX__UNKNOWN_FIELD, so a signed payload never carries data the rules ignore.',
    build(b) {
      b.begin();
      const tx = { ...b.wire("alice", transferBody("bob", 100n)), memo: "thanks" };
      b.step({ tx, signature: "00".repeat(64) }, "TX__UNKNOWN_FIELD");
    },
  },
  {
    path: "edge/too-large",
    description: `A correctly signed transfer whose envelope measured ${MAX_TRANSACTION_BYTES + 1} bytes on the wire (the step's "bytes"): TX__TOO_LARGE before anything else is read.`,
    build(b) {
      b.begin();
      const tx = b.wire("alice", transferBody("bob", 100n));
      b.step({ tx, signature: b.signature("alice", tx), bytes: MAX_TRANSACTION_BYTES + 1 }, "TX__TOO_LARGE");
    },
  },
  {
    path: "edge/core-rechecks",
    description:
      "Unsigned steps skip the edge, and applyTransaction checks shape, chain id and nonce again: each refusal is not included, then a valid transfer and its replay.",
    build(b) {
      b.begin();
      b.send("alice", transferBody("bob", 100n), { chainId: "gradual-other", expect: "TX__WRONG_CHAIN" });
      b.send("alice", transferBody("bob", 100n), { nonce: 1, expect: "TX__NONCE_TOO_HIGH" });
      b.step({ tx: { ...b.wire("alice", transferBody("bob", 100n)), amount: "-5" } }, "TX__MALFORMED");
      b.step({ tx: { ...b.wire("alice", transferBody("bob", 100n)), kind: "mint" } }, "TX__UNKNOWN_KIND");
      const tx = b.wire("alice", transferBody("bob", 100n));
      b.step({ tx });
      b.step({ tx }, "TX__NONCE_TOO_LOW");
    },
  },
];

export const TRANSFER_CASES: readonly VectorCase[] = [
  {
    path: "transfer/accepted",
    description: "alice pays bob 250: her balance falls and her nonce rises, his balance rises.",
    build(b) {
      b.begin();
      b.send("alice", transferBody("bob", 250n));
    },
  },
  {
    path: "transfer/accepted-new-account",
    description: "alice pays frank, who has no account record yet: the transfer creates it with nonce 0.",
    build(b) {
      b.begin();
      b.send("alice", transferBody("frank", 500n));
    },
  },
  {
    path: "transfer/rejected-insufficient-balance",
    description:
      "bob (balance 1000) sends 1001: ACCOUNT__INSUFFICIENT_BALANCE, included (his nonce is used), no money moves.",
    build(b) {
      b.begin();
      b.send("bob", transferBody("carol", 1_001n), { expect: "ACCOUNT__INSUFFICIENT_BALANCE" });
    },
  },
  {
    path: "transfer/rejected-to-self",
    description: "bob pays himself: TRANSFER__TO_SELF, included, only his nonce changes.",
    build(b) {
      b.begin();
      b.send("bob", transferBody("bob", 10n), { expect: "TRANSFER__TO_SELF" });
    },
  },
];
