/**
 * `npm run bench:ledger`: the ledger's figures, measured in one run and printed as ratios.
 *
 *  1. raw ed25519 verify rate of one core (node:crypto, in this process, nothing else running), and of every core
 *     at once (one thread per core: the machine's ceiling for verification);
 *  2. sustained throughput of accepted, durable transactions submitted over HTTP by a separate load process
 *     (bench/loadgen.ts; it signs everything first, then submits batches) -> ratio to (1)'s one-core rate, goal
 *     >= 0.8x (issue 20; issue 13's floor 0.68x), >= 1.5x using both cores; with the CPU time the ledger process
 *     (all its threads) and the load process spent per transaction, which a loaded machine inflates less than the
 *     rates;
 *  3. inclusion latency at half that load, in slots: p50 and p99 (goal p99 <= 2);
 *  4. the ledger's RSS with 10,000 staked nodes in one task (goal < 300 MB).
 *
 * Environment: BENCH_TXS (default 60000) transactions for (2), BENCH_NODES (default 10000) for (4),
 * BENCH_STREAMS (default 16) concurrent submission streams of the load process, BENCH_PHASES (default
 * "throughput,rss") the parts to run.
 */
import { spawn } from "node:child_process";
import { createPublicKey, verify as verifySignature } from "node:crypto";
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DEVNET_PARAMS, sha256Hex, signingPayload, TOKEN, type Transaction } from "@gradual/protocol";
import {
  createLedgerClient,
  generateKeyPair,
  genesisToJson,
  type KeyPair,
  type LedgerGenesis,
  publicKeyObject,
  signTransaction,
} from "../src/index.ts";
import { REPO_ROOT, spawnLedger, tempDir } from "../test/support/process.ts";

const TXS = Number(process.env.BENCH_TXS ?? 60_000);
const NODES = Number(process.env.BENCH_NODES ?? 10_000);
/**
 * Concurrent submission streams (each sends its senders' batches one after the other). 16: with 4, the load
 * process waits on acknowledgements more than the ledger works (each stream has one 256-transaction batch in flight,
 * and an acknowledgement waits for its group commit), so the figure measured the round trip rather than the capacity.
 */
const STREAMS = Number(process.env.BENCH_STREAMS ?? 16);
/** Which parts to run: "throughput" (with the latency phase) and "rss"; both unless BENCH_PHASES says otherwise. */
const PHASES = new Set((process.env.BENCH_PHASES ?? "throughput,rss").split(","));
const summary: string[] = [];
const SENDERS = 256;
const CHAIN = "gradual-bench";
const out = (line: string) => process.stdout.write(`${line}\n`);

function rawVerifyRate(): number {
  const key = generateKeyPair();
  const tx: Transaction = {
    kind: "transfer",
    chainId: CHAIN,
    from: key.publicKey,
    nonce: 7,
    to: key.publicKey,
    amount: 5n,
  };
  const payload = signingPayload(tx);
  const signature = Buffer.from(signTransaction(key, tx), "hex");
  const publicKey = publicKeyObject(key.publicKey);
  for (let index = 0; index < 2_000; index += 1) verifySignature(null, payload, publicKey, signature);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 3_000) {
    for (let index = 0; index < 100; index += 1) verifySignature(null, payload, publicKey, signature);
    count += 100;
  }
  return count / ((performance.now() - started) / 1000);
}

/**
 * What importing a signer's public key costs, in microseconds, as DER (SPKI) and as JWK: a ledger verifying for more
 * signers than its key caches hold imports one per signature (bench:scale's 10,000 nodes), so the import is part of
 * the verify. OpenSSL 3 runs a DER key through its decoder framework; a JWK goes straight to the raw import.
 */
function keyImportMicros(): { der: number; jwk: number } {
  const accounts = Array.from({ length: 500 }, () => generateKeyPair().publicKey);
  const spkiPrefix = Buffer.from("302a300506032b6570032100", "hex");
  const time = (importKey: (account: string) => unknown) => {
    for (const account of accounts) importKey(account);
    let count = 0;
    const started = performance.now();
    while (performance.now() - started < 1_000) {
      for (const account of accounts) importKey(account);
      count += accounts.length;
    }
    return ((performance.now() - started) * 1000) / count;
  };
  return {
    der: time((account) =>
      createPublicKey({ key: Buffer.concat([spkiPrefix, Buffer.from(account, "hex")]), format: "der", type: "spki" }),
    ),
    jwk: time((account) =>
      createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(account, "hex").toString("base64url") },
        format: "jwk",
      }),
    ),
  };
}

/** The same loop on one thread per core at once: what verification could reach if it had every core alone. */
async function rawVerifyRateAllCores(): Promise<{ threads: number; rate: number }> {
  const key = generateKeyPair();
  const tx: Transaction = {
    kind: "transfer",
    chainId: CHAIN,
    from: key.publicKey,
    nonce: 7,
    to: key.publicKey,
    amount: 5n,
  };
  const source = `
const { parentPort, workerData } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const key = createPublicKey({ key: Buffer.from(workerData.spki), format: "der", type: "spki" });
const payload = Buffer.from(workerData.payload);
const signature = Buffer.from(workerData.signature);
for (let index = 0; index < 2000; index += 1) verify(null, payload, key, signature);
let count = 0;
const started = performance.now();
while (performance.now() - started < 3000) {
  for (let index = 0; index < 100; index += 1) verify(null, payload, key, signature);
  count += 100;
}
parentPort.postMessage(count / ((performance.now() - started) / 1000));
`;
  const workerData = {
    spki: publicKeyObject(key.publicKey).export({ format: "der", type: "spki" }),
    payload: signingPayload(tx),
    signature: Buffer.from(signTransaction(key, tx), "hex"),
  };
  const threads = availableParallelism();
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData });
          worker.once("message", (rate: number) => {
            resolve(rate);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    ),
  );
  return { threads, rate: rates.reduce((sum, rate) => sum + rate, 0) };
}

async function ledgerCpuSeconds(url: string): Promise<number> {
  const text = await createLedgerClient({ url }).metrics();
  return Number(/^process_cpu_seconds_total ([0-9.e+-]+)$/m.exec(text)?.[1]);
}

function genesisOf(keys: readonly KeyPair[], balance: bigint): LedgerGenesis {
  return { chainId: CHAIN, accounts: keys.map((key) => ({ account: key.publicKey, balance })), devnet: null };
}

function runLoadgen(args: readonly string[]): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL("./loadgen.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`loadgen ${args[0]} exited with ${code}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, number>);
    });
  });
}

async function throughputAndLatency(raw: number) {
  const dir = tempDir("bench");
  const senders = Array.from({ length: SENDERS }, () => generateKeyPair());
  const genesisFile = join(dir.path, "genesis.json");
  const keysFile = join(dir.path, "keys.json");
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesisOf(senders, 1_000_000n * TOKEN))));
  writeFileSync(keysFile, JSON.stringify(senders.map((key) => key.secretKey)));
  const ledger = await spawnLedger(join(dir.path, "data"), { args: ["--genesis", genesisFile, "--slot-ms", "400"] });
  try {
    out(
      `throughput: ${TXS} transfers from ${SENDERS} senders, signed first by the load process, then submitted in batches by ${STREAMS} streams`,
    );
    const cpuBefore = await ledgerCpuSeconds(ledger.url);
    const load = await runLoadgen([
      "throughput",
      "--url",
      ledger.url,
      "--keys",
      keysFile,
      "--count",
      String(TXS),
      "--streams",
      String(STREAMS),
    ]);
    const ledgerCpuUsPerTx = (((await ledgerCpuSeconds(ledger.url)) - cpuBefore) * 1e6) / (load.acknowledged as number);
    const loadCpuUsPerTx = ((load.loadCpuSeconds as number) * 1e6) / (load.acknowledged as number);
    const rate = load.acceptedRate as number;
    out(
      `  signed in ${(load.signSeconds as number).toFixed(1)} s; acknowledged (durably logged) at ${(load.ackRate as number).toFixed(0)} tx/s; ` +
        `accepted and durable (first submission to the block holding the last) at ${rate.toFixed(0)} tx/s over ${(load.seconds as number).toFixed(1)} s`,
    );
    out(`  ratio to one core's raw verify rate: ${(rate / raw).toFixed(2)}x (goal >= 0.8x; >= 1.5x using both cores)`);
    out(
      `  CPU per transaction: ledger process ${ledgerCpuUsPerTx.toFixed(0)} µs (all threads), load process ${loadCpuUsPerTx.toFixed(0)} µs; ` +
        `one raw verify is ${(1e6 / raw).toFixed(0)} µs`,
    );
    const half = Math.max(1, Math.round(rate / 2));
    out(`latency: ${half} tx/s (half the measured throughput) for 10 s, signed as they go`);
    const paced = await runLoadgen([
      "paced",
      "--url",
      ledger.url,
      "--keys",
      keysFile,
      "--rate",
      String(half),
      "--seconds",
      "10",
    ]);
    out(
      `  inclusion latency in slots: p50 ${paced.p50Slots}, p99 ${paced.p99Slots}, max ${paced.maxSlots} over ${paced.acknowledged} transactions ` +
        `(${(paced.achievedRate as number).toFixed(0)} tx/s achieved; goal p99 <= 2)` +
        (paced.failedBatches ? `; ${paced.failedBatches} batches failed: ${paced.firstFailure}` : ""),
    );
    const metrics = await createLedgerClient({ url: ledger.url }).metrics();
    const lag = /gradual_ledger_slot_lag (\d+)/.exec(metrics)?.[1];
    out(`  slot lag at the end: ${lag}`);
    return { rate, paced, ledgerCpuUsPerTx, loadCpuUsPerTx };
  } finally {
    await ledger.stop();
    dir.remove();
  }
}

async function rssWithStakedNodes(count: number) {
  const dir = tempDir("bench-rss");
  const creator = generateKeyPair();
  const nodes = Array.from({ length: count }, () => generateKeyPair());
  const genesisFile = join(dir.path, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesisOf([creator, ...nodes], 1_000n * TOKEN))));
  const ledger = await spawnLedger(join(dir.path, "data"), { args: ["--genesis", genesisFile, "--slot-ms", "100"] });
  const client = createLedgerClient({ url: ledger.url, timeoutMs: 120_000 });
  const rss = async () => Number(/process_resident_memory_bytes (\d+)/.exec(await client.metrics())?.[1]) / 2 ** 20;
  try {
    const before = await rss();
    const params = { ...DEVNET_PARAMS, maxNodes: count, warmupRounds: 0 };
    const createTx: Transaction = {
      kind: "createTask",
      chainId: CHAIN,
      from: creator.publicKey,
      nonce: 0,
      name: "rss",
      bundleHash: sha256Hex("bundle"),
      metadataHash: null,
      params,
      funding: 500n * TOKEN,
    };
    const created = await client.submitAndWait(
      { tx: createTx, signature: signTransaction(creator, createTx) },
      { timeoutMs: 30_000 },
    );
    const task = created.hash;
    const stakes = nodes.map((key) => {
      const tx: Transaction = {
        kind: "stake",
        chainId: CHAIN,
        from: key.publicKey,
        nonce: 0,
        task,
        amount: 20n * TOKEN,
        nodeUrl: "http://node.test:8080",
      };
      return { tx, signature: signTransaction(key, tx) };
    });
    for (let start = 0; start < stakes.length; start += 1_000) {
      const batch = stakes.slice(start, start + 1_000);
      const wait = start + 1_000 >= stakes.length ? { timeoutMs: 60_000 } : undefined;
      const { results } = await client.submitBatch(batch, wait);
      const refused = results.find((result) => "error" in result);
      if (refused !== undefined) throw new Error(`stake refused: ${JSON.stringify(refused)}`);
    }
    // Let the task run a full round with every node staked (round starts, window ends).
    const view = await client.getTask(task);
    const start = (await client.getHead()).number;
    while ((await client.getHead()).number < start + params.roundSlots + 1)
      await new Promise((r) => setTimeout(r, 200));
    const after = await rss();
    out(
      `rss: ${view?.task.nodeCount} staked nodes in one task (${count + 1} funded accounts): ${after.toFixed(0)} MB ` +
        `(${before.toFixed(0)} MB before staking; goal < 300 MB)`,
    );
    return after;
  } finally {
    await ledger.stop();
    dir.remove();
  }
}

out(`ledger benchmark on ${process.platform}/${process.arch}, node ${process.version}`);
if (PHASES.has("throughput")) {
  const raw = rawVerifyRate();
  out(`raw ed25519 verify, one core (node:crypto): ${raw.toFixed(0)} verifies/s`);
  const imports = keyImportMicros();
  const verifyMicros = 1e6 / raw;
  out(
    `public key import: ${imports.der.toFixed(1)} µs as DER (${(imports.der / verifyMicros).toFixed(2)}x a verify), ` +
      `${imports.jwk.toFixed(1)} µs as JWK (${(imports.jwk / verifyMicros).toFixed(2)}x; what the ledger does)`,
  );
  const all = await rawVerifyRateAllCores();
  out(
    `raw ed25519 verify, ${all.threads} threads at once: ${all.rate.toFixed(0)} verifies/s (${(all.rate / raw).toFixed(2)}x one core)`,
  );
  const { rate, paced, ledgerCpuUsPerTx, loadCpuUsPerTx } = await throughputAndLatency(raw);
  summary.push(
    `  throughput / raw single-core verify rate: ${(rate / raw).toFixed(2)}x  (${rate.toFixed(0)} / ${raw.toFixed(0)}; goal >= 0.8x, >= 1.5x using both cores)`,
    `  throughput / raw verify rate of all ${all.threads} cores: ${(rate / all.rate).toFixed(2)}x  (${all.rate.toFixed(0)} verifies/s)`,
    `  CPU per transaction: ledger ${ledgerCpuUsPerTx.toFixed(0)} µs + load process ${loadCpuUsPerTx.toFixed(0)} µs = ${(ledgerCpuUsPerTx / (1e6 / raw)).toFixed(2)} + ${(loadCpuUsPerTx / (1e6 / raw)).toFixed(2)} raw verifies`,
    `  inclusion latency at half load: p50 ${paced.p50Slots} slots, p99 ${paced.p99Slots} slots  (goal p99 <= 2)`,
  );
}
if (PHASES.has("rss")) {
  const rss = await rssWithStakedNodes(NODES);
  summary.push(`  RSS with ${NODES} staked nodes: ${rss.toFixed(0)} MB  (goal < 300 MB)`);
}
out("");
out("summary (one run):");
for (const line of summary) out(line);
process.exit(0);
