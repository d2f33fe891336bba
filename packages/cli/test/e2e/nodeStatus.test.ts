import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_DEVNET_TASK, type Devnet, startDevnet } from "../../src/devnet/startDevnet.ts";
import { makeTempDir, removeDir, runGradual, sleep, waitFor } from "./support.ts";

/**
 * What an operator sees (issue 16): `gradual node status` against a real devnet (ledger and node processes) says
 * why a node was paid or slashed in a cycle, with the transactions; `gradual node` stops with one coded line for an
 * unknown task or a ledger that is down.
 */

type Explained = {
  cycle: number;
  verdict: string;
  paid: string;
  reasons: { text: string; block?: number; tx?: string | null }[];
};
type StatusJson = {
  node: { stake: string } | null;
  summary: { paidTotal: string; cyclesPaid: number; slashes: number; done: Record<string, number> };
  cycle?: Explained;
};
type Event = { type: string; node?: string; cycle?: number };

describe("gradual node status on a devnet", { timeout: 240_000 }, () => {
  let dataDir: string | undefined;
  let devnet: Devnet | undefined;

  before(async () => {
    dataDir = makeTempDir("node-status");
    devnet = await startDevnet({
      dataDir,
      port: 0,
      slotMs: 150,
      // Four honest nodes: a slash needs more than two thirds of the votes plus the cheater's own weight
      // (protocol.md §5.5), so with three, one vote arriving late at 150 ms slots leaves the garbage disputed.
      honestNodes: 4,
      cheaters: 1,
      misbehave: "garbage:1",
      nodeArgs: ["--quiet"],
    });
  });

  after(async () => {
    await devnet?.stop();
    removeDir(dataDir);
  });

  test("explains a paid cycle and a slashed one, with transaction hashes", async () => {
    const net = devnet as Devnet;
    const honest = net.nodes.find((node) => !node.cheating);
    const cheater = net.nodes.find((node) => node.cheating);
    assert.ok(honest !== undefined && cheater !== undefined);
    // Wait until the ledger shows a payment to the honest node and a slash of the cheater.
    const found = await waitFor(
      "a paid cycle for node-1 and a slash of the cheater",
      async () => {
        const head = (await net.client.getHead()).number;
        const events: Event[] = [];
        for (let from = net.startBlock; from <= head; from += 100)
          for (const block of await net.client.getBlocks(from, Math.min(head, from + 99)))
            events.push(...block.events.map((item) => item.event as Event));
        const paid = events.find((event) => event.type === "Vested" && event.node === honest.account);
        const slashed = events.find((event) => event.type === "Slashed" && event.node === cheater.account);
        return paid !== undefined && slashed !== undefined
          ? { paidCycle: paid.cycle as number, slashedCycle: slashed.cycle as number }
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
    const status = async (account: string, cycle: number) => {
      const result = await runGradual(
        [
          "node",
          "status",
          "--task",
          net.taskId,
          "--account",
          account,
          "--cycle",
          String(cycle),
          "--ledger",
          net.ledgerUrl,
          "--json",
        ],
        60_000,
      );
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as StatusJson;
    };
    const paid = await status(honest.account, found.paidCycle);
    assert.equal(paid.cycle?.verdict, "paid");
    assert.ok(BigInt(paid.cycle?.paid ?? "0") > 0n);
    assert.ok(paid.summary.cyclesPaid >= 1 && (paid.summary.done.commit ?? 0) >= 1);
    const paidReason = paid.cycle?.reasons.find((reason) => reason.text.startsWith("paid "));
    assert.ok(paidReason?.block !== undefined, "the payment cites its block");
    const revealed = paid.cycle?.reasons.find((reason) => reason.text === "committed and revealed");
    assert.match(revealed?.tx ?? "", /^[0-9a-f]{64}$/, "the reveal cites its transaction");

    const slashed = await status(cheater.account, found.slashedCycle);
    assert.equal(slashed.cycle?.verdict, "slashed");
    const texts = (slashed.cycle?.reasons ?? []).map((reason) => reason.text).join("\n");
    assert.match(texts, /proof judged INVALID \(audit #\d+ upheld; votes invalid: /);
    assert.match(texts, /SLASHED \d/);
    const trigger = slashed.cycle?.reasons.find((reason) => /^audit #\d+ triggered by/.test(reason.text));
    assert.match(trigger?.tx ?? "", /^[0-9a-f]{64}$/, "the trigger cites its transaction");

    // The text form says the same for a person.
    const text = await runGradual(
      [
        "node",
        "status",
        "--task",
        net.taskId,
        "--account",
        cheater.account,
        "--cycle",
        String(found.slashedCycle),
        "--ledger",
        net.ledgerUrl,
      ],
      60_000,
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`cycle ${found.slashedCycle} +SLASHED`));
    assert.match(text.stdout, /vesting +[\d.]+ tokens locked/);
    // No missed-duty count: nobody is drawn to post a list (protocol.md deviation 35).
    assert.match(text.stdout, /^votes +\d+ losing, \d+ equivocations$/m);
    assert.doesNotMatch(text.stdout, /missed +\d+ duties/);
  });

  test("task status reads for a person and for a script; stake needs no --node-url and states the minimum", async () => {
    const net = devnet as Devnet;
    const text = await runGradual(["task", "status", net.taskId, "--ledger", net.ledgerUrl], 60_000);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^escrow +[\d.]+ tokens \(bounty [\d.]+ tokens per round; the open cycles hold [\d.]+ tokens? more, reserved for their pay\)$/m,
    );
    for (const node of net.nodes) assert.ok(text.stdout.includes(node.account), `lists ${node.label}`);
    assert.doesNotMatch(text.stdout, /"escrow"/, "not JSON");
    const json = await runGradual(["task", "status", net.taskId, "--ledger", net.ledgerUrl, "--json"], 60_000);
    const parsed = JSON.parse(json.stdout) as { task: { id: string }; nodes: { account: string }[] };
    assert.equal(parsed.task.id, net.taskId);
    assert.equal(parsed.nodes.length, net.nodes.length);
    // The creator stakes a single token: refused, and the error line says what the minimum is.
    const stake = await runGradual(
      ["stake", net.taskId, "--key", net.creatorKeyFile, "--amount", "1", "--ledger", net.ledgerUrl],
      60_000,
    );
    assert.equal(stake.code, 1, stake.stdout);
    assert.match(
      stake.stderr,
      /^error\[STAKE__BELOW_MINIMUM\]: .*the stake would be 1 token, the task's minimum is [\d.]+ tokens$/m,
    );
  });

  test("gradual faucet funds an account on a devnet ledger, and says the faucet's limit when asked for more", async () => {
    const net = devnet as Devnet;
    const account = "cd".repeat(32);
    const funded = await runGradual(["faucet", account, "--amount", "5", "--ledger", net.ledgerUrl], 60_000);
    assert.equal(funded.code, 0, funded.stderr);
    assert.match(
      funded.stdout,
      new RegExp(`^faucet: 5 tokens to ${account} in block \\d+; balance now 5 tokens$`, "m"),
    );
    const tooMuch = await runGradual(["faucet", account, "--amount", "1000000", "--ledger", net.ledgerUrl], 60_000);
    assert.equal(tooMuch.code, 1);
    assert.match(tooMuch.stderr, /^error\[LEDGER__FAUCET_LIMIT\]: /m);
  });

  test("gradual node stops with a code for an unknown task and for a ledger that is down", async () => {
    const net = devnet as Devnet;
    const node = net.nodes[0];
    assert.ok(node !== undefined);
    const unknownTask = "ab".repeat(32);
    const unknown = await runGradual(
      [
        "node",
        "--key",
        node.keyFile,
        "--task",
        unknownTask,
        "--ledger",
        net.ledgerUrl,
        "--port",
        "0",
        "--data",
        `${dataDir}/unknown-task`,
      ],
      60_000,
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error\[NODE__TASK_NOT_FOUND\]: no task ab+/m);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, "no stack trace");
    // A --stake the ledger would refuse stops the node before it sends anything (it would resend it every pass).
    // `gradual node` with a key and a ledger, on a free port and a data folder of its own.
    const startNode = (key: string, ledger: string, data: string, more: readonly string[] = []) =>
      runGradual(
        ["node", "--key", key, "--task", net.taskId, ...more, "--ledger", ledger, "--port", "0", "--data", data],
        60_000,
      );
    const below = await startNode(net.creatorKeyFile, net.ledgerUrl, `${dataDir}/below-minimum`, ["--stake", "0.001"]);
    assert.equal(below.code, 1, below.stdout);
    assert.match(below.stderr, /^error\[STAKE__BELOW_MINIMUM\]: --stake 0\.001 is below the task's minimum stake of /m);
    const tooMuch = await startNode(net.creatorKeyFile, net.ledgerUrl, `${dataDir}/above-balance`, [
      "--stake",
      "1000000000",
    ]);
    assert.equal(tooMuch.code, 1, tooMuch.stdout);
    assert.match(
      tooMuch.stderr,
      /^error\[ACCOUNT__INSUFFICIENT_BALANCE\]: --stake 1000000000 is more than the account's balance of /m,
    );
    const down = await startNode(node.keyFile, "http://127.0.0.1:9", `${dataDir}/down`);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^error\[LEDGER__UNREACHABLE\]: cannot reach the ledger at http:\/\/127\.0\.0\.1:9/m);
    assert.doesNotMatch(down.stderr, /TypeError|\n\s+at /);
    const everyZero = await runGradual(
      ["node", "--key", node.keyFile, "--task", net.taskId, "--ledger", net.ledgerUrl, "--claim-every", "0"],
      60_000,
    );
    assert.equal(everyZero.code, 1);
    assert.match(
      everyZero.stderr,
      /^error\[CLI__BAD_INPUT\]: --claim-every: expected an integer in 1\.\.1000000, got "0"/m,
    );
  });

  test("task create --json prints the hashes the ledger recorded", async () => {
    const net = devnet as Devnet;
    const created = await runGradual(
      [
        "task",
        "create",
        "--config",
        DEFAULT_DEVNET_TASK,
        "--key",
        net.creatorKeyFile,
        "--ledger",
        net.ledgerUrl,
        "--json",
      ],
      120_000,
    );
    assert.equal(created.code, 0, created.stderr);
    const printed = JSON.parse(created.stdout) as { task: string; bundleHash: string; metadataHash: string | null };
    const view = await net.client.getTask(printed.task);
    assert.match(printed.bundleHash, /^[0-9a-f]{64}$/);
    assert.equal(printed.bundleHash, view?.task.bundleHash);
    assert.equal(printed.metadataHash, view?.task.metadataHash);
  });

  test("ledger verify says when --data is missing or holds no ledger (exit 2), and passes on the devnet's", async () => {
    const net = devnet as Devnet;
    const missing = await runGradual(["ledger", "verify", "--data", `${dataDir}/no-such-folder`], 60_000);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error\[CLI__BAD_INPUT\]: --data: no ledger data directory at /m);
    const notLedger = await runGradual(["ledger", "verify", "--data", dataDir as string], 60_000);
    assert.equal(notLedger.code, 2);
    assert.match(notLedger.stderr, /^error\[CLI__BAD_INPUT\]: --data: .* holds no ledger \(no ledger\.sqlite\)$/m);
    const good = await runGradual(["ledger", "verify", "--data", net.ledgerDataDir], 120_000);
    assert.equal(good.code, 0, good.stderr);
  });

  // Last: it takes a node's stake out of the devnet.
  test("unstake says when unbonding ends; an early withdraw says from which round it can", async () => {
    const net = devnet as Devnet;
    const node = net.nodes[1];
    assert.ok(node !== undefined);
    const unstake = () => runGradual(["unstake", net.taskId, "--key", node.keyFile, "--ledger", net.ledgerUrl], 60_000);
    // The node is working: between its commit and its reveal, unstake refuses (a reveal needs stake) and names the
    // slot its reveal window closes; past that slot it goes through.
    let unstaked = await unstake();
    for (let attempt = 0; attempt < 20 && unstaked.stderr.includes("UNSTAKE__REVEAL_PENDING"); attempt += 1) {
      assert.match(
        unstaked.stderr,
        /^error\[UNSTAKE__REVEAL_PENDING\]: the node committed cycle \d+ and has not revealed it/m,
      );
      await sleep(300);
      unstaked = await unstake();
    }
    assert.equal(unstaked.code, 0, unstaked.stderr);
    assert.match(
      unstaked.stdout,
      /^unbonding [\d.]+ tokens until round \d+; gradual withdraw [0-9a-f]{64} from round \d+ on/m,
    );
    const early = await runGradual(["withdraw", net.taskId, "--key", node.keyFile, "--ledger", net.ledgerUrl], 60_000);
    assert.equal(early.code, 1);
    assert.match(
      early.stderr,
      /^error\[WITHDRAW__STILL_BONDED\]: .*: withdraw from round \d+ on \(now round \d+\); nothing was sent$/m,
    );
  });
});
