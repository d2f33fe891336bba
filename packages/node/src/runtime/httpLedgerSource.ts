import { BLOB_ACCOUNT_HEADER, BLOB_SIGNATURE_HEADER } from "@gradual/ledger/client";
import { decodeTransaction, type Hash, isDecodeRejection, sha256Hex, type Transaction } from "@gradual/protocol";
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

/** The ledger's /v1 HTTP API as a `LedgerSource` (bigints arrive as decimal strings). */
export function httpLedgerSource(url: string, fetchImpl: typeof fetch = fetch): LedgerSource {
  const base = url.replace(/\/$/, "");
  async function getJson<T>(path: string): Promise<T> {
    const response = await fetchImpl(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
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
          if (isDecodeRejection(decoded))
            throw new Error(`block ${block.number}: undecodable transaction (${decoded.message})`);
          return { tx: decoded as Transaction, signature: String(entry.signature) };
        }),
      }));
    },
    async submit(envelope): Promise<SubmitOutcome> {
      const response = await fetchImpl(`${base}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { hash?: string; code?: string; message?: string };
      if (response.ok) return { ok: true, hash: body.hash ?? "" };
      return { ok: false, code: body.code ?? `HTTP_${response.status}`, message: body.message ?? "" };
    },
    async blob(hash: Hash): Promise<Uint8Array> {
      const response = await fetchImpl(`${base}/v1/blobs/${hash}`, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`GET /v1/blobs/${hash}: HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (sha256Hex(bytes) !== hash) throw new Error(`blob ${hash}: content does not match its hash`);
      return bytes;
    },
    async putBlob(bytes: Uint8Array, account: string, signature: string): Promise<Hash> {
      const response = await fetchImpl(`${base}/v1/blobs`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          [BLOB_ACCOUNT_HEADER]: account,
          [BLOB_SIGNATURE_HEADER]: signature,
        },
        body: bytes,
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as { hash?: string; code?: string; message?: string };
      if (!response.ok || typeof body.hash !== "string") {
        throw new Error(
          `POST /v1/blobs: ${body.code ?? `HTTP ${response.status}`}${body.message ? `: ${body.message}` : ""}`,
        );
      }
      return body.hash;
    },
    get: getJson,
  };
}
