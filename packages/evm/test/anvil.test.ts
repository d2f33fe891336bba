import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ANVIL_CACHE_PREFIX, removeOrphanedCaches, startAnvil } from "../src/anvil.ts";

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

test("a start removes the cache folders of anvils that no longer run, and only those", async () => {
  const root = await mkdtemp(join(tmpdir(), "gradual-anvil-test-"));
  try {
    const gone = spawnSync(process.execPath, ["-e", ""]);
    assert.equal(gone.status, 0);
    const dead = join(root, `${ANVIL_CACHE_PREFIX}dead`);
    const live = join(root, `${ANVIL_CACHE_PREFIX}live`);
    const starting = join(root, `${ANVIL_CACHE_PREFIX}starting`);
    const stale = join(root, `${ANVIL_CACHE_PREFIX}stale`);
    const other = join(root, "someone-else");
    for (const dir of [dead, live, starting, stale, other])
      await mkdir(join(dir, "anvil-state-x"), { recursive: true });
    await writeFile(join(dead, "anvil.pid"), String(gone.pid));
    await writeFile(join(live, "anvil.pid"), String(process.pid));
    await writeFile(join(other, "anvil.pid"), String(gone.pid));
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, hourAgo, hourAgo);
    // A link in the shared temporary folder, to an old folder with a dead process's record: never followed.
    const victim = join(root, "victim");
    await mkdir(victim);
    await writeFile(join(victim, "anvil.pid"), String(gone.pid));
    await utimes(victim, hourAgo, hourAgo);
    const link = join(root, `${ANVIL_CACHE_PREFIX}link`);
    await symlink(victim, link);
    const removed = await removeOrphanedCaches(root);
    assert.equal(existsSync(join(victim, "anvil.pid")), true, "a link's target is left alone");
    assert.equal(existsSync(link), true);
    assert.deepEqual(removed.sort(), [dead, stale].sort());
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(live), true, "a running anvil's folder stays");
    assert.equal(existsSync(starting), true, "a folder whose anvil is still starting stays");
    assert.equal(existsSync(other), true, "a folder without the prefix stays");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
