/**
 * The EVM settlement on anvil: a real TaskNode (replica, decide, executor, outbox, proof server; the task's code in
 * process) whose identity is an EVM account stakes, commits and reveals on the production Gradual contract; it
 * reads through an indexer, which sees the calls. The test moves the chain's clock one slot at a time.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/evmSettlement.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateKeyPair } from "@gradual/ledger";
import { createInProcessTaskRunner, type RunningNode, startNode } from "@gradual/node";
import {
  commitWindow,
  getNode,
  getReveal,
  getTask,
  getVesting,
  readRecord,
  roundOf,
  sha256Hex,
  type Transaction,
  transactionToJson,
} from "@gradual/protocol";
import { defineTask } from "@gradual/sdk";
import { createPublicClient, decodeEventLog, encodeEventTopics, type Hex, http } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { paramsToStruct } from "../src/indexer/calls.ts";
import { type Indexer, startIndexer } from "../src/indexer/indexer.ts";
import { type IndexerServer, startIndexerServer } from "../src/indexer/server.ts";
import { evmKeyFromPrivateKey } from "../src/keys.ts";
import { contractCallOf, createEvmSettlement, evmTaskId } from "../src/settlement.ts";
import { deployScenario, PARAMS, type Scenario } from "./evmScenario.ts";
import { h32, read, rpc } from "./harnessClient.ts";

/** anvil's second dev account: minted and approved by deployScenario. */
const NODE_KEY = evmKeyFromPrivateKey("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

const definition = defineTask({
  async task(ctx) {
    await ctx.store.set(`result/${ctx.cycle}`, { square: ctx.cycle * ctx.cycle });
  },
  async submission(ctx) {
    return (await ctx.store.get<{ square: number }>(`result/${ctx.cycle}`)) ?? null;
  },
  audit(ctx, proof) {
    return proof.json<{ square: number }>().square === ctx.cycle * ctx.cycle;
  },
  distribution: () => [],
});

let anvil: Anvil | undefined;
let scenario: Scenario;
let indexer: Indexer | undefined;
let server: IndexerServer | undefined;
let node: RunningNode | undefined;
const dir = mkdtempSync(join(tmpdir(), "gradual-evm-settlement-"));

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  indexer = await startIndexer({
    rpcUrl: anvil.rpcUrl,
    contract: scenario.contract,
    fromBlock: scenario.deployBlock,
    dataDir: join(dir, "indexer"),
    manual: true,
  });
  server = await startIndexerServer({ indexer, status: () => ({}) });
});

/** Mines a block at `slot`'s start and lets the indexer (and its server's listeners) see it. */
async function step(slot: number): Promise<void> {
  await scenario.at(slot);
  await scenario.mine();
  await (indexer as Indexer).catchUp();
  server?.notify();
}

after(async () => {
  await node?.close();
  await server?.close();
  await indexer?.stop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the contract's task id, and every call the contract has, encoded from the core's transactions", () => {
  const creator = "ab".repeat(32);
  const id = evmTaskId(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", creator, 3);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.notEqual(id, evmTaskId(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", creator, 4));
  const base = { chainId: "x", from: creator, nonce: 0 };
  const task = "cd".repeat(32);
  assert.equal(contractCallOf({ ...base, kind: "commit", task, cycle: 2, commitment: task })?.functionName, "commit");
  assert.deepEqual(contractCallOf({ ...base, kind: "claim", task }), { functionName: "claim", args: [`0x${task}`] });
  assert.deepEqual(
    contractCallOf({
      ...base,
      kind: "triggerAudit",
      task,
      cycle: 1,
      triggerKind: "proof",
      verdict: "unavailable",
      attempt: 0,
      target: creator,
      reasonDigest: task,
    })?.args,
    [`0x${task}`, 1, 0, 1, 0, `0x${creator}`, `0x${task}`],
  );
  assert.deepEqual(contractCallOf({ ...base, kind: "vote", task, cycle: 1, trigger: 2, choice: "invalid" })?.args, [
    `0x${task}`,
    1,
    2,
    1,
  ]);
  assert.deepEqual(
    contractCallOf({ ...base, kind: "publishProof", task, cycle: 1, trigger: 0, payload: "beef" })?.args,
    [`0x${task}`, 1, 0, "0xbeef"],
  );
  const root = "cd".repeat(32);
  const blob = "ef".repeat(32);
  assert.deepEqual(
    contractCallOf({
      ...base,
      kind: "submitDistribution",
      task,
      cycle: 1,
      attempt: 2,
      listRoot: root,
      listBlob: blob,
      total: 999n,
      entryCount: 3,
    }),
    { functionName: "submitDistribution", args: [`0x${task}`, 1, 2, `0x${root}`, `0x${blob}`, 999n, 3] },
  );
  assert.deepEqual(
    contractCallOf({
      ...base,
      kind: "claimDistribution",
      task,
      cycle: 1,
      recipient: root,
      amount: 333n,
      index: 2,
      proof: [blob],
    }),
    { functionName: "claimDistribution", args: [`0x${task}`, 1, `0x${root}`, 333n, 2n, [`0x${blob}`]] },
  );
});

test("a TaskNode with an EVM account stakes, commits and reveals two cycles and claims what vests on the contract, seen by the indexer", async () => {
  const chain = anvil as Anvil;
  const started = indexer as Indexer;
  const [alice, bob] = scenario.accounts as [Hex, Hex];
  assert.equal(bob.toLowerCase(), NODE_KEY.address.toLowerCase());
  const { at, call } = scenario;
  await at(1);
  await call(alice, "deposit", [20_000n]);
  await call(bob, "deposit", [5_000n]);
  // The bundle goes to the indexer's blob store (the runner here runs `definition`).
  const bundle = new TextEncoder().encode("export default {};");
  const stored = await fetch(`${server?.url}/v1/blobs`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bundle,
  });
  assert.equal(stored.status, 201);
  assert.equal(((await stored.json()) as { hash: string }).hash, sha256Hex(bundle));
  await at(2);
  const created = await call(alice, "createTask", [
    "evm-node",
    h32(sha256Hex(bundle)),
    h32(null),
    paramsToStruct(PARAMS),
    10_000n,
  ]);
  const taskId = ((created.logs[0] as { topics: Hex[] }).topics[1] as Hex).slice(2);
  await step(3);
  const settlement = await createEvmSettlement({
    rpcUrl: chain.rpcUrl,
    contract: scenario.contract,
    evmKey: NODE_KEY,
    indexerUrl: (server as IndexerServer).url,
  });
  const aliceId = alice.slice(2).toLowerCase().padStart(64, "0");
  assert.equal(settlement.taskIdOf?.(aliceId, 0), taskId, "the settlement names tasks as the contract does");
  const logs: string[] = [];
  node = await startNode({
    ledgerUrl: (server as IndexerServer).url,
    settlement,
    keyPair: generateKeyPair(),
    taskId,
    dataDir: join(dir, "node"),
    port: 0,
    stake: 200n,
    pollMs: 3_600_000,
    verifierWorkers: 0,
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    createRunner: async (_bundlePath, host, limits) => createInProcessTaskRunner(definition, host, limits),
  });
  const running = node;
  assert.equal(running.node.me, NODE_KEY.accountId, "the node acts as its EVM account");
  const idle = async () => {
    for (let attempt = 0; running.node.actionsInFlight > 0; attempt += 1) {
      if (attempt > 2_000) throw new Error("the node never went idle");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const run = async (from: number, to: number) => {
    for (let slot = from; slot <= to; slot += 1) {
      await step(slot);
      await running.node.tick();
      await idle();
      await running.node.tick();
      await idle();
    }
  };
  await run(4, 36);
  const me = NODE_KEY.accountId;
  const state = started.replay.chain.state;
  assert.equal(started.replay.diverged, undefined, started.replay.diverged?.message);
  assert.ok(getNode(state, taskId, me), `the node staked (${logs.join("\n")})`);
  for (const cycle of [0, 1]) {
    const reveal = getReveal(state, taskId, cycle, me);
    assert.ok(reveal, `the indexer has the node's reveal of cycle ${cycle}`);
    scenario.useViews();
    const onChain = await read<{ exists: boolean; proofDigest: Hex }>("getReveal", [h32(taskId), cycle, h32(me)]);
    assert.equal(onChain.exists, true, `the contract has the reveal of cycle ${cycle}`);
    assert.equal(onChain.proofDigest.slice(2), reveal.proofDigest);
  }
  assert.equal(readRecord(state, `commit/${taskId}/0/${me}`) !== undefined, true);
  assert.equal(running.node.fatal, undefined, "the replica verified every block of the indexer");
  // Through round 5: the rewards vest over two rounds, and the node claims what unlocked (in a round's quiet slots,
  // protocol.md §7.1: the last of them may be in the run's last slot, so one more block lets the indexer replay it).
  await run(37, 56);
  await step(57);
  scenario.useViews();
  assert.equal(running.node.fatal, undefined, "the replica verified every block of the indexer");
  // The auto-claim: a claim call from the node's account, logged by the contract and replayed by the indexer.
  const claimedLogs = await rpc<{ topics: Hex[]; data: Hex }[]>("eth_getLogs", [
    {
      address: scenario.contract,
      fromBlock: `0x${scenario.deployBlock.toString(16)}`,
      toBlock: "latest",
      topics: [encodeEventTopics({ abi: scenario.abi, eventName: "Claimed" })[0] ?? null, h32(taskId), h32(me)],
    },
  ]);
  assert.ok(claimedLogs.length > 0, `the contract logged the node's claim (${logs.join("\n")})`);
  const claimedOnChain = claimedLogs.reduce(
    (sum, log) =>
      sum +
      (
        decodeEventLog({ abi: scenario.abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] })
          .args as unknown as {
          amount: bigint;
        }
      ).amount,
    0n,
  );
  assert.ok(claimedOnChain > 0n);
  const vesting = await read<{ totalClaimed: bigint }>("getVesting", [h32(taskId), h32(me)]);
  assert.equal(vesting.totalClaimed, claimedOnChain, "the contract's vesting record has the claims");
  const replayed = getVesting(started.replay.chain.state, taskId, me);
  assert.equal(replayed?.totalClaimed, claimedOnChain, "the indexer replayed the same claims");
  const divergence = started.replay.diverged as { message: string } | undefined;
  assert.equal(divergence, undefined, divergence?.message);
});

test("a TaskNode with an EVM account on a custom-rule task posts its list and claims its entry on the contract, seen by the indexer", async () => {
  const chain = anvil as Anvil;
  const started = indexer as Indexer;
  const [alice] = scenario.accounts as [Hex, Hex];
  const { call } = scenario;
  // After the test above (slot 56 and before): a second task, under the custom rule, on the same contract.
  const customDefinition = defineTask({
    task: definition.task,
    submission: definition.submission,
    audit: definition.audit,
  });
  const bundle = new TextEncoder().encode("export default {};");
  await step(58);
  const created = await call(alice, "createTask", [
    "evm-lists",
    h32(sha256Hex(bundle)),
    h32(null),
    paramsToStruct({ ...PARAMS, distributionRule: "custom" }),
    10_000n,
  ]);
  const taskId = ((created.logs[0] as { topics: Hex[] }).topics[1] as Hex).slice(2);
  await step(59);
  const settlement = await createEvmSettlement({
    rpcUrl: chain.rpcUrl,
    contract: scenario.contract,
    evmKey: NODE_KEY,
    indexerUrl: (server as IndexerServer).url,
  });
  const logs: string[] = [];
  const listNode = await startNode({
    ledgerUrl: (server as IndexerServer).url,
    settlement,
    keyPair: generateKeyPair(),
    taskId,
    dataDir: join(dir, "list-node"),
    port: 0,
    stake: 200n,
    pollMs: 3_600_000,
    verifierWorkers: 0,
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    createRunner: async (_bundlePath, host, limits) => createInProcessTaskRunner(customDefinition, host, limits),
  });
  try {
    const idle = async () => {
      for (let attempt = 0; listNode.node.actionsInFlight > 0; attempt += 1) {
        if (attempt > 2_000) throw new Error("the node never went idle");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // Task rounds start at slot 59 + 10r: cycle 0's list window is round 2's [79, 81), its vote close at 86.
    // The entry's claim waits for round 3's quiet slots (protocol.md §7.1), from 92; one more block lets the indexer
    // replay what the last slot's passes sent.
    for (let slot = 60; slot <= 93; slot += 1) {
      await step(slot);
      for (let pass = 0; pass < 3; pass += 1) {
        await listNode.node.tick();
        await idle();
      }
    }
    await step(94);
    const me = NODE_KEY.accountId;
    assert.equal(started.replay.diverged, undefined, started.replay.diverged?.message);
    assert.equal(listNode.node.fatal, undefined, "the replica verified every block of the indexer");
    scenario.useViews();
    const list = await read<{ status: number; distributor: Hex; total: bigint }>("getDistribution", [
      h32(taskId),
      0,
      0,
    ]);
    assert.equal(list.status, 1, `the contract accepted the node's list (${logs.join("\n")})`);
    assert.equal(list.distributor.slice(2), me);
    assert.equal(list.total, PARAMS.bountyPerRound, "the whole bounty, to the one valid submitter");
    assert.deepEqual(
      await read<[boolean, bigint]>("listClaimed", [h32(taskId), 0, h32(me)]),
      [true, PARAMS.bountyPerRound],
      "the node claimed its entry, all of it vested",
    );
    const state = started.replay.chain.state;
    assert.equal(readRecord<{ status: string }>(state, `distribution/${taskId}/0/0`)?.status, "accepted");
    assert.equal(
      readRecord(state, `listClaim/${taskId}/0/${me}`),
      PARAMS.bountyPerRound,
      "the indexer replayed the claim",
    );
    assert.equal(getVesting(state, taskId, me)?.totalVested, PARAMS.bountyPerRound);
  } finally {
    await listNode.close();
  }
});

test("the settlement checks a call against the block it lands in (the pending block), not the latest one", async () => {
  const chain = anvil as Anvil;
  const started = indexer as Indexer;
  const [alice] = scenario.accounts as [Hex, Hex];
  const { at, call } = scenario;
  // After the tests above (slot 92 and before): a third task, and the settlement's node staked in it.
  await at(100);
  await call(alice, "deposit", [20_000n]);
  const created = await call(alice, "createTask", [
    "evm-pending",
    h32(sha256Hex(new TextEncoder().encode("pending"))),
    h32(null),
    paramsToStruct(PARAMS),
    10_000n,
  ]);
  const taskId = ((created.logs[0] as { topics: Hex[] }).topics[1] as Hex).slice(2);
  const settlement = await createEvmSettlement({
    rpcUrl: chain.rpcUrl,
    contract: scenario.contract,
    evmKey: NODE_KEY,
    indexerUrl: (server as IndexerServer).url,
  });
  const me = NODE_KEY.accountId;
  const envelope = (tx: Record<string, unknown>) => ({
    tx: transactionToJson({ chainId: started.chainId, from: me, nonce: 0, ...tx } as Transaction),
    signature: "",
  });
  await at(101);
  const staked = await settlement.submit(
    envelope({ kind: "stake", task: taskId, amount: 200n, nodeUrl: "http://127.0.0.1:1" }),
  );
  assert.equal(staked.ok, true, JSON.stringify(staked));
  await step(102);
  const task = getTask(started.replay.chain.state, taskId);
  assert.ok(task !== undefined);
  const cycle = roundOf(task, 101) + 1;
  const window = commitWindow(task, cycle);
  // The last block is a slot before the window; the next one, where the call lands, opens it.
  await step(window.opensAt - 1);
  await at(window.opensAt);
  const commit = { kind: "commit", task: taskId, cycle, commitment: "ab".repeat(32) };
  // Checked against the latest block, the call is refused: its window has not opened there.
  await assert.rejects(
    createPublicClient({ transport: http(chain.rpcUrl) }).simulateContract({
      account: NODE_KEY.account,
      address: scenario.contract,
      abi: scenario.abi,
      functionName: "commit",
      args: [h32(taskId), cycle, h32(commit.commitment)],
      blockTag: "latest",
    }),
    /COMMIT__WINDOW_CLOSED/,
  );
  const outcome = await settlement.submit(envelope(commit));
  assert.equal(outcome.ok, true, `the commit lands in the window's first slot: ${JSON.stringify(outcome)}`);
  await started.catchUp();
  await step(window.opensAt + 1);
  const landed = readRecord<{ slot: number }>(started.replay.chain.state, `commit/${taskId}/${cycle}/${me}`);
  assert.equal(landed?.slot, window.opensAt, "the indexer replayed the commit in the window's first slot");
  assert.equal(started.replay.diverged, undefined, started.replay.diverged?.message);
});
