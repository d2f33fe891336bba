import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDevnetGenesis,
  createLedgerClient,
  type KeyPair,
  type LedgerClient,
  type RunningLedger,
  signTransaction,
  startLedger,
} from "@gradual/ledger";
import { TOKEN, type Transaction } from "@gradual/protocol";
import type { TransactionBody } from "../../src/decide.ts";
import { httpLedgerSource } from "../../src/runtime/httpLedgerSource.ts";
import type { LedgerSource } from "../../src/runtime/ledgerSource.ts";

/**
 * A real ledger for node tests: a devnet ledger in this process (SQLite in a temporary directory, HTTP on
 * 127.0.0.1, signatures checked on the main thread) whose slots advance only when the test says so. Nodes reach it
 * through the same `httpLedgerSource` a running node uses.
 */
export type TestLedger = {
  readonly url: string;
  readonly chainId: string;
  readonly client: LedgerClient;
  readonly running: RunningLedger;
  /** The node's view of this ledger (`httpLedgerSource`). */
  readonly source: LedgerSource;
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

export async function startTestLedger(keys: readonly KeyPair[], chainId = "gradual-nodetest"): Promise<TestLedger> {
  const dir = mkdtempSync(join(tmpdir(), "gradual-nodetest-"));
  const running = await startLedger({
    dataDir: join(dir, "ledger"),
    port: 0,
    genesis: createDevnetGenesis({
      chainId,
      accounts: keys.map((key) => ({ account: key.publicKey, balance: 100_000n * TOKEN })),
    }),
    manualSlots: true,
    workers: 0,
  });
  const client = createLedgerClient({ url: running.url });
  const token = running.adminToken as string;
  let temps = 0;
  const testLedger: TestLedger = {
    url: running.url,
    chainId,
    client,
    running,
    source: httpLedgerSource(running.url),
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
