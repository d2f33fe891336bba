import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type EvmDevnet, startEvmDevnet } from "../../src/devnet/evmDevnet.ts";
import { makeTempDir, removeDir, waitFor } from "../e2e/support.ts";

/**
 * `gradual devnet --settlement evm` in short: anvil, the Gradual contract and its indexer in this process, two
 * `gradual node --settlement evm` processes (the compiled CLI) running the example task, until both nodes' reveals
 * of cycles 0 and 1 are on the contract, as the indexer replays them.
 */
describe("EVM devnet: two nodes on anvil", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let devnet: EvmDevnet | undefined;

  before(async () => {
    dataDir = makeTempDir("evm-devnet");
    devnet = await startEvmDevnet({
      dataDir,
      port: 0,
      slotMs: 1000,
      honestNodes: 2,
      // Short rounds, no warm-up: cycle 1's reveals come about 36 slots after the stakes.
      params: {
        roundSlots: 12,
        commitSlots: 4,
        revealSlots: 3,
        auditSlots: 2,
        voteSlots: 2,
        distributionSlots: 2,
        distributionAuditSlots: 2,
        warmupRounds: 0,
      },
      nodeArgs: ["--quiet"],
    });
  });

  after(async () => {
    await devnet?.stop();
    removeDir(dataDir);
  });

  test("both nodes stake, commit and reveal cycles 0 and 1 on the contract; the indexer never diverges", async () => {
    const net = devnet as EvmDevnet;
    const accounts = net.nodes.map((node) => node.account).sort();
    const revealers = async (cycle: number) =>
      (await net.client.listReveals(net.taskId, cycle, { limit: 100 })).items.map((reveal) => reveal.node).sort();
    await waitFor(
      "both nodes' reveals of cycles 0 and 1",
      async () => {
        const [zero, one] = [await revealers(0), await revealers(1)];
        return zero.length === 2 && one.length === 2 ? true : undefined;
      },
      {
        timeoutMs: 180_000,
        intervalMs: 1_000,
        describe: async () =>
          `slot ${(await net.client.getChain()).head.slot}, cycle 0 ${await revealers(0).catch(() => [])}`,
      },
    );
    assert.deepEqual(await revealers(0), accounts);
    assert.deepEqual(await revealers(1), accounts);
    assert.equal(net.indexer.replay.diverged, undefined, net.indexer.replay.diverged?.message);
    const nodes = (await net.client.listNodes(net.taskId, { limit: 100 })).items.map((node) => node.account).sort();
    assert.deepEqual(nodes, accounts);
  });
});
