/**
 * The indexer on anvil with the contract's second half: a trigger, votes (one equivocating), the trigger upheld with a
 * slash (settled lazily by the contract, at the window's end by the core), dave's appeal of his proof (§5.8) upheld
 * with carol's vote, which slashes bob and carol (the nodes that voted it invalid) a settlement step each, claims, and
 * rule shares materialized, all replayed through the core without a divergence; its records equal the contract's
 * views. The scenario is gradual.evm.test.ts's slash (checked there against the core on the harness), here on the
 * production contract, with the appeal.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/indexerAudits.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  computeCommitment,
  getVesting,
  readRecord as readCoreRecord,
  sha256Hex,
  type TaskParams,
} from "@gradual/protocol";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { paramsToStruct } from "../src/indexer/calls.ts";
import type { Indexer } from "../src/indexer/indexer.ts";
import { deployScenario, id32, PARAMS, type Scenario } from "./evmScenario.ts";
import { h32 } from "./harnessClient.ts";
import { assertLogged, compareReplayWithViews, replayWithWordBumped, startScenarioIndexer } from "./indexerChecks.ts";

let anvil: Anvil | undefined;
let scenario: Scenario;
let taskId: string;
const dir = mkdtempSync(join(tmpdir(), "gradual-indexer-audits-"));
let indexer: Indexer | undefined;

const name = (who: string) => sha256Hex(`gradual/evm-indexer-audits/${who}`);

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  const [alice, bob, carol, dave] = scenario.accounts as [Hex, Hex, Hex, Hex];
  const nodes = [bob, carol, dave];
  const { at, call } = scenario;
  const params: TaskParams = { ...PARAMS, rampRounds: 0, losingVotePenalty: 3n, vestingRounds: 3 };
  const proof = (who: Hex, cycle: number) => sha256Hex(`proof:slash:${who}:${cycle}`);
  const salt = (who: Hex, cycle: number) => sha256Hex(`salt:slash:${who}:${cycle}`);
  await at(1);
  await call(alice, "deposit", [20_000n]);
  for (const who of nodes) await call(who, "deposit", [1_000n]);
  await at(9);
  const created = await call(alice, "createTask", [
    "slash",
    h32(name("bundle")),
    h32(null),
    paramsToStruct(params),
    10_000n,
  ]);
  const log = created.logs.find((entry) => entry.address.toLowerCase() === scenario.contract.toLowerCase());
  taskId = ((log as { topics: Hex[] }).topics[1] as Hex).slice(2);
  const task = h32(taskId);
  await at(10);
  // carol 250: with dave's 90 after his slash, above half of the 650 that reviewed cycle 1 (the quorum of a late
  // decision under these parameters' slashQuorumBps 5,000, deviation 39).
  const stakes = [300n, 250n, 100n];
  for (const [i, who] of nodes.entries()) await call(who, "stake", [task, stakes[i], "http://n.test"]);
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
  // Bob triggers dave's cycle 1 proof; carol votes invalid, then valid (an equivocation).
  await at(32);
  await call(bob, "triggerAudit", [task, 1, 0, 0, 0, id32(dave), h32(name("reason"))]);
  await call(carol, "vote", [task, 1, 0, 1]);
  await call(carol, "vote", [task, 1, 0, 0]);
  // Slot 37: the trigger is upheld and dave slashed (the contract settles it at the next call: carol's claim).
  await at(41);
  await call(carol, "claim", [task]);
  await call(dave, "claim", [task]);
  // Cycle 1 completed at slot 40: dave appeals his proof (verdict 2, valid) and carol votes valid. At slot 47 the
  // appeal is upheld above the supermajority (carol's 250 and dave's 90 of D 340): bob and carol are slashed.
  await at(42);
  await call(dave, "triggerAudit", [task, 1, 0, 2, 0, id32(dave), h32(name("appeal"))]);
  await at(43);
  await call(carol, "vote", [task, 1, 1, 0]);
  await at(61);
  await call(dave, "claim", [task]);
  // Every window end settled and every rule share materialized, so the contract's records are the core's.
  await at(62);
  await call(alice, "settle", [task, 1000n]);
  for (const who of [alice, ...nodes]) await call(alice, "materialize", [task, id32(who)]);
  await at(63);
  await scenario.mine();
  indexer = await startScenarioIndexer(anvil, scenario, dir);
});

after(async () => {
  await indexer?.stop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a trigger, votes, an upheld trigger with a slash, an upheld appeal that slashes its voters, and claims: replayed without a divergence, equal to the contract's views", async () => {
  const { replay } = indexer as Indexer;
  assert.equal(replay.diverged, undefined, replay.diverged?.message);
  const state = replay.chain.state;
  const trigger = readCoreRecord<Record<string, unknown>>(state, `trigger/${taskId}/1/0`);
  assert.equal(trigger?.resolution, "upheld", "the core upheld the trigger");
  const dave = id32((scenario.accounts as Hex[])[3] as Hex).slice(2);
  const carol = id32((scenario.accounts as Hex[])[2] as Hex).slice(2);
  const node = readCoreRecord<Record<string, unknown>>(state, `node/${taskId}/${dave}`);
  assert.equal(node?.slashCount, 1, "the core slashed dave");
  const appeal = readCoreRecord<Record<string, unknown>>(state, `trigger/${taskId}/1/1`);
  assert.deepEqual([appeal?.verdict, appeal?.resolution], ["valid", "upheld"], "the core upheld dave's appeal");
  assert.equal(readCoreRecord<Record<string, unknown>>(state, `reveal/${taskId}/1/${dave}`)?.status, "valid");
  const bob = id32((scenario.accounts as Hex[])[1] as Hex).slice(2);
  for (const voter of [bob, carol]) {
    const slashed = readCoreRecord<Record<string, unknown>>(state, `node/${taskId}/${voter}`);
    assert.equal(slashed?.slashCount, 1, "the appeal slashed the nodes that voted dave's proof invalid");
  }
  assert.ok((getVesting(state, taskId, carol)?.totalClaimed ?? 0n) > 0n, "carol's claim was replayed");
  assert.ok((getVesting(state, taskId, dave)?.totalClaimed ?? 0n) > 0n, "dave's claims were replayed");
  const { compared, kinds } = await compareReplayWithViews(indexer as Indexer, scenario);
  for (const kind of ["trigger", "vote", "vesting"]) assert.ok(kinds.has(kind), `${kind} records compared`);
  assert.ok(compared >= 20, `${compared} records compared`);
  // The window ends the contract logged lazily were matched with the core's (a mismatch is a divergence).
  assertLogged(indexer as Indexer, scenario, [
    "AuditTriggered",
    "Voted",
    "Equivocated",
    "TriggerResolved",
    "Slashed",
    "Claimed",
  ]);
});

test("a Slashed log that disagrees with the core's slash is a divergence", async () => {
  // Slashed's data: cycle, trigger, fromStake, fromVesting, toWhistleblower, burned; burned gains 1.
  const replay = replayWithWordBumped(indexer as Indexer, scenario, "Slashed", 5, 70);
  assert.equal(replay.diverged?.code, "EVM__INDEXER_DIVERGED");
  assert.match(replay.diverged?.message ?? "", /Slashed\.burned: the contract logged/);
});
