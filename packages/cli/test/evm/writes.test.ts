import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type Anvil,
  type EvmKey,
  evmKeyFromPrivateKey,
  type Indexer,
  type IndexerServer,
  startAnvil,
  startIndexer,
  startIndexerServer,
} from "@gradual/evm";
import { DEFAULT_DEVNET_TASK } from "../../src/devnet/startDevnet.ts";
import { makeTempDir, removeDir, runGradual } from "../e2e/support.ts";

/** anvil's first three dev accounts (10,000 ETH each on every anvil): the deployer, a creator, a node. */
const ANVIL_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;

function saveKey(file: string, key: EvmKey): void {
  const json = { type: "evm", address: key.address, accountId: key.accountId, privateKey: key.privateKey };
  writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
}

/**
 * The ledger commands with an EVM key, as processes, against the Gradual contract on anvil and an indexer: a creator
 * deposits, creates and funds a task, a node stakes, and a refusal comes back with the core's code.
 */
describe("gradual task create, task fund, stake and the rest with an EVM key, on anvil", { timeout: 300_000 }, () => {
  const dir = makeTempDir("evm-writes");
  const files = ["deployer", "creator", "node"].map((name) => join(dir, `${name}.json`));
  const [deployerFile, creatorFile, nodeFile] = files as [string, string, string];
  const keys = ANVIL_KEYS.map((key) => evmKeyFromPrivateKey(key));
  let anvil: Anvil | undefined;
  let indexer: Indexer | undefined;
  let server: IndexerServer | undefined;
  let evm: string[] = [];
  const run = (args: readonly string[]) => runGradual(args, 120_000);

  before(async () => {
    // Blocks every second as well as per transaction: the indexer closes a slot when a later block comes.
    anvil = await startAnvil({ blockTime: 1, mixedMining: true });
    for (const [index, file] of files.entries()) saveKey(file, keys[index] as EvmKey);
    const deployed = await run(["deploy", "--rpc", anvil.rpcUrl, "--key", deployerFile, "--json"]);
    assert.equal(deployed.code, 0, deployed.stderr);
    const { token, gradual } = JSON.parse(deployed.stdout) as {
      token: { address: string };
      gradual: { address: `0x${string}`; blockNumber: string };
    };
    for (const holder of [creatorFile, nodeFile]) {
      const mint: string[] = ["--rpc", anvil.rpcUrl, "--key", deployerFile, "--token", token.address, "--to", holder];
      assert.equal((await run(["token", "mint", ...mint, "--amount", "5000"])).code, 0);
    }
    indexer = await startIndexer({
      rpcUrl: anvil.rpcUrl,
      contract: gradual.address,
      fromBlock: BigInt(gradual.blockNumber),
      dataDir: join(dir, "indexer"),
      pollIntervalMs: 100,
    });
    server = await startIndexerServer({ indexer, blobDir: join(dir, "indexer", "blobs"), status: () => ({}) });
    evm = ["--rpc", anvil.rpcUrl, "--contract", gradual.address, "--ledger", server.url];
  });
  after(async () => {
    await server?.close();
    await indexer?.stop();
    await anvil?.stop();
    removeDir(dir);
  });

  test("deposit, create, fund and stake are contract calls the indexer serves back; a refusal carries the core's code", async () => {
    const contract = evm[3] as string;
    for (const holder of [creatorFile, nodeFile]) {
      const deposited = await run([
        "token",
        "deposit",
        "--key",
        holder,
        "--rpc",
        evm[1] as string,
        "--contract",
        contract,
        "--amount",
        "3000",
      ]);
      assert.equal(deposited.code, 0, deposited.stderr);
      assert.match(deposited.stdout, /deposited 3000 into 0x[0-9a-fA-F]{40}; your balance there 3000/);
    }
    const created = await run([
      "task",
      "create",
      "--config",
      DEFAULT_DEVNET_TASK,
      "--key",
      creatorFile,
      ...evm,
      "--json",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { task, funding, bundleHash } = JSON.parse(created.stdout) as {
      task: string;
      funding: string;
      bundleHash: string | null;
    };
    // The bundle's hash as recorded (null only while the indexer has not yet seen the creation).
    assert.ok(bundleHash === null || /^[0-9a-f]{64}$/.test(bundleHash), String(bundleHash));
    const status = async () => {
      const shown = await run(["task", "status", task, "--ledger", evm[5] as string, "--json"]);
      assert.equal(shown.code, 0, shown.stderr);
      return JSON.parse(shown.stdout) as { task: { creator: string; escrow: string }; nodes: { account: string }[] };
    };
    const first = await status();
    assert.equal(first.task.creator, keys[1]?.accountId, "the task is the creator's EVM account's");
    // The funding went into the escrow (less the bounties of rounds started since, each reserved for its cycle).
    assert.ok(BigInt(first.task.escrow) <= BigInt(funding) && BigInt(first.task.escrow) > 0n, first.task.escrow);
    const funded = await run(["task", "fund", task, "--amount", "10", "--key", creatorFile, ...evm]);
    assert.equal(funded.code, 0, funded.stderr);
    assert.match(funded.stdout, /^fund [0-9a-f]{64}: included on the chain \(/);
    // Nothing staked yet: the contract refuses the unstake with the core's code, and the command exits 1.
    const refused = await run(["unstake", task, "--key", nodeFile, ...evm]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error\[NODE__NOT_STAKED\]: unstake [0-9a-f]{64}: the contract refused it/m);
    const staked = await run([
      "stake",
      task,
      "--amount",
      "100",
      "--node-url",
      "http://127.0.0.1:7001",
      "--key",
      nodeFile,
      ...evm,
    ]);
    assert.equal(staked.code, 0, staked.stderr);
    for (let attempt = 0; ; attempt += 1) {
      const view = await status();
      if (view.nodes.some((node) => node.account === keys[2]?.accountId)) break;
      assert.ok(attempt < 50, "the indexer shows the node's stake");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const transfer = (amount: string, ...extra: string[]) =>
      run([
        "transfer",
        "--to",
        keys[2]?.accountId as string,
        "--amount",
        amount,
        "--key",
        creatorFile,
        ...evm,
        ...extra,
      ]);
    const sent = await transfer("2");
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /: 2 tokens to [0-9a-f]{64}, included on the chain/);
    // With --json, the ledger's send result shape with the chain transaction's hash.
    const sentJson = await transfer("1", "--json");
    assert.equal(sentJson.code, 0, sentJson.stderr);
    const printed = JSON.parse(sentJson.stdout) as { status: string; hash: string; result: { ok: boolean } };
    assert.equal(printed.status, "included");
    assert.match(printed.hash, /^[0-9a-f]{64}$/);
    assert.equal(printed.result.ok, true);
    // The indexer replayed the creator's funding as the core's TaskFunded (the escrow itself moves as rounds reserve).
    const funds = (indexer as Indexer).replay.chain.events.filter(
      (event) => event.type === "TaskFunded" && event.task === task,
    );
    assert.deepEqual(
      funds.map((event) => (event as { amount: bigint }).amount),
      [10_000_000_000n],
    );
    for (let attempt = 0; ; attempt += 1) {
      const moved = (indexer as Indexer).replay.chain.events.some(
        (event) => event.type === "Transferred" && event.from === keys[1]?.accountId && event.amount === 2_000_000_000n,
      );
      if (moved) break;
      assert.ok(attempt < 50, "the indexer replayed the transfer");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(indexer?.replay.diverged, undefined, indexer?.replay.diverged?.message);
  });

  test("an EVM key without --rpc and --contract is refused before anything is sent", async () => {
    const result = await run([
      "stake",
      "ab".repeat(32),
      "--amount",
      "1",
      "--key",
      nodeFile,
      "--ledger",
      evm[5] as string,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error\[CLI__BAD_OPTION\]: .*is an EVM key: its transactions are calls of the Gradual contract; give --rpc URL and --contract ADDRESS/m,
    );
  });
});
