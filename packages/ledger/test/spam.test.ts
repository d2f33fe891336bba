import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sha256Hex, TOKEN } from "@gradual/protocol";
import {
  BLOB_ACCOUNT_HEADER,
  BLOB_FILE_NAME,
  BLOB_SIGNATURE_HEADER,
  blobUploadPayload,
  createLedgerClient,
  generateKeyPair,
  genesisToJson,
  type KeyPair,
  type LedgerClient,
  SQLITE_FILE_NAME,
  signBytes,
} from "../src/index.ts";
import { makeGenesis, makeKeys, transfer } from "./support/fixtures.ts";
import { type LedgerProcess, spawnLedger, tempDir } from "./support/process.ts";

/**
 * Issue 13, finding 3, against the real ledger process: writes cost their writer. Unfunded keys queue nothing,
 * one sender cannot crowd out the others, blobs need a signature from an allowed account, are bounded per account
 * and stored apart from the chain (a full blob store does not stop blocks), one client cannot take every event
 * stream, and a sender can drop its own stuck transaction.
 */

const CHAIN = "gradual-test";
const RESERVE = 1_000n;

describe("ledger process: writes cost their writer", () => {
  const dir = tempDir("spam");
  const data = join(dir.path, "data");
  const keys = makeKeys(["alice", "bob"]);
  let ledger: LedgerProcess;
  let client: LedgerClient;
  const nonces = new Map<string, number>();
  const next = (key: KeyPair) => {
    const nonce = nonces.get(key.publicKey) ?? 0;
    nonces.set(key.publicKey, nonce + 1);
    return nonce;
  };

  before(async () => {
    const genesisFile = join(dir.path, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis(keys))));
    ledger = await spawnLedger(data, {
      args: [
        ...["--genesis", genesisFile, "--manual-slots", "--workers", "1"],
        ...["--max-mempool", "40", "--max-pending-per-sender", "5", "--reserve-per-pending", String(RESERVE)],
        ...["--max-blob-store-bytes", "160000", "--max-blob-bytes-per-account", "120000"],
        ...["--max-subscribers-per-client", "3"],
      ],
    });
    client = createLedgerClient({ url: ledger.url });
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${ledger.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const envelope = (signed: ReturnType<typeof transfer>) => ({
    tx: { ...signed.tx, amount: String((signed.tx as { amount: bigint }).amount) },
    signature: signed.signature,
  });

  it("an unfunded key queues nothing (LEDGER__INSUFFICIENT_RESERVE), however many keys", async () => {
    for (let index = 0; index < 10; index += 1) {
      const fresh = generateKeyPair();
      const { status, body } = await post("/v1/txs", envelope(transfer(fresh, CHAIN, 0, keys.alice.publicKey)));
      assert.deepEqual([status, body.code], [402, "LEDGER__INSUFFICIENT_RESERVE"]);
    }
    assert.equal((await client.getChain()).mempoolSize, 0);
  });

  it("a sender's balance must cover every pending transaction at the reserve", async () => {
    const poor = generateKeyPair();
    await client.submit(transfer(keys.alice, CHAIN, next(keys.alice), poor.publicKey, 2n * RESERVE + 10n));
    await client.advanceSlots(1, ledger.adminToken as string);
    const first = await post("/v1/txs", envelope(transfer(poor, CHAIN, 0, keys.bob.publicKey)));
    const second = await post("/v1/txs", envelope(transfer(poor, CHAIN, 1, keys.bob.publicKey)));
    const third = await post("/v1/txs", envelope(transfer(poor, CHAIN, 2, keys.bob.publicKey)));
    assert.deepEqual([first.status, second.status], [202, 202]);
    assert.deepEqual([third.status, third.body.code], [402, "LEDGER__INSUFFICIENT_RESERVE"]);
    await client.advanceSlots(1, ledger.adminToken as string);
  });

  it("a funded flood stops at the sender's fair share; other senders still get in", async () => {
    const results: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      const { status, body } = await post(
        "/v1/txs",
        envelope(transfer(keys.alice, CHAIN, next(keys.alice), keys.bob.publicKey)),
      );
      results.push(status);
      if (status !== 202) {
        assert.equal(body.code, "LEDGER__SENDER_LIMIT");
        nonces.set(keys.alice.publicKey, (nonces.get(keys.alice.publicKey) ?? 1) - 1);
      }
    }
    assert.deepEqual(results, [202, 202, 202, 202, 202, 429, 429, 429]);
    const other = await post("/v1/txs", envelope(transfer(keys.bob, CHAIN, next(keys.bob), keys.alice.publicKey)));
    assert.equal(other.status, 202, JSON.stringify(other.body));
    await client.advanceSlots(1, ledger.adminToken as string);
    assert.equal((await client.getChain()).mempoolSize, 0);
  });

  async function upload(bytes: Uint8Array, key: KeyPair | null, signer: KeyPair | null = key) {
    const hash = sha256Hex(bytes);
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (key !== null) headers[BLOB_ACCOUNT_HEADER] = key.publicKey;
    if (signer !== null) headers[BLOB_SIGNATURE_HEADER] = signBytes(signer, blobUploadPayload(CHAIN, hash));
    const response = await fetch(`${ledger.url}/v1/blobs`, { method: "POST", headers, body: bytes });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("blob uploads are signed by an allowed account, bounded per account, and stored apart from the chain", async () => {
    const bytes = (seed: number, size: number) => new Uint8Array(size).fill(seed);
    assert.equal((await upload(bytes(1, 100), null)).status, 401, "unsigned");
    assert.equal((await upload(bytes(1, 100), keys.alice, keys.bob)).status, 401, "signed by someone else");
    const stranger = await upload(bytes(1, 100), generateKeyPair());
    assert.deepEqual([stranger.status, stranger.body.code], [403, "LEDGER__BLOB_NOT_ALLOWED"]);
    assert.equal((await upload(bytes(1, 100), keys.alice)).status, 201);
    assert.equal((await upload(bytes(2, 100_000), keys.alice)).status, 201);
    const over = await upload(bytes(3, 30_000), keys.alice);
    assert.deepEqual([over.status, over.body.code], [413, "LEDGER__BLOB_QUOTA"]);
    assert.ok(existsSync(join(data, BLOB_FILE_NAME)), "blobs have their own file");
    const chainBytes = statSync(join(data, SQLITE_FILE_NAME)).size;
    // Fill the blob store itself (160 kB) with bob's and more accounts' uploads: it refuses, the chain goes on.
    let full: { status: number; body: Record<string, unknown> } | undefined;
    for (let seed = 10; seed < 20 && full === undefined; seed += 1) {
      const result = await upload(bytes(seed, 100_000), seed % 2 === 0 ? keys.bob : keys.alice);
      if (result.status === 507) full = result;
    }
    assert.equal(full?.body.code, "LEDGER__BLOB_STORE_FULL");
    assert.ok(statSync(join(data, SQLITE_FILE_NAME)).size - chainBytes < 100_000, "the chain file did not grow");
    const before = (await client.getHead()).number;
    await client.submit(transfer(keys.bob, CHAIN, next(keys.bob), keys.alice.publicKey));
    await client.advanceSlots(2, ledger.adminToken as string);
    assert.equal((await client.getHead()).number, before + 2, "blocks go on with a full blob store");
    assert.equal((await fetch(`${ledger.url}/v1/health`)).status, 200);
  });

  it("one client holds at most its share of event streams", async () => {
    const controllers = Array.from({ length: 4 }, () => new AbortController());
    const statuses: number[] = [];
    try {
      for (const controller of controllers) {
        const response = await fetch(`${ledger.url}/v1/events`, { signal: controller.signal });
        statuses.push(response.status);
        if (response.status !== 200) {
          assert.equal(((await response.json()) as { code: string }).code, "LEDGER__SUBSCRIBER_LIMIT");
        }
      }
    } finally {
      for (const controller of controllers) controller.abort();
    }
    assert.deepEqual(statuses, [200, 200, 200, 503]);
  });

  it("a sender drops its own stuck transaction (and its later ones) with a signature", async () => {
    const key = keys.bob;
    const hashes: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      hashes.push((await client.submit(transfer(key, CHAIN, next(key), keys.alice.publicKey))).hash);
    }
    const target = hashes[1] as string;
    const unsigned = await fetch(`${ledger.url}/v1/txs/${target}`, { method: "DELETE" });
    assert.equal(unsigned.status, 401);
    const wrong = await fetch(`${ledger.url}/v1/txs/${target}`, {
      method: "DELETE",
      headers: {
        "x-gradual-signature": signBytes(keys.alice, new TextEncoder().encode(`gradual/drop/v1\n${CHAIN}\n${target}`)),
      },
    });
    assert.equal(wrong.status, 401, "only the sender may drop");
    const dropped = await fetch(`${ledger.url}/v1/txs/${target}`, {
      method: "DELETE",
      headers: {
        "x-gradual-signature": signBytes(key, new TextEncoder().encode(`gradual/drop/v1\n${CHAIN}\n${target}`)),
      },
    });
    assert.equal(dropped.status, 200);
    assert.deepEqual(((await dropped.json()) as { dropped: string[] }).dropped, hashes.slice(1));
    await client.advanceSlots(1, ledger.adminToken as string);
    assert.equal((await client.getTx(hashes[0] as string))?.status, "included");
    assert.equal(await client.getTx(target), undefined);
    nonces.set(key.publicKey, (await client.getAccount(key.publicKey)).nextNonce);
    const again = await client.submit(transfer(key, CHAIN, next(key), keys.alice.publicKey, 2n));
    assert.equal(again.status, "pending", "the nonce is free again");
    await client.advanceSlots(1, ledger.adminToken as string);
    assert.equal(TOKEN > 0n, true);
  });
});

describe("ledger process: a connection cap", () => {
  const dir = tempDir("connections");
  let ledger: LedgerProcess;

  before(async () => {
    ledger = await spawnLedger(join(dir.path, "data"), {
      args: ["--devnet", "--manual-slots", "--workers", "0", "--max-connections", "3"],
    });
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  /** Opens a raw socket and sends one request; resolves with the status line, or "closed" if dropped unanswered. */
  function request(socket: Socket): Promise<string> {
    return new Promise((resolve) => {
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\r\n")) resolve(text.slice(0, text.indexOf("\r\n")));
      });
      socket.once("close", () => resolve(text === "" ? "closed" : text.slice(0, text.indexOf("\r\n"))));
      socket.once("error", () => resolve("closed"));
      socket.write("GET /v1/chain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
    });
  }

  function connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: "127.0.0.1", port: ledger.port }, () => resolve(socket));
      socket.once("error", reject);
    });
  }

  it("drops connections past --max-connections, and serves again once one closes", async () => {
    const held: Socket[] = [];
    try {
      for (let index = 0; index < 3; index += 1) {
        const socket = await connect();
        held.push(socket);
        assert.match(await request(socket), /^HTTP\/1\.1 200/);
      }
      const extra = await connect();
      held.push(extra);
      assert.equal(await request(extra), "closed", "the fourth connection is dropped");
      (held.shift() as Socket).destroy();
      let answered = "closed";
      for (let tries = 0; tries < 50 && answered === "closed"; tries += 1) {
        const socket = await connect();
        held.push(socket);
        answered = await request(socket);
      }
      assert.match(answered, /^HTTP\/1\.1 200/);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe("ledger process: an idle timeout", () => {
  const dir = tempDir("idle");
  let ledger: LedgerProcess;

  before(async () => {
    ledger = await spawnLedger(join(dir.path, "data"), {
      args: ["--devnet", "--manual-slots", "--workers", "0", "--idle-timeout-ms", "500"],
    });
  });

  after(async () => {
    await ledger?.stop();
    dir.remove();
  });

  it("closes a connection that sends nothing, so idle sockets cannot hold the server's slots", async () => {
    const socket = createConnection({ host: "127.0.0.1", port: ledger.port });
    try {
      // Bounded wait (not a timing assertion): the server must close the socket on its own, well before 30 s.
      const closed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 30_000);
        socket.once("close", () => {
          clearTimeout(timer);
          resolve(true);
        });
        socket.once("error", () => undefined);
      });
      assert.ok(closed, "the idle connection was not closed by the server");
    } finally {
      socket.destroy();
    }
  });
});
