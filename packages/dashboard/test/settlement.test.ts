import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accountOfEvmAddress,
  evmAddressOf,
  evmCallOf,
  isEvmChainId,
  settlementOfIndexer,
  shortAddress,
  sourceNoun,
} from "../src/model/settlement.ts";

const ACCOUNT = `${"0".repeat(24)}928d1c8d5e9c179e64f60fda9a35acf710aba421`;

describe("settlement: what differs on an EVM chain", () => {
  it("tells the indexer's chain ids from the ledger's", () => {
    assert.equal(isEvmChainId("evm-31337-e7f1725e"), true);
    assert.equal(isEvmChainId("gradual-devnet"), false);
    assert.equal(isEvmChainId("evm-x"), false);
  });

  it("reads /v1/indexer's answer; anything else is not an EVM chain", () => {
    assert.deepEqual(
      settlementOfIndexer({
        settlement: "evm",
        chainId: "evm-31337-e7f1725e",
        evmChainId: 31337,
        contract: "0xE7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        slotMs: 1000,
        diverged: null,
      }),
      {
        kind: "evm",
        evmChainId: 31337,
        contract: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
        slotMs: 1000,
        diverged: null,
      },
    );
    const diverged = settlementOfIndexer({
      settlement: "evm",
      evmChainId: 1,
      contract: "0x00",
      diverged: { code: "EVM__INDEXER_DIVERGED", message: "at block 9" },
    });
    assert.deepEqual(diverged?.kind === "evm" ? diverged.diverged : undefined, {
      code: "EVM__INDEXER_DIVERGED",
      message: "at block 9",
    });
    assert.equal(settlementOfIndexer({ chainId: "evm-1-00000000", slot: 3 }), undefined);
    assert.equal(settlementOfIndexer(null), undefined);
  });

  it("shows a padded account as its address and back", () => {
    assert.equal(evmAddressOf(ACCOUNT), "0x928d1c8d5e9c179e64f60fda9a35acf710aba421");
    assert.equal(evmAddressOf("7c90dcfbad5d989dcf9e0dbad789f18766a28ef332c90b7c97078b6e59b6bd57"), undefined);
    assert.equal(accountOfEvmAddress(" 0x928D1c8d5e9c179e64f60fda9a35acf710aba421 "), ACCOUNT);
    assert.equal(accountOfEvmAddress("0x1234"), undefined);
    assert.equal(shortAddress("0x928d1c8d5e9c179e64f60fda9a35acf710aba421"), "0x928d…a421");
  });

  it("reads the EVM transaction hash and log index a replayed call holds in the signature's place", () => {
    const signature = `${"ab".repeat(32)}${"0".repeat(63)}7`;
    assert.deepEqual(evmCallOf(signature), { txHash: `0x${"ab".repeat(32)}`, logIndex: 7 });
    assert.equal(evmCallOf(""), undefined);
    assert.equal(sourceNoun({ kind: "ledger" }), "the ledger");
    assert.equal(sourceNoun(undefined), "the ledger");
    assert.equal(
      sourceNoun({ kind: "evm", evmChainId: 1, contract: "0x", slotMs: 1000, diverged: null }),
      "the indexer",
    );
  });
});
