import assert from "node:assert/strict";
import { signingPayload, type Transaction } from "@gradual/protocol";
import { createLedgerClient, type KeyPair, signBytes, signTransaction } from "../../src/index.ts";

/**
 * Hostile and unusual transactions for the kill harness (`npm run soak:ledger`): Object.prototype names as kinds
 * and fields, non-canonical amounts, duplicate JSON keys, deep nesting, and signed transactions that the rules
 * refuse but include (a transfer to oneself, an absurd task). None may get a 500 or stop the chain; the ones that
 * were acknowledged are returned, to be found included at the end like every other acknowledgement.
 */
export async function sendHostileTraffic(url: string, key: KeyPair, chainId: string): Promise<string[]> {
  const client = createLedgerClient({ url, timeoutMs: 5_000 });
  const nonce = (await client.getAccount(key.publicKey)).nextNonce;
  const post = async (path: string, text: string) => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as { code?: string; hash?: string };
    assert.ok(response.status < 500 || body.code === "LEDGER__SHUTTING_DOWN", `${path} answered ${response.status}`);
    return { status: response.status, body };
  };
  const signAny = (tx: Record<string, unknown>) => {
    try {
      return signBytes(key, signingPayload(tx as unknown as Transaction));
    } catch {
      return signBytes(key, new TextEncoder().encode(JSON.stringify(tx)));
    }
  };
  const base = { chainId, from: key.publicKey, nonce };
  for (const kind of ["constructor", "__proto__", "toString", "valueOf"]) {
    const tx = { ...base, kind };
    const { status } = await post("/v1/txs", JSON.stringify({ tx, signature: signAny(tx) }));
    assert.equal(status, 400, kind);
  }
  const transferTx = { ...base, kind: "transfer", to: key.publicKey, amount: "5n" };
  assert.equal((await post("/v1/txs", JSON.stringify({ tx: transferTx, signature: signAny(transferTx) }))).status, 400);
  const withProto = `{"tx":{"__proto__":{"x":1},${JSON.stringify({ ...transferTx, amount: "5" }).slice(1)},"signature":"${"0".repeat(128)}"}`;
  assert.equal((await post("/v1/txs", withProto)).status, 400);
  const duplicate = `{"tx":${JSON.stringify({ ...transferTx, amount: "5" }).replace('"amount":"5"', '"amount":"5","amount":"6"')},"signature":"${"0".repeat(128)}"}`;
  assert.equal((await post("/v1/txs", duplicate)).status, 400);
  assert.equal((await post("/v1/txs/batch", `{"txs":${"[".repeat(50_000)}${"]".repeat(50_000)}}`)).status, 400);
  // Signed and well formed, refused by the rules but included: the nonce is used, the chain goes on.
  const acknowledged: string[] = [];
  const selfTransfer: Transaction = { ...base, kind: "transfer", to: key.publicKey, amount: 1n };
  const closeNothing: Transaction = { ...base, nonce: nonce + 1, kind: "closeTask", task: "ab".repeat(32) };
  for (const tx of [selfTransfer, closeNothing]) {
    const wire = JSON.parse(
      JSON.stringify(tx, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
    );
    const { status, body } = await post("/v1/txs", JSON.stringify({ tx: wire, signature: signTransaction(key, tx) }));
    if (status === 202 || status === 200) acknowledged.push(body.hash as string);
    else break; // shutting down, or the nonce taken by a previous round's unanswered request
  }
  return acknowledged;
}
