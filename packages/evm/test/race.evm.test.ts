/**
 * The contract's distributor race (`GradualRace.sol`, through the test-only `GradualRaceHarness`) against the core's
 * `random.ts` (protocol.md §6.1, deviation 35): `log2Fixed`, `raceTime` and `beatsInRace` must agree bit for bit, or
 * a list posted on the EVM could replace another than the core's would. Seeded inputs (replayable): edges of every
 * power of two up to 2^64, random values of every bit length, random seeds, attempts and accounts, and race pairs
 * with zero, equal and random weights and times.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/race.evm.test.ts
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { beatsInRace, log2Fixed, raceTime } from "@gradual/protocol";
import { type Abi, encodeDeployData, type Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { compileContracts, loadArtifact } from "../src/compile.ts";
import { read, send, useHarness } from "./harnessClient.ts";

let anvil: Anvil | undefined;

/** xorshift64*: the same inputs on every run. */
function random(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffff_ffff_ffff_ffffn;
    state ^= state >> 27n;
    return (state * 0x2545_f491_4f6c_dd1dn) & 0xffff_ffff_ffff_ffffn;
  };
}

const hex32 = (next: () => bigint): string =>
  [next(), next(), next(), next()].map((word) => word.toString(16).padStart(16, "0")).join("");

before(async () => {
  compileContracts({ includeTests: true });
  const artifact = loadArtifact("GradualRaceHarness", { includeTests: true });
  const abi = artifact.abi as Abi;
  anvil = await startAnvil();
  useHarness(anvil, "0x", abi);
  const receipt = await send(encodeDeployData({ abi, bytecode: artifact.bytecode }), null);
  assert.equal(receipt.status, "0x1");
  useHarness(anvil, receipt.contractAddress as Hex, abi);
});

after(async () => {
  await anvil?.stop();
});

test("log2Fixed: the contract's equals the core's at every power of two and its neighbours, and at random values of every length", async () => {
  const next = random(0x9e37_79b9_7f4a_7c15n);
  const inputs: bigint[] = [1n, 2n, 3n];
  for (let bits = 2n; bits <= 64n; bits += 1n) {
    inputs.push((1n << bits) - 1n, 1n << bits, (1n << bits) + 1n);
    inputs.push((next() % (1n << bits)) + 1n);
  }
  for (let index = 0; index < 120; index += 1) inputs.push((next() >> (next() % 64n)) + 1n);
  for (const x of inputs) {
    assert.equal(await read<bigint>("log2Fixed", [x]), log2Fixed(x), `log2Fixed(${x})`);
  }
});

test("raceTime: the contract's equals the core's for random seeds, attempts and accounts", async () => {
  const next = random(0x1234_5678_9abc_def1n);
  for (let index = 0; index < 80; index += 1) {
    const seed = hex32(next);
    const node = hex32(next);
    const attempt = Number(next() % 17n);
    const expected = raceTime(seed, attempt, node);
    assert.equal(await read<bigint>("raceTime", [`0x${seed}`, attempt, `0x${node}`]), expected, `raceTime #${index}`);
  }
});

test("beats: the contract's equals the core's beatsInRace over zero, equal and random weights and times, both ways", async () => {
  const next = random(0x0ddb_a11c_afe5_eed5n);
  const pick = (values: readonly bigint[]) => values[Number(next() % BigInt(values.length))] as bigint;
  let challengerWins = 0;
  for (let index = 0; index < 150; index += 1) {
    const accounts = [hex32(next), hex32(next)].sort();
    const time = pick([0n, 1n, next() % (64n << 48n), 64n << 48n]);
    const challenger = {
      node: pick([0n, 1n]) === 0n ? (accounts[0] as string) : (accounts[1] as string),
      time,
      weight: pick([0n, 1n, 300n, next() % (1n << 127n)]),
    };
    const holder = {
      node: challenger.node === accounts[0] ? (accounts[1] as string) : (accounts[0] as string),
      time: pick([time, next() % (64n << 48n)]),
      weight: pick([0n, challenger.weight, 300n, next() % (1n << 127n)]),
    };
    for (const [a, b] of [
      [challenger, holder],
      [holder, challenger],
    ] as const) {
      const expected = beatsInRace(a, b);
      if (expected) challengerWins += 1;
      const got = await read<boolean>("beats", [`0x${a.node}`, a.time, a.weight, `0x${b.node}`, b.time, b.weight]);
      assert.equal(
        got,
        expected,
        `beats #${index}: ${JSON.stringify([a, b], (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`,
      );
    }
  }
  // Both outcomes occur (the inputs are not one-sided).
  assert.ok(challengerWins > 30 && challengerWins < 270, `challenger won ${challengerWins} of 300`);
});
