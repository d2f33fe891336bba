import assert from "node:assert/strict";
import { test } from "node:test";
import { startAnvil } from "../src/anvil.ts";

test("anvil starts on 127.0.0.1, answers eth_chainId and stops", async () => {
  const anvil = await startAnvil({ chainId: 31_338 });
  try {
    assert.match(anvil.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    const body = (await reply.json()) as { result: string };
    assert.equal(Number.parseInt(body.result, 16), 31_338);
  } finally {
    await anvil.stop();
  }
  await assert.rejects(fetch(anvil.rpcUrl));
});
