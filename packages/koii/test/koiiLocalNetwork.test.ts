import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createSandboxedTaskRunner, withGarbageEvery, withMisbehaviour, writeBundleFile } from "@gradual/node";
import {
  decodeList,
  getCycle,
  getNodeView,
  getReveal,
  getVesting,
  listRoot,
  listTriggers,
  listVotes,
  type State,
} from "@gradual/protocol";
import { buildKoiiTask } from "../src/build/buildKoiiTask.ts";
import { type KoiiLocalNetworkResult, runKoiiLocalNetwork } from "../src/koiiLocalNetwork.ts";

const EXAMPLES = new URL("../../../examples/koii/", import.meta.url).pathname;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * `gradual koii test`: each example folder through several rounds on several sandboxed nodes over an in-memory
 * ledger, asserted on what that ledger recorded.
 */

type Run = KoiiLocalNetworkResult & { lines: string[] };

async function run(
  name: string,
  options: {
    nodes?: number;
    rounds?: number;
    cheaters?: number;
    config?: Record<string, string>;
    cheat?: "garbage" | "altered";
  } = {},
): Promise<Run> {
  const task = await buildKoiiTask(`${EXAMPLES}${name}`, { roundSlots: 40 });
  const { mapping } = task.folder;
  const bundlePath = await writeBundleFile(task.code);
  const nodes = options.nodes ?? 3;
  const honest = nodes - (options.cheaters ?? 0);
  const lines: string[] = [];
  const result = await runKoiiLocalNetwork({
    nodes,
    rounds: options.rounds ?? 3,
    params: mapping.params,
    funding: mapping.funding,
    bundleHash: task.hash,
    taskName: mapping.name,
    config: options.config ?? {},
    seed: name,
    createRunner: async (host, limits, index) => {
      const runner = await createSandboxedTaskRunner({ bundlePath, host, limits });
      if (index < honest) return runner;
      return options.cheat === "altered"
        ? withMisbehaviour(runner, { kind: "altered", every: 2 })
        : withGarbageEvery(runner, 2);
    },
    onReport: (line) => lines.push(line),
  });
  return { ...result, lines };
}

/**
 * The cycles that had submitters, with their accepted list: from the events (a cycle may be pruned by the end of
 * the run), its entries from the run's blob store (§6.2).
 */
async function paidCycles(result: Run) {
  const paid = [];
  for (const event of result.events) {
    if (event.type !== "CycleCompleted") continue;
    const { cycle } = event;
    const record = getCycle(result.state, result.taskId, cycle);
    if ((record?.revealCount ?? 0) === 0) continue;
    const accepted = result.events.find((other) => other.type === "DistributionAccepted" && other.cycle === cycle);
    const posted = result.events.find(
      (other) =>
        other.type === "DistributionSubmitted" &&
        other.cycle === cycle &&
        accepted?.type === "DistributionAccepted" &&
        other.listRoot === accepted.listRoot,
    );
    const listBlob = posted?.type === "DistributionSubmitted" ? posted.listBlob : undefined;
    const entries = listBlob === undefined ? [] : (decodeList(await result.blobs.get(listBlob)) ?? []);
    if (accepted?.type === "DistributionAccepted") {
      assert.equal(listRoot(entries), accepted.listRoot, "the blob is the accepted list");
    }
    const distribution = accepted === undefined ? undefined : { status: "accepted" as const };
    paid.push({ cycle, record, distribution, entries });
  }
  return paid;
}

function vested(state: State, taskId: string, account: string): bigint {
  return getVesting(state, taskId, account)?.totalVested ?? 0n;
}

describe("gradual koii test: Koii task folders on several in-process nodes", { timeout: 120_000 }, () => {
  it("hello-world: proofs, audit votes against a cheater, Koii's equal split, vesting", async () => {
    // Four honest nodes are 80% of the decided weight, over the 77% a slash needs (protocol.md §5.5).
    const result = await run("hello-world", { nodes: 5, cheaters: 1, rounds: 3 });
    const [cheater] = result.accounts.slice(4);
    const honest = result.accounts.slice(0, 4);
    const cycles = await paidCycles(result);
    assert.equal(cycles.length, 3);
    for (const { cycle, distribution, entries } of cycles) {
      for (const account of honest) {
        assert.equal(getReveal(result.state, result.taskId, cycle, account)?.proofDigest, sha256("Hello, World!"));
      }
      assert.equal(distribution?.status, "accepted");
      const valid = result.accounts.filter(
        (account) => getReveal(result.state, result.taskId, cycle, account)?.status === "valid",
      );
      assert.deepEqual(entries.map((entry) => entry.recipient).sort(), valid.sort());
      for (const entry of entries) assert.equal(entry.amount, 10_000_000_000n / BigInt(valid.length));
    }
    const caught = cycles.find(({ cycle }) => cycle % 2 === 0);
    const trigger = listTriggers(result.state, result.taskId, caught?.cycle as number).find(
      (item) => item.target === cheater,
    );
    assert.equal(trigger?.resolution, "upheld");
    const votes = listVotes(
      result.state,
      result.taskId,
      caught?.cycle as number,
      trigger as NonNullable<typeof trigger>,
    );
    assert.ok(votes.length >= 1 && votes.every((vote) => vote.choice === "invalid"));
    assert.ok((getNodeView(result.state, result.taskId, cheater as string)?.record.slashedTotal ?? 0n) > 0n);
    for (const account of honest) {
      const paid = cycles.flatMap((cycle) => cycle.entries).filter((entry) => entry.recipient === account);
      assert.equal(
        vested(result.state, result.taskId, account),
        paid.reduce((sum, entry) => sum + entry.amount, 0n),
      );
    }
    // The report says, per round, what each Koii function returned.
    assert.ok(result.lines.some((line) => /task\+submission -> "Hello, World!"/.test(line)));
    assert.ok(result.lines.some((line) => /audit -> node 4 is invalid/.test(line)));
    assert.ok(
      result.lines.some((line) => /koii distribution\(\d+\) -> \d payment\(s\) of \d submitter\(s\)/.test(line)),
    );
  });

  it("signed-rounds: signed payloads verify across nodes; rewards by stake", async () => {
    const result = await run("signed-rounds");
    const cycles = await paidCycles(result);
    assert.equal(cycles.length, 3);
    for (const { cycle, entries } of cycles) {
      assert.equal(listTriggers(result.state, result.taskId, cycle).length, 0, "every signature verified");
      assert.deepEqual(
        entries.map((entry) => entry.amount),
        [3_333_333_333n, 3_333_333_333n, 3_333_333_333n],
      );
    }
    assert.ok(
      result.lines.some((line) => /signed round \d+ \(current round \d+\) \(task\)/.test(line)),
      "logger reaches the node",
    );
  });

  it("peer-check: auditors read the submitter's route (base58 TASK_ID, @_koii/web3.js) and catch the cheater", async () => {
    const result = await run("peer-check", { nodes: 3, cheaters: 1 });
    const cheater = result.accounts[2] as string;
    const cycles = await paidCycles(result);
    assert.ok(cycles.length >= 2, `${cycles.length} paid cycles`);
    const triggers = cycles.flatMap(({ cycle }) => listTriggers(result.state, result.taskId, cycle));
    for (const trigger of triggers) {
      assert.equal(trigger.target, cheater, "no honest node was ever found wrong: every route read matched");
    }
    assert.ok(
      triggers.length > 0 &&
        triggers.every((trigger) => trigger.resolution === "upheld" || trigger.resolution === "disputed"),
      "the cheater's garbage was caught and left unpaid",
    );
    assert.ok(
      result.lines.some((line) => /read \w+'s route for round \d+: same value/.test(line)),
      "auditors read the submitters' routes",
    );
    assert.ok(!result.lines.some((line) => /unreachable/.test(line)), "every route was reachable");
  });

  it("ipfs-result: uploads with KoiiStorageClient, submits the CID, auditors fetch it by CID and catch the cheater", async () => {
    const result = await run("ipfs-result", { nodes: 3, cheaters: 1 });
    const cheater = result.accounts[2] as string;
    const cycles = await paidCycles(result);
    assert.ok(cycles.length >= 2, `${cycles.length} paid cycles`);
    for (const { cycle, entries } of cycles) {
      const paid = new Set(entries.filter((entry) => entry.amount > 0n).map((entry) => entry.recipient));
      for (const honest of result.accounts.slice(0, 2))
        assert.ok(paid.has(honest as string), `cycle ${cycle} paid ${honest}`);
    }
    const triggers = cycles.flatMap(({ cycle }) => listTriggers(result.state, result.taskId, cycle));
    assert.ok(
      triggers.length > 0 && triggers.every((trigger) => trigger.target === cheater),
      "only the cheater was challenged",
    );
    const stored = result.lines.filter((line) => /stored as bafkrei[a-z2-7]{52}\b/.test(line));
    assert.ok(stored.length >= 4, `nodes stored their results (${stored.length} uploads logged)`);
    assert.ok(
      result.lines.some((line) => /fetched \w+'s file by CID: valid/.test(line)),
      "auditors fetched honest files by CID",
    );
    assert.ok(!result.lines.some((line) => /fetched \w+'s file by CID: wrong/.test(line)), "no honest file was wrong");
  });

  it("a cheater whose output looks right (one character changed) is caught by audits that compare values", async () => {
    const result = await run("hello-world", { nodes: 4, cheaters: 1, cheat: "altered" });
    const cheater = result.accounts[3] as string;
    const cycles = await paidCycles(result);
    const triggers = cycles.flatMap(({ cycle }) => listTriggers(result.state, result.taskId, cycle));
    assert.ok(triggers.length > 0, "the altered output was challenged");
    for (const trigger of triggers) {
      assert.equal(trigger.target, cheater);
      assert.equal(trigger.resolution, "upheld", "three honest nodes of four outvote it");
    }
    assert.ok(!result.lines.some((line) => /FAILED/.test(line)), "no audit threw on it");
  });

  it("with-routes: the task variable reaches process.env and the files of each node", async () => {
    const result = await run("with-routes", { config: { GREETING: "Salut" } });
    for (const { cycle, entries } of await paidCycles(result)) {
      for (const account of result.accounts) {
        assert.equal(
          getReveal(result.state, result.taskId, cycle, account)?.proofDigest,
          sha256(`Salut from round ${cycle}`),
        );
      }
      assert.equal(entries.length, 3);
    }
  });

  it("bad-distribution: refused lists are accepted empty and pay nobody; the slash round pays the others", async () => {
    const result = await run("bad-distribution", { rounds: 4 });
    const cycles = await paidCycles(result);
    assert.equal(cycles.length, 4);
    for (const { cycle, distribution, entries } of cycles) {
      assert.equal(distribution?.status, "accepted");
      if (cycle % 4 === 3) assert.equal(entries.length, 2);
      else assert.deepEqual(entries, [], `cycle ${cycle}`);
    }
    for (const reason of [
      "not an integer",
      "not every submitter is in the list",
      "more than the bounty",
      "gradual cannot slash",
    ]) {
      assert.ok(
        result.lines.some((line) => line.includes("WARN") && line.includes(reason)),
        reason,
      );
    }
  });
});
