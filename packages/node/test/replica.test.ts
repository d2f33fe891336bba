/**
 * The node's verifying replica (packages/node/src/runtime/replica.ts, ARCHITECTURE.md "A node is a verifying
 * replica") on blocks made by the real ledger: it accepts them, and refuses a block whose number, slot, parent hash,
 * transactions root, block hash, signature or state root is wrong, with that code, staying at its last good block
 * (from which the honest block still applies). It keeps nothing on disk: a node that restarts replays from genesis.
 * replicaVerify.test.ts covers the same refusals as served over HTTP by a tampering ledger double.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  computeBlockHash,
  computeTxsRoot,
  generateKeyPair,
  type KeyPair,
  signBytes,
  VerifierPool,
} from "@gradual/ledger";
import {
  applyBlock,
  NODE_ERROR_CODES,
  sha256Hex,
  signingPayload,
  stateRoot,
  TOKEN,
  type Transaction,
  transactionHash,
} from "@gradual/protocol";
import { defineTask } from "@gradual/sdk";
import {
  Replica,
  type ReplicaBlock,
  type ReplicaErrorCode,
  type ReplicaGenesis,
  ReplicaMismatchError,
} from "../src/runtime/replica.ts";
import { TaskNode } from "../src/runtime/taskNode.ts";
import type { Settlement } from "../src/settlement/settlement.ts";
import { startTestLedger, type HttpTestLedger as TestLedger } from "./support/testLedger.ts";
import { createTestTask, startTestNode } from "./support/testNode.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const keys: KeyPair[] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
let ledger: TestLedger;
let genesis: ReplicaGenesis;
let blocks: ReplicaBlock[] = [];
let verifier: VerifierPool;
/** The first block holding at least two transactions. */
let target: ReplicaBlock;

before(async () => {
  ledger = await startTestLedger(keys);
  await ledger.advance(2);
  for (let round = 0; round < 2; round += 1) {
    for (const [index, key] of keys.entries()) {
      const to = (keys[(index + 1) % keys.length] as KeyPair).publicKey;
      await ledger.send(key, { kind: "transfer", to, amount: BigInt(round + 1) * TOKEN });
    }
    await ledger.advance();
  }
  await ledger.advance(2);
  genesis = await ledger.source.genesis();
  blocks = await ledger.source.blocks(1, await ledger.head());
  target = blocks.find((block) => block.txs.length >= 2) as ReplicaBlock;
  assert.ok(target !== undefined && target.number > 1);
  verifier = new VerifierPool({ chainId: ledger.chainId, workers: 0 });
});

after(async () => {
  await verifier?.close();
  await ledger?.close();
});

/** A replica that verified every block before `number`. */
async function replicaBefore(number: number): Promise<Replica> {
  const replica = new Replica(genesis, verifier);
  for (const block of blocks) {
    if (block.number >= number) break;
    await replica.apply(block);
  }
  return replica;
}

/** The header fields hashed again, so that only the change itself is wrong. */
function rehashed(block: Mutable<ReplicaBlock>): ReplicaBlock {
  block.hash = computeBlockHash(block);
  return block;
}

/** Applies `bad` on a replica at the block before it: the refusal's code and block, and what the replica kept. */
async function refuse(bad: ReplicaBlock) {
  const replica = await replicaBefore(target.number);
  const before = { height: replica.height, headHash: replica.headHash, slot: replica.slot, state: replica.state };
  const error = await replica.apply(bad).then(
    () => assert.fail("the replica accepted a block it must refuse"),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ReplicaMismatchError, `a ReplicaMismatchError, got ${String(error)}`);
  // Stays at its last good block, and the honest block still applies after the refusal.
  assert.deepEqual(
    { height: replica.height, headHash: replica.headHash, slot: replica.slot },
    { height: before.height, headHash: before.headHash, slot: before.slot },
  );
  assert.equal(replica.state, before.state, "the state is the last verified one");
  await replica.apply(target);
  assert.equal(replica.headHash, target.hash);
  return { code: error.code, block: error.block, message: error.message };
}

describe("replica", () => {
  it("accepts the ledger's blocks and reaches its head, state root and hash", async () => {
    const replica = await replicaBefore(Number.POSITIVE_INFINITY);
    const head = blocks.at(-1) as ReplicaBlock;
    assert.equal(replica.height, head.number);
    assert.equal(replica.slot, head.slot);
    assert.equal(replica.headHash, head.hash);
    assert.equal(stateRoot(replica.state), head.stateRoot);
    // The events of a block are the protocol's: the transfers of the target block.
    const fresh = await replicaBefore(target.number);
    const events = await fresh.apply(target);
    assert.equal(events.filter((event) => event.type === "Transferred").length, target.txs.length);
  });

  it("refuses a genesis whose state root is not the one its accounts give", () => {
    assert.throws(
      () => new Replica({ ...genesis, stateRoot: sha256Hex("another genesis") }, verifier),
      (error: unknown) =>
        error instanceof ReplicaMismatchError && error.code === "NODE__REPLICA_STATE_ROOT" && error.block === 0,
    );
  });

  const refusals: [string, ReplicaErrorCode, () => ReplicaBlock][] = [
    ["a skipped number", "NODE__REPLICA_SEQUENCE", () => rehashed({ ...target, number: target.number + 1 })],
    ["a repeated slot", "NODE__REPLICA_SEQUENCE", () => rehashed({ ...target, slot: target.slot - 1 })],
    [
      "a parent hash that is not the last block's",
      "NODE__REPLICA_PREV_HASH",
      () => rehashed({ ...target, prevHash: sha256Hex("fork") }),
    ],
    [
      "a transactions root that does not match its transactions",
      "NODE__REPLICA_TXS_ROOT",
      () => rehashed({ ...target, txsRoot: computeTxsRoot([]) }),
    ],
    ["a dropped transaction", "NODE__REPLICA_TXS_ROOT", () => ({ ...target, txs: target.txs.slice(1) })],
    ["reordered transactions", "NODE__REPLICA_TXS_ROOT", () => ({ ...target, txs: [...target.txs].reverse() })],
    [
      "a header whose hash does not cover its fields",
      "NODE__REPLICA_BLOCK_HASH",
      () => ({
        ...target,
        hash: sha256Hex("not this header"),
      }),
    ],
    [
      "a state root the transactions do not produce",
      "NODE__REPLICA_STATE_ROOT",
      () => rehashed({ ...target, stateRoot: sha256Hex("another state") }),
    ],
  ];

  for (const [what, code, make] of refusals) {
    it(`refuses ${what} with ${code}, and stays at its last good block`, async () => {
      const bad = make();
      const refused = await refuse(bad);
      assert.equal(refused.code, code);
      // The error names the block as served.
      assert.equal(refused.block, bad.number);
      assert.ok(refused.message.startsWith(`${code}: block ${bad.number}: `), refused.message);
      assert.ok(code in NODE_ERROR_CODES, "a registered code");
    });
  }

  it("refuses a transaction signed by another key, even in a block whose roots and hash match it", async () => {
    const forger = generateKeyPair();
    const first = target.txs[0] as { tx: Transaction; signature: string };
    const forged = [{ tx: first.tx, signature: signBytes(forger, signingPayload(first.tx)) }, ...target.txs.slice(1)];
    // Only the signature differs: the transactions root, the state root and the hash are the honest block's.
    const refused = await refuse({ ...target, txs: forged });
    assert.equal(refused.code, "NODE__REPLICA_SIGNATURE");
    assert.equal(refused.block, target.number);
  });

  it("refuses an altered transaction whose block was recomputed around it: the signature no longer matches", async () => {
    const first = target.txs[0] as { tx: Transaction; signature: string };
    const altered = { ...first.tx, amount: 999n * TOKEN } as Transaction;
    const txs = [{ tx: altered, signature: first.signature }, ...target.txs.slice(1)];
    const before = (await replicaBefore(target.number)).state;
    const block = rehashed({
      ...target,
      txs,
      txsRoot: computeTxsRoot(txs.map((entry) => transactionHash(entry.tx))),
      stateRoot: stateRoot(
        applyBlock(
          before,
          target.slot,
          txs.map((entry) => entry.tx),
        ).state,
      ),
    });
    const refused = await refuse(block);
    assert.equal(refused.code, "NODE__REPLICA_SIGNATURE");
  });

  it("keeps no state of its own: a replica started again replays from genesis to the same head", async () => {
    const first = await replicaBefore(Number.POSITIVE_INFINITY);
    const again = await replicaBefore(Number.POSITIVE_INFINITY);
    assert.notEqual(first.state, again.state);
    assert.deepEqual(
      [again.height, again.headHash, stateRoot(again.state)],
      [first.height, first.headHash, stateRoot(first.state)],
    );
  });
});

describe("a node on a ledger that serves a block that does not verify", () => {
  it("stops with the block's code at its last good block, reports it once and acts no more", async () => {
    const tampered = rehashed({ ...target, stateRoot: sha256Hex("lie") });
    const served = {
      ...ledger.source,
      blocks: async (from: number, to: number) => {
        const honest = await ledger.source.blocks(from, to);
        return honest.map((block) => (block.number === target.number ? tampered : block));
      },
    };
    const dataDir = ledger.tempDir("fatal-node");
    mkdirSync(dataDir, { recursive: true });
    const fatal: ReplicaMismatchError[] = [];
    let runners = 0;
    const node = new TaskNode({
      settlement: served,
      keyPair: keys[0] as KeyPair,
      taskId: sha256Hex("no task"),
      dataDir,
      publicUrl: "http://127.0.0.1:1",
      autoClaim: true,
      pollMs: 3_600_000,
      taskVars: {},
      log: () => {},
      createRunner: async () => {
        runners += 1;
        throw new Error("no runner is started on an unverified chain");
      },
      verifierWorkers: 0,
      onFatal: (error) => fatal.push(error),
    });
    try {
      await node.start();
      assert.equal(node.fatal?.code, "NODE__REPLICA_STATE_ROOT");
      assert.equal(node.fatal?.block, target.number);
      assert.equal(node.replica?.height, target.number - 1, "stays at the last good block");
      assert.match(node.lastError ?? "", /NODE__REPLICA_STATE_ROOT/);
      await node.tick();
      assert.equal(fatal.length, 1, "reported once");
      assert.equal(node.replica?.height, target.number - 1);
      assert.equal(runners, 0);
    } finally {
      await node.close();
    }
  });
});

describe("a node whose ledger serves a head block that does not verify (regression)", () => {
  it("neither starts its task nor sends anything on the last good state", async () => {
    const creator = keys[1] as KeyPair;
    const { taskId } = await createTestTask(ledger, creator);
    await ledger.advance();
    const head = await ledger.head();
    const served: Settlement = {
      ...ledger.source,
      blocks: async (from, to) =>
        (await ledger.source.blocks(from, to)).map((block) =>
          block.number === head ? rehashed({ ...block, stateRoot: sha256Hex("lie") }) : block,
        ),
    };
    const nodeKey = keys[2] as KeyPair;
    const before = await ledger.client.getAccount(nodeKey.publicKey);
    const started = await startTestNode({
      ledger,
      key: nodeKey,
      taskId,
      definition: defineTask({ task: async () => {}, submission: () => "proof", audit: () => true }),
      dataDir: ledger.tempDir("head-fatal"),
      source: () => served,
    });
    try {
      assert.equal(started.node.fatal?.code, "NODE__REPLICA_STATE_ROOT");
      assert.equal(started.node.replica?.height, head - 1);
      // The task exists in the last good state, and the node wants a stake: still, it acts no more.
      await started.settle();
      await started.settle();
      const after = await ledger.client.getAccount(nodeKey.publicKey);
      assert.equal(after.nextNonce, before.nextNonce, "nothing sent");
      assert.equal(started.node.runner, undefined, "no task runner started");
    } finally {
      await started.close();
    }
  });
});
