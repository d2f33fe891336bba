import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createLedgerClient,
  generateKeyPair,
  type KeyPair,
  type LedgerClient,
  type RunningLedger,
  saveKeyFile,
  startLedger,
} from "@gradual/ledger";
import { computeCommitment, DEVNET_PARAMS, type Hash, sha256Hex, type TaskParams, TOKEN } from "@gradual/protocol";
import { makeTempDir, removeDir, runGradual } from "./support.ts";

/**
 * `gradual unstake` and a reveal still due (protocol.md §2.2, §3.4): a reveal needs stake, so an unstake sent between
 * a node's commit and its reveal forfeits the cycle's pay. With paired reveals a working node is always in that gap
 * (a cycle is revealed a round after its commit). The command reads the node's `pendingReveal` from the ledger and
 * refuses with UNSTAKE__REVEAL_PENDING unless --force; the ledger's clock is moved by hand, so the gap is certain.
 */

/** Paired reveals, no warm-up or ramp: a node staked now commits cycle 0 and reveals it in cycle 1's commit window. */
const PARAMS: TaskParams = {
  ...DEVNET_PARAMS,
  roundSlots: 10,
  commitSlots: 3,
  revealSlots: 0,
  auditSlots: 2,
  voteSlots: 2,
  distributionSlots: 2,
  distributionAuditSlots: 2,
  warmupRounds: 0,
  rampRounds: 0,
};

describe("gradual unstake with a reveal still due", { timeout: 180_000 }, () => {
  let dir: string | undefined;
  let ledger: RunningLedger | undefined;
  let client: LedgerClient;
  let token = "";
  let task: Hash = "";
  /** The rounds `gradual unstake` named for the patient node: unbonding's end, and the first round withdraw works. */
  let patientRounds: { unbonded: number; withdrawable: number } | undefined;
  const keys: Record<"creator" | "early" | "patient", KeyPair> = {
    creator: generateKeyPair(),
    early: generateKeyPair(),
    patient: generateKeyPair(),
  };
  const keyFile = (name: keyof typeof keys) => join(dir as string, `${name}.json`);
  const proof = (name: string) => ({ proofDigest: sha256Hex(`proof ${name}`), salt: sha256Hex(`salt ${name}`) });

  async function advanceTo(slot: number): Promise<void> {
    const head = (await client.getChain()).head.slot;
    if (slot > head) await client.advanceSlots(slot - head, token);
  }

  /** Runs a command that waits for its transaction's inclusion, producing a slot whenever a transaction waits. */
  async function runWhileProducing(args: readonly string[]): ReturnType<typeof runGradual> {
    let done = false;
    const running = runGradual(args, 60_000).finally(() => {
      done = true;
    });
    // A slot only when a transaction waits for one: the clock then moves as far as the command's transactions need,
    // however long the command takes to start (a loaded machine took cycle 0's reveal window past the next test).
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!done && (await client.getChain()).mempoolSize > 0) await client.advanceSlots(1, token);
    }
    return running;
  }

  async function sendNow(key: KeyPair, body: Parameters<LedgerClient["send"]>[1]): Promise<void> {
    await client.send(key, body);
    await client.advanceSlots(1, token);
  }

  before(async () => {
    dir = makeTempDir("unstake-guard");
    ledger = await startLedger({ dataDir: join(dir, "ledger"), port: 0, devnet: true, manualSlots: true, workers: 1 });
    token = ledger.adminToken as string;
    client = createLedgerClient({ url: ledger.url, timeoutMs: 20_000 });
    for (const [name, key] of Object.entries(keys)) {
      saveKeyFile(join(dir, `${name}.json`), key);
      await client.faucet(key.publicKey, 1_000n * TOKEN);
    }
    await client.advanceSlots(1, token);
    const bundle = await client.uploadBlob(new TextEncoder().encode("export default {};"), keys.creator);
    const created = await client.send(keys.creator, {
      kind: "createTask",
      name: "unstake-guard",
      bundleHash: bundle.hash,
      metadataHash: null,
      params: PARAMS,
      funding: PARAMS.bountyPerRound * 5n,
    });
    await client.advanceSlots(1, token);
    task = (await client.listTasks({ limit: 10 })).tasks[0] as Hash;
    assert.ok(created.hash !== undefined && task !== undefined);
    for (const name of ["early", "patient"] as const) {
      await client.send(keys[name], { kind: "stake", task, amount: 100n * TOKEN, nodeUrl: "http://127.0.0.1:7001" });
    }
    await client.advanceSlots(1, token);
    await advanceTo((await client.getTask(task))?.task.startSlot ?? 0);
    const windows = (await client.getCycle(task, 0))?.windows;
    assert.ok(windows !== undefined);
    await advanceTo(windows.commit.opensAt);
    for (const name of ["early", "patient"] as const) {
      const commitment = computeCommitment({ task, cycle: 0, node: keys[name].publicKey, ...proof(name) });
      await client.send(keys[name], { kind: "commit", task, cycle: 0, commitment });
    }
    await client.advanceSlots(1, token);
  });

  after(async () => {
    await ledger?.close();
    removeDir(dir);
  });

  test("refuses while the commitment waits for its reveal, naming the cycle, without wait advice (paired); --force unstakes", async () => {
    const url = (ledger as RunningLedger).url;
    const refused = await runGradual(["unstake", task, "--key", keyFile("early"), "--ledger", url], 60_000);
    assert.equal(refused.code, 1, refused.stdout);
    // Paired reveals: a working node always has a reveal pending, so waiting for a slot is no advice.
    assert.match(
      refused.stderr,
      /^error\[UNSTAKE__REVEAL_PENDING\]: the node committed cycle 0 and has not revealed it; with paired reveals .*Stop the node and run it with `gradual node --leave` .*, or pass --force \(forfeits cycle 0's pay\); in a devnet .*--force$/m,
    );
    assert.doesNotMatch(refused.stderr, /wait until/);
    await client.advanceSlots(1, token);
    assert.equal((await client.getNode(task, keys.early.publicKey))?.unbonding, "0", "nothing was sent");
    const forced = await runWhileProducing(["unstake", task, "--key", keyFile("early"), "--ledger", url, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^cycle 0 will not be paid: its reveal needs stake \(--force\)$/m);
    // Nothing revealed: only the unbonding holds the stake.
    assert.match(
      forced.stdout,
      /^unbonding 100 tokens until round (\d+); gradual withdraw [0-9a-f]{64} from round \1 on$/m,
    );
  });

  test("once the reveal is on the ledger, unstake goes through", async () => {
    const url = (ledger as RunningLedger).url;
    const windows = (await client.getCycle(task, 0))?.windows;
    assert.ok(windows !== undefined);
    await advanceTo(windows.reveal.opensAt);
    await sendNow(keys.patient, { kind: "reveal", task, cycle: 0, ...proof("patient") });
    const revealed = await client.getNode(task, keys.patient.publicKey);
    assert.equal(revealed?.pendingReveal, null);
    assert.equal(revealed?.lastRevealCycle, 0, "the reveal of cycle 0 was applied (its window was still open)");
    const unstaked = await runWhileProducing(["unstake", task, "--key", keyFile("patient"), "--ledger", url]);
    assert.equal(unstaked.code, 0, unstaked.stderr);
    // Its revealed cycle 0 stays challengeable after unbonding ends: the first round withdraw succeeds is later.
    const said = unstaked.stdout.match(
      /^unbonding 100 tokens until round (\d+); gradual withdraw [0-9a-f]{64} from round (\d+) on \(the late-challenge window of cycle 0 holds the stake until then\)$/m,
    );
    assert.ok(said !== null, unstaked.stdout);
    patientRounds = { unbonded: Number(said[1]), withdrawable: Number(said[2]) };
    assert.ok(patientRounds.withdrawable > patientRounds.unbonded);
  });

  test("withdraw refuses before sending until the round unstake named; from that round it goes through", async () => {
    const url = (ledger as RunningLedger).url;
    const view = await client.getTask(task);
    assert.ok(view !== undefined && patientRounds !== undefined);
    const startOf = (round: number) => view.task.startSlot + round * view.task.params.roundSlots;
    // A withdraw sent now lands in the unbonding's last round's next slot: unbonded, still challengeable.
    await advanceTo(startOf(patientRounds.unbonded) - 1);
    const nonce = (await client.getAccount(keys.patient.publicKey)).nextNonce;
    const early = await runGradual(["withdraw", task, "--key", keyFile("patient"), "--ledger", url], 60_000);
    assert.equal(early.code, 1, early.stdout);
    assert.match(
      early.stderr,
      new RegExp(
        `^error\\[WITHDRAW__STILL_CHALLENGEABLE\\]: .*: withdraw from round ${patientRounds.withdrawable} on \\(now round ${patientRounds.unbonded}\\) \\(the late-challenge window of cycle 0 holds the stake until then\\); nothing was sent$`,
        "m",
      ),
    );
    await client.advanceSlots(1, token);
    assert.equal((await client.getAccount(keys.patient.publicKey)).nextNonce, nonce, "no transaction was sent");
    await advanceTo(startOf(patientRounds.withdrawable) - 1);
    const withdrawn = await runWhileProducing(["withdraw", task, "--key", keyFile("patient"), "--ledger", url]);
    assert.equal(withdrawn.code, 0, withdrawn.stderr);
    assert.match(withdrawn.stdout, /^withdraw [0-9a-f]{64}: included in block \d+/m);
  });
});
