import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  computeCommitment,
  DEVNET_PARAMS,
  sha256Hex,
  TOKEN,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";
import * as wire from "@gradual/wire";
import {
  type BlockEventData,
  createLedgerClient,
  generateKeyPair,
  isLedgerRequestError,
  type LedgerClient,
  type RunningLedger,
  SEND_NONCE_ATTEMPTS,
  startLedger,
} from "../src/index.ts";
import { type Body, makeGenesis, makeKeys, signed } from "./support/fixtures.ts";
import { tempDir } from "./support/process.ts";

/** In-process ledger with manual slots: the API end to end, a task's life, restarts. */

const CHAIN = "gradual-test";

/** The value passes its wire decoder unchanged (the client already checked it; this pins the decoder's copy). */
function check(decoder: wire.Decoder<unknown>, value: unknown, what: string): void {
  assert.deepEqual(decoder.decode(value, what), value, `${what} decodes to itself`);
}

describe("ledger (in-process, manual slots)", () => {
  const dir = tempDir("ledger");
  const keys = makeKeys(["alice", "bob", "carol", "dave", "erin"]);
  type Name = keyof typeof keys;
  const genesis = makeGenesis(keys);
  let running: RunningLedger;
  let client: LedgerClient;
  const nonces = new Map<Name, number>();

  const next = (name: Name) => {
    const nonce = nonces.get(name) ?? 0;
    nonces.set(name, nonce + 1);
    return nonce;
  };
  const sign = (name: Name, body: Body) => signed(keys[name], CHAIN, next(name), body);
  const advance = (count = 1) => client.advanceSlots(count, running.adminToken as string);
  const advanceTo = async (slot: number) => {
    const head = (await client.getHead()).number;
    if (slot > head) await advance(slot - head);
  };

  before(async () => {
    running = await startLedger({ dataDir: dir.path, port: 0, genesis, manualSlots: true, workers: 1 });
    client = createLedgerClient({ url: running.url });
  });

  after(async () => {
    await running?.close();
    dir.remove();
  });

  it("serves chain info, the head and block 0", async () => {
    const chain = await client.getChain();
    check(wire.chainInfo, chain, "chain");
    assert.equal(chain.chainId, CHAIN);
    assert.equal(chain.manualSlots, true);
    assert.equal(chain.devnet, true);
    const block0 = await client.getBlock(0);
    assert.ok(block0);
    check(wire.block, block0, "block 0");
    assert.equal(block0.prevHash, "0".repeat(64));
    assert.equal(chain.genesisHash, block0.hash);
  });

  it("acknowledges a transfer as pending, includes it in the next block, and is idempotent", async () => {
    const tx = sign("alice", { kind: "transfer", to: keys.bob.publicKey, amount: 5n * TOKEN });
    const ack = await client.submit(tx);
    check(wire.submitResult, ack, "ack");
    assert.equal(ack.status, "pending");
    assert.equal(ack.hash, transactionHash(tx.tx));
    const again = await client.submit(tx);
    assert.deepEqual(again, ack);
    const pending = await client.getTx(ack.hash);
    check(wire.txStatus, pending, "pending status");
    assert.equal(pending?.status, "pending");
    const { head } = await advance();
    const status = await client.getTx(ack.hash);
    check(wire.txStatus, status, "included status");
    assert.equal(status?.status, "included");
    assert.equal(status?.status === "included" && status.block, head.number);
    const resubmitted = await client.submit(tx);
    assert.equal(resubmitted.status, "included");
    const bob = await client.getAccount(keys.bob.publicKey);
    check(wire.accountView, bob, "account");
    assert.equal(bob.balance, (1_000_005n * TOKEN).toString());
  });

  it("counts pending transactions in the next nonce and rejects gaps and replays at the edge", async () => {
    const first = sign("carol", { kind: "transfer", to: keys.dave.publicKey, amount: 1n });
    const second = sign("carol", { kind: "transfer", to: keys.dave.publicKey, amount: 2n });
    await client.submit(first);
    const account = await client.getAccount(keys.carol.publicKey);
    assert.equal(account.pending, 1);
    assert.equal(account.nextNonce, account.nonce + 1);
    await client.submit(second);
    const gap = signed(keys.carol, CHAIN, 5, { kind: "transfer", to: keys.dave.publicKey, amount: 3n });
    await assert.rejects(client.submit(gap), (error) => isLedgerRequestError(error, "TX__NONCE_TOO_HIGH"));
    const replay = signed(keys.carol, CHAIN, 0, { kind: "transfer", to: keys.dave.publicKey, amount: 9n });
    await assert.rejects(client.submit(replay), (error) => isLedgerRequestError(error, "TX__NONCE_TOO_LOW"));
    await advance();
    const block = await client.getBlock((await client.getHead()).number);
    assert.deepEqual(
      block?.txs.map((tx) => tx.hash),
      [transactionHash(first.tx), transactionHash(second.tx)],
    );
  });

  it("waits for inclusion with ?wait=included and reports core rejections as results", async () => {
    const envelope = sign("dave", { kind: "transfer", to: keys.dave.publicKey, amount: 1n });
    const waiting = client.submitAndWait(envelope, { timeoutMs: 10_000 });
    // Advance only once the transaction is acknowledged (a fixed sleep lost that race on a loaded machine).
    const hash = transactionHash(envelope.tx);
    for (let tries = 0; tries < 1_000 && (await client.getTx(hash)) === undefined; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await advance();
    const result = await waiting;
    assert.equal(result.status, "included");
    assert.equal(result.status === "included" && !result.result.ok && result.result.code, "TRANSFER__TO_SELF");
  });

  it("takes batches with one result per transaction, in order", async () => {
    const good = sign("erin", { kind: "transfer", to: keys.alice.publicKey, amount: 1n });
    const forged = { ...sign("erin", { kind: "transfer", to: keys.alice.publicKey, amount: 1n }) };
    nonces.set("erin", 1);
    const bad = { tx: forged.tx, signature: "00".repeat(64) };
    const batch = await client.submitBatch([good, bad]);
    check(wire.batchResult, batch, "batch");
    assert.equal((batch.results[0] as { status: string }).status, "pending");
    assert.equal((batch.results[1] as { error: { code: string } }).error.code, "TX__BAD_SIGNATURE");
    await advance();
  });

  it("runs a task: create, stake, commit, reveal, trigger and vote, with every view", async () => {
    const params = { ...DEVNET_PARAMS, warmupRounds: 0, rampRounds: 0 };
    const create = sign("alice", {
      kind: "createTask",
      name: "echo",
      bundleHash: sha256Hex("bundle"),
      metadataHash: null,
      params,
      funding: 1_000n * TOKEN,
    });
    const created = await client.submit(create);
    await advance();
    const task = created.hash;
    const taskView = await client.getTask(task);
    check(wire.taskView, taskView, "task");
    assert.ok(taskView);
    const start = taskView.task.startSlot;
    for (const name of ["bob", "carol", "dave"] as const) {
      await client.submit(sign(name, { kind: "stake", task, amount: 20n * TOKEN, nodeUrl: `http://${name}.test` }));
    }
    await advance();
    const nodes = await client.listNodes(task, { limit: 2 });
    check(wire.nodeList, nodes, "nodes");
    assert.equal(nodes.total, 3);
    assert.equal(nodes.items.length, 2);
    assert.equal(nodes.next, 2);
    const bobStake = (await client.getAccount(keys.bob.publicKey)).stakes;
    assert.equal(bobStake[0]?.stake, (20n * TOKEN).toString());

    // Commits land in the last commitSlots of round 0.
    await advanceTo(start + params.roundSlots - params.commitSlots - 1);
    const stakers = ["bob", "carol", "dave"] as const;
    const proofOf = (name: Name) => ({ proofDigest: sha256Hex(`proof ${name}`), salt: sha256Hex(`salt ${name}`) });
    for (const name of stakers) {
      const node = keys[name].publicKey;
      const commitment = computeCommitment({ task, cycle: 0, node, ...proofOf(name) });
      await client.submit(sign(name, { kind: "commit", task, cycle: 0, commitment }));
    }
    await advance();
    const during = await client.getTask(task);
    assert.deepEqual(during?.cycles.find((cycle) => cycle.cycle === 0)?.openWindows, ["commit"]);
    const commits = await client.listCommits(task, 0);
    check(wire.commitList, commits, "commits");
    assert.equal(commits.items.length, 3);

    // Reveals in the first revealSlots of round 1; a late commit is included with its code.
    await advanceTo(start + params.roundSlots - 1);
    for (const name of stakers) {
      await client.submit(sign(name, { kind: "reveal", task, cycle: 0, ...proofOf(name) }));
    }
    const late = client.submitAndWait(sign("erin", { kind: "commit", task, cycle: 0, commitment: sha256Hex("late") }), {
      timeoutMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await advance();
    const lateResult = await late;
    assert.equal(
      lateResult.status === "included" && !lateResult.result.ok && lateResult.result.code,
      "COMMIT__WINDOW_CLOSED",
    );
    const reveals = await client.listReveals(task, 0);
    check(wire.revealList, reveals, "reveals");
    assert.equal(reveals.total, 3);

    // After the reveal window the seed is fixed and assignments exist; bob triggers against carol, dave votes.
    await advanceTo(start + params.roundSlots + params.revealSlots);
    const assignments = await client.listAssignments(task, 0);
    check(wire.assignmentList, assignments, "assignments");
    assert.equal(assignments.total, 3);
    const one = await client.getAssignment(task, 0, keys.bob.publicKey);
    assert.equal(one.targets.length, 2);
    await client.submit(
      sign("bob", {
        kind: "triggerAudit",
        task,
        cycle: 0,
        target: keys.carol.publicKey,
        triggerKind: "proof",
        verdict: "invalid",
        attempt: 0,
        reasonDigest: sha256Hex("wrong"),
      }),
    );
    await advance();
    await client.submit(sign("dave", { kind: "vote", task, cycle: 0, trigger: 0, choice: "invalid" }));
    await advance();
    const cycle = await client.getCycle(task, 0);
    check(wire.cycleView, cycle, "cycle");
    assert.equal(cycle?.triggers.length, 1);
    assert.equal(cycle?.phase, "review");
    const votes = await client.listVotes(task, 0, 0);
    check(wire.voteList, votes, "votes");
    // The triggerer's weight is the first "invalid" vote (protocol decision 10), then dave's.
    assert.deepEqual(
      votes.items.map((vote) => vote.voter),
      [keys.bob.publicKey, keys.dave.publicKey],
    );
    const details = await client.getCycleDetails(task, 0);
    assert.equal(details?.reveals.length, 3);
    assert.equal(details?.votes[0]?.length, 2);
    assert.equal(await client.getDistribution(task, 0, 0), undefined);
    assert.equal(await client.getCycle(task, 99), undefined);
    assert.equal(await client.getTask("ab".repeat(32)), undefined);
    const list = await client.listTasks();
    assert.deepEqual(list.tasks, [task]);
  });

  it("stores and serves content-addressed blobs (signed uploads)", async () => {
    const bytes = new TextEncoder().encode("export default {}");
    const stored = await client.uploadBlob(bytes, keys.alice);
    check(wire.blobStored, stored, "blob");
    assert.equal(stored.hash, sha256Hex(bytes));
    assert.equal(stored.created, true);
    assert.equal((await client.uploadBlob(bytes, keys.alice)).created, false);
    assert.deepEqual(await client.getBlob(stored.hash), bytes);
    assert.equal(await client.getBlob("00".repeat(32)), undefined);
  });

  it("streams blocks and events over SSE and resumes from a block number", async () => {
    const seen: BlockEventData[] = [];
    const from = (await client.getHead()).number;
    const subscription = client.subscribe((data) => seen.push(data), { after: from - 2 });
    await client.faucet(keys.erin.publicKey, 5n * TOKEN);
    await advance(2);
    for (let tries = 0; tries < 100 && seen.length < 4; tries += 1) await new Promise((r) => setTimeout(r, 20));
    subscription.close();
    await subscription.done;
    assert.deepEqual(
      seen.map((data) => data.header.number),
      [from - 1, from, from + 1, from + 2],
    );
    const transferred = seen
      .flatMap((data) => data.events)
      .map((item) => item.event)
      .find((event) => event.type === "Transferred");
    assert.equal(transferred?.to, keys.erin.publicKey);
  });

  it("guards admin slots with the token and documents every route", async () => {
    await assert.rejects(client.advanceSlots(1, "wrong"), (error) => isLedgerRequestError(error, "API__UNAUTHORIZED"));
    const document = (await client.openApi()) as { paths: Record<string, unknown> };
    for (const path of [
      "/v1/txs",
      "/v1/txs/batch",
      "/v1/txs/{hash}",
      "/v1/blocks/{number}",
      "/v1/events",
      "/v1/faucet",
    ]) {
      assert.ok(path in document.paths, `${path} documented`);
    }
    const metrics = await client.metrics();
    assert.match(metrics, /gradual_ledger_block_height \d+/);
    assert.match(metrics, /gradual_ledger_tx_rejected_total\{code="TX__BAD_SIGNATURE",stage="edge"\} 1/);
    assert.match(metrics, /gradual_ledger_fsync_seconds_count\{operation="block"\} \d+/);
    assert.ok(Number(/^process_cpu_seconds_total ([0-9.e-]+)$/m.exec(metrics)?.[1]) > 0, "process CPU time");
  });

  it("restarts with the same chain, its pending transactions and its head", async () => {
    const bobNonce = nonces.get("bob") ?? 0;
    const pending = await client.submit(sign("bob", { kind: "transfer", to: keys.alice.publicKey, amount: 7n }));
    const head = (await client.getHead()).number;
    await running.close();
    running = await startLedger({ dataDir: dir.path, port: 0, manualSlots: true, workers: 1 });
    client = createLedgerClient({ url: running.url });
    assert.equal((await client.getHead()).number, head);
    assert.equal((await client.getTx(pending.hash))?.status, "pending");
    await advance();
    const status = await client.getTx(pending.hash);
    assert.equal(status?.status === "included" && status.result.ok, true);
    assert.deepEqual(
      status?.tx,
      transactionToJson(
        signed(keys.bob, CHAIN, bobNonce, { kind: "transfer", to: keys.alice.publicKey, amount: 7n }).tx,
      ),
    );
  });

  it("send signs again when another signer of the key took the nonce it read (TX__NONCE_TOO_LOW), a bounded number of times", async () => {
    const to = keys.dave.publicKey;
    const before = (await client.getAccount(to)).balance;
    // Another signer of carol's key (her node, say) takes the next nonce after send read it: send's first read is
    // answered with the nonce before the other's transaction.
    const stale = await client.getAccount(keys.carol.publicKey);
    await client.submit(signed(keys.carol, CHAIN, stale.nextNonce, { kind: "transfer", to, amount: 1n }));
    const getAccount = client.getAccount;
    let reads = 0;
    client.getAccount = async (account: string) => (reads++ === 0 ? stale : getAccount(account));
    try {
      const result = await client.send(keys.carol, { kind: "transfer", to, amount: 2n });
      assert.equal(result.status, "pending");
      assert.equal(reads, 2, "read again after the refusal");
      await advance();
      assert.equal(BigInt((await getAccount(to)).balance) - BigInt(before), 3n, "both transfers applied once");
      // A nonce that stays taken: refused after SEND_NONCE_ATTEMPTS signatures, with the ledger's code.
      const stuck = await getAccount(keys.carol.publicKey);
      await client.submit(signed(keys.carol, CHAIN, stuck.nextNonce, { kind: "transfer", to, amount: 1n }));
      let stuckReads = 0;
      client.getAccount = async () => {
        stuckReads += 1;
        return stuck;
      };
      await assert.rejects(client.send(keys.carol, { kind: "transfer", to, amount: 5n }), (error) =>
        isLedgerRequestError(error, "TX__NONCE_TOO_LOW"),
      );
      assert.equal(stuckReads, SEND_NONCE_ATTEMPTS);
      await advance();
    } finally {
      client.getAccount = getAccount;
    }
    for (const name of ["carol"] as const)
      nonces.set(name, Number((await client.getAccount(keys[name].publicKey)).nonce));
  });
});

describe("ledger outside devnet mode", () => {
  it("refuses a data directory with no chain and no genesis before creating anything in it", async () => {
    const dir = tempDir("no-chain");
    try {
      await assert.rejects(startLedger({ dataDir: dir.path, port: 0, workers: 0 }), {
        code: "LEDGER__CONFIG",
        message: /holds no chain yet: start it with --genesis FILE, or --devnet/,
      });
      assert.deepEqual(readdirSync(dir.path), [], "no database, no lock left behind");
    } finally {
      dir.remove();
    }
  });

  it("has no faucet, no admin slots and refuses manual slots", async () => {
    const dir = tempDir("mainnet");
    const key = generateKeyPair();
    const genesis = { chainId: "gradual-main", accounts: [{ account: key.publicKey, balance: TOKEN }], devnet: null };
    await assert.rejects(
      startLedger({ dataDir: dir.path, port: 0, genesis, manualSlots: true, workers: 0 }),
      /--manual-slots exists only in devnet mode/,
    );
    const running = await startLedger({ dataDir: dir.path, port: 0, genesis, workers: 0 });
    try {
      const client = createLedgerClient({ url: running.url });
      assert.equal((await client.getChain()).devnet, false);
      assert.equal(running.adminToken, undefined);
      await assert.rejects(client.faucet(key.publicKey, 1n), (error) => isLedgerRequestError(error, "API__NOT_FOUND"));
      await assert.rejects(client.advanceSlots(1, "x"), (error) => isLedgerRequestError(error, "API__NOT_FOUND"));
    } finally {
      await running.close();
      dir.remove();
    }
  });
});
