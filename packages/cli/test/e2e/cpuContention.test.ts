import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { after, before, describe, test } from "node:test";
import { exited } from "../../src/devnet/processes.ts";
import { type Devnet, startDevnet } from "../../src/devnet/startDevnet.ts";
import { makeTempDir, removeDir, waitFor } from "./support.ts";

/**
 * Finding 3 of issue 16: distributions failed under CPU load (a distributor behind the attempt's round sent stale
 * transactions). With every core kept busy by a spinning process, a small devnet still gets cycles paid.
 */

/** How long each busy process spins at most (it is also killed when the test ends). */
const BUSY_MS = 240_000;

function spinner(): ChildProcess {
  const code = `const end = Date.now() + ${BUSY_MS}; while (Date.now() < end) {}`;
  return spawn(process.execPath, ["-e", code], { stdio: "ignore" });
}

describe("a devnet under CPU contention", { timeout: 300_000 }, () => {
  let dataDir: string | undefined;
  let devnet: Devnet | undefined;
  const busy: ChildProcess[] = [];

  before(async () => {
    dataDir = makeTempDir("cpu");
    devnet = await startDevnet({ dataDir, port: 0, honestNodes: 3, cheaters: 0, nodeArgs: ["--quiet"] });
    for (let core = 0; core < availableParallelism(); core += 1) busy.push(spinner());
  });

  after(async () => {
    for (const child of busy) child.kill("SIGKILL");
    await Promise.all(busy.map((child) => exited(child)));
    await devnet?.stop();
    removeDir(dataDir);
  });

  test("cycles are still paid while every core is busy", async () => {
    const net = devnet as Devnet;
    const from = (await net.client.getHead()).number;
    const accepted = new Set<number>();
    const refusals = new Map<string, number>();
    let scanned = from;
    await waitFor(
      "two cycles paid after the CPU became contended",
      async () => {
        const head = (await net.client.getHead()).number;
        while (scanned < head) {
          const to = Math.min(head, scanned + 100);
          for (const block of await net.client.getBlocks(scanned + 1, to)) {
            for (const { event } of block.events)
              if (event.type === "CycleCompleted" && event.outcome === "paid") accepted.add(event.cycle);
            for (const tx of block.txs)
              if (!tx.result.ok) refusals.set(tx.result.code, (refusals.get(tx.result.code) ?? 0) + 1);
          }
          // Only the blocks read count as scanned: the next poll starts right after them.
          scanned = to;
        }
        return accepted.size >= 2 ? true : undefined;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 2_000,
        describe: () =>
          `blocks ${from}..${scanned} read; paid cycles ${[...accepted].join(",") || "none"}; refusals ${JSON.stringify([...refusals])}`,
      },
    );
    assert.ok(accepted.size >= 2);
  });
});
