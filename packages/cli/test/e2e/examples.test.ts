import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Devnet, startDevnet } from "../../src/devnet/startDevnet.ts";
import { makeTempDir, removeDir, runGradual, waitFor } from "./support.ts";

/**
 * Each example task runs through `gradual task test` (several sandboxed nodes on an in-memory ledger) and through a
 * short devnet of real processes, where at least one cycle must be paid and no honest node slashed: the task's
 * audit agrees with its own work on a real ledger (ledger-indexer reads that ledger's blocks, web-scraper its seed).
 */

const EXAMPLES = resolve(fileURLToPath(import.meta.url), "../../../../../examples");
const NAMES = ["web-scraper", "ledger-indexer", "proof-of-compute"] as const;

describe("example tasks through gradual task test", { timeout: 180_000 }, () => {
  for (const name of NAMES) {
    test(`${name}: task test --nodes 3 --rounds 2 pays every round`, async () => {
      const result = await runGradual(
        ["task", "test", resolve(EXAMPLES, name), "--nodes", "3", "--rounds", "2"],
        90_000,
      );
      assert.equal(result.code, 0, `exit ${result.code}\n${result.stdout.slice(-2_000)}\n${result.stderr}`);
      const paid = /(\d+) cycle\(s\) paid; (\d+) calls ok, (\d+) failed/.exec(result.stdout);
      assert.ok(paid !== null, result.stdout.slice(-1_000));
      assert.ok(Number(paid[1]) >= 2, `${paid[1]} cycles paid`);
      assert.equal(paid[3], "0", "no task call failed");
      // Each node's line accounts for everything it earned: claimed plus still vesting (nobody here is slashed).
      const rows = [...result.stdout.matchAll(/earned ([\d.]+) tokens: ([\d.]+) claimed, ([\d.]+) still vesting\n/g)];
      assert.equal(rows.length, 3, result.stdout.slice(-1_000));
      const units = (text: string | undefined) => Math.round(Number(text) * 1e9);
      for (const [, earned, claimed, vesting] of rows) {
        assert.ok(units(earned) > 0, "every honest node earned something");
        assert.equal(units(earned), units(claimed) + units(vesting));
      }
    });
  }
});

describe("example tasks on a devnet", { timeout: 300_000 }, () => {
  for (const name of NAMES) {
    test(`${name}: three honest nodes get a cycle paid`, async (t) => {
      const dataDir = makeTempDir(`example-${name}`);
      let devnet: Devnet | undefined;
      t.after(async () => {
        await devnet?.stop();
        removeDir(dataDir);
      });
      devnet = await startDevnet({
        dataDir,
        port: 0,
        slotMs: 150,
        honestNodes: 3,
        cheaters: 0,
        task: resolve(EXAMPLES, name),
        nodeArgs: ["--quiet"],
      });
      const net = devnet;
      // Wait until a cycle was paid and every node holds rewards from it (vesting, or claimed already).
      const rewarded = async (account: string) =>
        (await net.client.getAccount(account)).vesting.some((entry) => BigInt(entry.totalVested) > 0n);
      const paidCycle = await waitFor(
        `${name}: a paid cycle with every node rewarded`,
        async () => {
          const view = await net.client.getTask(net.taskId);
          for (const node of net.nodes) if (!(await rewarded(node.account))) return undefined;
          for (let cycle = 0; cycle <= (view?.round ?? -1); cycle += 1) {
            const record = (await net.client.getCycle(net.taskId, cycle))?.record;
            if (record?.outcome === "paid") return { cycle, paid: BigInt(record.paid), params: view?.task.params };
          }
          return undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      assert.ok(paidCycle.paid > 0n);
      assert.ok(paidCycle.paid <= BigInt(String(paidCycle.params?.bountyPerRound)), "no more than the bounty");
      const nodes = (await net.client.listNodes(net.taskId, { limit: 100 })).items;
      assert.equal(nodes.length, 3);
      for (const node of nodes) {
        assert.equal(node.slashedTotal, "0", `${net.labels.get(node.account)} was not slashed`);
        assert.equal(node.equivocations, 0);
      }
    });
  }
});
