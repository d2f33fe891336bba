/**
 * What the indexer tests on the production contract check alike: the indexer started over a scenario's chain, its
 * replay equal to the contract's views record by record, the events the contract logged, and a tampered log caught as
 * a divergence.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { stateEntries } from "@gradual/protocol";
import { encodeEventTopics, type Hex } from "viem";
import type { Anvil } from "../src/anvil.ts";
import { type Indexer, startIndexer } from "../src/indexer/indexer.ts";
import { ChainReplay } from "../src/indexer/replay.ts";
import type { Scenario } from "./evmScenario.ts";
import { coreHolds, HELD_RECORD_KINDS, type Json, readRecord, withoutUnheld } from "./harnessClient.ts";

/** What the contract holds, less what the replay keeps apart (the chain's totals, the task index). */
const HELD = new Set([...HELD_RECORD_KINDS].filter((kind) => !["chain", "totals", "taskAt"].includes(kind)));

/** An indexer over the scenario's contract from its deployment, caught up with the chain's head. */
export async function startScenarioIndexer(anvil: Anvil, scenario: Scenario, dataDir: string): Promise<Indexer> {
  const indexer = await startIndexer({
    rpcUrl: anvil.rpcUrl,
    contract: scenario.contract,
    fromBlock: scenario.deployBlock,
    dataDir: join(dataDir, "indexer"),
    manual: true,
  });
  await indexer.catchUp();
  return indexer;
}

/**
 * Asserts that every record the replay holds (and the contract keeps) equals the contract's view of it; returns how
 * many records were compared and of which kinds. Switches the scenario to the contract's views.
 */
export async function compareReplayWithViews(
  indexer: Indexer,
  scenario: Scenario,
): Promise<{ compared: number; kinds: Set<string> }> {
  const { replay } = indexer;
  scenario.useViews();
  let compared = 0;
  const kinds = new Set<string>();
  for (const [key, value] of stateEntries(replay.chain.state)) {
    const kind = key.split("/")[0] as string;
    if (!HELD.has(kind) || key === `account/${replay.pool}`) continue;
    assert.deepStrictEqual(
      await readRecord(key),
      withoutUnheld(key, value as Json, coreHolds(replay.chain.state)),
      `record ${key}`,
    );
    compared += 1;
    kinds.add(kind);
  }
  return { compared, kinds };
}

/** Asserts that the contract logged each of these events at least once. */
export function assertLogged(indexer: Indexer, scenario: Scenario, eventNames: readonly string[]): void {
  const logs = indexer.store.logs();
  for (const eventName of eventNames) {
    const [topic] = encodeEventTopics({ abi: scenario.abi, eventName });
    assert.ok(
      logs.some((entry) => entry.topics[0] === topic),
      `the contract logged ${eventName}`,
    );
  }
}

/**
 * Replays the indexer's logs up to `toSlot` in a fresh replay, with data word `word` of the first `eventName` log
 * increased by one; returns the replay, for the test to check its divergence.
 */
export function replayWithWordBumped(
  indexer: Indexer,
  scenario: Scenario,
  eventName: string,
  word: number,
  toSlot: number,
): ChainReplay {
  const logs = indexer.store.logs();
  const [topic] = encodeEventTopics({ abi: scenario.abi, eventName });
  const original = logs.find((entry) => entry.topics[0] === topic);
  assert.ok(original, `a ${eventName} log`);
  const words = original.data.slice(2).match(/.{64}/g) as string[];
  words[word] = (BigInt(`0x${words[word]}`) + 1n).toString(16).padStart(64, "0");
  const tampered = { ...original, data: `0x${words.join("")}` as Hex };
  const replay = new ChainReplay({
    abi: scenario.abi,
    contract: scenario.contract,
    chainId: indexer.chainId,
    genesisTimestamp: scenario.genesis,
    slotMs: scenario.slotMs,
  });
  for (const entry of logs) replay.applyLog(entry === original ? tampered : entry);
  replay.advanceTo(toSlot);
  return replay;
}
