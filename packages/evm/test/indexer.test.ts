/**
 * The indexer on anvil with the production Gradual contract: calls sent through viem (deposit, transfer, createTask,
 * stake, fundTask, commit, reveal, unstake, withdrawBalance) are replayed through the core; its records equal what the
 * contract's views return; a restart rebuilds the same state root from the log store; a tampered log is a divergence.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/indexer.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  computeCommitment,
  getAccount,
  readRecord as readCoreRecord,
  sha256Hex,
  stateEntries,
  stateRoot,
} from "@gradual/protocol";
import { encodeEventTopics, type Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import type { EvmError } from "../src/errors.ts";
import { POOL_SUPPLY, paramsToStruct } from "../src/indexer/calls.ts";
import { type Indexer, startIndexer } from "../src/indexer/indexer.ts";
import { ChainReplay } from "../src/indexer/replay.ts";
import { deployScenario, id32, PARAMS, type Scenario } from "./evmScenario.ts";
import { coreHolds, h32, type Json, type Obj, read, readRecord, withoutUnheld } from "./harnessClient.ts";

let anvil: Anvil | undefined;
let scenario: Scenario;
let taskId: string;
const dirs: string[] = [];
const indexers: Indexer[] = [];

const HELD = new Set(["account", "task", "node", "nodeAt", "cycle", "commit", "reveal", "taskAt"]);
const name = (who: string) => sha256Hex(`gradual/evm-indexer-test/${who}`);

async function indexer(dataDir: string): Promise<Indexer> {
  const started = await startIndexer({
    rpcUrl: (anvil as Anvil).rpcUrl,
    contract: scenario.contract,
    fromBlock: scenario.deployBlock,
    dataDir,
    manual: true,
  });
  indexers.push(started);
  return started;
}

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  const [alice, bob, carol] = scenario.accounts as [Hex, Hex, Hex];
  const { at, call } = scenario;
  await at(1);
  await call(alice, "deposit", [20_000n]);
  await call(bob, "deposit", [1_000n]);
  await call(carol, "deposit", [1_000n]);
  await call(alice, "transfer", [id32(bob), 10n]);
  await at(9);
  const created = await call(alice, "createTask", [
    "indexed",
    h32(name("bundle")),
    h32(null),
    paramsToStruct(PARAMS),
    5_000n,
  ]);
  const createdLog = created.logs.find((log) => log.address.toLowerCase() === scenario.contract.toLowerCase());
  assert.ok(createdLog, "TaskCreated logged");
  taskId = (createdLog.topics[1] as Hex).slice(2);
  await at(10);
  await call(bob, "stake", [h32(taskId), 200n, "http://bob.test"]);
  await call(carol, "stake", [h32(taskId), 150n, "http://carol.test"]);
  await at(11);
  await call(bob, "stake", [h32(taskId), 50n, "http://bob.test"]);
  await call(alice, "fundTask", [h32(taskId), 500n]);
  const salt = name("salt");
  const proof = name("proof");
  await at(17);
  await call(bob, "commit", [
    h32(taskId),
    0,
    h32(computeCommitment({ task: taskId, cycle: 0, node: id32(bob).slice(2), proofDigest: proof, salt })),
  ]);
  await call(carol, "commit", [
    h32(taskId),
    0,
    h32(
      computeCommitment({
        task: taskId,
        cycle: 0,
        node: id32(carol).slice(2),
        proofDigest: name("proof2"),
        salt: name("salt2"),
      }),
    ),
  ]);
  await at(20);
  await call(bob, "reveal", [h32(taskId), 0, h32(proof), h32(salt)]);
  await call(carol, "reveal", [h32(taskId), 0, h32(name("proof2")), h32(name("salt2"))]);
  await at(22);
  await call(carol, "unstake", [h32(taskId)]);
  await call(alice, "withdrawBalance", [1_000n]);
  await at(23);
  await call(alice, "settle", [h32(taskId), 64n]);
  // A block of a later slot: the follower is past slot 23, so its block is produced.
  await at(24);
  await scenario.mine();
});

after(async () => {
  for (const started of indexers) await started.stop();
  await anvil?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gradual-indexer-"));
  dirs.push(dir);
  return dir;
}

test("the indexer's state equals the contract's views: task, nodes, commits, reveals, balances", async () => {
  const started = await indexer(tempDir());
  await started.catchUp();
  const { replay } = started;
  assert.equal(replay.diverged, undefined, replay.diverged?.message);
  assert.equal(replay.chain.slot, 23);
  const state = replay.chain.state;
  scenario.useViews();
  let compared = 0;
  const kinds = new Set<string>();
  for (const [key, value] of stateEntries(state)) {
    const kind = key.split("/")[0] as string;
    if (!HELD.has(kind) || key === `account/${replay.pool}`) continue;
    assert.deepStrictEqual(await readRecord(key), withoutUnheld(key, value as Json, coreHolds(state)), `record ${key}`);
    compared += 1;
    kinds.add(kind);
  }
  assert.deepEqual([...kinds].sort(), [...HELD].sort(), "every kind of record the contract holds was compared");
  // The contract does not hold a cycle's reveals by index (`revealAt`): the replay's must name, at each index, the
  // node whose reveal the contract holds with that index.
  let positions = 0;
  for (const [key, value] of stateEntries(state)) {
    const [kind, task, cycle, index] = key.split("/");
    if (kind !== "revealAt") continue;
    const held = (await readRecord(`reveal/${task}/${cycle}/${value as string}`)) as Obj | undefined;
    assert.equal(held?.index, Number(index), `${key}: the contract's reveal of ${value as string}`);
    positions += 1;
  }
  assert.ok(positions >= 2, `${positions} reveal positions compared`);
  assert.ok(compared >= 12, `${compared} records compared`);
  // Money: the pool holds what the contract does not; the other totals are the contract's.
  const pool = getAccount(state, replay.pool).balance;
  const [totals, supply, taskCount] = await read<[Obj, bigint, number]>("chainTotals", []);
  assert.equal(POOL_SUPPLY - pool, supply, "the contract's supply is what left the pool");
  const coreTotals = readCoreRecord<Obj>(state, "totals") as Obj;
  assert.deepStrictEqual({ ...totals }, { ...coreTotals, balances: (coreTotals.balances as bigint) - pool });
  assert.equal(taskCount, 1);
  assert.equal(readCoreRecord<string>(state, "taskAt/0"), taskId, "the core kept the contract's task id");
  // Blocks: one per slot, as the ledger's; the calls are in their slots' blocks.
  assert.equal(replay.chain.blocks.length, 24);
  const kindsAt = (slot: number) => replay.chain.blocks[slot]?.txs.map((entry) => entry.tx.kind);
  assert.deepEqual(kindsAt(1), ["transfer", "transfer", "transfer", "transfer"]);
  assert.deepEqual(kindsAt(20), ["reveal", "reveal"]);
});

test("a restart replays the stored logs into a fresh core: the same state root and head", async () => {
  const dir = tempDir();
  const first = await indexer(dir);
  await first.catchUp();
  const root = stateRoot(first.replay.chain.state);
  const head = first.replay.chain.blocks.at(-1)?.hash;
  await first.stop();
  const second = await indexer(dir);
  assert.equal(stateRoot(second.replay.chain.state), root, "rebuilt from the store before any RPC read");
  assert.equal(second.replay.chain.blocks.at(-1)?.hash, head);
  await second.catchUp();
  assert.equal(stateRoot(second.replay.chain.state), root, "nothing new on the chain: nothing changes");
});

test("a tampered log is a divergence: EVM__INDEXER_DIVERGED with the log's position, and nothing after it", async () => {
  const source = await indexer(tempDir());
  await source.catchUp();
  const logs = source.store.logs();
  const [revealedTopic] = encodeEventTopics({ abi: scenario.abi, eventName: "Revealed" });
  const reveal = logs.filter((log) => log.topics[0] === revealedTopic).at(-1);
  assert.ok(reveal, "a Revealed log");
  // Revealed's data: cycle, proofDigest, index, salt; the index becomes 7.
  const words = reveal.data.slice(2).match(/.{64}/g) as string[];
  words[2] = (7).toString(16).padStart(64, "0");
  const tampered = { ...reveal, data: `0x${words.join("")}` as Hex };
  const heard: EvmError[] = [];
  const replay = new ChainReplay({
    abi: scenario.abi,
    contract: scenario.contract,
    chainId: source.chainId,
    genesisTimestamp: scenario.genesis,
    slotMs: scenario.slotMs,
    onDivergence: (error) => heard.push(error),
  });
  for (const log of logs) replay.applyLog(log === reveal ? tampered : log);
  replay.advanceTo(30);
  assert.equal(heard.length, 1);
  const diverged = replay.diverged as EvmError;
  assert.equal(diverged.code, "EVM__INDEXER_DIVERGED");
  assert.equal(diverged.context.blockNumber, reveal.blockNumber.toString());
  assert.equal(diverged.context.logIndex, reveal.logIndex);
  assert.equal(diverged.context.event, "Revealed");
  assert.match(diverged.message, /Revealed\.index: the contract logged 7, the core has 1/);
  assert.equal(replay.chain.slot, 20, "stopped at the diverging call's slot");
  // An untampered replay of the same logs agrees with the indexer.
  const clean = new ChainReplay({
    abi: scenario.abi,
    contract: scenario.contract,
    chainId: source.chainId,
    genesisTimestamp: scenario.genesis,
    slotMs: scenario.slotMs,
  });
  for (const log of logs) clean.applyLog(log);
  clean.advanceTo(23);
  assert.equal(clean.diverged, undefined);
  assert.equal(stateRoot(clean.chain.state), stateRoot(source.replay.chain.state));
});

test("a TaskCreated whose id breaks the contract's rule (what nodes' replicas compute) is a divergence", async () => {
  const source = await indexer(tempDir());
  await source.catchUp();
  const logs = source.store.logs();
  const [createdTopic] = encodeEventTopics({ abi: scenario.abi, eventName: "TaskCreated" });
  const created = logs.find((log) => log.topics[0] === createdTopic);
  assert.ok(created, "a TaskCreated log");
  const tampered = { ...created, topics: [created.topics[0], h32(name("another id")), created.topics[2]] as Hex[] };
  const replay = new ChainReplay({
    abi: scenario.abi,
    contract: scenario.contract,
    chainId: source.chainId,
    evmChainId: source.evmChainId,
    genesisTimestamp: scenario.genesis,
    slotMs: scenario.slotMs,
  });
  for (const log of logs) replay.applyLog(log === created ? tampered : log);
  replay.advanceTo(30);
  assert.equal(replay.diverged?.code, "EVM__INDEXER_DIVERGED");
  assert.match(replay.diverged?.message ?? "", /TaskCreated\.task: the contract logged [0-9a-f]{64}, its rule gives/);
  assert.equal(replay.diverged?.context.logIndex, created.logIndex);
});
