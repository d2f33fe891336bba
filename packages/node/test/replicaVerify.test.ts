import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  computeBlockHash,
  computeTxsRoot,
  createDevnetGenesis,
  createLedgerClient,
  generateKeyPair,
  type KeyPair,
  signBytes,
  signTransaction,
  startLedger,
  VerifierPool,
} from "@gradual/ledger";
import {
  applyBlock,
  createGenesisState,
  decodeTransaction,
  type State,
  signingPayload,
  stateRoot,
  TOKEN,
  type Transaction,
  transactionHash,
} from "@gradual/protocol";
import { Replica, type ReplicaErrorCode } from "../src/runtime/replica.ts";
import { httpSettlement } from "../src/settlement/httpSettlement.ts";

/**
 * Issue 13, finding 5: the node verifies, not trusts. Blocks made by the real ledger are served by a ledger double
 * (an HTTP server on 127.0.0.1) that tampers with one block and recomputes its state root so that the old
 * root-only check would pass: an altered amount, a forged signature, a dropped transaction, a reordered pair, and a
 * dropped transaction with the block's own txsRoot and hash recomputed. The replica refuses each with its code.
 */

const CHAIN = "gradual-replica";

type WireTx = { hash: string; tx: Record<string, unknown>; signature: string; result: unknown };
type WireBlock = {
  number: number;
  slot: number;
  prevHash: string;
  txsRoot: string;
  stateRoot: string;
  hash: string;
  txs: WireTx[];
  [other: string]: unknown;
};
type WireGenesis = { chainId: string; stateRoot: string; accounts: { account: string; balance: string }[] };

function decode(tx: Record<string, unknown>): Transaction {
  const decoded = decodeTransaction(tx);
  if ((decoded as { ok?: unknown }).ok === false) throw new Error("undecodable");
  return decoded as Transaction;
}

function serve(genesis: WireGenesis, blocks: readonly WireBlock[]): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const send = (body: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/v1/genesis") return send(genesis);
    if (url.pathname === "/v1/blocks/head") return send(blocks[blocks.length - 1]);
    if (url.pathname === "/v1/blocks") {
      const from = Number(url.searchParams.get("from"));
      const to = Number(url.searchParams.get("to"));
      return send({ blocks: blocks.filter((block) => block.number >= from && block.number <= to) });
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server });
    });
  });
}

describe("replica: a ledger double serving tampered blocks is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradual-replica-"));
  let genesis: WireGenesis;
  let blocks: WireBlock[] = [];
  let verifier: VerifierPool;
  /** The block (number) holding at least two transactions, the one the double tampers with. */
  let target = 0;
  const keys: KeyPair[] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];

  before(async () => {
    const ledgerGenesis = createDevnetGenesis({
      chainId: CHAIN,
      accounts: keys.map((key) => ({ account: key.publicKey, balance: 1_000n * TOKEN })),
    });
    const running = await startLedger({
      dataDir: join(dir, "ledger"),
      port: 0,
      genesis: ledgerGenesis,
      manualSlots: true,
      workers: 0,
    });
    try {
      const client = createLedgerClient({ url: running.url });
      const token = running.adminToken as string;
      await client.advanceSlots(2, token);
      for (let round = 0; round < 2; round += 1) {
        for (const [index, key] of keys.entries()) {
          const to = (keys[(index + 1) % keys.length] as KeyPair).publicKey;
          const tx: Transaction = {
            kind: "transfer",
            chainId: CHAIN,
            from: key.publicKey,
            nonce: round,
            to,
            amount: 7n,
          };
          await client.submit({ tx, signature: signTransaction(key, tx) });
        }
        await client.advanceSlots(1, token);
      }
      await client.advanceSlots(2, token);
      const head = (await client.getHead()).number;
      genesis = (await (await fetch(`${running.url}/v1/genesis`)).json()) as WireGenesis;
      blocks = ((await (await fetch(`${running.url}/v1/blocks?from=1&to=${head}`)).json()) as { blocks: WireBlock[] })
        .blocks;
    } finally {
      await running.close();
    }
    target = (blocks.find((block) => block.txs.length >= 3) as WireBlock).number;
    verifier = new VerifierPool({ chainId: CHAIN, workers: 1 });
  });

  after(async () => {
    await verifier?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** State before block `number`, replayed from the honest blocks. */
  function stateBefore(number: number): State {
    let state = createGenesisState({
      chainId: genesis.chainId,
      accounts: genesis.accounts.map((entry) => ({ account: entry.account, balance: BigInt(entry.balance) })),
    });
    for (const block of blocks) {
      if (block.number >= number) break;
      state = applyBlock(
        state,
        block.slot,
        block.txs.map((entry) => decode(entry.tx)),
      ).state;
    }
    return state;
  }

  /** The chain with block `target`'s transactions replaced, its state root recomputed, and more as asked. */
  function tampered(
    change: (txs: WireTx[]) => WireTx[],
    recompute: { txsRoot?: boolean; hash?: boolean; relinkSuffix?: boolean } = {},
  ): WireBlock[] {
    const copy = structuredClone(blocks);
    const index = copy.findIndex((block) => block.number === target);
    const block = copy[index] as WireBlock;
    block.txs = change(block.txs);
    block.stateRoot = stateRoot(
      applyBlock(
        stateBefore(target),
        block.slot,
        block.txs.map((entry) => decode(entry.tx)),
      ).state,
    );
    if (recompute.txsRoot) block.txsRoot = computeTxsRoot(block.txs.map((entry) => transactionHash(decode(entry.tx))));
    if (recompute.hash) block.hash = computeBlockHash(block);
    if (recompute.relinkSuffix) {
      let previous = block;
      let state = applyBlock(
        stateBefore(target),
        block.slot,
        block.txs.map((entry) => decode(entry.tx)),
      ).state;
      for (const later of copy.slice(index + 1)) {
        state = applyBlock(
          state,
          later.slot,
          later.txs.map((entry) => decode(entry.tx)),
        ).state;
        later.prevHash = previous.hash;
        later.stateRoot = stateRoot(state);
        later.hash = computeBlockHash(later);
        previous = later;
      }
    }
    return copy;
  }

  /** Syncs a fresh replica from the double; the code it stopped with, or "ok" when every block verified. */
  async function syncFrom(served: WireBlock[]): Promise<{ code: ReplicaErrorCode | "ok"; block: number }> {
    const { url, server } = await serve(genesis, served);
    try {
      const source = httpSettlement(url);
      const replica = new Replica(await source.genesis(), verifier);
      const head = await source.head();
      try {
        for (const block of await source.blocks(1, head)) await replica.apply(block);
      } catch (error) {
        const mismatch = error as { code?: ReplicaErrorCode; block?: number };
        if (mismatch.code === undefined) throw error;
        return { code: mismatch.code, block: mismatch.block ?? -1 };
      }
      return { code: "ok", block: replica.height };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("verifies the honest chain", async () => {
    assert.equal((await syncFrom(blocks)).code, "ok");
  });

  it("refuses an altered amount, even in a fully recomputed chain (the signature no longer matches)", async () => {
    const served = tampered(
      (txs) => txs.map((entry, index) => (index === 0 ? { ...entry, tx: { ...entry.tx, amount: "7000" } } : entry)),
      { txsRoot: true, hash: true, relinkSuffix: true },
    );
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_SIGNATURE", block: target });
  });

  it("refuses a forged signature", async () => {
    const forger = generateKeyPair();
    const served = tampered((txs) =>
      txs.map((entry, index) =>
        index === 1 ? { ...entry, signature: signBytes(forger, signingPayload(decode(entry.tx))) } : entry,
      ),
    );
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_SIGNATURE", block: target });
  });

  it("refuses a dropped transaction (txsRoot no longer matches)", async () => {
    const served = tampered((txs) => txs.slice(1));
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_TXS_ROOT", block: target });
  });

  it("refuses a reordered pair (txsRoot no longer matches)", async () => {
    const served = tampered((txs) => [txs[1] as WireTx, txs[0] as WireTx, ...txs.slice(2)]);
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_TXS_ROOT", block: target });
  });

  it("refuses a dropped transaction whose block was rehashed: the next block no longer links to it", async () => {
    const served = tampered((txs) => txs.slice(1), { txsRoot: true, hash: true });
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_PREV_HASH", block: target + 1 });
  });

  it("refuses a header whose hash does not cover its fields", async () => {
    const served = structuredClone(blocks);
    const block = served.find((item) => item.number === target) as WireBlock;
    block.hash = "ab".repeat(32);
    assert.deepEqual(await syncFrom(served), { code: "NODE__REPLICA_BLOCK_HASH", block: target });
  });
});
