/**
 * The node's executor (decide, then effects: send, run the task, fetch and audit proofs, compute lists) as its
 * peers see it: real task nodes, with their task code in this process, on a real ledger whose slots the test
 * advances. Each test states what a node sends for the state it is in, read back from the ledger's blocks, so the
 * tests keep their meaning whatever the runtime looks like inside (one executor over a Settlement, or today's
 * TaskNode and executor.ts).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import { generateKeyPair, type KeyPair } from "@gradual/ledger";
import {
  type CycleRecord,
  computeCommitment,
  decodeList,
  firstAttemptRound,
  getCommit,
  getCycle,
  getCycleWindows,
  getNode,
  getReveal,
  getTask,
  getVesting,
  type Hash,
  listRoot,
  raceTime,
  roundStart,
  sha256Hex,
  type TaskRecord,
} from "@gradual/protocol";
import { defineTask, encodeProof } from "@gradual/sdk";
import { firstClaimSlot, firstPostOffset } from "../src/decide.ts";
import { withGarbageEvery } from "../src/runtime/faults.ts";
import { startTestLedgerOf, type TestLedger, type TestLedgerKind } from "./support/testLedger.ts";
import { createTestTask, describeTxs, runTo, sentBy, startTestNode, type TestNode } from "./support/testNode.ts";

/** The task every node runs unless a test says otherwise: its proof for cycle c is { cycle: c, square: c² }. */
const squares = defineTask({
  task: async () => {},
  submission: (ctx) => ({ cycle: ctx.cycle, square: ctx.cycle * ctx.cycle }),
  audit: (ctx, proof) => proof.json<{ square?: number }>().square === ctx.cycle * ctx.cycle,
});

function squareDigest(cycle: number): Hash {
  return sha256Hex(encodeProof({ cycle, square: cycle * cycle }));
}

/** What a test started (ledgers, nodes, servers), closed when it ends, so a failed test leaves nothing running. */
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function setup(kind: TestLedgerKind, names: readonly string[], params = {}) {
  const keys = Object.fromEntries(["creator", ...names].map((name) => [name, generateKeyPair()])) as Record<
    string,
    KeyPair
  >;
  const ledger = await startTestLedgerOf(kind, Object.values(keys));
  open.push(ledger);
  const { taskId } = await createTestTask(ledger, keys.creator as KeyPair, params);
  const task = () => getTask(ledger.state(), taskId) as TaskRecord;
  return { keys, ledger, taskId, task };
}

async function node(
  ledger: TestLedger,
  key: KeyPair,
  taskId: Hash,
  extra: Partial<Parameters<typeof startTestNode>[0]> = {},
) {
  const started = await startTestNode({
    ledger,
    key,
    taskId,
    definition: squares,
    dataDir: ledger.tempDir("node"),
    ...extra,
  });
  open.push(started);
  return started;
}

/** Every test runs on the real ledger over HTTP and on an in-memory chain: the node does not change with either. */
for (const kind of ["ledger", "memory"] as const) {
  describe(`executor on the ${kind}: one honest node alone`, () => {
    it("sends its stake, then in each cycle one commit, one reveal of its task's output, its list and its claim", async () => {
      // voteSlots 3: a list's vote window then ends where the next commit is due; the entry's claim waits for the
      // next round's quiet slots (protocol.md §7.1) instead of going beside that commit.
      // The custom rule: the node's task computes the list and the node posts it (weighted and equal take none, §6.2).
      const { keys, ledger, taskId, task } = await setup(kind, ["a"], { voteSlots: 3, distributionRule: "custom" });
      const a = await node(ledger, keys.a as KeyPair, taskId);
      await ledger.advance();
      const staked = await ledger.head();
      // The proof is served only once its reveal is on the ledger (protocol.md §4.3).
      const proofOf = async (cycle: number) => {
        const response = await fetch(`${a.url}/proofs/${squareDigest(cycle)}`);
        return response.ok ? sha256Hex(new Uint8Array(await response.arrayBuffer())) : response.status;
      };
      await runTo(ledger, getCycleWindows(task(), 0).commit.opensAt, [a]);
      assert.equal(await proofOf(0), 404, "committed, not revealed: not served");
      await runTo(ledger, getCycleWindows(task(), 0).reveal.opensAt, [a]);
      assert.equal(await proofOf(0), squareDigest(0), "revealed: served");
      // Claims go in a round's quiet slots (protocol.md §7.1; decide.test.ts checks which slots those are).
      const quietFrom = (slot: number) => firstClaimSlot(task(), slot);
      // Through cycles 0 and 1 until cycle 1's entry is claimed and claimed out of vesting.
      const last = quietFrom(quietFrom(getCycleWindows(task(), 1).distributionVotes.closesAt + 1) + 1);
      await runTo(ledger, last, [a]);
      const sent = await sentBy(ledger, a.account);
      const windows = (cycle: number) => getCycleWindows(task(), cycle);
      // Round 0 is [startSlot, startSlot + 10): its commit window is its last two slots.
      const expected: [number, string][] = [[staked, "stake"]];
      for (let cycle = 0; windows(cycle).commit.opensAt <= last; cycle += 1) {
        expected.push([windows(cycle).commit.opensAt, `commit:${cycle}`]);
        if (windows(cycle).reveal.opensAt <= last) expected.push([windows(cycle).reveal.opensAt, `reveal:${cycle}`]);
      }
      for (let cycle = 0; windows(cycle).distribution.opensAt <= last; cycle += 1) {
        // Alone, the node wins the race: it posts in the first slot its race score allows (§6.1), the window's first
        // unless its score is unusually poor.
        const record = getCycle(ledger.state(), taskId, cycle) as CycleRecord;
        const time = raceTime(record.seed ?? task().seedHead, record.attempt, a.account);
        const window = windows(cycle).distribution;
        const offset = firstPostOffset(time, record.revealedWeight, record.revealedWeight, window);
        if (window.opensAt + offset <= last) expected.push([window.opensAt + offset, `submitDistribution:${cycle}`]);
        // Accepted when the list's vote window ends: its entry is claimed in the first quiet slot after (protocol.md
        // §7.1), into vesting (unlocked at once, vestingRounds 0), and claimed out in the quiet slot after that.
        const accepted = windows(cycle).distributionVotes.closesAt;
        const entryClaim = quietFrom(accepted + 1);
        if (entryClaim <= last) expected.push([entryClaim, `claimDistribution:${cycle}`]);
        if (quietFrom(entryClaim + 1) <= last) expected.push([quietFrom(entryClaim + 1), "claim"]);
      }
      // Within a slot the order of a node's transactions is not part of the rule: compare by slot, then by name.
      const bySlotThenName = (left: [number, string], right: [number, string]) =>
        left[0] - right[0] || (left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0);
      expected.sort(bySlotThenName);
      assert.deepEqual(
        sent.map((entry): [number, string] => [entry.block, describeTxs([entry])[0] as string]).sort(bySlotThenName),
        expected,
      );
      // The reveal opens the commitment to the task's own output (the ledger accepted both: no REVEAL__MISMATCH).
      for (const cycle of [0, 1]) {
        const commit = sent.find((entry) => entry.tx.kind === "commit" && entry.tx.cycle === cycle);
        const reveal = sent.find((entry) => entry.tx.kind === "reveal" && entry.tx.cycle === cycle);
        assert.ok(commit?.tx.kind === "commit" && reveal?.tx.kind === "reveal");
        assert.equal(reveal.tx.proofDigest, squareDigest(cycle));
        assert.equal(
          commit.tx.commitment,
          computeCommitment({
            task: taskId,
            cycle,
            node: a.account,
            proofDigest: reveal.tx.proofDigest,
            salt: reveal.tx.salt,
          }),
        );
      }
      assert.deepEqual(
        sent.filter((entry) => !entry.ok),
        [],
        "nothing it sent was refused",
      );
      assert.deepEqual(
        sent.map((entry) => entry.tx.nonce),
        sent.map((_, index) => index),
      );
      // Two transactions decided in one pass take consecutive nonces: a list and a reveal land in one block.
      const lists = sent.filter((entry) => entry.tx.kind === "submitDistribution").map((entry) => entry.block);
      assert.ok(
        lists.some((block) => sent.some((entry) => entry.tx.kind === "reveal" && entry.block === block)),
        "a list and a reveal landed in one block",
      );
      // Its task ran once per cycle, however many passes the node made; alone, it audits nobody.
      const worked = a.calls.filter((call) => call.startsWith("work:"));
      assert.deepEqual(worked, [...new Set(worked)]);
      assert.ok(worked.includes("work:0") && worked.includes("work:1"));
      assert.deepEqual(
        a.calls.filter((call) => call.startsWith("audit:")),
        [],
      );
    });
  });

  describe(`executor on the ${kind}: audits`, () => {
    it("a wrong proof fetched from its node is triggered once and voted invalid; right ones are not", async () => {
      // Long enough a trigger window for the auditors' stagger: the first-ranked triggers, the second votes.
      const { keys, ledger, taskId, task } = await setup(kind, ["a", "b", "c"], { auditSlots: 6 });
      const a = await node(ledger, keys.a as KeyPair, taskId);
      const b = await node(ledger, keys.b as KeyPair, taskId, { runner: (runner) => withGarbageEvery(runner, 1) });
      const c = await node(ledger, keys.c as KeyPair, taskId);
      const nodes = [a, b, c];
      const windows = () => getCycleWindows(task(), 1);
      await runTo(ledger, windows().proofVotes.closesAt + 1, nodes);
      const inCycle = async (who: TestNode) =>
        (await sentBy(ledger, who.account)).filter((entry) => "cycle" in entry.tx && entry.tx.cycle === 1);
      const triggers = [...(await inCycle(a)), ...(await inCycle(c))].filter(
        (entry) => entry.tx.kind === "triggerAudit",
      );
      assert.equal(triggers.length, 1, "one trigger against the wrong proof");
      const trigger = triggers[0]?.tx;
      assert.ok(trigger?.kind === "triggerAudit");
      assert.deepEqual([trigger.target, trigger.verdict, trigger.triggerKind], [b.account, "invalid", "proof"]);
      const voter = trigger.from === a.account ? c : a;
      assert.deepEqual(describeTxs((await inCycle(voter)).filter((entry) => entry.tx.kind === "vote")), ["vote:1"]);
      const vote = (await inCycle(voter)).find((entry) => entry.tx.kind === "vote")?.tx;
      assert.ok(vote?.kind === "vote" && vote.choice === "invalid");
      // b checked the others' proofs, found them right, and neither triggered nor voted (it is the target).
      assert.deepEqual(describeTxs(await inCycle(b)), ["commit:1", "reveal:1"]);
      // Every node fetched and checked each other proof of its assignment once (three nodes: all pairs).
      for (const who of nodes)
        assert.equal(who.calls.filter((call) => call === "audit:1").length, 2, `${who.account.slice(0, 8)} audits`);
    });
  });

  describe(`executor on the ${kind}: proofs that do not match their digest`, () => {
    it("bytes served under a revealed digest that they do not hash to are triggered invalid, without the task's audit", async () => {
      // b's node stakes with the URL of a server that answers every proof request with other bytes.
      const liar = createServer((_request, response) => response.end("not the proof b committed to"));
      await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
      open.push({ close: () => new Promise<void>((resolve) => liar.close(() => resolve())) });
      const address = liar.address() as AddressInfo;
      const { keys, ledger, taskId, task } = await setup(kind, ["a", "b"]);
      const a = await node(ledger, keys.a as KeyPair, taskId);
      const b = await node(ledger, keys.b as KeyPair, taskId, { publicUrl: `http://127.0.0.1:${address.port}` });
      await runTo(ledger, getCycleWindows(task(), 1).proofTriggers.closesAt, [a, b]);
      const triggers = (await sentBy(ledger, a.account)).filter(
        (entry) => entry.tx.kind === "triggerAudit" && entry.tx.cycle === 1,
      );
      assert.deepEqual(
        triggers.map((entry) => (entry.tx.kind === "triggerAudit" ? [entry.tx.target, entry.tx.verdict] : [])),
        [[b.account, "invalid"]],
      );
      assert.ok(!a.calls.includes("audit:1"), "bytes that do not match the digest never reach the task's audit");
      assert.ok(b.calls.includes("audit:1"), "b checked a's proof, served by a's own node");
    });
  });

  describe(`executor on the ${kind}: task calls that fail`, () => {
    it("commits nothing for a cycle whose task threw, timed out or submitted nothing, and works the next cycle", async () => {
      const flaky = defineTask({
        async task(ctx) {
          if (ctx.cycle === 1) throw new Error("the task broke");
          if (ctx.cycle === 2) await new Promise(() => {});
        },
        submission: (ctx) => (ctx.cycle === 3 ? null : { cycle: ctx.cycle, square: ctx.cycle * ctx.cycle }),
        audit: () => true,
      });
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId, { definition: flaky, limits: { workTimeoutMs: 300 } });
      await runTo(ledger, getCycleWindows(task(), 4).reveal.closesAt, [a]);
      const submissions = (await sentBy(ledger, a.account)).filter(
        (entry) => entry.tx.kind === "commit" || entry.tx.kind === "reveal",
      );
      assert.deepEqual(describeTxs(submissions), ["commit:0", "reveal:0", "commit:4", "reveal:4"]);
      const reveal = submissions.find((entry) => entry.tx.kind === "reveal" && entry.tx.cycle === 4)?.tx;
      assert.ok(reveal?.kind === "reveal" && reveal.proofDigest === squareDigest(4));
      // Each failed cycle was tried once, and said why.
      for (const cycle of [1, 2, 3]) assert.equal(a.calls.filter((call) => call === `work:${cycle}`).length, 1);
      const missed = a.logs
        .filter((line) => line.fields !== undefined && "cycle" in line.fields && "code" in line.fields)
        .map((line) => [line.fields?.cycle, line.fields?.code]);
      assert.deepEqual(missed, [
        [1, "TASK__THREW"],
        [2, "SANDBOX__TIMEOUT"],
        [3, "TASK__NOTHING_SUBMITTED"],
      ]);
    });
  });

  describe(`executor on the ${kind}: leaving a task with paired reveals`, () => {
    it("a node restarted with --leave reveals what it committed, then unstakes: nothing more is committed or refused", async () => {
      // revealSlots 0 (protocol.md §2.2): cycle c is revealed in cycle c + 1's commit window, a round after its
      // commit, and a reveal needs stake: an unstake sent at once would forfeit cycle c's pay.
      const { keys, ledger, taskId, task } = await setup(kind, ["a"], { revealSlots: 0 });
      const key = keys.a as KeyPair;
      const dataDir = ledger.tempDir("node");
      const working = await startTestNode({ ledger, key, taskId, definition: squares, dataDir });
      try {
        await runTo(ledger, getCycleWindows(task(), 2).commit.closesAt, [working]);
      } finally {
        await working.close();
      }
      const before = await sentBy(ledger, key.publicKey);
      assert.deepEqual(
        describeTxs(before.filter((entry) => entry.tx.kind !== "claim")),
        ["stake", "commit:0", "commitAndReveal:1", "commitAndReveal:2"],
        "one transaction a round while it works: cycle c + 1's commit with cycle c's reveal",
      );
      const restartedAt = await ledger.head();
      const leaving = await node(ledger, key, taskId, { dataDir, leaving: true });
      const paidBy = getCycleWindows(task(), 2).distributionVotes.closesAt + 1;
      await runTo(ledger, paidBy, [leaving]);
      const after = await sentBy(ledger, key.publicKey, restartedAt + 1);
      assert.deepEqual(
        describeTxs(after.filter((entry) => entry.tx.kind !== "claim")),
        ["reveal:2", "unstake"],
        "cycle 2 revealed alone in cycle 3's commit window, then the unstake; no commit of cycle 3",
      );
      const reveal = after.find((entry) => entry.tx.kind === "reveal");
      const unstake = after.find((entry) => entry.tx.kind === "unstake");
      assert.ok(reveal !== undefined && unstake !== undefined && reveal.block <= unstake.block);
      assert.ok(reveal.block >= getCycleWindows(task(), 2).reveal.opensAt, "revealed in its own window");
      assert.equal(leaving.calls.filter((call) => call.startsWith("work:")).length, 0, "no new work once leaving");
      assert.equal(getReveal(ledger.state(), taskId, 2, key.publicKey)?.status, "valid");
      const cycle = getCycle(ledger.state(), taskId, 2) as CycleRecord;
      assert.equal(cycle.outcome, "paid", "the cycle it revealed before leaving is paid");
      assert.ok(cycle.paid > 0n);
      const record = getNode(ledger.state(), taskId, key.publicKey);
      assert.ok(record !== undefined && record.unbonding > 0n, "its stake is unbonding");
    });
  });

  describe(`executor on the ${kind}: its operator leaves with the CLI`, () => {
    it("does not stake again once its account unstaked and withdrew (gradual unstake, withdraw), nor after a restart", async () => {
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const key = keys.a as KeyPair;
      const dataDir = ledger.tempDir("node");
      const a = await node(ledger, key, taskId, { dataDir });
      await runTo(ledger, getCycleWindows(task(), 0).reveal.closesAt, [a]);
      const unstakedFrom = (await ledger.head()) + 1;
      // `gradual unstake T --key node.json` while the node runs with --stake 100.
      await ledger.send(key, { kind: "unstake", task: taskId });
      await runTo(ledger, unstakedFrom + 1, [a]);
      const record = getNode(ledger.state(), taskId, key.publicKey);
      assert.ok(record !== undefined && record.unbonding > 0n, "the unstake landed");
      // `gradual withdraw T` once the stake is unbonded and its last proof can no longer be challenged.
      const params = task().params;
      const withdrawRound = Math.max(
        record.unbondingUntilRound,
        firstAttemptRound(params, record.lastRevealCycle) +
          1 +
          params.allowedFailedDistributions +
          params.vestingRounds,
      );
      await runTo(ledger, roundStart(task(), withdrawRound), [a]);
      await ledger.send(key, { kind: "withdraw", task: taskId });
      await runTo(ledger, roundStart(task(), withdrawRound + 3), [a]);
      const running = await sentBy(ledger, key.publicKey, unstakedFrom);
      assert.deepEqual(
        describeTxs(running.filter((entry) => entry.tx.kind !== "claim")),
        ["unstake", "withdraw"],
        "the running node stakes nothing more once its account left",
      );
      assert.equal(getNode(ledger.state(), taskId, key.publicKey), undefined, "withdrawn: no stake in the task");
      const left = a.logs.filter((line) => line.message.startsWith("this node's account left the task"));
      assert.equal(left.length, 1, "said once");
      assert.equal(left[0]?.level, "info");
      await a.close();
      // Restarted with the same --stake and data dir: its store knows the account left.
      const again = await node(ledger, key, taskId, { dataDir });
      await runTo(ledger, roundStart(task(), withdrawRound + 5), [again]);
      const after = await sentBy(ledger, key.publicKey, unstakedFrom);
      assert.deepEqual(
        describeTxs(after.filter((entry) => entry.tx.kind !== "claim")),
        ["unstake", "withdraw"],
        "no stake and no commit after the operator left",
      );
      assert.equal(getNode(ledger.state(), taskId, key.publicKey), undefined);
    });
  });

  describe(`executor on the ${kind}: a forced unstake between commit and reveal`, () => {
    it("drops the reveal (a reveal needs stake) and warns once, naming the cycle that will not be paid", async () => {
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const key = keys.a as KeyPair;
      const a = await node(ledger, key, taskId);
      await runTo(ledger, getCycleWindows(task(), 0).commit.opensAt, [a]);
      assert.ok(getCommit(ledger.state(), taskId, 0, key.publicKey) !== undefined, "cycle 0 committed");
      // `gradual unstake T --force` with the node's key, before its reveal.
      await ledger.send(key, { kind: "unstake", task: taskId });
      await runTo(ledger, getCycleWindows(task(), 0).reveal.closesAt + 2, [a]);
      assert.equal(getReveal(ledger.state(), taskId, 0, key.publicKey), undefined, "no reveal without stake");
      const dropped = a.logs.filter((line) => line.message.startsWith("reveal of cycle"));
      assert.deepEqual(
        dropped.map((line) => [line.level, line.message]),
        [
          [
            "warn",
            "reveal of cycle 0 dropped: this node has no stake any more and a reveal needs stake; cycle 0 will not be paid",
          ],
        ],
      );
    });
  });

  describe(`executor on the ${kind}: a second signer on the node's key`, () => {
    it("says so once, with the nonce, when a transaction it did not send comes from its account", async () => {
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId);
      await runTo(ledger, getCycleWindows(task(), 0).commit.opensAt, [a]);
      const warned = () => a.logs.filter((line) => line.message.startsWith("another signer used this node's key"));
      assert.deepEqual(warned(), [], "its own transactions are its own");
      // Another process with the same key (a second node) sends a duty: a commit (refused, but included).
      await ledger.send(keys.a as KeyPair, { kind: "commit", task: taskId, cycle: 90, commitment: "0".repeat(64) });
      await runTo(ledger, getCycleWindows(task(), 0).reveal.closesAt, [a]);
      assert.equal(warned().length, 1, JSON.stringify(a.logs.slice(-5)));
      assert.equal(warned()[0]?.level, "warn");
      assert.equal(warned()[0]?.fields?.kind, "commit");
    });

    it("logs the operator's money moves with its key (a CLI command) at info, not as a second signer", async () => {
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId);
      await runTo(ledger, getCycleWindows(task(), 0).commit.opensAt, [a]);
      // `gradual transfer` / `claim` / ... with the node's key file.
      await ledger.send(keys.a as KeyPair, { kind: "transfer", to: (keys.creator as KeyPair).publicKey, amount: 1n });
      await runTo(ledger, getCycleWindows(task(), 0).reveal.closesAt, [a]);
      assert.deepEqual(
        a.logs.filter((line) => line.message.startsWith("another signer")),
        [],
        "no warning for a money move",
      );
      const told = a.logs.filter((line) => line.message.includes("sent with this node's key by another program"));
      assert.deepEqual(
        told.map((line) => [line.level, line.message]),
        [["info", "a transfer sent with this node's key by another program (a CLI command)"]],
      );
    });
  });

  describe(`executor on the ${kind}: sends that fail`, () => {
    it("a refused send is dropped and decided again in the next pass: one commit lands, nonces stay contiguous", async () => {
      let refusals = 0;
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId, {
        source: (source) => ({
          ...source,
          submit: async (envelope) => {
            if (envelope.tx.kind === "commit" && refusals === 0) {
              refusals += 1;
              return { ok: false, code: "LEDGER__MEMPOOL_FULL", message: "the mempool is full" };
            }
            return source.submit(envelope);
          },
        }),
      });
      const window = getCycleWindows(task(), 0).commit;
      await runTo(ledger, window.closesAt - 1, [a]);
      assert.equal(refusals, 1);
      const sent = await sentBy(ledger, a.account);
      assert.deepEqual(describeTxs(sent), ["stake", "commit:0"]);
      // Retried in the pass after the refusal: one slot later than otherwise, still inside the window.
      assert.equal(sent[1]?.block, window.opensAt + 1);
      assert.deepEqual(
        sent.map((entry) => entry.tx.nonce),
        [0, 1],
      );
    });

    it("a send that never reached the ledger is not decided again; the same signed transaction is sent again", async (t) => {
      // The node resends what it has not seen included after a few seconds of its clock: mock the clock, not time.
      t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
      const attempts: string[] = [];
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId, {
        source: (source) => ({
          ...source,
          submit: async (envelope) => {
            if (envelope.tx.kind !== "commit") return source.submit(envelope);
            attempts.push(JSON.stringify(envelope));
            if (attempts.length === 1) throw new TypeError("fetch failed");
            return source.submit(envelope);
          },
        }),
      });
      const window = getCycleWindows(task(), 0).commit;
      await runTo(ledger, window.opensAt, [a]);
      assert.equal(attempts.length, 1, "sent once, and the send failed");
      // Passes within the resend interval neither decide the commit again nor resend it.
      await a.settle();
      await a.settle();
      assert.equal(attempts.length, 1);
      // A day later on the node's clock: far past any resend interval.
      t.mock.timers.tick(86_400_000);
      await runTo(ledger, window.closesAt - 1, [a]);
      assert.equal(attempts.length, 2);
      assert.equal(attempts[1], attempts[0], "the very same envelope: same nonce, same signature");
      const sent = await sentBy(ledger, a.account);
      assert.deepEqual(describeTxs(sent), ["stake", "commit:0"]);
      assert.ok((sent[1]?.block ?? 0) < window.closesAt, "still inside the commit window");
    });
  });

  describe(`executor on the ${kind}: a node that fell behind`, () => {
    it("does not act on the state it synced when the ledger moved on meanwhile: closed windows are skipped", async () => {
      let moveOn = false;
      const { keys, ledger, taskId, task } = await setup(kind, ["a"]);
      const a = await node(ledger, keys.a as KeyPair, taskId, {
        source: (source) => ({
          ...source,
          // While the node fetches blocks, the ledger produces three more (a slow node, a busy machine).
          blocks: async (from, to) => {
            if (moveOn) {
              moveOn = false;
              await ledger.advance(3);
            }
            return source.blocks(from, to);
          },
        }),
      });
      const window = getCycleWindows(task(), 0).commit;
      await runTo(ledger, window.opensAt - 2, [a]);
      assert.ok(a.calls.includes("work:0"), "cycle 0 is worked, its commit due next slot");
      await ledger.advance();
      moveOn = true;
      await a.settle();
      assert.equal(moveOn, false);
      // It synced to the commit window's first slot, found the ledger past the window, caught up, and sent nothing.
      await runTo(ledger, getCycleWindows(task(), 0).reveal.closesAt, [a]);
      assert.deepEqual(describeTxs(await sentBy(ledger, a.account)), ["stake"]);
    });
  });

  describe(`executor on the ${kind}: lists`, () => {
    it("under a custom rule the race's winner posts its task's list as a blob and a root; both claim their entries", async () => {
      const byHalves = defineTask({
        task: async () => {},
        submission: (ctx) => ({ cycle: ctx.cycle, square: ctx.cycle * ctx.cycle }),
        audit: () => true,
        // Half the bounty, split equally, in account order.
        distribution: (_ctx, submitters, bounty) =>
          [...submitters]
            .sort((left, right) => (left.account < right.account ? -1 : 1))
            .map((submitter) => ({ recipient: submitter.account, amount: bounty / 2n / BigInt(submitters.length) })),
      });
      const { keys, ledger, taskId, task } = await setup(kind, ["a", "b"], { distributionRule: "custom" });
      const a = await node(ledger, keys.a as KeyPair, taskId, { definition: byHalves });
      const b = await node(ledger, keys.b as KeyPair, taskId, { definition: byHalves });
      const windows = () => getCycleWindows(task(), 0);
      await runTo(ledger, windows().distributionVotes.closesAt + 3, [a, b]);
      const sent = [...(await sentBy(ledger, a.account)), ...(await sentBy(ledger, b.account))];
      const lists = sent.filter((entry) => entry.tx.kind === "submitDistribution" && entry.tx.cycle === 0);
      const winner = getCycle(ledger.state(), taskId, 0)?.distributor;
      assert.ok(lists.length >= 1 && lists.some((entry) => entry.tx.from === winner), "the race's winner posted");
      const list = lists.find((entry) => entry.tx.from === winner)?.tx;
      assert.ok(list?.kind === "submitDistribution" && list.attempt === 0);
      const bounty = task().params.bountyPerRound;
      const expected = [a.account, b.account].sort().map((recipient) => ({ recipient, amount: bounty / 4n }));
      assert.equal(list.listRoot, listRoot(expected));
      assert.deepEqual(decodeList(await ledger.source.blob(list.listBlob)), expected, "the list is in the blobs");
      const claims = sent.filter((entry) => entry.tx.kind === "claimDistribution" && entry.tx.cycle === 0);
      assert.deepEqual(claims.map((entry) => entry.tx.from).sort(), [a.account, b.account].sort(), "one claim each");
      for (const node of [a, b]) {
        assert.equal(getVesting(ledger.state(), taskId, node.account)?.totalVested, bounty / 4n);
      }
      const other = list.from === a.account ? b : a;
      assert.ok(other.calls.includes("distribution:0"), "the other node computed the list itself");
      const contested = (await sentBy(ledger, other.account)).filter((entry) => entry.tx.kind === "triggerAudit");
      assert.deepEqual(contested, []);
      assert.equal(getCycle(ledger.state(), taskId, 0)?.outcome, "paid");
    });
  });
}
