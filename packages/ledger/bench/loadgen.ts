/**
 * The benchmark's load process (a separate process from the ledger, as the issue asks). Two modes:
 *
 *   throughput: sign `--count` transfers first (one core), then submit them over HTTP as fast as the ledger takes
 *               them, in batches, one stream per group of senders so that each sender's nonces arrive in order;
 *               report the rate of accepted, durable transactions (first submission to the block holding the last).
 *   paced:      submit `--rate` transfers a second for `--seconds`, signing as it goes, and report each one's
 *               inclusion latency in slots (its block minus the head when it was acknowledged).
 *
 * Prints one JSON line with the figures.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Transaction, transactionHash } from "@gradual/protocol";
import { createLedgerClient, keyPairFromSecret, type SubmitResult, signTransaction } from "../src/index.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    keys: { type: "string" },
    count: { type: "string", default: "40000" },
    batch: { type: "string", default: "256" },
    streams: { type: "string", default: "4" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
  },
});
const mode = positionals[0];
if (values.url === undefined || values.keys === undefined || (mode !== "throughput" && mode !== "paced")) {
  throw new Error(
    "usage: loadgen.ts throughput|paced --url URL --keys FILE [--count N --batch B --streams S | --rate R --seconds T]",
  );
}
const client = createLedgerClient({ url: values.url, timeoutMs: 120_000 });
const senders = (JSON.parse(readFileSync(values.keys, "utf8")) as string[]).map((secret) => keyPairFromSecret(secret));
const chain = await client.getChain();
const nonces = new Map<string, number>();
for (const sender of senders) nonces.set(sender.publicKey, (await client.getAccount(sender.publicKey)).nextNonce);

type Signed = { tx: Transaction; signature: string };

function signNext(senderIndex: number): Signed {
  const key = senders[senderIndex] as (typeof senders)[number];
  const nonce = nonces.get(key.publicKey) as number;
  nonces.set(key.publicKey, nonce + 1);
  const to = (senders[(senderIndex + 1) % senders.length] as (typeof senders)[number]).publicKey;
  const tx: Transaction = { kind: "transfer", chainId: chain.chainId, from: key.publicKey, nonce, to, amount: 1n };
  return { tx, signature: signTransaction(key, tx) };
}

const STATUS_CONCURRENCY = 64;

async function waitIncluded(hashes: readonly string[]): Promise<Map<string, number>> {
  const blocks = new Map<string, number>();
  let pending = [...hashes];
  while (pending.length > 0) {
    // At most STATUS_CONCURRENCY lookups at once: one request per pending hash at once ran out of file
    // descriptors (EMFILE) in the latency phase, with tens of thousands of hashes.
    const statuses: Awaited<ReturnType<typeof client.getTx>>[] = [];
    for (let from = 0; from < pending.length; from += STATUS_CONCURRENCY) {
      const slice = pending.slice(from, from + STATUS_CONCURRENCY);
      statuses.push(...(await Promise.all(slice.map((hash) => client.getTx(hash)))));
    }
    const still: string[] = [];
    statuses.forEach((status, index) => {
      const hash = pending[index] as string;
      if (status?.status === "included") {
        if (!status.result.ok) throw new Error(`${hash} refused: ${status.result.code}`);
        blocks.set(hash, status.block);
      } else still.push(hash);
    });
    pending = still;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return blocks;
}

async function throughput(): Promise<Record<string, unknown>> {
  const count = Number(values.count);
  const batchSize = Number(values.batch);
  const streamCount = Math.min(Number(values.streams), senders.length);
  const signStarted = performance.now();
  // Stream s owns senders s, s+S, ...; its transactions go out in nonce order, one batch at a time.
  const streams: Signed[][] = Array.from({ length: streamCount }, () => []);
  for (let index = 0; index < count; index += 1) {
    const sender = index % senders.length;
    (streams[sender % streamCount] as Signed[]).push(signNext(sender));
  }
  const signSeconds = (performance.now() - signStarted) / 1000;
  const startedAtMs = Date.now();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let acknowledged = 0;
  const refused = new Map<string, number>();
  await Promise.all(
    streams.map(async (stream) => {
      for (let start = 0; start < stream.length; start += batchSize) {
        const { results } = await client.submitBatch(stream.slice(start, start + batchSize));
        for (const result of results) {
          if ("error" in result) refused.set(result.error.code, (refused.get(result.error.code) ?? 0) + 1);
          else acknowledged += 1;
        }
      }
    }),
  );
  const ackSeconds = (performance.now() - started) / 1000;
  // Every sender's last transaction: once those are included, all earlier ones are (nonce order).
  const finals = new Map<string, Signed>();
  for (const stream of streams) for (const signed of stream) finals.set(signed.tx.from, signed);
  const blocks = await waitIncluded([...finals.values()].map((signed) => transactionHash(signed.tx)));
  const lastBlock = Math.max(...blocks.values());
  const block = await client.getBlock(lastBlock);
  const seconds = ((block?.producedAtMs ?? Date.now()) - startedAtMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
    mode: "throughput",
    submitted: count,
    acknowledged,
    refused: Object.fromEntries(refused),
    signSeconds,
    ackSeconds,
    ackRate: acknowledged / ackSeconds,
    seconds,
    acceptedRate: acknowledged / seconds,
    lastBlock,
  };
}

async function paced(): Promise<Record<string, unknown>> {
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const tickMs = 20;
  const perTick = rate / (1000 / tickMs);
  const acks: SubmitResult[] = [];
  const refused = new Map<string, number>();
  const failures: string[] = [];
  const inFlight: Promise<void>[] = [];
  // A sender with a batch in flight waits for its answer: its next nonce must not overtake the previous one.
  const busy = new Set<number>();
  let owed = 0;
  let sender = 0;
  let skipped = 0;
  const started = performance.now();
  for (let tick = 0; performance.now() - started < seconds * 1000; tick += 1) {
    owed += perTick;
    const batch: Signed[] = [];
    const members: number[] = [];
    for (let tried = 0; owed >= 1 && tried < senders.length; tried += 1) {
      const candidate = sender;
      sender = (sender + 1) % senders.length;
      if (busy.has(candidate)) continue;
      busy.add(candidate);
      members.push(candidate);
      batch.push(signNext(candidate));
      owed -= 1;
    }
    if (owed >= 1) {
      skipped += Math.floor(owed);
      owed -= Math.floor(owed);
    }
    if (batch.length > 0) {
      inFlight.push(
        client.submitBatch(batch).then(
          ({ results }) => {
            for (const member of members) busy.delete(member);
            for (const result of results) {
              if ("error" in result) refused.set(result.error.code, (refused.get(result.error.code) ?? 0) + 1);
              else acks.push(result);
            }
          },
          (error: unknown) => {
            // The batch's fate is unknown (its senders stay busy: their nonces may or may not be taken).
            failures.push(String(error));
          },
        ),
      );
    }
    const next = started + (tick + 1) * tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  const blocks = await waitIncluded(acks.map((ack) => ack.hash));
  const latencies = acks
    .map((ack) => (blocks.get(ack.hash) as number) - (ack.status === "pending" ? ack.receivedAtBlock : ack.block))
    .sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    mode: "paced",
    rate,
    seconds,
    acknowledged: acks.length,
    achievedRate: acks.length / seconds,
    refused: Object.fromEntries(refused),
    failedBatches: failures.length,
    firstFailure: failures[0] ?? null,
    skipped,
    p50Slots: quantile(0.5),
    p99Slots: quantile(0.99),
    maxSlots: latencies[latencies.length - 1] ?? 0,
  };
}

const result = mode === "throughput" ? await throughput() : await paced();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
