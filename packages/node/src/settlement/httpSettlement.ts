import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER } from "@gradual/ledger/client";
import { decodeTransaction, GradualError, type Hash, isDecodeRejection, sha256Hex } from "@gradual/protocol";
import { decodeReply, MAX_BLOCK_RANGE, parseReplyJson, ROUTES, type RouteWire } from "@gradual/wire";
import { type HttpReply, httpExchange, jsonOf } from "../runtime/http.ts";
import type { ReplicaBlock, ReplicaGenesis } from "../runtime/replica.ts";
import { replicaBlockOf, type Settlement, type SubmitOutcome, type TransactionEnvelope } from "./settlement.ts";

/**
 * The gradual ledger as a `Settlement`, over its /v1 HTTP API on `node:http` (runtime/http.ts). Every JSON reply is
 * checked against its route in @gradual/wire before use (WIRE__BAD_REPLY otherwise) and read up to a size limit:
 * a hostile or broken ledger can make the node stop and say why, never make it act on a shape it did not check.
 */

/** Largest JSON reply read from the ledger, in bytes (100 full blocks fit; a reply over it fails). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
/** Largest blob read (task bundles and metadata are far smaller; the ledger's own limit is lower). */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

function requestFailed(path: string, status: number, detail: string): GradualError {
  // The genesis is the first thing asked: a 404 there means the URL is something else (a node, a dashboard).
  const what = path === "/v1/genesis" && status === 404 ? " (this URL does not serve a gradual ledger's API)" : "";
  return new GradualError("NODE__LEDGER_REQUEST_FAILED", {
    message: `GET ${path}: HTTP ${status} ${detail}${what}`,
    context: { path, status },
  });
}

export function httpSettlement(url: string): Settlement {
  const base = url.replace(/\/$/, "");
  /** The text of a GET's 200 reply (NODE__LEDGER_REQUEST_FAILED for any other status). */
  async function getText(path: string): Promise<string> {
    const reply = await httpExchange(`${base}${path}`, { timeoutMs: 10_000, maxBytes: MAX_REPLY_BYTES });
    if (reply.status !== 200) throw requestFailed(path, reply.status, reply.body.toString("utf8").slice(0, 200));
    return reply.body.toString("utf8");
  }
  /** A GET of `route` at `path`, its reply checked by the route's decoder. */
  async function getChecked<R extends RouteWire>(route: R, path: string) {
    const context = { route, path, status: 200 };
    return decodeReply(context, parseReplyJson(context, await getText(path)));
  }
  /** A GET of any /v1 path for task code, as JSON (task code checks what it reads). */
  async function getJson<T>(path: string): Promise<T> {
    const text = await getText(path);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw requestFailed(path, 200, "the reply is not JSON");
    }
  }
  /** A POST's reply as `{ code, message, hash }` fields, whatever the status (the ledger answers errors in JSON). */
  const fieldsOf = (reply: HttpReply) => {
    const parsed = jsonOf(reply);
    const record = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const field = (name: string) =>
      Object.hasOwn(record, name) && typeof record[name] === "string" ? (record[name] as string) : undefined;
    return { hash: field("hash"), code: field("code"), message: field("message") };
  };
  return {
    url: base,
    async genesis(): Promise<ReplicaGenesis> {
      const body = await getChecked(ROUTES.getGenesis, "/v1/genesis");
      return {
        chainId: body.chainId,
        stateRoot: body.stateRoot,
        accounts: body.accounts.map((entry) => {
          if (!/^(0|[1-9][0-9]{0,77})$/.test(entry.balance))
            throw requestFailed("/v1/genesis", 200, `balance ${JSON.stringify(entry.balance)} is not an amount`);
          return { account: entry.account, balance: BigInt(entry.balance) };
        }),
      };
    },
    async head(): Promise<number> {
      return (await getChecked(ROUTES.getHead, "/v1/blocks/head")).number;
    },
    async blocks(from: number, to: number): Promise<ReplicaBlock[]> {
      const last = Math.min(to, from + MAX_BLOCK_RANGE - 1);
      const body = await getChecked(ROUTES.getBlocks, `/v1/blocks?from=${from}&to=${last}`);
      return body.blocks.map((block) =>
        replicaBlockOf(
          block,
          block.txs.map((entry) => {
            const decoded = decodeTransaction(entry.tx);
            if (isDecodeRejection(decoded)) {
              throw new GradualError("NODE__UNDECODABLE_BLOCK", {
                message: `block ${block.number}: undecodable transaction (${decoded.message})`,
                context: { block: block.number },
              });
            }
            return { tx: decoded, signature: entry.signature };
          }),
        ),
      );
    },
    async submit(envelope: TransactionEnvelope): Promise<SubmitOutcome> {
      const reply = await httpExchange(`${base}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(envelope),
        timeoutMs: 10_000,
        maxBytes: MAX_REPLY_BYTES,
      });
      const body = fieldsOf(reply);
      if (reply.status >= 200 && reply.status < 300) return { ok: true, hash: body.hash ?? "" };
      if (body.code !== undefined) return { ok: false, code: body.code, message: body.message ?? "" };
      return { ok: false, code: "NODE__LEDGER_REQUEST_FAILED", message: `POST /v1/txs: HTTP ${reply.status}` };
    },
    async blob(hash: Hash): Promise<Uint8Array> {
      const path = `/v1/blobs/${hash}`;
      const reply = await httpExchange(`${base}${path}`, { timeoutMs: 30_000, maxBytes: MAX_BLOB_BYTES });
      if (reply.status !== 200) throw requestFailed(path, reply.status, "");
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
        maxBytes: MAX_REPLY_BYTES,
      });
      const body = fieldsOf(reply);
      if (reply.status < 200 || reply.status >= 300 || body.hash === undefined) {
        throw new GradualError("NODE__LEDGER_REQUEST_FAILED", {
          message: `POST /v1/blobs: ${body.code ?? `HTTP ${reply.status}`}${body.message ? `: ${body.message}` : ""}`,
          context: { path: "/v1/blobs", status: reply.status, ...(body.code === undefined ? {} : { code: body.code }) },
        });
      }
      return body.hash;
    },
    async slotMs(): Promise<number | undefined> {
      return (await getChecked(ROUTES.getChain, "/v1/chain")).slotMs || undefined;
    },
    get: getJson,
  };
}
