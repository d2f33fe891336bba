import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER } from "@gradual/ledger/client";
import {
  decodeTransaction,
  GradualError,
  type Hash,
  isDecodeRejection,
  sha256Hex,
  type Transaction,
} from "@gradual/protocol";
import { httpExchange, jsonOf } from "./http.ts";
import type { LedgerSource, SubmitOutcome } from "./ledgerSource.ts";
import type { ReplicaBlock, ReplicaGenesis } from "./replica.ts";

type WireBlock = {
  number: number;
  slot: number;
  prevHash: string;
  txsRoot: string;
  stateRoot: string;
  hash: string;
  txs: { tx: unknown; signature: string }[];
};

/** The ledger's /v1 HTTP API as a `LedgerSource` (bigints arrive as decimal strings), over `node:http` (http.ts). */
export function httpLedgerSource(url: string): LedgerSource {
  const base = url.replace(/\/$/, "");
  async function getJson<T>(path: string): Promise<T> {
    const reply = await httpExchange(`${base}${path}`, { timeoutMs: 10_000 });
    if (reply.status !== 200) {
      throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
        message: `GET ${path}: HTTP ${reply.status} ${reply.body.toString("utf8")}`,
        context: { path, status: reply.status },
      });
    }
    const body = jsonOf(reply);
    if (body === undefined) {
      throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
        message: `GET ${path}: the reply is not JSON`,
        context: { path, status: reply.status },
      });
    }
    return body as T;
  }
  /** A POST's reply as `{ code, message, hash }` fields, whatever the status (the ledger answers errors in JSON). */
  const fieldsOf = (body: unknown) => {
    const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const field = (name: string) =>
      Object.hasOwn(record, name) && typeof record[name] === "string" ? (record[name] as string) : undefined;
    return { hash: field("hash"), code: field("code"), message: field("message") };
  };
  return {
    url: base,
    async genesis(): Promise<ReplicaGenesis> {
      const body = await getJson<{
        chainId: string;
        stateRoot: string;
        accounts: { account: string; balance: string }[];
      }>("/v1/genesis");
      return {
        chainId: body.chainId,
        stateRoot: body.stateRoot,
        accounts: body.accounts.map((entry) => ({ account: entry.account, balance: BigInt(entry.balance) })),
      };
    },
    async head(): Promise<number> {
      return (await getJson<{ number: number }>("/v1/blocks/head")).number;
    },
    async blocks(from: number, to: number): Promise<ReplicaBlock[]> {
      const body = await getJson<{ blocks: WireBlock[] }>(`/v1/blocks?from=${from}&to=${to}`);
      return body.blocks.map((block) => ({
        number: block.number,
        slot: block.slot,
        prevHash: block.prevHash,
        txsRoot: block.txsRoot,
        stateRoot: block.stateRoot,
        hash: block.hash,
        txs: block.txs.map((entry) => {
          const decoded = decodeTransaction(entry.tx);
          if (isDecodeRejection(decoded)) {
            throw new GradualError("NODE__UNDECODABLE_BLOCK", {
              message: `block ${block.number}: undecodable transaction (${decoded.message})`,
              context: { block: block.number },
            });
          }
          return { tx: decoded as Transaction, signature: String(entry.signature) };
        }),
      }));
    },
    async submit(envelope): Promise<SubmitOutcome> {
      const reply = await httpExchange(`${base}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(envelope),
        timeoutMs: 10_000,
      });
      const body = fieldsOf(jsonOf(reply));
      if (reply.status >= 200 && reply.status < 300) return { ok: true, hash: body.hash ?? "" };
      if (body.code !== undefined) return { ok: false, code: body.code, message: body.message ?? "" };
      return { ok: false, code: "NODE__LEDGER_REQUEST_FAILED", message: `POST /v1/txs: HTTP ${reply.status}` };
    },
    async blob(hash: Hash): Promise<Uint8Array> {
      const reply = await httpExchange(`${base}/v1/blobs/${hash}`, { timeoutMs: 30_000 });
      if (reply.status !== 200) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `GET /v1/blobs/${hash}: HTTP ${reply.status}`,
          context: { path: `/v1/blobs/${hash}`, status: reply.status },
        });
      }
      const bytes = new Uint8Array(reply.body);
      if (sha256Hex(bytes) !== hash) {
        throw new GradualError("NODE__BLOB_HASH_MISMATCH", {
          message: `blob ${hash}: content does not match its hash`,
        });
      }
      return bytes;
    },
    async putBlob(bytes: Uint8Array, account: string, signature: string): Promise<Hash> {
      const reply = await httpExchange(`${base}/v1/blobs`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          [BLOB_ACCOUNT_HEADER]: account,
          [BLOB_SIGNATURE_HEADER]: signature,
        },
        body: bytes,
        timeoutMs: 30_000,
      });
      const body = fieldsOf(jsonOf(reply));
      if (reply.status < 200 || reply.status >= 300 || body.hash === undefined) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `POST /v1/blobs: ${body.code ?? `HTTP ${reply.status}`}${body.message ? `: ${body.message}` : ""}`,
          context: { path: "/v1/blobs", status: reply.status, ...(body.code === undefined ? {} : { code: body.code }) },
        });
      }
      return body.hash;
    },
    get: getJson,
  };
}
