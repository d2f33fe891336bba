/**
 * What an account's vesting costs the protocol against `vestingRounds` (V): one pool per account since deviation 42
 * (protocol.md §7.1), so a claim and a slash should cost the same at every V (docs/benchmarks.md, "bench:vesting").
 *
 *   npm run bench:vesting                                   V = 4 (devnet), 64 and 1,008 (mainnet)
 *   GRADUAL_VESTING_BENCH_ROUNDS=4,24 npm run bench:vesting
 *
 * For each V: a record paid and claimed in each of V + 2 rounds; then, per claim, what the core does with it in a
 * steady round (the round's payment added, `claimAll`, the record's leaf bytes and their SHA-256, as the
 * state root hashes a changed record), and per slash `slashLocked` alone. CPU time, median of 5 batches, and as a
 * ratio of one ed25519 verify measured in the same run (node:crypto, as the ledger's edge verifies).
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { cpus } from "node:os";
import { sha256 } from "../src/encoding/hash.ts";
import { recordBytes } from "../src/encoding/recordBytes.ts";
import type { VestingRecord } from "../src/types.ts";
import { addPayment, claimAll, EMPTY_VESTING, slashLocked } from "../src/vesting.ts";

const ROUNDS = (process.env.GRADUAL_VESTING_BENCH_ROUNDS ?? "4,64,1008").split(",").map(Number);
const SHARE = 123_456_789_012_345n;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Median CPU milliseconds of one call of `body`, over 5 batches of `count` calls. */
function medianMs(count: number, body: (index: number) => void): number {
  const batches: number[] = [];
  for (let batch = 0; batch < 5; batch += 1) {
    const start = cpuMs();
    for (let index = 0; index < count; index += 1) body(index);
    batches.push((cpuMs() - start) / count);
  }
  return batches.sort((left, right) => left - right)[2] as number;
}

function verifyMs(): number {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const payload = new TextEncoder().encode("a vote's signing payload, about this long, for the ratio's unit".repeat(3));
  const signature = sign(null, payload, privateKey);
  return medianMs(500, () => {
    if (!verify(null, payload, publicKey, signature)) throw new Error("ed25519 verify failed");
  });
}

/** A node paid and claiming in every round since round 0 (V + 2 rounds: the steady state of a tranche list). */
function steadyRecord(vestingRounds: number): VestingRecord {
  let record = EMPTY_VESTING;
  for (let round = 0; round <= vestingRounds + 1; round += 1) {
    record = addPayment(record, SHARE, round, vestingRounds);
    record = claimAll(record, round).record;
  }
  return record;
}

function main(): void {
  const verify = verifyMs();
  const lines = [
    `bench:vesting: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, node ${process.version}`,
    `one ed25519 verify: ${(verify * 1000).toFixed(1)} µs`,
    "",
    "| vestingRounds | held as | record leaf bytes | claim (add, claimAll, leaf bytes, SHA-256) | as verifies | slashLocked | as verifies |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const vestingRounds of ROUNDS) {
    const record = steadyRecord(vestingRounds);
    const round = vestingRounds + 2;
    const count = Math.max(20, Math.floor(40_000 / (vestingRounds + 4)));
    const claim = medianMs(count, () => {
      const paid = addPayment(record, SHARE, round, vestingRounds);
      sha256(recordBytes(claimAll(paid, round).record));
    });
    const slash = medianMs(count, () => slashLocked(record, round, 3_000));
    lines.push(
      `| ${vestingRounds} | ${record.locked > 0n ? 1 : 0} pool | ${recordBytes(record).length} | ${(claim * 1000).toFixed(1)} µs | ` +
        `${(claim / verify).toFixed(2)}× | ${(slash * 1000).toFixed(1)} µs | ${(slash / verify).toFixed(2)}× |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main();
