import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import {
  type Abi,
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeEventLog,
  erc20Abi,
  http,
  type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { loadArtifact } from "../src/compile.ts";
import { deployContracts } from "../src/deploy.ts";
import { createLogFollower, type FollowReorg, followLogs } from "../src/follow.ts";
import { type LogStore, openLogStore, type StoredLog } from "../src/logStore.ts";
import { connect } from "../src/rpc.ts";

const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

/**
 * The log follower against a real anvil, on TestToken's Transfer logs (one per mint, one mint per block: anvil mines
 * a block per transaction).
 */
describe("followLogs on anvil", () => {
  let anvil: Anvil;
  let client: PublicClient;
  let token: Address;
  let tokenBlock: bigint;
  let dir: string;
  const deployer = privateKeyToAccount(ANVIL_DEPLOYER_KEY);
  const holder = privateKeyToAccount(generatePrivateKey()).address;
  const stores: LogStore[] = [];

  const open = (name: string, address: Address = token) => {
    const store = openLogStore(join(dir, name), { chainId: anvil.chainId, address, fromBlock: tokenBlock });
    stores.push(store);
    return store;
  };
  const testClient = () => createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });

  /** Mints `amount` base units to the holder; one block each. */
  async function mint(amount: bigint): Promise<void> {
    const { chain, transport } = await connect({ rpcUrl: anvil.rpcUrl });
    const wallet = createWalletClient({ account: deployer, transport, chain });
    const abi = loadArtifact("TestToken").abi as Abi;
    const hash = await wallet.writeContract({ address: token, abi, functionName: "mint", args: [holder, amount] });
    await client.waitForTransactionReceipt({ hash });
  }

  function amounts(logs: readonly StoredLog[]): bigint[] {
    return logs.map((log) => {
      const event = decodeEventLog({ abi: erc20Abi, data: log.data, topics: log.topics as never });
      assert.equal(event.eventName, "Transfer");
      return (event.args as { value: bigint }).value;
    });
  }

  before(async () => {
    anvil = await startAnvil();
    client = createPublicClient({ transport: http(anvil.rpcUrl) });
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, account: deployer, slotMs: 1000 });
    token = deployed.token.address;
    tokenBlock = deployed.token.deployment?.blockNumber ?? 0n;
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gradual-follow-"));
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(() => anvil?.stop());

  test("stores each Transfer with its block number, hash, timestamp, transaction hash and log index", async () => {
    const store = open("logs.sqlite");
    const base = store.countLogs();
    for (const amount of [1n, 2n, 3n, 4n, 5n]) await mint(amount);
    const delivered: StoredLog[] = [];
    const follower = createLogFollower({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store,
      maxBlockRange: 2n, // several ranges
      onLogs: (logs) => {
        delivered.push(...logs);
      },
    });
    const stored = await follower.catchUp();
    assert.equal(stored, 5 + base);
    const logs = store.logs();
    assert.deepEqual(amounts(logs).slice(-5), [1n, 2n, 3n, 4n, 5n]);
    assert.deepEqual(delivered, logs, "onLogs got what was stored, in order");
    for (const log of logs) {
      const block = await client.getBlock({ blockNumber: log.blockNumber });
      assert.equal(log.blockHash, block.hash);
      assert.equal(log.blockTimestamp, block.timestamp);
      const receipt = await client.getTransactionReceipt({ hash: log.transactionHash });
      assert.equal(receipt.blockNumber, log.blockNumber);
      assert.equal(receipt.logs[0]?.logIndex, log.logIndex);
      assert.equal(log.address.toLowerCase(), token.toLowerCase());
    }
    assert.equal(store.cursor()?.number, await client.getBlockNumber({ cacheTime: 0 }));
    assert.equal((await follower.poll()).kind, "idle");
  });

  test("waits for confirmations: a log is stored once that many blocks are on top of it", async () => {
    const store = open("confirmations.sqlite");
    const follower = createLogFollower({ client, address: token, fromBlock: tokenBlock, confirmations: 2, store });
    await testClient().mine({ blocks: 2 }); // the earlier tests' logs confirmed
    await follower.catchUp();
    const before = store.countLogs();
    await mint(7n);
    await follower.catchUp();
    assert.equal(store.countLogs(), before, "not stored with 0 blocks on top");
    await testClient().mine({ blocks: 1 });
    await follower.catchUp();
    assert.equal(store.countLogs(), before, "not stored with 1 block on top");
    await testClient().mine({ blocks: 1 });
    await follower.catchUp();
    assert.equal(store.countLogs(), before + 1);
    assert.deepEqual(amounts(store.logs()).slice(-1), [7n]);
  });

  test("a restart resumes after its cursor: no log twice, none missed", async () => {
    const path = "restart.sqlite";
    const first = open(path);
    await createLogFollower({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store: first,
    }).catchUp();
    const cursor = first.cursor();
    const count = first.countLogs();
    first.close();
    stores.splice(stores.indexOf(first), 1);
    await mint(11n);
    await mint(12n);

    const second = open(path);
    assert.deepEqual(second.cursor(), cursor, "the cursor survived the restart");
    const ranges: bigint[] = [];
    const follower = createLogFollower({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store: second,
      onLogs: (_logs, range) => {
        ranges.push(range.fromBlock);
      },
    });
    assert.equal(await follower.catchUp(), 2, "only the two new logs");
    assert.ok(
      ranges.every((from) => from > (cursor?.number ?? 0n)),
      "reading resumed after the cursor",
    );
    const logs = second.logs();
    assert.equal(logs.length, count + 2);
    assert.equal(new Set(logs.map((log) => `${log.blockNumber}/${log.logIndex}`)).size, logs.length, "no duplicates");
    assert.deepEqual(amounts(logs).slice(-2), [11n, 12n]);
  });

  test("a reorg (evm_snapshot, evm_revert, new blocks) is detected and its logs rolled back", async () => {
    const store = open("reorg.sqlite");
    const reorgs: FollowReorg[] = [];
    const follower = createLogFollower({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store,
      onReorg: (reorg) => {
        reorgs.push(reorg);
      },
    });
    await follower.catchUp();
    const snapshot = await testClient().snapshot();
    const forkPoint = await client.getBlockNumber({ cacheTime: 0 });
    await mint(21n);
    await mint(22n);
    await follower.catchUp();
    const beforeReorg = store.countLogs();
    assert.deepEqual(amounts(store.logs()).slice(-2), [21n, 22n]);

    await testClient().revert({ id: snapshot });
    await mint(31n); // the new chain: other transactions, and longer than the old one
    await testClient().mine({ blocks: 2 });
    const result = await follower.poll();
    assert.equal(result.kind, "reorg");
    assert.equal(reorgs.length, 1);
    assert.equal(reorgs[0]?.commonAncestor, forkPoint, "rolled back to the last block both chains share");
    assert.equal(reorgs[0]?.removedLogs, 2);
    assert.equal(store.countLogs(), beforeReorg - 2);

    await follower.catchUp();
    const logs = store.logs();
    assert.deepEqual(amounts(logs).slice(-1), [31n]);
    assert.ok(!amounts(logs).includes(21n) && !amounts(logs).includes(22n), "the old chain's logs are gone");
    for (const log of logs.filter((stored) => stored.blockNumber > forkPoint)) {
      const block = await client.getBlock({ blockNumber: log.blockNumber });
      assert.equal(log.blockHash, block.hash, "stored logs are the new chain's");
    }
  });

  test("a reorg to a shorter chain (the cursor's block is gone) rolls back too", async () => {
    const store = open("shorter.sqlite");
    const follower = createLogFollower({ client, address: token, fromBlock: tokenBlock, confirmations: 0, store });
    await follower.catchUp();
    const before = store.countLogs();
    const snapshot = await testClient().snapshot();
    const forkPoint = await client.getBlockNumber({ cacheTime: 0 });
    await mint(51n);
    await mint(52n);
    await testClient().mine({ blocks: 3 });
    await follower.catchUp();
    assert.equal(store.countLogs(), before + 2);
    await testClient().revert({ id: snapshot }); // the chain ends at forkPoint: no block at the cursor any more
    const result = await follower.poll();
    assert.equal(result.kind, "reorg");
    if (result.kind === "reorg") assert.equal(result.reorg.commonAncestor, forkPoint);
    assert.equal(store.countLogs(), before);
    assert.equal(store.cursor()?.number, forkPoint);
    assert.equal((await follower.poll()).kind, "idle");
  });

  test("a store written for another contract is refused", async () => {
    const store = open("mismatch.sqlite");
    store.close();
    stores.splice(stores.indexOf(store), 1);
    assert.throws(() => open("mismatch.sqlite", deployer.address), { code: "EVM__FOLLOW_STORE_MISMATCH" });
  });

  test("a range holding more than maxLogsPerRange logs is halved until it fits", async () => {
    const store = open("bounded.sqlite");
    const follower = createLogFollower({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store,
      maxLogsPerRange: 1,
    });
    const sizes: number[] = [];
    for (;;) {
      const result = await follower.poll();
      if (result.kind === "idle") break;
      if (result.kind === "advanced") sizes.push(result.logs);
    }
    assert.ok(sizes.length > 0);
    assert.ok(
      sizes.every((size) => size <= 1),
      `every range held at most one log: ${sizes.join(",")}`,
    );
    assert.ok(store.countLogs() >= 5);
  });

  test("followLogs polls in the background, reports progress up to the head, and stops", async () => {
    const store = open("loop.sqlite");
    await mint(41n);
    const head = await client.getBlockNumber({ cacheTime: 0 });
    let reached: () => void = () => {};
    const reachedHead = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const following = followLogs({
      client,
      address: token,
      fromBlock: tokenBlock,
      confirmations: 0,
      store,
      pollIntervalMs: 50,
      onProgress: (progress) => {
        assert.equal(progress.safeHead, progress.head);
        if (progress.block !== undefined && progress.block >= head) reached();
      },
    });
    await reachedHead;
    await following.stop();
    assert.deepEqual(amounts(store.logs()).slice(-1), [41n]);
  });
});

test("followLogs reports an endpoint that does not answer to onError, keeps trying, and stops", async () => {
  const anvil = await startAnvil();
  await anvil.stop();
  const address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const store = openLogStore(":memory:", { chainId: anvil.chainId, address, fromBlock: 0n });
  const errors: Error[] = [];
  let second: () => void = () => {};
  const twoErrors = new Promise<void>((resolve) => {
    second = resolve;
  });
  const following = followLogs({
    client: createPublicClient({ transport: http(anvil.rpcUrl, { retryCount: 0 }) }),
    address,
    fromBlock: 0n,
    confirmations: 0,
    store,
    pollIntervalMs: 10,
    onError: (error) => {
      errors.push(error);
      if (errors.length === 2) second();
    },
  });
  await twoErrors;
  await following.stop();
  store.close();
  assert.equal((errors[0] as Error & { code?: string }).code, "EVM__RPC_UNREACHABLE");
});
