import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { encodeList } from "@gradual/protocol";
import { memoryBlobs } from "@gradual/sdk";
import { accountToKoiiKey } from "../src/keys.ts";
import { currentContext, runWithContext } from "../src/runtime/context.ts";
import { KoiiUnsupportedError } from "../src/runtime/errors.ts";
import { namespaceWrapper } from "../src/runtime/namespaceWrapper.ts";
import { A, B, C, CREATOR, chainFixture, LIST_OF_CYCLE_4 } from "./chainFixture.ts";
import { fakeContext, fakeNodeKey, type LogLine, memoryStore, TASK_ID } from "./fakeContext.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const wrapper = namespaceWrapper as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

describe("namespaceWrapper against a gradual context", () => {
  let server: ReturnType<typeof createServer>;
  let base = "";
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === `/A/proofs/${sha256("proof of A")}`) response.end("proof of A");
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const ledger = () =>
    chainFixture({ urls: { [A]: `${base}/A`, [B]: `${base}/B` }, digests: { [A]: sha256("proof of A") } });

  it("storeGet / storeSet keep values per node store, null when absent", async () => {
    const store = memoryStore();
    await runWithContext(fakeContext({ store }), async () => {
      assert.equal(await namespaceWrapper.storeGet("value"), null);
      await namespaceWrapper.storeSet("value", "Hello, World!");
      assert.equal(await namespaceWrapper.storeGet("value"), "Hello, World!");
    });
    assert.equal(store.data.get("value"), '"Hello, World!"');
    // Another node (another store) does not see it.
    assert.equal(await runWithContext(fakeContext(), () => namespaceWrapper.storeGet("value")), null);
  });

  it("logs store errors and answers null, as Koii's wrapper does", async () => {
    const log: LogLine[] = [];
    await runWithContext(fakeContext({ log }), async () => {
      await namespaceWrapper.storeSet("k".repeat(300), "x");
      assert.equal(await namespaceWrapper.storeGet("missing"), null);
    });
    assert.match(log[0]?.message ?? "", /storeSet\(.*\) failed/);
  });

  it("binds each call to its own context, also when calls interleave", async () => {
    const first = memoryStore();
    const second = memoryStore();
    const slow = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.all([
      runWithContext(fakeContext({ store: first }), async () => {
        await slow(20);
        await namespaceWrapper.storeSet("who", "first");
      }),
      runWithContext(fakeContext({ store: second }), async () => {
        await namespaceWrapper.storeSet("who", "second");
        await slow(30);
        assert.equal(currentContext("test").store, second);
      }),
    ]);
    assert.equal(first.data.get("who"), '"first"');
    assert.equal(second.data.get("who"), '"second"');
  });

  it("reads round, slot and slot time from the ledger", async () => {
    await runWithContext(fakeContext({ ledger: ledger() }), async () => {
      assert.equal(await namespaceWrapper.getRound(), 6);
      assert.equal(await namespaceWrapper.getSlot(), 243);
      assert.equal(await namespaceWrapper.getAverageSlotTime(), 250);
    });
    assert.equal(await runWithContext(fakeContext(), () => namespaceWrapper.getAverageSlotTime()), 400);
  });

  it("builds Koii's task state from the ledger, filling the maps the options ask for", async () => {
    const plain = await runWithContext(fakeContext({ ledger: ledger() }), () => namespaceWrapper.getTaskState({}));
    assert.equal(plain.task_id, accountToKoiiKey(TASK_ID), "Koii's base58 form");
    // getTaskStateById takes the id as Koii code holds it (base58, from TASK_ID or task_id) or as 64 hex.
    for (const id of [plain.task_id as string, TASK_ID]) {
      const byId = await runWithContext(fakeContext({ ledger: ledger() }), () =>
        namespaceWrapper.getTaskStateById(id, "KOII", {}),
      );
      assert.equal(byId.task_name, "fixture");
    }
    await assert.rejects(
      runWithContext(fakeContext({ ledger: ledger() }), () => namespaceWrapper.getTaskStateById("not-an-id")),
      /expected a task id \(base58, or 64 hex\)/,
    );
    assert.equal(plain.task_name, "fixture");
    assert.equal(plain.task_manager, accountToKoiiKey(CREATOR));
    assert.equal(plain.is_active, true);
    assert.equal(plain.total_bounty_amount, 150_000_000_000);
    assert.equal(plain.bounty_amount_per_round, 10_000_000_000);
    assert.equal(plain.minimum_stake_amount, 2_000_000_000);
    assert.equal(plain.total_stake_amount, 60_000_000_000);
    assert.equal(plain.current_round, 6);
    assert.equal(plain.round_time, 40);
    assert.equal(plain.submission_window, 13);
    assert.equal(plain.audit_window, 13);
    assert.equal(plain.starting_slot, 2);
    assert.equal(plain.allowed_failed_distributions, 3);
    assert.deepEqual(plain.stake_list, {});
    assert.deepEqual(plain.submissions, {});
    assert.equal(Object.keys(plain.ip_address_list as object).length, 3);

    const full = await runWithContext(fakeContext({ ledger: ledger() }), () =>
      namespaceWrapper.getTaskState({
        is_stake_list_required: true,
        is_available_balances_required: true,
        is_submission_required: true,
        is_distribution_required: true,
      }),
    );
    assert.deepEqual(full.stake_list, {
      [accountToKoiiKey(A)]: 20_000_000_000,
      [accountToKoiiKey(B)]: 30_000_000_000,
      [accountToKoiiKey(C)]: 10_000_000_000,
    });
    assert.equal((full.available_balances as Record<string, number>)[accountToKoiiKey(C)], 7);
    assert.deepEqual(Object.keys(full.submissions as object), ["4", "5"]);
    assert.deepEqual(full.distributions_audit_record, { 4: "PayoutSuccessful", 5: "PayoutFailed" });
  });

  it("answers submission info with the revealed values fetched from the submitters' nodes", async () => {
    const info = await runWithContext(fakeContext({ ledger: ledger() }), () =>
      namespaceWrapper.getTaskSubmissionInfo(4),
    );
    const round = info.submissions[4] as Record<
      string,
      { submission_value: string | null; slot: number; round: number }
    >;
    assert.deepEqual(round[accountToKoiiKey(A)], { submission_value: "proof of A", slot: 123, round: 4 });
    // B's node does not serve the proof: the value is unknown, never invented.
    assert.equal(round[accountToKoiiKey(B)]?.submission_value, null);
    const trigger = info.submissions_audit_trigger[4]?.[accountToKoiiKey(B)];
    assert.equal(trigger?.trigger_by, accountToKoiiKey(C));
    assert.deepEqual(
      trigger?.votes.map((vote) => vote.is_valid),
      [true, false, false],
    );
    const none = await runWithContext(fakeContext({ ledger: ledger() }), () =>
      namespaceWrapper.getTaskSubmissionInfo(99),
    );
    assert.deepEqual(none, { submissions: {}, submissions_audit_trigger: {} });
  });

  it("answers distribution info and the submitted list (read from its blob)", async () => {
    const blobs = memoryBlobs();
    await blobs.put(encodeList(LIST_OF_CYCLE_4));
    await runWithContext(fakeContext({ ledger: ledger(), blobs }), async () => {
      const info = await namespaceWrapper.getTaskDistributionInfo(5);
      assert.deepEqual(info.distribution_rewards_submission[5], {
        [accountToKoiiKey(B)]: { submission_value: accountToKoiiKey(B), slot: null, round: 5 },
      });
      assert.deepEqual(Object.keys(info.distributions_audit_trigger[5] ?? {}), [accountToKoiiKey(B)]);
      const list = await namespaceWrapper.getDistributionList(accountToKoiiKey(A), 4);
      assert.deepEqual(JSON.parse(list ?? "null"), {
        [accountToKoiiKey(A)]: 5_000_000_000,
        [accountToKoiiKey(C)]: 4_000_000_000,
      });
      assert.equal(await namespaceWrapper.getDistributionList(accountToKoiiKey(B), 4), null);
    });
    // Without the blob the list reads empty: the ledger holds only its root.
    await runWithContext(fakeContext({ ledger: ledger() }), async () => {
      assert.deepEqual(JSON.parse((await namespaceWrapper.getDistributionList(accountToKoiiKey(A), 4)) ?? "null"), {});
    });
  });

  it("gives the node's key: main account, submitter account", async () => {
    const key = fakeNodeKey();
    await runWithContext(fakeContext({ key }), async () => {
      assert.equal(await namespaceWrapper.getMainAccountPubkey(), accountToKoiiKey(key.account));
      const keypair = await namespaceWrapper.getSubmitterAccount("KPL");
      assert.equal(keypair.publicKey.toBase58(), accountToKoiiKey(key.account));
    });
  });

  it("confines fs to the task folder", async () => {
    await runWithContext(fakeContext(), async () => {
      const basePath = await namespaceWrapper.getBasePath();
      await namespaceWrapper.fs("mkdir", "data", { recursive: true });
      await namespaceWrapper.fs("writeFile", "data/a.txt", "content");
      assert.equal(await namespaceWrapper.fs("readFile", `${basePath}/data/a.txt`, "utf8"), "content");
      await namespaceWrapper.fs("rename", "data/a.txt", "data/b.txt");
      assert.equal((await namespaceWrapper.fsReadStream("data/b.txt")).toString(), "content");
      const stream = await namespaceWrapper.fsWriteStream("data/c.txt");
      await new Promise<void>((resolve) => stream.end("streamed", resolve));
      assert.equal(await namespaceWrapper.fs("readFile", "data/c.txt", "utf8"), "streamed");
      await assert.rejects(namespaceWrapper.fs("readFile", "../outside.txt"), /outside the task folder/);
      await assert.rejects(namespaceWrapper.fs("readFile", "/etc/hostname"), /outside the task folder/);
      await assert.rejects(namespaceWrapper.fs("rename", "data/b.txt", "../../x"), /outside the task folder/);
      await assert.rejects(namespaceWrapper.fs("symlink", "/etc/passwd", "link"), KoiiUnsupportedError);
    });
  });

  it("logs through the node with Koii's levels", async () => {
    const log: LogLine[] = [];
    await runWithContext(fakeContext({ log }), async () => {
      assert.equal(await namespaceWrapper.logger("log", "hello", "task"), true);
      assert.equal(await namespaceWrapper.logger("warn", "careful", ""), true);
      assert.equal(await namespaceWrapper.logger("error", "bad", "audit"), true);
      assert.equal(await namespaceWrapper.logger("loud" as "log", "?", ""), false);
    });
    assert.deepEqual(log.slice(0, 3), [
      { level: "info", message: "hello (task)" },
      { level: "warn", message: "careful" },
      { level: "error", message: "bad (audit)" },
    ]);
  });

  it("names the method and the reason for everything with no meaning on gradual", async () => {
    const unsupported = [
      "getDb",
      "getTaskLevelDBPath",
      "getTaskDBPath",
      "fsStaking",
      "getTaskNodeVersion",
      "getRpcUrl",
      "getNodes",
      "getProgramAccounts",
      "retrieveThroughHttpGateway",
      "checkSubmissionAndUpdateRound",
      "validateAndVoteOnNodes",
      "auditSubmission",
      "selectAndGenerateDistributionList",
      "nodeSelectionDistributionList",
      "uploadDistributionList",
      "distributionListSubmissionOnChain",
      "validateAndVoteOnDistributionList",
      "distributionListAuditSubmission",
      "payoutTrigger",
      "stakeOnChain",
      "claimReward",
      "sendTransaction",
      "sendAndConfirmTransactionWrapper",
    ];
    await runWithContext(fakeContext(), async () => {
      for (const method of unsupported) {
        const call = wrapper[method] as (...args: unknown[]) => Promise<unknown>;
        await assert.rejects(call.call(namespaceWrapper, "x", 1), (error: unknown) => {
          assert.ok(error instanceof KoiiUnsupportedError, method);
          assert.match(error.message, new RegExp(`namespaceWrapper\\.${method}.* on gradual`));
          return true;
        });
      }
    });
  });

  it("keeps Koii's no-op setup methods and helpers", async () => {
    await namespaceWrapper.initializeDB();
    await namespaceWrapper.defaultTaskSetup();
    const bytes = await namespaceWrapper.bs58Decode(await namespaceWrapper.bs58Encode(new Uint8Array([0, 1, 2])));
    assert.deepEqual(bytes, new Uint8Array([0, 1, 2]));
    assert.equal(namespaceWrapper.decodePayload(new TextEncoder().encode("hé")), "hé");
  });
});
