/**
 * The indexer replays a `commitAndReveal` call (paired reveals, §2.2: `revealSlots` 0) as the core's one
 * `commitAndReveal` transaction: its two logs (`Revealed`, then `Committed`, in one EVM transaction) are one call of
 * the replayed block, and the core's records equal the contract's.
 *
 *   node --conditions=source --import tsx --test packages/evm/test/indexerPaired.test.ts
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { computeCommitment, sha256Hex, stateEntries } from "@gradual/protocol";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "../src/anvil.ts";
import { type Indexer, startIndexer } from "../src/indexer/indexer.ts";
import { deployScenario, fundedTaskWithOneNode, id32, PARAMS, type Scenario } from "./evmScenario.ts";
import { coreHolds, h32, type Json, readRecord, withoutUnheld } from "./harnessClient.ts";

let anvil: Anvil | undefined;
let scenario: Scenario;
let taskId: string;
let dir: string | undefined;
let started: Indexer | undefined;
const name = (who: string) => sha256Hex(`gradual/evm-indexer-paired-test/${who}`);

before(async () => {
  anvil = await startAnvil();
  scenario = await deployScenario(anvil);
  const [, bob] = scenario.accounts as [Hex, Hex];
  const { at, call } = scenario;
  taskId = await fundedTaskWithOneNode(scenario, "paired", h32(name("bundle")), { ...PARAMS, revealSlots: 0 });
  const node = id32(bob).slice(2);
  const proof = (cycle: number) => name(`proof:${cycle}`);
  const salt = (cycle: number) => name(`salt:${cycle}`);
  const commitment = (cycle: number) =>
    h32(computeCommitment({ task: taskId, cycle, node, proofDigest: proof(cycle), salt: salt(cycle) }));
  // Cycle 0's commit window is slots 17-19; cycle 1's (cycle 0's reveal window) 27-29.
  await at(17);
  await call(bob, "commit", [h32(taskId), 0, commitment(0)]);
  await at(27);
  await call(bob, "commitAndReveal", [h32(taskId), 1, commitment(1), h32(proof(0)), h32(salt(0))]);
  await at(28);
  await scenario.mine();
});

after(async () => {
  await started?.stop();
  await anvil?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test("a commitAndReveal call is the core's one commitAndReveal transaction, and the records agree", async () => {
  dir = mkdtempSync(join(tmpdir(), "gradual-indexer-paired-"));
  started = await startIndexer({
    rpcUrl: (anvil as Anvil).rpcUrl,
    contract: scenario.contract,
    fromBlock: scenario.deployBlock,
    dataDir: dir,
    manual: true,
  });
  await started.catchUp();
  const { replay } = started;
  assert.equal(replay.diverged, undefined, replay.diverged?.message);
  assert.deepEqual(
    replay.chain.blocks[27]?.txs.map((entry) => entry.tx.kind),
    ["commitAndReveal"],
  );
  const state = replay.chain.state;
  scenario.useViews();
  let compared = 0;
  for (const [key, value] of stateEntries(state)) {
    const kind = key.split("/")[0] as string;
    if (kind !== "commit" && kind !== "reveal" && kind !== "node" && kind !== "cycle") continue;
    assert.deepStrictEqual(await readRecord(key), withoutUnheld(key, value as Json, coreHolds(state)), `record ${key}`);
    compared += 1;
  }
  // The commits of cycles 0 and 1, the reveal of cycle 0, the node, cycles 0-1.
  assert.ok(compared >= 6, `${compared} records compared`);
});
