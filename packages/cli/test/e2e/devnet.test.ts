import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CycleView, NodeView } from "@gradual/ledger";
import { type Devnet, startDevnet } from "../../src/devnet/startDevnet.ts";
import { childProcesses, ledgerEvents, makeTempDir, nodeHealth, removeDir, runGradual, waitFor } from "./support.ts";

/**
 * The main end-to-end scenario: a devnet of five `gradual node`s (four honest, one submitting a garbage proof
 * every third cycle; threads of this process, each task in a sandboxed process) on the devnet's ledger, run until
 * honest nodes hold vesting and claimable rewards and the cheater was caught; then everything is checked against
 * what the ledger recorded, and the block log is replayed with `gradual ledger verify`.
 */

const SLOT_MS = 150;

/** This process's live children that run a task's code (under the permission model). */
function sandboxChildren(): number[] {
  return childProcesses()
    .filter((child) => child.cmdline.includes("--experimental-permission"))
    .map((child) => child.pid);
}

describe("devnet: five nodes, one cheating", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let devnet: Devnet | undefined;

  before(async () => {
    dataDir = makeTempDir("devnet");
    devnet = await startDevnet({
      dataDir,
      port: 0,
      slotMs: SLOT_MS,
      // Four honest nodes are 80% of the decided weight, over the 77% a slash needs (protocol.md §5.5).
      honestNodes: 4,
      cheaters: 1,
      // Rewards stay claimable instead of being claimed at once, so the test can see them.
      nodeArgs: ["--no-auto-claim", "--quiet"],
    });
  });

  after(async () => {
    await devnet?.stop();
    removeDir(dataDir);
  });

  test("honest nodes are paid into vesting, the cheater is slashed, no cycle overpays, the log replays", async () => {
    const net = devnet as Devnet;
    const honest = net.nodes.filter((node) => !node.cheating);
    const cheater = net.nodes.find((node) => node.cheating);
    assert.ok(cheater !== undefined);
    const nodeViews = async () => (await net.client.listNodes(net.taskId, { limit: 100 })).items;
    const byAccount = (views: readonly NodeView[], account: string) => views.find((view) => view.account === account);

    const views = await waitFor(
      "honest nodes with claimable and locked rewards, and a slashed cheater",
      async () => {
        const current = await nodeViews();
        const paid = honest.every((node) => {
          const view = byAccount(current, node.account);
          return view !== undefined && BigInt(view.claimable) > 0n && BigInt(view.locked) > 0n;
        });
        const slashed = (byAccount(current, cheater.account)?.slashCount ?? 0) > 0;
        return paid && slashed ? current : undefined;
      },
      {
        timeoutMs: 150_000,
        intervalMs: 1_000,
        describe: async () =>
          (await nodeViews())
            .map((view) => `${net.labels.get(view.account)}: claimable ${view.claimable}, slashes ${view.slashCount}`)
            .join("; "),
      },
    );

    for (const node of honest) {
      const view = byAccount(views, node.account) as NodeView;
      assert.equal(view.slashedTotal, "0", `${node.label} was never slashed`);
      assert.equal(view.equivocations, 0, `${node.label} never equivocated`);
      assert.equal((await nodeHealth(node.url))?.status, 200, `${node.label} is healthy`);
    }
    const cheaterView = byAccount(views, cheater.account) as NodeView;
    assert.ok(BigInt(cheaterView.slashedTotal) > 0n, "the cheater lost stake");

    // Every cycle so far, as the ledger recorded it.
    const taskView = await net.client.getTask(net.taskId);
    assert.ok(taskView !== undefined);
    const bounty = BigInt(taskView.task.params.bountyPerRound);
    const cycles: CycleView[] = [];
    for (let cycle = 0; cycle <= taskView.round; cycle += 1) {
      const view = await net.client.getCycle(net.taskId, cycle);
      if (view !== undefined) cycles.push(view);
    }
    assert.ok(cycles.length >= 4, `expected several cycles, got ${cycles.length}`);

    // The cheater was triggered by an honest node, the trigger was upheld, and it was slashed for it.
    const upheld = cycles.flatMap((cycle) =>
      cycle.triggers
        .filter((trigger) => trigger.target === cheater.account && trigger.resolution === "upheld")
        .map((trigger) => ({ cycle: cycle.cycle, ...trigger })),
    );
    assert.ok(upheld.length >= 1, "an upheld trigger against the cheater");
    for (const trigger of upheld) {
      assert.ok(
        honest.some((node) => node.account === trigger.triggerer),
        "an honest node triggered",
      );
      assert.ok(BigInt(trigger.slashed) > 0n, `cycle ${trigger.cycle}: the upheld trigger slashed`);
    }
    // Nobody else was ever the target of an upheld trigger (protocol.md §11.3).
    for (const cycle of cycles) {
      for (const trigger of cycle.triggers) {
        if (trigger.resolution === "upheld") assert.equal(trigger.target, cheater.account);
      }
    }

    // No cycle pays more than the bounty, and a paid cycle pays only valid submitters (protocol.md §11.2).
    const events = await ledgerEvents(net.client);
    const vestedInCycle = (all: typeof events, cycle: number) =>
      all.flatMap((event) =>
        event.type === "Vested" && event.task === net.taskId && event.cycle === cycle
          ? [{ node: event.node, amount: BigInt(event.amount) }]
          : [],
      );
    let paidCycles = 0;
    for (const cycle of cycles) {
      const paid = BigInt(cycle.record.paid);
      assert.ok(paid <= bounty, `cycle ${cycle.cycle} paid ${paid}, over the bounty ${bounty}`);
      if (cycle.record.outcome !== "paid") continue;
      paidCycles += 1;
      const details = await net.client.getCycleDetails(net.taskId, cycle.cycle);
      assert.ok(details !== undefined);
      // The devnet task's rule is `weighted`: the cycle paid itself, with no distributor and no list (§6.2).
      assert.deepEqual(details.distributions, [], `cycle ${cycle.cycle} is paid without a list`);
      const entries = vestedInCycle(events, cycle.cycle);
      const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
      assert.equal(total, paid, `cycle ${cycle.cycle}: its Vested events are what was paid`);
      const valid = new Set(details.reveals.filter((reveal) => reveal.status === "valid").map((r) => r.node));
      // A late challenge (protocol.md §5.7) may find a proof invalid or unavailable after its cycle was paid: it was
      // valid when the cycle was paid, and what it was paid is clawed back.
      const lateTargets = new Set(details.triggers.filter((item) => item.late).map((t) => t.target));
      for (const entry of entries)
        assert.ok(valid.has(entry.node) || lateTargets.has(entry.node), `cycle ${cycle.cycle}: paid a valid submitter`);
    }
    assert.ok(paidCycles >= 1, "at least one cycle was paid");

    // The nodes ran as threads of this process, each task in a sandboxed process of its own (this process's children).
    for (const node of net.nodes) assert.equal(node.process.pid, process.pid, `${node.label} is a thread`);
    assert.equal(sandboxChildren().length, net.nodes.length, "one task process per node");

    // Stop every node (each through its own SIGTERM handler: exit code 0) and the ledger, then replay the whole
    // block log from genesis.
    await net.stop();
    for (const node of net.nodes) assert.equal(node.process.exitCode, 0, `${node.label} stopped cleanly`);
    await waitFor("the task processes to exit", async () => (sandboxChildren().length === 0 ? true : undefined), {
      timeoutMs: 10_000,
    });
    const verify = await runGradual(["ledger", "verify", "--data", net.ledgerDataDir], 60_000);
    assert.equal(verify.code, 0, `gradual ledger verify failed:\n${verify.stdout}\n${verify.stderr}`);
    assert.match(verify.stdout, /^verify: ok/m);
  });
});
