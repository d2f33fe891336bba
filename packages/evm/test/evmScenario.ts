/**
 * Test helpers: the production `Gradual` contract and a TestToken on anvil, calls sent from anvil's unlocked
 * accounts with block timestamps set per slot, and the contract's records read in the core's shape.
 */
import assert from "node:assert/strict";
import type { TaskParams } from "@gradual/protocol";
import { type Abi, encodeFunctionData, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Anvil } from "../src/anvil.ts";
import { gradualAbi, loadArtifact } from "../src/compile.ts";
import { deployContracts } from "../src/deploy.ts";
import { paramsToStruct as paramsStruct } from "../src/indexer/calls.ts";
import { type Receipt, rpc, useHarness } from "./harnessClient.ts";

export const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as Hex;

export const PARAMS: TaskParams = {
  roundSlots: 10,
  commitSlots: 3,
  revealSlots: 2,
  auditSlots: 3,
  voteSlots: 2,
  distributionSlots: 2,
  distributionAuditSlots: 3,
  minimumStake: 100n,
  bountyPerRound: 1000n,
  maxNodes: 8,
  auditsPerNode: 2,
  auditMode: "sampled",
  triggerBond: 10n,
  slashQuorumBps: 5000,
  slashSupermajorityBps: 6667,
  minParticipationBps: 3000,
  slashFractionBps: 1000,
  whistleblowerShareBps: 2000,
  losingVotePenalty: 1n,
  maxTriggersPerNodePerCycle: 2,
  allowedFailedDistributions: 1,
  warmupRounds: 0,
  rampRounds: 2,
  unbondingRounds: 2,
  vestingRounds: 2,
  maxProofBytes: 1024,
  distributionRule: "weighted",
};

const ZERO_ADDRESS = `0x${"0".repeat(40)}` as Hex;

export const id32 = (address: Hex): Hex => `0x${address.slice(2).toLowerCase().padStart(64, "0")}` as Hex;

export type Scenario = {
  readonly contract: Hex;
  readonly token: Hex;
  readonly deployBlock: bigint;
  readonly genesis: bigint;
  readonly slotMs: number;
  readonly abi: Abi;
  readonly accounts: readonly Hex[];
  /** The next block's timestamp: the start of `slot` (or a second later than the last one set). */
  at(slot: number): Promise<void>;
  /** Mines an empty block (at the timestamp set by `at`, if any). */
  mine(): Promise<void>;
  call(from: Hex, functionName: string, args: readonly unknown[]): Promise<Receipt>;
  /** Points harnessClient's `read`/`readRecord` at the contract. */
  useViews(): void;
};

/** Token and Gradual deployed with 10-second slots, genesis 100 s after the latest block; tokens minted and approved. */
export async function deployScenario(anvil: Anvil, slotMs = 10_000): Promise<Scenario> {
  useHarness(anvil, ZERO_ADDRESS, []);
  const latest = await rpc<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
  const genesis = BigInt(latest.timestamp) + 100n;
  const deployed = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    account: privateKeyToAccount(ANVIL_DEPLOYER_KEY),
    slotMs,
    genesisTimestamp: genesis,
  });
  assert.ok(deployed.gradual, "Gradual deployed");
  const contract = deployed.gradual.address;
  const token = deployed.token.address;
  const abi = gradualAbi() as Abi;
  const tokenAbi = loadArtifact("TestToken").abi as Abi;
  const accounts = await rpc<Hex[]>("eth_accounts", []);
  const sendAs = (from: Hex, to: Hex, data: Hex): Promise<Receipt> =>
    rpc<Receipt>("eth_sendTransactionSync", [{ from, to, data, gas: "0x1c9c380" }]);
  const deployer = accounts[0] as Hex;
  for (const who of accounts.slice(0, 5)) {
    await sendAs(deployer, token, encodeFunctionData({ abi: tokenAbi, functionName: "mint", args: [who, 1_000_000n] }));
    await sendAs(
      who,
      token,
      encodeFunctionData({ abi: tokenAbi, functionName: "approve", args: [contract, 2n ** 255n] }),
    );
  }
  let last = 0n;
  return {
    contract,
    token,
    deployBlock: deployed.gradual.blockNumber,
    genesis,
    slotMs,
    abi,
    accounts,
    async at(slot) {
      const next = genesis + (BigInt(slot) * BigInt(slotMs)) / 1000n;
      last = next > last ? next : last + 1n;
      await rpc("evm_setNextBlockTimestamp", [`0x${last.toString(16)}`]);
    },
    async mine() {
      await rpc("evm_mine", []);
    },
    async call(from, functionName, args) {
      const receipt = await sendAs(from, contract, encodeFunctionData({ abi, functionName, args }));
      assert.equal(receipt.status, "0x1", `${functionName} reverted`);
      return receipt;
    },
    useViews() {
      useHarness(anvil, contract, abi);
    },
  };
}

/**
 * Deposits for the first two accounts (20,000 and 1,000 tokens, slot 1), then the first creates a task with
 * `params` in slot 9, funded with 5,000, and the second stakes 200 in slot 10. Returns the task id (hex, no 0x).
 */
export async function fundedTaskWithOneNode(
  scenario: Scenario,
  label: string,
  bundleHash: Hex,
  params: TaskParams,
): Promise<string> {
  const [alice, bob] = scenario.accounts as [Hex, Hex];
  const { at, call } = scenario;
  await at(1);
  await call(alice, "deposit", [20_000n]);
  await call(bob, "deposit", [1_000n]);
  await at(9);
  const created = await call(alice, "createTask", [
    label,
    bundleHash,
    `0x${"0".repeat(64)}`,
    paramsStruct(params),
    5_000n,
  ]);
  const log = created.logs.find((entry) => entry.address.toLowerCase() === scenario.contract.toLowerCase());
  assert.ok(log, "TaskCreated logged");
  const taskId = (log.topics[1] as Hex).slice(2);
  await at(10);
  await call(bob, "stake", [`0x${taskId}`, 200n, "http://bob.test"]);
  return taskId;
}
