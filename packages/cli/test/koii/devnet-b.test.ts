import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { accountToKoiiKey, sha256OfCid } from "@gradual/koii";
import { type KoiiDevnet, startKoiiDevnet } from "../../src/koii/devnet.ts";
import { childProcesses, makeTempDir, removeDir } from "../e2e/support.ts";
import {
  acceptedList,
  claimedInto,
  EXAMPLES,
  nodeViews,
  settledCycles,
  sha256,
  useKoiiDevnet,
  vestedTo,
  waitForSettledCycles,
} from "./support.ts";

/**
 * Koii task folders, unmodified, on a devnet of `gradual node` processes over 127.0.0.1: with-routes (a TypeScript
 * task with a task variable, files and Express routes that read the ledger) and bad-distribution (lists Koii's task
 * manager refuses, which pay nobody, and a slash gradual does not apply).
 */

const SLOT_MS = 200;

describe("Koii with-routes on a devnet: task variables and routes", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let net: KoiiDevnet | undefined;
  before(async () => {
    dataDir = makeTempDir("koii-routes");
    net = await startKoiiDevnet({
      dataDir,
      task: `${EXAMPLES}with-routes`,
      honestNodes: 3,
      slotMs: SLOT_MS,
      taskVars: { GREETING: "Hej" },
      nodeArgs: ["--quiet"],
    });
  });
  after(async () => {
    await net?.stop();
    removeDir(dataDir);
  });

  test("the greeting from --task-var is submitted, audited and paid", async () => {
    const devnet = net as KoiiDevnet;
    // The variables reach the nodes in a file only this user can read, never on a command line (ps shows those):
    // none of this process's children (the nodes' task processes) has them on its command line.
    const children = childProcesses();
    assert.ok(children.length >= devnet.nodes.length, "the nodes' task processes are this process's children");
    for (const { cmdline } of children) assert.ok(!cmdline.includes("Hej"), cmdline);
    assert.equal(statSync(join(dataDir as string, "task-vars.env")).mode & 0o777, 0o600);
    const cycles = await waitForSettledCycles(devnet.client, devnet.taskId, 2, 150_000, (settled) =>
      settled.some((cycle) => cycle.reveals.length === devnet.nodes.length),
    );
    for (const cycle of cycles) {
      for (const reveal of cycle.reveals) assert.equal(reveal.proofDigest, sha256(`Hej from round ${cycle.cycle}`));
      assert.equal(acceptedList(cycle).length, cycle.reveals.length);
    }
  });

  test("GET and POST routes answer through the node, reading the store, files and the ledger", async () => {
    const devnet = net as KoiiDevnet;
    const cycles = await waitForSettledCycles(devnet.client, devnet.taskId, 1, 60_000);
    const cycle = cycles[0]?.cycle as number;
    const base = `${devnet.nodes[1]?.url}/tasks/${devnet.taskId}`;
    const round = await fetch(`${base}/rounds/${cycle}`);
    assert.equal(round.status, 200);
    assert.equal(await round.text(), `Hej from round ${cycle}`);
    assert.equal((await fetch(`${base}/rounds/999999`)).status, 404);
    const echo = await fetch(`${base}/echo?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: [1, "two"] }),
    });
    assert.deepEqual(await echo.json(), { received: { a: [1, "two"] }, query: { x: "1" } });
    const state = (await (await fetch(`${base}/state`)).json()) as Record<string, unknown>;
    assert.equal(state.name, "with-routes");
    assert.equal(state.stakers, 3);
    assert.equal(state.bountyPerRound, Number(devnet.task.config.params.bountyPerRound));
    // getTaskSubmissionInfo: the values come from each submitter's node, which serves them after its reveal.
    const submissions = (await (await fetch(`${base}/submissions/${cycle}`)).json()) as Record<
      string,
      { submission_value: string }
    >;
    assert.deepEqual(
      Object.keys(submissions).sort(),
      (cycles[0]?.reveals ?? []).map((reveal) => accountToKoiiKey(reveal.node)).sort(),
    );
    for (const submission of Object.values(submissions))
      assert.equal(submission.submission_value, `Hej from round ${cycle}`);
  });

  test("PUT, DELETE, form posts and binary responses reach Express and come back unchanged", async () => {
    const devnet = net as KoiiDevnet;
    const base = `${devnet.nodes[0]?.url}/task/${devnet.taskId}`;
    const put = await fetch(`${base}/notes/n1`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "ñandú" }),
    });
    assert.equal(put.status, 201);
    assert.deepEqual(await put.json(), { saved: "n1" });
    assert.deepEqual(await (await fetch(`${base}/notes/n1`)).json(), { text: "ñandú" });
    const removed = await fetch(`${base}/notes/n1`, { method: "DELETE" });
    assert.equal(removed.status, 204);
    assert.equal((await fetch(`${base}/notes/n1`)).status, 404);
    const form = await fetch(`${base}/form`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=a%20b&count=3",
    });
    assert.equal(form.status, 200);
    assert.deepEqual(await form.json(), { name: "a b", count: 3 });
    const pixel = await fetch(`${base}/pixel.gif`);
    assert.equal(pixel.headers.get("content-type"), "image/gif");
    assert.deepEqual(
      Buffer.from(await pixel.arrayBuffer()),
      Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"),
    );
    const preflight = await fetch(`${base}/notes/n1`, { method: "OPTIONS" });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    const head = await fetch(`${base}/value`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });
});

describe("Koii bad-distribution on a devnet: refused lists pay nobody", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let net: KoiiDevnet | undefined;
  before(async () => {
    dataDir = makeTempDir("koii-bad");
    net = await startKoiiDevnet({
      dataDir,
      task: `${EXAMPLES}bad-distribution`,
      honestNodes: 3,
      slotMs: SLOT_MS,
      nodeArgs: ["--no-auto-claim", "--quiet"],
    });
  });
  after(async () => {
    await net?.stop();
    removeDir(dataDir);
  });

  test("fractional, incomplete and oversized lists are accepted empty; the slash becomes 0 and the others are paid", async () => {
    const devnet = net as KoiiDevnet;
    const cycles = await waitForSettledCycles(devnet.client, devnet.taskId, 4, 180_000);
    const bounty = BigInt(devnet.task.config.params.bountyPerRound);
    for (const cycle of cycles) {
      const submitters = cycle.reveals.filter((reveal) => reveal.status === "valid").map((reveal) => reveal.node);
      const list = acceptedList(cycle);
      if (cycle.cycle % 4 === 3) {
        // A valid Koii list that slashes the first submitter (in account order): gradual pays the others.
        const [first, ...others] = [...submitters].sort();
        assert.deepEqual(list.map((entry) => entry.recipient).sort(), others, `cycle ${cycle.cycle}`);
        assert.ok(!list.some((entry) => entry.recipient === first));
        for (const entry of list) assert.equal(BigInt(entry.amount), bounty / BigInt(Math.max(1, others.length)));
      } else {
        assert.deepEqual(list, [], `cycle ${cycle.cycle} (rule ${cycle.cycle % 4}) pays nobody`);
        assert.equal(cycle.record.paid, "0");
      }
    }
    // Nobody was slashed, and vesting holds only what the slash round paid.
    const claimedBefore = await claimedInto(devnet.client, devnet.taskId, cycles);
    const views = await nodeViews(devnet.client, devnet.taskId);
    const later = await settledCycles(devnet.client, devnet.taskId);
    const claimedAfter = await claimedInto(devnet.client, devnet.taskId, later);
    for (const node of devnet.nodes) {
      const view = views.get(node.account);
      const vesting = BigInt(view?.claimable ?? 0) + BigInt(view?.locked ?? 0);
      assert.equal(view?.slashedTotal, "0");
      // Cycles keep settling and entries keep being claimed while the test reads (§6.4): the vesting lies between
      // what was claimed before and after the read, and never beyond what the accepted lists paid.
      const before = claimedBefore(node.account);
      const after = claimedAfter(node.account);
      assert.ok(vesting >= before && vesting <= after, node.label);
      assert.ok(after <= vestedTo(later, node.account), node.label);
    }
  });
});

describe("Koii ipfs-result on a devnet: KoiiStorageClient over the ledger's blob store", { timeout: 240_000 }, () => {
  const devnetOf = useKoiiDevnet("ipfs-result");

  test("each node uploads its result, submits the CID, and the auditors fetch it from the ledger", async () => {
    const devnet = devnetOf();
    const cycles = await waitForSettledCycles(devnet.client, devnet.taskId, 2, 150_000, (settled) =>
      settled.some((cycle) => cycle.reveals.length === devnet.nodes.length),
    );
    const cycle = cycles.find((settled) => settled.reveals.length === devnet.nodes.length) as (typeof cycles)[number];
    assert.equal(acceptedList(cycle).length, devnet.nodes.length, "every node was found right and paid");
    for (const node of devnet.nodes) {
      // The node serves the CID it stored; the CID names a directory blob on the ledger, whose file is the result.
      const served = await fetch(`${node.url}/tasks/${devnet.taskId}/cid/${cycle.cycle}`);
      assert.equal(served.status, 200);
      const { cid } = (await served.json()) as { cid: string };
      assert.match(cid, /^bafkrei[a-z2-7]{52}$/);
      const reveal = cycle.reveals.find((entry) => entry.node === node.account);
      assert.equal(reveal?.proofDigest, sha256(cid), "the submission is the CID");
      const manifest = await fetch(`${devnet.ledgerUrl}/v1/blobs/${sha256OfCid(cid)}`);
      assert.equal(manifest.status, 200);
      const { files } = (await manifest.json()) as { files: Record<string, string> };
      const file = await fetch(`${devnet.ledgerUrl}/v1/blobs/${files["result.json"]}`);
      const result = (await file.json()) as { round: number; words: number };
      assert.deepEqual([result.round, result.words], [cycle.cycle, 50]);
    }
  });
});
