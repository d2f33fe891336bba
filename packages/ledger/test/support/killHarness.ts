import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TOKEN } from "@gradual/protocol";
import { createLedgerClient, genesisToJson, type SubmitResult, type TxStatusWire } from "../../src/index.ts";
import { makeGenesis, makeKeys } from "./fixtures.ts";
import { sendHostileTraffic } from "./hostileTraffic.ts";
import { type LedgerProcess, REPO_ROOT, runCli, spawnLedger, tempDir } from "./process.ts";

export type KillTestOptions = {
  readonly kills: number;
  /** Transactions a second from the load process (bounded load). */
  readonly rate?: number;
  readonly senders?: number;
  readonly minUpMs?: number;
  readonly maxUpMs?: number;
  readonly log?: (line: string) => void;
};

export type KillTestReport = {
  readonly kills: number;
  readonly acknowledged: number;
  readonly head: number;
  readonly seed: number;
};

type AckLine = { from: string; nonce: number; ack: SubmitResult } | { error: string; message: string };

/** A small seeded generator so a failing run can be replayed with the same kill moments (KILL_SEED=...). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * The kill test: a load process submits transfers while the ledger is killed with SIGKILL at random moments and
 * restarted, `kills` times. Then every acknowledged transaction must be there with the same result (an
 * acknowledgement that said "included" must still say so, in the same block), each sender's nonce must equal its
 * acknowledged count (nothing lost, nothing doubled), the chain must have continued from its last durable block
 * after each restart, and `gradual ledger verify` must pass.
 */
export async function runKillTest(options: KillTestOptions): Promise<KillTestReport> {
  const log = options.log ?? (() => {});
  const seed = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const next = random(seed);
  log(`kill test: ${options.kills} kills, seed ${seed} (rerun with KILL_SEED=${seed})`);
  const dir = tempDir("kill");
  const data = join(dir.path, "data");
  const keys = makeKeys(Array.from({ length: options.senders ?? 8 }, (_, index) => `sender${index}`));
  // Not given to the load process: sends hostile and unusual transactions after every restart.
  const hostile = makeKeys(["hostile"]).hostile;
  const genesisFile = join(dir.path, "genesis.json");
  const keysFile = join(dir.path, "keys.json");
  const ackFile = join(dir.path, "acks.jsonl");
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(makeGenesis({ ...keys, hostile }, 1_000n * TOKEN))));
  writeFileSync(keysFile, JSON.stringify(Object.values(keys).map((key) => key.secretKey)));
  writeFileSync(ackFile, "");
  const ledgerArgs = ["--slot-ms", "100", "--workers", "1"];
  let ledger: LedgerProcess = await spawnLedger(data, { args: ["--genesis", genesisFile, ...ledgerArgs] });
  const loadScript = fileURLToPath(new URL("./loadProcess.ts", import.meta.url));
  const load = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      loadScript,
      "--data",
      data,
      "--keys",
      keysFile,
      "--acks",
      ackFile,
      "--rate",
      String(options.rate ?? 200),
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
  const loadExited = new Promise<number | null>((resolve) => load.once("exit", (code) => resolve(code)));
  const hostileAcks: string[] = [];
  try {
    let lastSeenHead = 0;
    for (let kill = 1; kill <= options.kills; kill += 1) {
      const minUp = options.minUpMs ?? 150;
      const upMs = minUp + Math.floor(next() * ((options.maxUpMs ?? 1200) - minUp));
      await new Promise((resolve) => setTimeout(resolve, upMs));
      try {
        lastSeenHead = (await createLedgerClient({ url: ledger.url, timeoutMs: 2_000 }).getHead()).number;
      } catch {
        // Busy or just started: the head check below uses the last one seen.
      }
      await ledger.kill();
      ledger = await spawnLedger(data, { args: ledgerArgs });
      const head = (await createLedgerClient({ url: ledger.url }).getHead()).number;
      assert.ok(
        head >= lastSeenHead,
        `after kill ${kill} the chain restarted at ${head}, below block ${lastSeenHead} seen before`,
      );
      log(`kill ${kill}/${options.kills} after ${upMs} ms: restarted at block ${head}`);
      try {
        // Every third restart (and the first): hostile traffic while the load process catches up.
        if (kill % 3 === 1) hostileAcks.push(...(await sendHostileTraffic(ledger.url, hostile, "gradual-test")));
      } catch (error) {
        // A 5xx or a wrong status fails the run; a timeout while the ledger is busy does not.
        if (error instanceof assert.AssertionError) throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    load.kill("SIGTERM");
    assert.equal(await loadExited, 0, "the load process failed (see its last ack line)");
    const client = createLedgerClient({ url: ledger.url });
    for (let tries = 0; tries < 150; tries += 1) {
      const statuses = await Promise.all(hostileAcks.map((hash) => client.getTx(hash)));
      if (statuses.every((status) => status?.status === "included")) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const hash of hostileAcks) {
      const status = await client.getTx(hash);
      assert.equal(status?.status, "included", `hostile acknowledged ${hash} not included`);
      assert.equal(status?.status === "included" && status.result.ok, false, "a hostile transaction was accepted");
    }
    log(`kill test: ${hostileAcks.length} hostile transactions acknowledged, all included as failures`);
    return await checkAcknowledged(ledger, ackFile, data, options.kills, seed, log);
  } finally {
    if (load.exitCode === null) load.kill("SIGKILL");
    await ledger.kill().catch(() => {});
    dir.remove();
  }
}

async function checkAcknowledged(
  ledger: LedgerProcess,
  ackFile: string,
  data: string,
  kills: number,
  seed: number,
  log: (line: string) => void,
): Promise<KillTestReport> {
  const lines = readFileSync(ackFile, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as AckLine);
  const failure = lines.find((line) => "error" in line);
  assert.equal(failure, undefined, `the ledger refused a transaction: ${JSON.stringify(failure)}`);
  const acks = lines as Extract<AckLine, { ack: unknown }>[];
  assert.ok(acks.length > 0, "no transaction was acknowledged");
  const client = createLedgerClient({ url: ledger.url });
  const last = acks.map((line) => line.ack.hash);
  const deadline = Date.now() + 30_000;
  let statuses: (TxStatusWire | undefined)[] = [];
  for (;;) {
    statuses = [];
    for (let start = 0; start < last.length; start += 50) {
      statuses.push(...(await Promise.all(last.slice(start, start + 50).map((hash) => client.getTx(hash)))));
    }
    if (statuses.every((status) => status?.status === "included") || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const counts = new Map<string, number>();
  acks.forEach((line, index) => {
    const status = statuses[index];
    assert.ok(status !== undefined, `acknowledged transaction ${line.ack.hash} (nonce ${line.nonce}) is gone`);
    assert.equal(status.status, "included", `acknowledged ${line.ack.hash} never included`);
    if (line.ack.status === "included" && status.status === "included") {
      assert.equal(
        status.block,
        line.ack.block,
        `${line.ack.hash} moved from block ${line.ack.block} to ${status.block}`,
      );
      assert.deepEqual(status.result, line.ack.result);
    }
    assert.equal(status.status === "included" && status.result.ok, true, `${line.ack.hash} refused`);
    counts.set(line.from, Math.max(counts.get(line.from) ?? 0, line.nonce + 1));
  });
  for (const [account, count] of counts) {
    const view = await client.getAccount(account);
    assert.equal(view.nonce, count, `${account}: nonce ${view.nonce} after ${count} acknowledged transactions`);
  }
  const head = (await client.getHead()).number;
  await ledger.stop();
  const verify = await runCli(["ledger", "verify", "--data", data, "--workers", "1"], { timeoutMs: 120_000 });
  assert.equal(verify.code, 0, `verify failed: ${verify.stdout}${verify.stderr}`);
  log(`kill test: ${acks.length} acknowledged transactions all present; ${verify.stdout.trim()}`);
  return { kills, acknowledged: acks.length, head, seed };
}
