import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLedgerClient, generateKeyPair, saveKeyFile, startLedger } from "@gradual/ledger";
import { DEVNET_PARAMS, sha256Hex } from "@gradual/protocol";
import { createEscrowKeeper } from "../src/devnet/escrowKeeper.ts";

/** The devnet keeps its task funded: a low escrow is topped up by the creator, and a failure is said once. */
test("the escrow keeper tops up a low escrow from the creator's balance, and warns once when it cannot", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gradual-escrow-"));
  const running = await startLedger({ dataDir: join(dir, "ledger"), port: 0, devnet: true, slotMs: 100, workers: 1 });
  try {
    const client = createLedgerClient({ url: running.url, timeoutMs: 20_000 });
    const creator = generateKeyPair();
    const keyFile = join(dir, "creator.json");
    saveKeyFile(keyFile, creator);
    const bounty = DEVNET_PARAMS.bountyPerRound;
    await client.faucet(creator.publicKey, 10n * bounty, { timeoutMs: 10_000 });
    const created = await client.send(
      creator,
      {
        kind: "createTask",
        name: "escrow-keeper",
        bundleHash: sha256Hex("no bundle"),
        metadataHash: null,
        params: DEVNET_PARAMS,
        funding: 2n * bounty,
      },
      { timeoutMs: 10_000 },
    );
    assert.ok(created.status === "included" && created.result.ok, JSON.stringify(created));
    const taskId = created.hash;
    const lines: string[] = [];
    const keeper = createEscrowKeeper({
      client,
      taskId,
      creatorKeyFile: keyFile,
      write: (line) => lines.push(line),
      lowRounds: 4n,
      topUpRounds: 10n,
    });
    const fundings = async () => {
      const head = (await client.getHead()).number;
      const amounts: bigint[] = [];
      for (let from = 0; from <= head; from += 100)
        for (const block of await client.getBlocks(from, Math.min(head, from + 99)))
          for (const { event } of block.events)
            if (event.type === "TaskFunded" && event.from === creator.publicKey) amounts.push(BigInt(event.amount));
      return amounts;
    };
    await keeper.check();
    assert.deepEqual(await fundings(), [10n * bounty], "topped up once by ten bounties (the faucet covered the rest)");
    assert.match(lines.join("\n"), /creator topped up the task with [\d.]+ tokens/);
    // Now far above the threshold (about 12 bounties >= 4): nothing to do.
    await keeper.check();
    assert.equal((await fundings()).length, 1);

    // A keeper whose top-up the faucet cannot cover (over its per-request maximum) says so once, however often it runs.
    const broke = createEscrowKeeper({
      client,
      taskId,
      creatorKeyFile: keyFile,
      write: (line) => lines.push(line),
      lowRounds: 1_000n,
      topUpRounds: 1_000_000n,
    });
    lines.length = 0;
    await broke.check();
    await broke.check();
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0] ?? "", /cannot top up the task .*gradual task fund [0-9a-f]{64} --amount N/);
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
