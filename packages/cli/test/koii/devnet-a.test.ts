import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accountToKoiiKey, openAttached } from "@gradual/koii";
import { type KoiiDevnet, startKoiiDevnet } from "../../src/koii/devnet.ts";
import { makeTempDir, readBlocks, removeDir, waitFor } from "../e2e/support.ts";
import {
  acceptedList,
  claimedInto,
  creditedTo,
  EXAMPLES,
  nodeViews,
  settledCycles,
  sha256,
  vestedTo,
  waitForSettledCycles,
} from "./support.ts";

/**
 * Koii task folders, unmodified, on a devnet of `gradual node` processes over 127.0.0.1, asserted on what the
 * ledger recorded: hello-world with a cheater (proofs, audit votes, a slash, lists, vesting) and signed-rounds.
 */

const SLOT_MS = 200;

describe("Koii hello-world on a devnet: four honest nodes and a cheater", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let net: KoiiDevnet | undefined;
  before(async () => {
    dataDir = makeTempDir("koii-hello");
    net = await startKoiiDevnet({
      dataDir,
      task: `${EXAMPLES}hello-world`,
      // Four honest nodes are 80% of the decided weight, over the 77% a slash needs (protocol.md §5.5).
      honestNodes: 4,
      cheaters: 1,
      misbehave: "garbage:2",
      slotMs: SLOT_MS,
      nodeArgs: ["--no-auto-claim", "--quiet"],
    });
  });
  after(async () => {
    await net?.stop();
    removeDir(dataDir);
  });

  test("proofs, votes, a slash by audit, Koii's distribution and vesting are on the ledger", async () => {
    const devnet = net as KoiiDevnet;
    const honest = devnet.nodes.filter((node) => !node.cheating).map((node) => node.account);
    const cheater = devnet.nodes.find((node) => node.cheating)?.account as string;
    // Nodes stake at different moments, so the first rounds may have fewer submitters; wait for a round with all.
    const cycles = await waitForSettledCycles(
      devnet.client,
      devnet.taskId,
      3,
      150_000,
      (settled) =>
        settled.some((cycle) => cycle.reveals.length === devnet.nodes.length) &&
        settled.some((cycle) => cycle.triggers.some((item) => item.target === cheater && item.resolution === "upheld")),
    );
    const bounty = BigInt(devnet.task.config.params.bountyPerRound);
    const hello = sha256("Hello, World!");
    for (const cycle of cycles) {
      // The honest nodes active in the round revealed the template's submission.
      for (const reveal of cycle.reveals.filter((item) => honest.includes(item.node))) {
        assert.equal(reveal.proofDigest, hello, `cycle ${cycle.cycle}: ${devnet.labels.get(reveal.node)} revealed it`);
        assert.equal(reveal.status, "valid");
      }
      // Koii's template splits the bounty equally (floored) among the valid submitters.
      const valid = cycle.reveals.filter((reveal) => reveal.status === "valid").map((reveal) => reveal.node);
      const list = acceptedList(cycle);
      assert.deepEqual(
        list.map((entry) => entry.recipient).sort(),
        [...valid].sort(),
        `cycle ${cycle.cycle} pays its valid submitters`,
      );
      for (const entry of list) assert.equal(BigInt(entry.amount), bounty / BigInt(valid.length));
    }
    // The cheater's garbage was triggered, voted invalid by honest nodes, upheld, and slashed. (In an early round, with
    // honest nodes still warming up, too few may vote to reach two thirds (or the 77% of a slash) with the cheater's own: such a
    // trigger is disputed, and the garbage goes unpaid without a slash.)
    for (const cycle of cycles) {
      for (const trigger of cycle.triggers.filter((item) => item.target === cheater && item.kind === "proof")) {
        assert.ok(trigger.resolution === "upheld" || trigger.resolution === "disputed", String(trigger.resolution));
        assert.ok(!acceptedList(cycle).some((entry) => entry.recipient === cheater), "garbage is never paid");
      }
    }
    const caught = cycles.find((cycle) =>
      cycle.triggers.some((trigger) => trigger.target === cheater && trigger.resolution === "upheld"),
    );
    assert.ok(caught !== undefined);
    const trigger = caught.triggers.find((item) => item.target === cheater && item.resolution === "upheld");
    assert.equal(trigger?.resolution, "upheld");
    const votes = caught.votes[trigger?.index ?? -1] ?? [];
    assert.ok(votes.length > 0 && votes.every((vote) => vote.choice === "invalid" && honest.includes(vote.voter)));
    assert.equal(caught.reveals.find((reveal) => reveal.node === cheater)?.status, "invalid");
    assert.ok(
      !acceptedList(caught).some((entry) => entry.recipient === cheater),
      "the cheater is not paid for that round",
    );
    // Vesting holds exactly what the accepted lists paid each honest node as its entries were claimed (nothing is
    // claimed out of vesting in this test).
    const claimedBefore = await claimedInto(devnet.client, devnet.taskId, cycles);
    const views = await nodeViews(devnet.client, devnet.taskId);
    const later = await settledCycles(devnet.client, devnet.taskId);
    const claimedAfter = await claimedInto(devnet.client, devnet.taskId, later);
    for (const account of honest) {
      assert.ok(
        cycles.some((cycle) => cycle.reveals.some((reveal) => reveal.node === account)),
        devnet.labels.get(account),
      );
      const view = views.get(account);
      // Returned bonds and whistleblower shares are credited into the same record (protocol.md §5.5).
      const credited = await creditedTo(devnet.client, devnet.taskId, account);
      const vesting = BigInt(view?.claimable ?? 0) + BigInt(view?.locked ?? 0);
      assert.equal(view?.slashedTotal, "0");
      // Cycles keep settling and entries keep being claimed while the test reads: the vesting lies between what was
      // claimed before and after the read.
      const before = claimedBefore(account);
      const after = claimedAfter(account);
      assert.ok(vesting >= before && vesting <= after + credited, devnet.labels.get(account));
      assert.ok(before > 0n && after <= vestedTo(later, account), devnet.labels.get(account));
    }
    assert.ok(BigInt(views.get(cheater)?.slashedTotal ?? 0) > 0n, "the cheater lost stake");
  });

  test("the devnet's story starts before the nodes stake: every stake is in a block after startBlock", async () => {
    const devnet = net as KoiiDevnet;
    // Every node's stake, in the blocks after startBlock (the story subscribes from there).
    const stakedAfterStart = async () => {
      const head = (await devnet.client.getChain()).head.number;
      const events = (await readBlocks(devnet.client, devnet.startBlock + 1, head)).flatMap((block) =>
        block.events.map(({ event }) => event),
      );
      const staked = new Set(events.flatMap((event) => (event.type === "Staked" ? [event.node] : [])));
      return devnet.nodes.every((node) => staked.has(node.account));
    };
    assert.ok(await waitFor("every node staked after startBlock", stakedAfterStart, { timeoutMs: 60_000 }));
  });

  test("the task's Express route answers through each node under /tasks/{taskId}/", async () => {
    const devnet = net as KoiiDevnet;
    for (const node of devnet.nodes.filter((item) => !item.cheating)) {
      const response = await fetch(`${node.url}/tasks/${devnet.taskId}/value`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { value: "Hello, World!" });
      const root = await fetch(`${node.url}/tasks/${devnet.taskId}/`);
      assert.deepEqual(await root.json(), { status: 200, message: "Running" });
    }
  });

  test("the task's Express route answers under Koii's /task/{taskId}/ path", async () => {
    const devnet = net as KoiiDevnet;
    const node = devnet.nodes[0];
    const response = await fetch(`${node?.url}/task/${devnet.taskId}/value`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { value: "Hello, World!" });
  });
});

describe("Koii signed-rounds on a devnet: signatures across node processes", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let net: KoiiDevnet | undefined;
  before(async () => {
    dataDir = makeTempDir("koii-signed");
    net = await startKoiiDevnet({
      dataDir,
      task: `${EXAMPLES}signed-rounds`,
      honestNodes: 3,
      slotMs: SLOT_MS,
      nodeArgs: ["--quiet"],
    });
  });
  after(async () => {
    await net?.stop();
    removeDir(dataDir);
  });

  test("signed payloads are audited valid across nodes, and every node computes the same stake-weighted list", async () => {
    const devnet = net as KoiiDevnet;
    const cycles = await waitForSettledCycles(devnet.client, devnet.taskId, 2, 150_000, (settled) =>
      settled.some((cycle) => cycle.reveals.length === devnet.nodes.length),
    );
    const bounty = BigInt(devnet.task.config.params.bountyPerRound);
    for (const cycle of cycles) {
      // No proof audit failed and no node contested a list: every node computed the same stake-weighted list.
      assert.equal(cycle.triggers.length, 0, `cycle ${cycle.cycle}: no audit failed`);
      const list = acceptedList(cycle);
      assert.deepEqual(list.map((entry) => entry.recipient).sort(), cycle.reveals.map((reveal) => reveal.node).sort());
      // Shares follow the submitters' trust-ramped stake: each floored, together within one unit per node of the bounty.
      const total = list.reduce((sum, entry) => sum + BigInt(entry.amount), 0n);
      assert.ok(list.every((entry) => BigInt(entry.amount) > 0n));
      assert.ok(total <= bounty && total > bounty - BigInt(list.length), `cycle ${cycle.cycle} pays ${total}`);
    }
    // A node's route serves the payload it signed for a round; it is the revealed proof and opens with its key.
    const cycle = cycles[0] as (typeof cycles)[number];
    const reveal = cycle.reveals[0] as (typeof cycle.reveals)[number];
    const node = devnet.nodes.find((item) => item.account === reveal.node);
    const response = await fetch(`${node?.url}/tasks/${devnet.taskId}/rounds/${cycle.cycle}`);
    const body = (await response.json()) as { signed: string; signer: string };
    assert.equal(body.signer, accountToKoiiKey(reveal.node));
    assert.equal(reveal.proofDigest, sha256(body.signed), "the revealed proof is the signed payload");
    const opened = openAttached(body.signed, body.signer);
    assert.deepEqual(JSON.parse(opened.data ?? "null"), {
      round: cycle.cycle,
      node: body.signer,
      work: `proof of work for round ${cycle.cycle}`,
    });
  });
});
