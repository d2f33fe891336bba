import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  blobUploadPayload,
  createDevnetGenesis,
  createLedgerClient,
  type KeyPair,
  type LedgerClient,
  type RunningLedger,
  signBytes,
  signTransaction,
  startLedger,
} from "@gradual/ledger";
import {
  decodeTransaction,
  getAccount,
  type Hash,
  isDecodeRejection,
  type State,
  sha256Hex,
  TOKEN,
  type Transaction,
  transactionToJson,
} from "@gradual/protocol";
import type { TransactionBody } from "../../src/decide.ts";
import { MemoryChain } from "../../src/local/memoryChain.ts";
import { httpSettlement } from "../../src/settlement/httpSettlement.ts";
import { memorySettlement } from "../../src/settlement/memorySettlement.ts";
import type { Settlement } from "../../src/settlement/settlement.ts";

/** A transaction in a block, with its result. */
export type IncludedEntry = { readonly tx: Transaction; readonly ok: boolean; readonly code: string | undefined };

/**
 * Where node tests settle, whose slots advance only when the test says so: the real ledger over HTTP
 * (`startTestLedger`) or a `MemoryChain` in this process (`startMemoryTestLedger`). Nodes reach either through a
 * `Settlement`, as a running node does; the tests that run on both show the node does not depend on which.
 */
export type TestLedger = {
  /** "ledger" or "memory". */
  readonly kind: TestLedgerKind;
  readonly url: string;
  readonly chainId: string;
  /** The node's view of it. */
  readonly source: Settlement;
  /** The state after the last block. */
  state(): State;
  /** Stores a blob signed by `key`; its hash. */
  uploadBlob(bytes: Uint8Array, key: KeyPair): Promise<Hash>;
  /** The transactions of blocks `from..to`, with their results, block by block. */
  included(from: number, to: number): Promise<{ number: number; txs: IncludedEntry[] }[]>;
  /** A fresh temporary directory under this ledger's, removed by close(). */
  tempDir(prefix: string): string;
  /** Produces `count` blocks (one per slot). */
  advance(count?: number): Promise<void>;
  /** Produces blocks until the head's slot is `slot`. */
  advanceTo(slot: number): Promise<void>;
  head(): Promise<number>;
  /** Signs `body` with `key`'s next free nonce and submits it; rejects on an edge refusal. */
  send(key: KeyPair, body: TransactionBody): Promise<string>;
  close(): Promise<void>;
};

export type TestLedgerKind = "ledger" | "memory";

/** The real ledger: a devnet ledger in this process (SQLite in a temporary directory, HTTP on 127.0.0.1). */
export type HttpTestLedger = TestLedger & { readonly client: LedgerClient; readonly running: RunningLedger };

export function startTestLedgerOf(kind: TestLedgerKind, keys: readonly KeyPair[]): Promise<TestLedger> {
  return kind === "ledger" ? startTestLedger(keys) : startMemoryTestLedger(keys);
}

const BALANCE = 100_000n * TOKEN;

export async function startTestLedger(keys: readonly KeyPair[], chainId = "gradual-nodetest"): Promise<HttpTestLedger> {
  const dir = mkdtempSync(join(tmpdir(), "gradual-nodetest-"));
  const running = await startLedger({
    dataDir: join(dir, "ledger"),
    port: 0,
    genesis: createDevnetGenesis({
      chainId,
      accounts: keys.map((key) => ({ account: key.publicKey, balance: BALANCE })),
    }),
    manualSlots: true,
    workers: 0,
  });
  const client = createLedgerClient({ url: running.url });
  const token = running.adminToken as string;
  let temps = 0;
  const testLedger: HttpTestLedger = {
    kind: "ledger",
    url: running.url,
    chainId,
    client,
    running,
    source: httpSettlement(running.url),
    state: () => running.ledger.state,
    async uploadBlob(bytes, key) {
      return (await client.uploadBlob(bytes, key)).hash;
    },
    async included(from, to) {
      return (await client.getBlocks(from, to)).map((block) => ({
        number: block.number,
        txs: block.txs.map((entry) => {
          const tx = decodeTransaction(entry.tx);
          if (isDecodeRejection(tx)) throw new Error(`block ${block.number}: undecodable transaction`);
          return { tx, ok: entry.result.ok, code: entry.result.ok ? undefined : entry.result.code };
        }),
      }));
    },
    tempDir(prefix) {
      temps += 1;
      return join(dir, `${prefix}-${temps}`);
    },
    async advance(count = 1) {
      await client.advanceSlots(count, token);
    },
    async advanceTo(slot) {
      const head = (await client.getHead()).slot;
      if (slot < head) throw new Error(`advanceTo(${slot}) from slot ${head}`);
      if (slot > head) await client.advanceSlots(slot - head, token);
    },
    async head() {
      return (await client.getHead()).number;
    },
    async send(key, body) {
      const account = await client.getAccount(key.publicKey);
      const tx = { ...body, chainId, from: key.publicKey, nonce: account.nextNonce } as Transaction;
      const result = await client.submit({ tx, signature: signTransaction(key, tx) });
      return result.hash;
    },
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return testLedger;
}

/** A `MemoryChain` in this process, reached through `memorySettlement`: no ledger process, no HTTP, no disk. */
export async function startMemoryTestLedger(
  keys: readonly KeyPair[],
  chainId = "gradual-nodetest",
): Promise<TestLedger> {
  const dir = mkdtempSync(join(tmpdir(), "gradual-nodetest-"));
  const chain = new MemoryChain({
    chainId,
    accounts: keys.map((key) => ({ account: key.publicKey, balance: BALANCE })),
    keepBlocks: true,
  });
  const source = memorySettlement(chain);
  let temps = 0;
  return {
    kind: "memory",
    url: source.url,
    chainId,
    source,
    state: () => chain.state,
    async uploadBlob(bytes, key) {
      return source.putBlob(bytes, key.publicKey, signBytes(key, blobUploadPayload(chainId, sha256Hex(bytes))));
    },
    async included(from, to) {
      return chain.sealed(from, to).map((block) => ({
        number: block.number,
        txs: block.txs.map((entry) => ({
          tx: entry.tx,
          ok: entry.result.ok,
          code: entry.result.ok ? undefined : entry.result.code,
        })),
      }));
    },
    tempDir(prefix) {
      temps += 1;
      return join(dir, `${prefix}-${temps}`);
    },
    async advance(count = 1) {
      for (let step = 0; step < count; step += 1) chain.produce();
    },
    async advanceTo(slot) {
      if (slot < chain.slot) throw new Error(`advanceTo(${slot}) from slot ${chain.slot}`);
      chain.advanceTo(slot);
    },
    async head() {
      return chain.height;
    },
    async send(key, body) {
      const nonce = getAccount(chain.state, key.publicKey).nonce;
      const tx = { ...body, chainId, from: key.publicKey, nonce } as Transaction;
      const outcome = chain.submit({ tx: transactionToJson(tx), signature: signTransaction(key, tx) });
      if (!outcome.ok) throw new Error(`${body.kind} refused: ${outcome.code} ${outcome.message}`);
      return outcome.hash;
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
