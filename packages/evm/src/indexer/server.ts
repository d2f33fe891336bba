/**
 * The indexer's HTTP API: the ledger's read API (`/v1/...`) over the replayed state, so the CLI's read commands, the
 * ledger client, the nodes' HTTP settlement reads and the dashboard work against an EVM chain unchanged.
 *
 * - `GET /v1/chain` as the ledger's (its `supply` is the money the contract holds: the pool account's share left out);
 * - every state read of the ledger (`STATE_READS`) and `GET /v1/blocks?from&to`: answered by the
 *   node package's in-memory ledger reader (`createMemoryLedgerReader`) over the indexer's `MemoryChain`, route for
 *   route the ledger's replies;
 * - `GET /v1/events`: the ledger's event stream (server-sent `block` events, `id` the block number, resume with
 *   `Last-Event-ID` or `?after=N`);
 * - `GET /v1/accounts/:account` (the ledger's view; nothing is ever pending here), `GET /v1/blocks/head`, `/v1/blocks/:number`, `/v1/health` (not ok, 503, once diverged);
 * - `GET /v1/txs/:hash`: a replayed call, by the core's transaction hash or by its EVM transaction's hash (the
 *   first call that transaction made); its `signature` holds the EVM transaction hash and the log index;
 * - `GET /v1/indexer`: what the chain is (`settlement: "evm"`, the EVM chain id, the contract, its clock), the
 *   follower's progress and the divergence, if any (the indexer's own route; the dashboard reads it).
 *
 * - `GET /v1/genesis` (the pool account), blobs: `GET /v1/blobs/:sha256` and `POST /v1/blobs` (application/octet-stream,
 *   at most 16 MB). Uploads are **not authenticated** (the ledger's are ed25519-signed; an EVM account would sign
 *   with EIP-191, not done yet): serve the indexer on 127.0.0.1 or behind a proxy that limits uploads.
 *
 * Transactions are not accepted: on an EVM chain a write is a contract call (the EVM settlement sends it).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { accountView } from "@gradual/ledger/views";
import { createMemoryLedgerReader } from "@gradual/node/local";
import { GradualError, getAccount, getChain } from "@gradual/protocol";
import { type BlockWire, toWire } from "@gradual/wire";
import { POOL_SUPPLY } from "./calls.ts";
import type { Indexer } from "./indexer.ts";

export type IndexerServer = {
  readonly url: string;
  /** Tells the open event streams that blocks were added. */
  notify(): void;
  close(): Promise<void>;
};

export type IndexerStatus = () => Record<string, unknown>;

const KEEP_ALIVE_MS = 15_000;
/** The largest blob (a task bundle), as the ledger's default. */
const MAX_BLOB_BYTES = 16 * 1024 * 1024;
const MAX_EVENT_BACKLOG_BLOCKS = 10_000;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)));
}

/** A block's header (GET /v1/blocks/head). */
function header(block: BlockWire): Omit<BlockWire, "txs" | "events"> {
  const { txs: _txs, events: _events, ...rest } = block;
  return rest;
}

/** One `block` event of the stream, from a block in the wire form of GET /v1/blocks. */
function frame(block: BlockWire): string {
  const { txs, events, ...header } = block;
  const data = {
    header,
    txs: txs.map((entry) => ({ hash: entry.hash, kind: entry.tx.kind, from: entry.tx.from, result: entry.result })),
    events,
  };
  return `id: ${block.number}\nevent: block\ndata: ${JSON.stringify(data)}\n\n`;
}

export async function startIndexerServer(options: {
  readonly indexer: Indexer;
  /** Where uploaded blobs are kept (default: in memory). */
  readonly blobDir?: string;
  readonly port?: number;
  readonly status: IndexerStatus;
}): Promise<IndexerServer> {
  const { indexer } = options;
  const streams = new Set<{ readonly response: ServerResponse; sentThrough: number }>();

  const pushBlocks = (stream: { readonly response: ServerResponse; sentThrough: number }) => {
    const blocks = indexer.replay.chain.blocks;
    const last = blocks.length - 1;
    // After a reorg rebuilt the chain shorter, a stream resumes from the new head.
    if (stream.sentThrough > last) stream.sentThrough = last;
    while (stream.sentThrough < last && !stream.response.writableEnded) {
      stream.sentThrough += 1;
      stream.response.write(frame(blocks[stream.sentThrough] as BlockWire));
    }
  };

  const events = (request: IncomingMessage, response: ServerResponse, query: URLSearchParams) => {
    const header = request.headers["last-event-id"];
    const afterText = typeof header === "string" ? header : query.get("after");
    const head = indexer.replay.chain.blocks.length - 1;
    const after = afterText !== null && /^\d+$/.test(afterText) ? Number(afterText) : head;
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    response.write("retry: 1000\n\n");
    const stream = { response, sentThrough: Math.max(after, head - MAX_EVENT_BACKLOG_BLOCKS) };
    streams.add(stream);
    const keepAlive = setInterval(() => response.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
    keepAlive.unref();
    response.on("close", () => {
      clearInterval(keepAlive);
      streams.delete(stream);
    });
    pushBlocks(stream);
  };

  // Replayed calls by hash (the core's, and the EVM transaction's): filled as blocks come, rebuilt after a reorg.
  const txIndex = {
    chain: undefined as unknown,
    blocks: 0,
    at: new Map<string, { block: number; position: number }>(),
  };
  const findTx = (hash: string) => {
    const chain = indexer.replay.chain;
    const blocks = chain.blocks;
    if (txIndex.chain !== chain || txIndex.blocks > blocks.length) {
      txIndex.chain = chain;
      txIndex.blocks = 0;
      txIndex.at.clear();
    }
    for (; txIndex.blocks < blocks.length; txIndex.blocks += 1) {
      const block = blocks[txIndex.blocks] as BlockWire;
      block.txs.forEach((entry, position) => {
        const at = { block: block.number, position };
        txIndex.at.set(entry.hash, at);
        const evmHash = entry.signature.slice(0, 64);
        if (entry.signature.length === 128 && !txIndex.at.has(evmHash)) txIndex.at.set(evmHash, at);
      });
    }
    const at = txIndex.at.get(hash);
    const entry = at === undefined ? undefined : (blocks[at.block] as BlockWire).txs[at.position];
    if (at === undefined || entry === undefined) return undefined;
    return {
      hash: entry.hash,
      status: "included",
      block: at.block,
      position: at.position,
      result: entry.result,
      tx: entry.tx,
      signature: entry.signature,
    };
  };

  const blobs = new Map<string, Uint8Array>();
  const blobDir = options.blobDir;
  if (blobDir !== undefined) mkdirSync(blobDir, { recursive: true });
  const blobAt = (hash: string): Uint8Array | undefined => {
    const held = blobs.get(hash);
    if (held !== undefined || blobDir === undefined || !existsSync(join(blobDir, hash))) return held;
    return new Uint8Array(readFileSync(join(blobDir, hash)));
  };
  const upload = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BLOB_BYTES) chunks.push(chunk);
    });
    request.once("end", () => {
      if (size > MAX_BLOB_BYTES) {
        sendJson(response, 413, {
          code: "API__BLOB_TOO_LARGE",
          message: `a blob holds at most ${MAX_BLOB_BYTES} bytes`,
          context: { bytes: size, limit: MAX_BLOB_BYTES },
        });
        return;
      }
      const bytes = Buffer.concat(chunks);
      const hash = createHash("sha256").update(bytes).digest("hex");
      const created = blobAt(hash) === undefined;
      if (created) {
        if (blobDir === undefined) blobs.set(hash, new Uint8Array(bytes));
        else writeFileSync(join(blobDir, hash), bytes);
      }
      sendJson(response, created ? 201 : 200, { hash, size: bytes.length, created });
    });
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://indexer");
    if (request.method === "POST" && url.pathname === "/v1/blobs") return upload(request, response);
    const blobPath = /^\/v1\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (request.method === "GET" && blobPath !== null) {
      const bytes = blobAt(blobPath[1] as string);
      if (bytes === undefined) {
        sendJson(response, 404, { code: "API__BLOB_NOT_FOUND", message: "no such blob", context: {} });
      } else response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(bytes));
      return;
    }
    if (request.method !== "GET") {
      sendJson(response, 405, {
        code: "API__NOT_FOUND",
        message: `${request.method} ${url.pathname}: the indexer serves reads only; on an EVM chain a write is a contract call`,
        context: { method: request.method },
      });
      return;
    }
    if (url.pathname === "/v1/events") return events(request, response, url.searchParams);
    if (url.pathname === "/v1/indexer") {
      const diverged = indexer.replay.diverged;
      return sendJson(response, 200, {
        settlement: "evm",
        chainId: indexer.chainId,
        evmChainId: indexer.evmChainId,
        contract: indexer.contract,
        genesisTimestamp: indexer.genesisTimestamp.toString(),
        slotMs: indexer.slotMs,
        slot: indexer.replay.chain.slot,
        logs: indexer.replay.applied,
        diverged: diverged === undefined ? null : { code: diverged.code, message: diverged.message },
        ...options.status(),
      });
    }
    const txPath = /^\/v1\/txs\/([0-9a-fA-F]{64}|0x[0-9a-fA-F]{64})$/.exec(url.pathname);
    if (txPath !== null) {
      const found = findTx((txPath[1] as string).replace(/^0x/, "").toLowerCase());
      if (found === undefined) {
        sendJson(response, 404, {
          code: "API__TX_NOT_FOUND",
          message: "no replayed call with that hash (the core's transaction hash or its EVM transaction's)",
          context: { hash: txPath[1] },
        });
      } else sendJson(response, 200, found);
      return;
    }
    const blocks = indexer.replay.chain.blocks;
    const headBlock = blocks.at(-1) as BlockWire;
    if (url.pathname === "/v1/blocks/head") return sendJson(response, 200, header(headBlock));
    const numbered = /^\/v1\/blocks\/(\d+)$/.exec(url.pathname);
    if (numbered !== null) {
      const block = blocks[Number(numbered[1])];
      if (block === undefined) {
        sendJson(response, 404, { code: "API__NOT_FOUND", message: `no block ${numbered[1]}`, context: {} });
      } else sendJson(response, 200, block);
      return;
    }
    if (url.pathname === "/v1/genesis") {
      return sendJson(response, 200, {
        chainId: indexer.chainId,
        stateRoot: indexer.replay.chain.genesisRoot,
        accounts: indexer.replay.chain.genesisAccounts.map(({ account, balance }) => ({
          account,
          balance: balance.toString(),
        })),
      });
    }
    if (url.pathname === "/v1/chain") {
      const record = getChain(indexer.replay.chain.state);
      const pool = getAccount(indexer.replay.chain.state, indexer.replay.pool).balance;
      return sendJson(response, 200, {
        chainId: record.chainId,
        genesisHash: (blocks[0] as BlockWire).hash,
        head: header(headBlock),
        slotMs: indexer.slotMs,
        manualSlots: false,
        devnet: false,
        faucet: null,
        mempoolSize: 0,
        // The money the contract holds (the core's supply also counts the pool account's).
        supply: (POOL_SUPPLY - pool).toString(),
        taskCount: record.taskCount,
      });
    }
    const account = /^\/v1\/accounts\/([0-9a-f]{64})$/.exec(url.pathname);
    if (account !== null) {
      return sendJson(response, 200, toWire(accountView(indexer.replay.chain.state, account[1] as string, 0)));
    }
    if (url.pathname === "/v1/health") {
      const diverged = indexer.replay.diverged;
      const body = { ok: diverged === undefined, head: header(headBlock), slotLag: 0 };
      if (diverged === undefined) return sendJson(response, 200, body);
      return sendJson(response, 503, { ...body, code: diverged.code, reason: diverged.message });
    }
    if (!url.pathname.startsWith("/v1/")) {
      sendJson(response, 404, { code: "API__NOT_FOUND", message: `no route GET ${url.pathname}`, context: {} });
      return;
    }
    const reader = createMemoryLedgerReader(indexer.replay.chain, { slotMs: indexer.slotMs });
    reader.get(`${url.pathname}${url.search}`).then(
      (body) => sendJson(response, 200, body),
      (error: unknown) => {
        if (error instanceof GradualError && error.code === "NODE__LEDGER_REQUEST_FAILED") {
          const status = Number((error.context as { status?: number }).status ?? 404);
          const code = status === 400 ? "API__INVALID_REQUEST" : "API__NOT_FOUND";
          sendJson(response, status, { code, message: error.message, context: {} });
        } else if (error instanceof GradualError && error.code === "NODE__LOCAL_READ_UNSUPPORTED") {
          sendJson(response, 404, { code: "API__NOT_FOUND", message: error.message, context: {} });
        } else {
          sendJson(response, 500, { code: "API__INTERNAL", message: "internal error", context: {} });
        }
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    notify() {
      for (const stream of streams) pushBlocks(stream);
    },
    close() {
      for (const stream of streams) stream.response.end();
      streams.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
