import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createLedgerClient, type LedgerClient } from "@gradual/ledger";
import { formatTokenAmount, TOKEN } from "@gradual/protocol";
import { publishTask } from "../../src/commands/task.ts";
import { type DevnetLedger, startDevnetLedger } from "../../src/devnet/devnetLedger.ts";
import { type GradualProcess, stopProcess } from "../../src/devnet/processes.ts";
import { loadOrCreateKey, spawnNode, writeGenesis } from "../../src/devnet/startDevnet.ts";
import { loadTaskConfig } from "../../src/taskConfig.ts";
import {
  includedTransactions,
  makeTempDir,
  nodeHealth,
  readBlocks,
  removeDir,
  roundOfSlot,
  waitFor,
} from "./support.ts";

/**
 * Task code that hangs (a promise that never settles, a busy loop), throws (in task, in submission) or allocates
 * until its heap limit, on even cycles only: each runs in its own `gradual node` process with small limits, against
 * one ledger (in the test's process, as a devnet runs it). The node must stay up and healthy, miss exactly those cycles (no commit on the ledger), and
 * commit and reveal the odd cycles that follow a failure.
 */

const FIXTURES = resolve(fileURLToPath(import.meta.url), "../../../../node/test/fixtures");
const FAULTS = ["hanging", "throwing", "allocating"] as const;
const SLOT_MS = 150;

type FaultNode = { fault: string; taskId: string; account: string; process: GradualProcess; url: string };

describe("a node survives task code that hangs, throws or exhausts memory", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let ledger: DevnetLedger | undefined;
  const nodes: FaultNode[] = [];
  let client: LedgerClient;

  before(async () => {
    const data = makeTempDir("faults");
    dataDir = data;
    const creator = loadOrCreateKey(join(data, "keys", "creator.json"));
    const faucet = loadOrCreateKey(join(data, "keys", "faucet.json"));
    const nodeKeys = FAULTS.map((fault) => loadOrCreateKey(join(data, "keys", `${fault}.json`)));
    const genesisPath = join(data, "genesis.json");
    const funded = [creator, ...nodeKeys].map((key) => ({ account: key.publicKey, balance: 10_000n * TOKEN }));
    writeGenesis(genesisPath, "gradual-faults", funded, faucet);
    ledger = await startDevnetLedger({
      dataDir: join(data, "ledger"),
      genesisPath,
      port: 0,
      slotMs: SLOT_MS,
      logFile: join(data, "ledger.log"),
    });
    const ledgerUrl = ledger.url;
    client = createLedgerClient({ url: ledgerUrl, timeoutMs: 30_000 });
    for (const [index, fault] of FAULTS.entries()) {
      const config = loadTaskConfig(join(FIXTURES, `${fault}-task`));
      const taskId = await publishTask(client, config, join(data, "keys", "creator.json"), () => {});
      const args = ["--key", join(data, "keys", `${fault}.json`), "--ledger", ledgerUrl, "--task", taskId];
      args.push("--port", "0", "--data", join(data, fault), "--quiet");
      args.push("--stake", formatTokenAmount(config.params.minimumStake * 10n));
      // Small limits: a hang costs 1.5 s, the heap stops at 32 MB.
      args.push("--memory-mb", "32", "--call-timeout-ms", "1500");
      const process = spawnNode(fault, args, join(data, `${fault}.log`));
      nodes.push({ fault, taskId, account: nodeKeys[index]?.publicKey as string, process, url: "" });
    }
    for (const node of nodes) node.url = await node.process.url;
  });

  after(async () => {
    await Promise.all(nodes.map((node) => stopProcess(node.process.process)));
    await ledger?.close();
    removeDir(dataDir);
  });

  for (const fault of FAULTS) {
    test(`${fault}: the node stays up, misses the even cycles and works the odd ones`, async () => {
      const node = nodes.find((entry) => entry.fault === fault) as FaultNode;
      const commitsOf = async (cycle: number) =>
        (await client.listCommits(node.taskId, cycle, { limit: 10 })).items.some((item) => item.node === node.account);
      const revealedOf = async (cycle: number) =>
        (await client.listReveals(node.taskId, cycle, { limit: 10 })).items.some(
          (item) => item.node === node.account && item.status === "valid",
        );
      // The first cycle the node works: the round its stake landed in plus the warm-up (protocol.md §3.2).
      let firstActive: number | undefined;
      const firstActiveCycle = async () => {
        if (firstActive !== undefined) return firstActive;
        const head = await client.getHead();
        const stake = includedTransactions(await readBlocks(client, 1, head.number)).find(
          (tx) => tx.kind === "stake" && tx.from === node.account && tx.ok,
        );
        const task = (await client.getTask(node.taskId))?.task;
        if (stake === undefined || task === undefined) return undefined;
        firstActive = roundOfSlot(task, stake.slot) + Number(task.params.warmupRounds);
        return firstActive;
      };
      const recovered = await waitFor(
        `${fault}: a revealed odd cycle after a failed even one`,
        async () => {
          const first = await firstActiveCycle();
          const round = (await client.getTask(node.taskId))?.round;
          if (first === undefined || round === undefined) return undefined;
          // Two failed even cycles (both variants of each fault: cycles 4k and 4k+2), then a revealed odd one.
          const firstEven = first % 2 === 0 ? first : first + 1;
          for (let cycle = firstEven + 3; cycle < round; cycle += 2)
            if (await revealedOf(cycle)) return { first, cycle };
          return undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      assert.equal(node.process.process.exitCode, null, "the node process is still running");
      assert.equal(node.process.process.signalCode, null, "the node process was not killed");
      const health = await nodeHealth(node.url);
      assert.equal(health?.status, 200, `/health answers 200: ${JSON.stringify(health?.body)}`);
      assert.equal(health?.body.runnerLoaded, true);
      const metrics = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(3_000) });
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /gradual_node_events_total\{event="action_runTask"\}/);
      // The failures are visible on the ledger: no commit for any even cycle the node was active in.
      const round = (await client.getTask(node.taskId))?.round as number;
      for (let cycle = recovered.first; cycle < round; cycle += 1) {
        if (cycle % 2 === 0) assert.equal(await commitsOf(cycle), false, `cycle ${cycle} failed and has no commit`);
      }
      assert.ok(await commitsOf(recovered.cycle), `cycle ${recovered.cycle} was committed`);
      // --stake is a target, sent once: a node that polls before its stake is in a block must not stake again.
      const head = await client.getHead();
      const stakes = includedTransactions(await readBlocks(client, 1, head.number)).filter(
        (tx) => tx.kind === "stake" && tx.from === node.account,
      );
      assert.equal(stakes.length, 1, `one stake transaction, not ${stakes.length}`);
    });
  }
});
