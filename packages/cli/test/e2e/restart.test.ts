import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TaskView } from "@gradual/ledger";
import { computeCommitment } from "@gradual/protocol";
import { exited } from "../../src/devnet/processes.ts";
import { type Devnet, type DevnetNode, startDevnet } from "../../src/devnet/startDevnet.ts";
import {
  includedTransactions,
  makeTempDir,
  nodeHealth,
  readBlocks,
  removeDir,
  roundOfSlot,
  waitFor,
} from "./support.ts";

/**
 * A node killed with SIGKILL inside each window of the pipeline (commit, reveal, proof votes, distribution list)
 * restarts from its data directory and rejoins without equivocating (protocol.md §5.4): the ledger shows at most one
 * commit, reveal and vote per duty from it, every reveal matching its commit, no equivocation, and commits after
 * the last restart.
 */

const SLOT_MS = 150;
/** Codes a node that forgot what it had sent before the crash would earn. */
const FORGETFUL_CODES = new Set([
  "COMMIT__DUPLICATE",
  "REVEAL__MISMATCH",
  "REVEAL__DUPLICATE",
  "VOTE__EQUIVOCATION",
  "VOTE__DUPLICATE",
  "DISTRIBUTION__CHUNK_OUT_OF_ORDER",
]);

type LiveCycle = TaskView["cycles"][number];
type Kill = { window: string; slot: number; cycle: number; note: string };

describe("a node killed in every window restarts without equivocating", { timeout: 300_000 }, () => {
  let dataDir: string | undefined;
  let devnet: Devnet | undefined;

  before(async () => {
    dataDir = makeTempDir("restart");
    // The cheater submits garbage every other cycle, so there are triggers to vote on in most rounds.
    devnet = await startDevnet({
      dataDir,
      port: 0,
      slotMs: SLOT_MS,
      honestNodes: 3,
      cheaters: 1,
      misbehave: "garbage:2",
      // The custom rule, so that cycles have distributors and list windows to be killed in (§6.2).
      params: { distributionRule: "custom" },
      nodeArgs: ["--quiet"],
      // A crash is a SIGKILL of the node's process (a devnet's default node, a thread, can only be terminated).
      nodeProcesses: true,
    });
  });

  after(async () => {
    await devnet?.stop();
    removeDir(dataDir);
  });

  test("SIGKILL in the commit, reveal, vote and distribution windows", async (t) => {
    const net = devnet as Devnet;
    const victim = net.nodes[0] as DevnetNode;
    const me = victim.account;
    const client = net.client;
    const committed = async (cycle: number) =>
      (await client.listCommits(net.taskId, cycle, { limit: 1000 })).items.some((item) => item.node === me);
    const liveCycles = async () => (await client.getTask(net.taskId)) as TaskView;

    // Steady state first: the victim has committed once.
    await waitFor(
      "the victim's first commit",
      async () => {
        const view = await liveCycles();
        for (const cycle of view.cycles) if (await committed(cycle.cycle)) return true;
        return false;
      },
      { timeoutMs: 60_000 },
    );

    const kills: Kill[] = [];
    /** Waits for a slot where `pick` finds a cycle (the strict choice until `patienceMs` passed), kills, restarts. */
    const killAndRestart = async (
      window: string,
      pick: (view: TaskView, strict: boolean) => Promise<{ cycle: LiveCycle; note: string } | undefined>,
      patienceMs: number,
    ) => {
      const started = Date.now();
      const found = await waitFor(
        `a slot in a ${window} window`,
        async () => {
          const view = await liveCycles();
          const choice = await pick(view, Date.now() - started < patienceMs);
          return choice === undefined ? undefined : { view, ...choice };
        },
        { timeoutMs: patienceMs + 60_000, intervalMs: 25 },
      );
      victim.process.kill("SIGKILL");
      await exited(victim.process);
      kills.push({ window, slot: found.view.slot, cycle: found.cycle.cycle, note: found.note });
      await net.restartNode(victim);
    };
    const inWindow = (view: TaskView, window: string) => view.cycles.filter((c) => c.openWindows.includes(window));

    // Commit window: killed as its commit is being signed and sent (the window opens at the next slot).
    await killAndRestart(
      "commit",
      async (view) => {
        const cycle = inWindow(view, "commit")[0];
        return cycle === undefined ? undefined : { cycle, note: "commit being sent" };
      },
      0,
    );
    // Reveal window of a cycle it committed in: killed as the reveal is being sent.
    await killAndRestart(
      "reveal",
      async (view, strict) => {
        for (const cycle of inWindow(view, "reveal")) {
          if (await committed(cycle.cycle)) return { cycle, note: "reveal being sent" };
          if (!strict) return { cycle, note: "no commit to reveal" };
        }
        return undefined;
      },
      20_000,
    );
    // Proof vote window with a trigger it has not voted on yet.
    await killAndRestart(
      "proofVotes",
      async (view, strict) => {
        for (const cycle of inWindow(view, "proofVotes")) {
          const details = await client.getCycle(net.taskId, cycle.cycle);
          const open = (details?.triggers ?? []).filter(
            (trigger) => trigger.resolution === null && trigger.target !== me && trigger.triggerer !== me,
          );
          for (const trigger of open) {
            const votes = await client.listVotes(net.taskId, cycle.cycle, trigger.index, { limit: 1000 });
            if (!votes.items.some((vote) => vote.voter === me))
              return { cycle, note: `vote on trigger ${trigger.index}` };
          }
          if (!strict) return { cycle, note: "no trigger to vote on" };
        }
        return undefined;
      },
      20_000,
    );
    // Distribution window, preferably one where its own list is the one in force (posted and racing, §6.1).
    await killAndRestart(
      "distribution",
      async (view, strict) => {
        for (const cycle of inWindow(view, "distribution")) {
          if (cycle.record.distributor === me) return { cycle, note: "its list being sent" };
          if (!strict && cycle.record.distributor !== null) return { cycle, note: "another node's list" };
        }
        return undefined;
      },
      25_000,
    );

    // It keeps working: commits in two cycles that started after the last restart (any two: on a loaded machine a
    // restarted process can start after the next commit window closed, which is a missed duty, not a broken node).
    const taskRecord = (await liveCycles()).task;
    const restartRound = roundOfSlot(taskRecord, (await client.getHead()).slot);
    const laterCommits = await waitFor(
      "commits by the restarted node in two later cycles",
      async () => {
        const now = roundOfSlot(taskRecord, (await client.getHead()).slot);
        const found: number[] = [];
        for (let cycle = restartRound + 1; cycle <= now && found.length < 2; cycle += 1) {
          if (await committed(cycle)) found.push(cycle);
        }
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    assert.equal(laterCommits.length, 2);
    assert.equal((await nodeHealth(victim.url))?.status, 200, "the restarted node is healthy");

    // What the ledger recorded from the victim, over the whole chain.
    const head = await client.getHead();
    const mine = includedTransactions(await readBlocks(client, 1, head.number)).filter((tx) => tx.from === me);
    const forgetful = mine.filter((tx) => tx.code !== undefined && FORGETFUL_CODES.has(tx.code));
    assert.deepEqual(forgetful, [], "no duplicate or conflicting commit, reveal, vote or list chunk");
    const once = (kind: string, key: (tx: Record<string, unknown>) => string) => {
      const seen = new Map<string, number>();
      for (const tx of mine.filter((entry) => entry.kind === kind))
        seen.set(key(tx.tx), (seen.get(key(tx.tx)) ?? 0) + 1);
      for (const [duty, count] of seen) assert.equal(count, 1, `${kind} ${duty}: sent ${count} times`);
      return seen.size;
    };
    const commits = once("commit", (tx) => String(tx.cycle));
    const reveals = once("reveal", (tx) => String(tx.cycle));
    once("vote", (tx) => `${tx.cycle}/${tx.trigger}`);
    once("submitDistribution", (tx) => `${tx.cycle}/${tx.attempt}/${tx.chunk}`);
    assert.ok(commits >= 3 && reveals >= 2, `expected several commits and reveals, got ${commits} and ${reveals}`);
    for (const reveal of mine.filter((tx) => tx.kind === "reveal")) {
      // A reveal signed just before a kill is resent from the outbox after the restart. When the restart outlasts
      // the reveal window (a node replays the chain from genesis before it acts), the ledger refuses it as late:
      // a late reveal, not a conflicting one. The kill need not be in that cycle's own window (a kill in another
      // cycle's vote or list window can overlap it), but it must be within the round before the late reveal landed.
      // It must still match the node's commit for that cycle.
      const revealRound = roundOfSlot(taskRecord, reveal.slot);
      const late =
        reveal.code === "REVEAL__WINDOW_CLOSED" &&
        kills.some((kill) => kill.slot <= reveal.slot && roundOfSlot(taskRecord, kill.slot) >= revealRound - 1);
      assert.ok(
        reveal.ok || late,
        `cycle ${reveal.tx.cycle}: the reveal at slot ${reveal.slot} matched the commit (${reveal.code}); kills ${JSON.stringify(kills)}`,
      );
      const commit = mine.find((tx) => tx.kind === "commit" && tx.ok && tx.tx.cycle === reveal.tx.cycle);
      const recomputed = computeCommitment({
        task: String(reveal.tx.task),
        cycle: Number(reveal.tx.cycle),
        node: me,
        proofDigest: String(reveal.tx.proofDigest),
        salt: String(reveal.tx.salt),
      });
      assert.equal(recomputed, commit?.tx.commitment, `cycle ${reveal.tx.cycle}: the reveal opens the node's commit`);
    }
    const view = await client.getNode(net.taskId, me);
    assert.equal(view?.equivocations, 0);
    assert.equal(view?.slashedTotal, "0");
    assert.equal(kills.length, 4, JSON.stringify(kills));
    for (const kill of kills)
      t.diagnostic(`killed at slot ${kill.slot}, ${kill.window} of cycle ${kill.cycle}: ${kill.note}`);
  });
});
