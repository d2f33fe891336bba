/**
 * The indexer on anvil with the custom rule's lists, on the production contract: three lists of one attempt posted
 * in race order (each replacing the one before), accepted, and every entry claimed with its Merkle proof (one by
 * another account); in the next cycle a missing list, then a contested list rejected by its trigger. Every call and
 * window end is replayed through the core without a divergence, and the replayed records equal the contract's views.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/indexerLists.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  computeCommitment,
  type DistributionEntry,
  listBlobHash,
  listRoot,
  listTree,
  proofAt,
  raceTime,
  readRecord as readCoreRecord,
  sha256Hex,
  type TaskParams,
} from "@gradual/protocol";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { paramsToStruct } from "../src/indexer/calls.ts";
import type { Indexer } from "../src/indexer/indexer.ts";
import { deployScenario, id32, PARAMS, type Scenario } from "./evmScenario.ts";
import { h32, read } from "./harnessClient.ts";
import { assertLogged, compareReplayWithViews, replayWithWordBumped, startScenarioIndexer } from "./indexerChecks.ts";

let anvil: Anvil | undefined;
let scenario: Scenario;
let taskId: string;
const dir = mkdtempSync(join(tmpdir(), "gradual-indexer-lists-"));
let indexer: Indexer | undefined;

const name = (who: string) => sha256Hex(`gradual/evm-indexer-lists/${who}`);

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  const [alice, bob, carol, dave] = scenario.accounts as [Hex, Hex, Hex, Hex];
  const nodes = [bob, carol, dave];
  const { at, call } = scenario;
  const params: TaskParams = { ...PARAMS, rampRounds: 0, distributionRule: "custom" };
  const proof = (who: Hex, cycle: number) => sha256Hex(`proof:lists:${who}:${cycle}`);
  const salt = (who: Hex, cycle: number) => sha256Hex(`salt:lists:${who}:${cycle}`);
  await at(1);
  await call(alice, "deposit", [20_000n]);
  for (const who of nodes) await call(who, "deposit", [1_000n]);
  await at(9);
  const created = await call(alice, "createTask", [
    "lists",
    h32(name("bundle")),
    h32(null),
    paramsToStruct(params),
    10_000n,
  ]);
  const log = created.logs.find((entry) => entry.address.toLowerCase() === scenario.contract.toLowerCase());
  taskId = ((log as { topics: Hex[] }).topics[1] as Hex).slice(2);
  const task = h32(taskId);
  await at(10);
  for (const who of nodes) await call(who, "stake", [task, 200n, "http://n.test"]);
  for (const cycle of [0, 1]) {
    await at(17 + 10 * cycle);
    for (const who of nodes) {
      const node = id32(who).slice(2);
      const commitment = computeCommitment({
        task: taskId,
        cycle,
        node,
        proofDigest: proof(who, cycle),
        salt: salt(who, cycle),
      });
      await call(who, "commit", [task, cycle, h32(commitment)]);
    }
    await at(20 + 10 * cycle);
    for (const who of nodes) await call(who, "reveal", [task, cycle, h32(proof(who, cycle)), h32(salt(who, cycle))]);
  }
  // Slot 30 (round 2): cycle 0's list window. Equal weights: the race time decides; the slowest posts first, so that
  // every list replaces the one before.
  const entries: DistributionEntry[] = nodes.map((who) => ({ recipient: id32(who).slice(2), amount: 333n }));
  const post = (cycle: number, attempt: number) => [
    task,
    cycle,
    attempt,
    h32(listRoot(entries)),
    h32(listBlobHash(entries)),
    999n,
    entries.length,
  ];
  await at(31);
  await call(alice, "settle", [task, 1000n]);
  scenario.useViews();
  const seed = ((await read<Record<string, unknown>>("getCycle", [task, 0])).seed as Hex).slice(2);
  const slowestFirst = [...nodes].sort((a, b) =>
    Number(raceTime(seed, 0, id32(b).slice(2)) - raceTime(seed, 0, id32(a).slice(2))),
  );
  for (const who of slowestFirst) await call(who, "submitDistribution", post(0, 0));
  // Slot 37: the list is accepted (settled by the next call). Every entry is claimed, bob's by alice.
  await at(41);
  const tree = listTree(entries);
  for (const [index, who] of nodes.entries()) {
    const args = [task, 0, h32(entries[index]?.recipient ?? null), 333n, BigInt(index), proofAt(tree, index).map(h32)];
    await call(index === 0 ? alice : who, "claimDistribution", args);
  }
  // Cycle 1: no list in its first attempt (round 3, slot 42: missing); in the second (round 4) carol's list is
  // contested by bob, dave votes invalid: upheld (2/3 of the weight, below the supermajority: no slash), rejected.
  await at(51);
  await call(carol, "submitDistribution", post(1, 1));
  await at(53);
  const distributor = id32(carol);
  await call(bob, "triggerAudit", [task, 1, 1, 0, 1, distributor, h32(name("list"))]);
  const trigger = Number((await read<Record<string, unknown>>("getCycle", [task, 1])).triggerCount) - 1;
  await call(dave, "vote", [task, 1, trigger, 1]);
  // Every window end settled, so the contract's records are the core's.
  await at(62);
  await call(alice, "settle", [task, 1000n]);
  await at(63);
  await scenario.mine();
  indexer = await startScenarioIndexer(anvil, scenario, dir);
});

after(async () => {
  await indexer?.stop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("lists posted in race order, accepted, claimed entry by entry, a missing list and a rejected one: replayed without a divergence, equal to the contract's views", async () => {
  const { replay } = indexer as Indexer;
  assert.equal(replay.diverged, undefined, replay.diverged?.message);
  const state = replay.chain.state;
  assert.equal(readCoreRecord<Record<string, unknown>>(state, `distribution/${taskId}/0/0`)?.status, "accepted");
  assert.equal(readCoreRecord<Record<string, unknown>>(state, `distribution/${taskId}/1/1`)?.status, "rejected");
  assert.equal(readCoreRecord<Record<string, unknown>>(state, `cycle/${taskId}/1`)?.outcome, "distribution-failed");
  const { compared, kinds } = await compareReplayWithViews(indexer as Indexer, scenario);
  for (const kind of ["distribution", "listClaim", "vesting", "trigger"]) {
    assert.ok(kinds.has(kind), `${kind} records compared`);
  }
  assertLogged(indexer as Indexer, scenario, [
    "DistributionSubmitted",
    "DistributionAccepted",
    "DistributionRejected",
    "ListEntryClaimed",
  ]);
  assert.ok(compared >= 20, `${compared} records compared`);
});

test("a DistributionAccepted log that disagrees with the core's acceptance is a divergence", async () => {
  // Its data: cycle, attempt, distributor, total, entries, listRoot; the total gains 1.
  const replay = replayWithWordBumped(indexer as Indexer, scenario, "DistributionAccepted", 3, 70);
  assert.equal(replay.diverged?.code, "EVM__INDEXER_DIVERGED");
  assert.match(replay.diverged?.message ?? "", /DistributionAccepted\.total: the contract logged/);
});
