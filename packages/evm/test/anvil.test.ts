import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ANVIL_CACHE_PREFIX, startAnvil } from "../src/anvil.ts";

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

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const reply = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await reply.json()) as { result: unknown }).result;
}

async function filesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

test("anvil persists old states in its own cache folder, and stop removes it", async () => {
  const anvil = await startAnvil();
  let stopped = false;
  try {
    assert.ok(anvil.cacheDir.startsWith(join(tmpdir(), ANVIL_CACHE_PREFIX)), anvil.cacheDir);
    // The folder follows the anvil process's life (a sweep removes it once that process is gone).
    const owner = Number(await readFile(join(anvil.cacheDir, ".gradual-scratch-owner"), "utf8"));
    assert.ok(owner !== process.pid && owner > 0);
    process.kill(owner, 0);
    await rpc(anvil.rpcUrl, "anvil_mine", ["0x400"]);
    // Anvil writes the states past its in-memory window as it mines: they must land in this folder.
    let files = 0;
    for (let tries = 0; tries < 50 && files < 100; tries++) {
      files = await filesUnder(anvil.cacheDir);
      if (files < 100) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(files >= 100, `anvil persisted ${files} files to its cache folder`);
    await anvil.stop();
    stopped = true;
    assert.equal(existsSync(anvil.cacheDir), false, "the cache folder is removed at stop");
  } finally {
    if (!stopped) await anvil.stop();
  }
});
