/**
 * Test helpers for GradualHarness on anvil: raw JSON-RPC calls (automine, receipts without polling; batches of calls
 * in one block), the core's records
 * loaded into the harness and read back in the core's shape (only the fields the contract holds), and wire
 * transactions as contract calls. Used by specVectors.evm.test.ts and the EVM tests beside it.
 */
import assert from "node:assert/strict";
import { listClaimClosesAt, readRecord as readCoreRecord, type State, type TaskParams } from "@gradual/protocol";
import {
  type Abi,
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
} from "viem";
import type { Anvil } from "../src/anvil.ts";
import { loadArtifact } from "../src/compile.ts";

export const DEPLOYER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
export const ZERO32 = `0x${"0".repeat(64)}` as Hex;

/** The core's record kinds the contract holds (the others are the ledger's, or a published payload). */
export const HELD_RECORD_KINDS: ReadonlySet<string> = new Set([
  "account",
  "chain",
  "totals",
  "taskAt",
  "task",
  "node",
  "nodeAt",
  "cycle",
  "commit",
  "reveal",
  "trigger",
  "triggerOf",
  "nodeCycle",
  "vote",
  "vesting",
  "distribution",
  "listClaim",
  "slashLog",
]);

export type Json = null | boolean | number | string | bigint | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

// JSON-RPC

let anvil: Anvil;
let harness: Hex;
let abi: Abi;
let rpcId = 0;

/** Points the helpers at a chain and a deployed harness (or at `address` with `contractAbi`). */
export function useHarness(chain: Anvil, address: Hex, contractAbi: Abi): void {
  anvil = chain;
  harness = address;
  abi = contractAbi;
}

type QueuedCall = {
  request: object & { id: number };
  resolve: (result: never) => void;
  reject: (error: Error) => void;
};
let queued: QueuedCall[] = [];
/** The most calls in one HTTP request (a batch is sent as several requests at once past it). */
const RPC_BATCH_CALLS = 100;

/**
 * One JSON-RPC call. The calls made in one tick (a `Promise.all` of reads) go to anvil as JSON-RPC batches, one HTTP
 * round trip per RPC_BATCH_CALLS; a call made alone goes alone.
 */
export function rpc<T>(method: string, params: unknown[]): Promise<T> {
  rpcId += 1;
  const request = { jsonrpc: "2.0", id: rpcId, method, params };
  return new Promise<T>((resolve, reject) => {
    queued.push({ request, resolve: resolve as (result: never) => void, reject });
    if (queued.length === 1) queueMicrotask(flushCalls);
  });
}

function flushCalls(): void {
  const calls = queued;
  queued = [];
  for (let start = 0; start < calls.length; start += RPC_BATCH_CALLS) {
    const batch = calls.slice(start, start + RPC_BATCH_CALLS);
    postCalls(batch).catch((error: Error) => {
      for (const call of batch) call.reject(error);
    });
  }
}

type RpcReply = { id: number; result?: unknown; error?: { message: string; data?: unknown } };

async function postCalls(calls: readonly QueuedCall[]): Promise<void> {
  const single = calls.length === 1;
  const body = single ? calls[0]?.request : calls.map((call) => call.request);
  const reply = await fetch(anvil.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body, (_key, value: unknown) =>
      typeof value === "bigint" ? `0x${value.toString(16)}` : value,
    ),
  });
  const replies = (await reply.json()) as RpcReply | RpcReply[];
  const byId = new Map((Array.isArray(replies) ? replies : [replies]).map((entry) => [entry.id, entry]));
  for (const call of calls) {
    const entry = byId.get(call.request.id);
    const method = (call.request as { method?: string }).method;
    if (entry === undefined) call.reject(new Error(`${method}: no reply`));
    else if (entry.error !== undefined) {
      call.reject(Object.assign(new Error(`${method}: ${entry.error.message}`), entry.error));
    } else call.resolve(entry.result as never);
  }
}

export type Receipt = {
  transactionHash: Hex;
  status: Hex;
  gasUsed: Hex;
  logs: { topics: Hex[]; data: Hex; address: Hex }[];
  contractAddress: Hex | null;
};

/** The gas of every call sent (anvil's block gas limit): the calls here are not about gas limits. */
const CALL_GAS = 30_000_000n;

export async function send(data: Hex, to: Hex | null = harness): Promise<Receipt> {
  const tx: Record<string, unknown> = { from: DEPLOYER, data, gas: CALL_GAS };
  if (to !== null) tx.to = to;
  // Mined at once (automine) and answered with its receipt: no polling.
  return rpc<Receipt>("eth_sendTransactionSync", [tx]);
}

export type Call = readonly [functionName: string, args: readonly unknown[]];

/** The most calls `writeBlock` puts in one block: HARNESS_ANVIL's block gas limit over CALL_GAS. */
const BLOCK_CALLS = 256;

/** Anvil for the harness: over-size contracts (the loaders), and blocks that hold BLOCK_CALLS calls. */
export const HARNESS_ANVIL = { disableCodeSizeLimit: true, gasLimit: CALL_GAS * BigInt(BLOCK_CALLS) } as const;

/**
 * Sends `calls` to the harness from DEPLOYER, in order, and mines them in blocks of up to BLOCK_CALLS (automine off
 * meanwhile); returns their receipts. Anvil hashes the whole state for each block, which for a large harness costs
 * far more than a call: this pays it once a block instead of once a call. For calls whose outcome nothing waits on in
 * between (loaders, settling, materializing, stakes that must all be accepted); every call must succeed. Needs
 * HARNESS_ANVIL's gas limit.
 */
export async function writeBlock(calls: readonly Call[]): Promise<Receipt[]> {
  const receipts: Receipt[] = [];
  for (let start = 0; start < calls.length; start += BLOCK_CALLS) {
    const block = calls.slice(start, start + BLOCK_CALLS);
    const nonce = BigInt(await rpc<Hex>("eth_getTransactionCount", [DEPLOYER, "pending"]));
    await rpc("evm_setAutomine", [false]);
    let hashes: Hex[];
    try {
      hashes = await Promise.all(
        block.map(([functionName, args], index) =>
          rpc<Hex>("eth_sendTransaction", [
            {
              from: DEPLOYER,
              to: harness,
              data: encodeFunctionData({ abi, functionName, args }),
              gas: CALL_GAS,
              nonce: nonce + BigInt(index),
            },
          ]),
        ),
      );
      await rpc("evm_mine", []);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const mined = await Promise.all(hashes.map((hash) => rpc<Receipt | null>("eth_getTransactionReceipt", [hash])));
    for (const [index, receipt] of mined.entries()) {
      const [functionName] = block[index] as Call;
      if (receipt === null) throw new Error(`${functionName} (call ${start + index} of a block) was not mined`);
      if (receipt.status !== "0x1") {
        throw new Error(`${functionName} (call ${start + index} of a block) failed: ${await revertOf(receipt)}`);
      }
      receipts.push(receipt);
    }
  }
  return receipts;
}

/**
 * Deploys the test harness (`contracts/test`): `GradualAuditsHarness`, `GradualListsHarness`, `GradualTasksHarness`
 * and `GradualHarness`
 * (genesis 0, 1,000 ms slots; the harness sets its own slot), from DEPLOYER. Returns the harness's address.
 */
export async function deployHarness(token: Hex = `0x${"0".repeat(40)}`): Promise<Hex> {
  const deploy = async (name: string, args: readonly unknown[]): Promise<Hex> => {
    const artifact = loadArtifact(name, { includeTests: true });
    const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args: args as unknown[] });
    const receipt = await send(data, null);
    assert.equal(receipt.status, "0x1", `${name} deployment`);
    return receipt.contractAddress as Hex;
  };
  const audits = await deploy("GradualAuditsHarness", [token, 0n, 1000]);
  const lists = await deploy("GradualListsHarness", [token, 0n, 1000, audits]);
  const tasks = await deploy("GradualTasksHarness", [token, 0n, 1000, audits]);
  return deploy("GradualHarness", [token, audits, lists, tasks]);
}

/**
 * Deploys the production contracts (`GradualAudits`, `GradualLists`, `GradualTasks`, then `Gradual` with their
 * addresses) with
 * `deploy`, which sends one creation and returns the new address (as `deployContracts` does, for tests that send
 * their own transactions).
 */
export async function deployGradual(
  deploy: (data: Hex) => Promise<Hex>,
  token: Hex,
  genesisTimestamp: bigint,
  slotMs: number,
): Promise<{ gradual: Hex; audits: Hex; lists: Hex; tasks: Hex }> {
  const data = (name: string, args: readonly unknown[]): Hex => {
    const artifact = loadArtifact(name, { includeTests: true });
    return encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args: args as unknown[] });
  };
  const audits = await deploy(data("GradualAudits", [token, genesisTimestamp, slotMs]));
  const lists = await deploy(data("GradualLists", [token, genesisTimestamp, slotMs, audits]));
  const tasks = await deploy(data("GradualTasks", [token, genesisTimestamp, slotMs, audits]));
  const gradual = await deploy(data("Gradual", [token, genesisTimestamp, slotMs, audits, lists, tasks]));
  return { gradual, audits, lists, tasks };
}

export async function write(functionName: string, args: readonly unknown[]): Promise<Receipt> {
  const receipt = await send(encodeFunctionData({ abi, functionName, args }));
  if (receipt.status !== "0x1") {
    const outcome = await simulate(functionName, args);
    throw new Error(`${functionName} failed: ${outcome}`);
  }
  return receipt;
}

/** The call's outcome without sending it: "ok" or the custom error's name. */
export async function simulate(functionName: string, args: readonly unknown[]): Promise<string> {
  try {
    await rpc("eth_call", [
      { from: DEPLOYER, to: harness, data: encodeFunctionData({ abi, functionName, args }) },
      "latest",
    ]);
    return "ok";
  } catch (error) {
    return revertName((error as { data?: unknown }).data, (error as Error).message);
  }
}

/** The custom error's name a mined call reverted with (the output of its trace). */
async function revertOf(receipt: Receipt): Promise<string> {
  const trace = await rpc<{ output?: Hex; error?: string }>("debug_traceTransaction", [
    receipt.transactionHash,
    { tracer: "callTracer" },
  ]);
  return revertName(trace.output, trace.error ?? "no error");
}

function revertName(data: unknown, message: string): string {
  if (typeof data !== "string" || data === "0x") return `revert without data (${message})`;
  try {
    return decodeErrorResult({ abi, data: data as Hex }).errorName;
  } catch {
    return `revert ${data}`;
  }
}

export async function read<T>(functionName: string, args: readonly unknown[]): Promise<T> {
  const data = await rpc<Hex>("eth_call", [
    { to: harness, data: encodeFunctionData({ abi, functionName, args }) },
    "latest",
  ]);
  return decodeFunctionResult({ abi, functionName, data }) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Core records <-> contract structs

const AUDIT_MODES = ["sampled", "all"];
const DISTRIBUTION_RULES = ["weighted", "equal", "custom"];
const STATUSES = ["active", "paused", "closing", "closed"];
const OUTCOMES = [null, "paid", "no-submitters", "distribution-failed"];
const REVEAL_STATUSES = ["valid", "invalid", "unavailable", "disputed"];
const TRIGGER_KINDS = ["proof", "distribution"];
const VERDICTS = ["invalid", "unavailable", "valid"];
const RESOLUTIONS = [null, "upheld", "disputed", "rejected", "unavailable", "answered"];
const LIST_STATUSES = ["complete", "accepted", "rejected"];
const LIST_REJECTIONS = ["upheld", "disputed", "missing"];
const CHOICES = ["valid", "invalid", "unavailable"];
const CREDIT_REASONS = ["bond-returned", "bond-won", "whistleblower", "escrow", "clawback"];
/** Event fields the contract emits as enum indices, and the core's names for them. */
const EVENT_ENUMS: Record<string, readonly (string | null)[]> = {
  kind: TRIGGER_KINDS,
  verdict: VERDICTS,
  resolution: RESOLUTIONS,
  choice: CHOICES,
  reason: CREDIT_REASONS,
  outcome: OUTCOMES,
};
/** Enum fields of one event only (`reason` is also Credited's). */
const EVENT_TYPE_ENUMS: Record<string, Record<string, readonly (string | null)[]>> = {
  DistributionRejected: { reason: LIST_REJECTIONS },
};
/** Event fields named otherwise in the contract (`bytes` is a Solidity type name). */
const EVENT_ALIASES: Record<string, string> = { bytes: "byteCount" };
/** `triggerOf` slot kinds (`triggerSlotName`): the contract's index; a list's is 2 + its attempt, an appeal's 255. */
const TRIGGER_SLOTS = ["proof", "availability"];
const SLOT_APPEAL = 255;
const triggerSlotKind = (slot: string | undefined, attempt: string | undefined): number => {
  if (slot === "distribution") return 2 + Number(attempt);
  if (slot === "appeal") return SLOT_APPEAL;
  const at = TRIGGER_SLOTS.indexOf(slot as string);
  if (at < 0) throw new Error(`triggerOf slot ${String(slot)}: not a slot the contract holds`);
  return at;
};

export const h32 = (hex: Json | undefined): Hex =>
  hex === null || hex === undefined ? ZERO32 : (`0x${hex as string}` as Hex);
export const unhex = (hex: Hex): string => hex.slice(2).toLowerCase();
const indexOf = (list: readonly (string | null)[], value: Json | undefined): number => {
  const at = list.indexOf(value as string | null);
  return at < 0 ? 255 : at;
};

export function paramsToStruct(params: Obj): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "auditMode") out[key] = indexOf(AUDIT_MODES, value);
    else if (key === "distributionRule") out[key] = indexOf(DISTRIBUTION_RULES, value);
    else if (typeof value === "string") out[key] = BigInt(value);
    else out[key] = value;
  }
  return out;
}

export function paramsFromStruct(params: Record<string, unknown>): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "auditMode") out[key] = AUDIT_MODES[Number(value)] ?? null;
    else if (key === "distributionRule") out[key] = DISTRIBUTION_RULES[Number(value)] ?? null;
    else out[key] = value as Json;
  }
  return out;
}

/** Takes one loader call (a harness function and its arguments). */
export type Loader = (functionName: string, args: readonly unknown[]) => void;

/**
 * Queues, after the records are loaded, every accepted list of the pre-state whose claim window (§6.4) is still open
 * at `preSlot` (its loader call passed to `load`): the contract queues a list when it accepts it, and closes its claim window lazily from the queue.
 */
export function loadListCloses(records: Obj, preSlot: number, load: Loader): void {
  for (const [key, record] of Object.entries(records)) {
    const [kind, task, cycle] = key.split("/") as [string, string, string];
    if (kind !== "distribution" || (record as Obj).status !== "accepted") continue;
    const taskRecord = records[`task/${task}`] as Obj;
    const completedRound = (records[`cycle/${task}/${cycle}`] as Obj).completedRound as number;
    const closesAt = listClaimClosesAt(
      { startSlot: taskRecord.startSlot as number, params: taskRecord.params as unknown as TaskParams },
      completedRound,
    );
    if (closesAt > preSlot) load("loadListClose", [h32(task), BigInt(closesAt), Number(cycle)]);
  }
}

/**
 * The loader calls that put the core's record `key` into the harness (none for a record it does not hold), each passed
 * to `load` (to collect them for `writeBlock`).
 */
export function loadRecord(key: string, record: Json | undefined, preSlot: number, load: Loader): void {
  const [kind, ...parts] = key.split("/");
  const r = record as Obj;
  switch (kind) {
    case "account":
      load("loadAccount", [h32(parts[0] as string), r.balance]);
      return;
    case "chain":
    case "totals":
    case "taskAt": // loadChain and loadTask write these
      return;
    case "task": {
      const ramp = r.ramp as Obj;
      const task = {
        exists: true,
        status: indexOf(STATUSES, r.status),
        index: r.index,
        nodeCount: r.nodeCount,
        createdSlot: BigInt(r.createdSlot as number),
        startSlot: BigInt(r.startSlot as number),
        slashCount: r.slashCount,
        customRule: (r.params as Obj).distributionRule === "custom",
        // Copies of parameters and the ring's size (the loader takes them from the parameters).
        roundSlots: 0,
        commitSlots: 0,
        revealSlots: 0,
        entryRing: 0,
        settledSlot: BigInt(preSlot),
        cycleMark: 0,
        dueGap: 0,
        seedCycle: BigInt(r.seedCycle as number),
        rampFoldedThrough: BigInt(ramp.foldedThrough as number),
        rampHead: 0n,
        creator: h32(r.creator),
        bundleHash: h32(r.bundleHash),
        metadataHash: h32(r.metadataHash),
        seedHead: h32(r.seedHead),
        escrow: r.escrow,
        rampFullStake: ramp.fullStake,
        totalPaid: r.totalPaid,
        totalSlashed: r.totalSlashed,
        burned: r.burned,
        name: r.name,
        params: paramsToStruct(r.params as Obj),
      };
      const buckets = ramp.buckets as [number, bigint][];
      load("loadTask", [
        h32(parts[0] as string),
        task,
        r.openCycles,
        buckets.map(([round]) => BigInt(round)),
        buckets.map(([, stake]) => stake),
      ]);
      for (const ref of r.lateTriggers as Obj[]) {
        load("loadLateTrigger", [
          h32(parts[0] as string),
          { cycle: ref.cycle, trigger: ref.trigger, closesAt: BigInt(ref.closesAt as number) },
        ]);
      }
      return;
    }
    case "node":
      load("loadNode", [
        h32(parts[0] as string),
        h32(parts[1] as string),
        {
          exists: true,
          index: r.index,
          slashCount: r.slashCount,
          missedDuties: r.missedDuties,
          losingVotes: r.losingVotes,
          equivocations: r.equivocations,
          unbondingUntilRound: BigInt(r.unbondingUntilRound as number),
          lastRevealCycle: BigInt(r.lastRevealCycle as number),
          // The contract's own (EVM only): the loader keeps the account's id or gives the next one.
          voterId: 0,
          rampedStake: r.rampedStake,
          unbonding: r.unbonding,
          slashedTotal: r.slashedTotal,
          url: r.url,
          lots: (r.lots as Obj[]).map((lot) => ({
            amount: lot.amount,
            activationRound: BigInt(lot.activationRound as number),
          })),
        },
      ]);
      return;
    case "nodeAt":
      load("loadNodeAt", [h32(parts[0] as string), Number(parts[1]), h32(record)]);
      return;
    case "cycle":
      // The contract keeps no attemptRound: it is cycle + 2 + attempt in every core state, cycle + 3 + attempt when
      // the task pairs its reveals (a failed attempt moves both by one; the task's record says which, `reviewLag`).
      if (
        r.attemptRound !== Number(parts[1]) + 2 + (r.attempt as number) &&
        r.attemptRound !== Number(parts[1]) + 3 + (r.attempt as number)
      ) {
        throw new Error(`${key}: attemptRound ${String(r.attemptRound)} is not cycle + 2 (or 3) + attempt`);
      }
      load("loadCycle", [
        h32(parts[0] as string),
        Number(parts[1]),
        {
          exists: true,
          hasSeed: r.seed !== null,
          hasCompletedRound: r.completedRound !== null,
          outcome: indexOf(OUTCOMES, r.outcome),
          revealCount: r.revealCount,
          validCount: r.validCount,
          shareCount: r.shareCount,
          triggerCount: r.triggerCount,
          attempt: r.attempt,
          completedRound: BigInt((r.completedRound ?? 0) as number),
          reserved: r.reserved,
          revealedWeight: r.revealedWeight,
          reviewWeight: r.reviewWeight,
          paid: r.paid,
          saltAccumulator: h32(r.saltAccumulator),
          seed: h32(r.seed),
          distributor: h32(r.distributor),
          failedDistributors: (r.failedDistributors as string[]).map(h32),
        },
      ]);
      // What a rule paid the cycle from (`ruleBase`, `ruleWeight`, `ruleShares`) is the contract's rule payment record;
      // loaded not `paid`, since the loaded vesting records hold its shares already.
      if ((r.ruleBase ?? 0n) !== 0n || (r.ruleWeight ?? 0n) !== 0n || (r.ruleShares ?? 0) !== 0) {
        load("loadRulePayment", [
          h32(parts[0] as string),
          Number(parts[1]),
          {
            paid: false,
            round: BigInt((r.completedRound ?? 0) as number),
            shareCount: r.ruleShares,
            base: r.ruleBase,
            revealedWeight: r.ruleWeight,
          },
        ]);
      }
      return;
    case "commit":
      load("loadCommit", [
        h32(parts[0] as string),
        Number(parts[1]),
        h32(parts[2] as string),
        { exists: true, slot: BigInt(r.slot as number), weight: r.weight, commitment: h32(r.commitment) },
      ]);
      return;
    case "reveal":
      load("loadReveal", [
        h32(parts[0] as string),
        Number(parts[1]),
        h32(parts[2] as string),
        {
          exists: true,
          published: r.published,
          status: indexOf(REVEAL_STATUSES, r.status),
          index: r.index,
          slot: BigInt(r.slot as number),
          weight: r.weight,
          proofDigest: h32(r.proofDigest),
          salt: h32(r.salt),
        },
      ]);
      return;
    case "revealAt":
      // Not held: the reveal's index is in its `reveal` record and its `Revealed` log (the indexer serves it).
      return;
    case "trigger":
      load("loadTrigger", [
        h32(parts[0] as string),
        Number(parts[1]),
        Number(parts[2]),
        {
          exists: true,
          kind: indexOf(TRIGGER_KINDS, r.kind),
          verdict: indexOf(VERDICTS, r.verdict),
          late: r.late,
          resolution: indexOf(RESOLUTIONS, r.resolution),
          index: r.index,
          attempt: r.attempt,
          voteCount: r.voteCount,
          slot: BigInt(r.slot as number),
          closesAt: BigInt(r.closesAt as number),
          // The contract's own (EVM only): the loader sets the target's voter id and takes the trigger's book.
          targetVoter: 0,
          book: 0,
          target: h32(r.target),
          triggerer: h32(r.triggerer),
          reasonDigest: h32(r.reasonDigest),
          bond: r.bond,
          slashed: r.slashed,
          validWeight: r.validWeight,
          invalidWeight: r.invalidWeight,
          unavailableWeight: r.unavailableWeight,
          held: r.held,
        },
      ]);
      return;
    case "triggerOf":
      load("loadTriggerOf", [
        h32(parts[0] as string),
        Number(parts[1]),
        triggerSlotKind(parts[2], parts[3]),
        h32(parts[4] as string),
        record,
      ]);
      return;
    case "nodeCycle":
      load("loadNodeCycle", [h32(parts[0] as string), Number(parts[1]), h32(parts[2] as string), r.triggers]);
      return;
    case "vote":
      load("loadVote", [
        h32(parts[0] as string),
        Number(parts[1]),
        Number(parts[2]),
        h32(parts[3] as string),
        { exists: true, choice: indexOf(CHOICES, r.choice) },
      ]);
      return;
    case "vesting":
      load("loadVesting", [
        h32(parts[0] as string),
        h32(parts[1] as string),
        {
          exists: true,
          pendingHead: 0,
          unlocked: r.unlocked,
          locked: r.locked,
          lockedRound: BigInt(r.lockedRound as number),
          endAt: BigInt(r.endAt as number),
          held: r.held,
          totalVested: r.totalVested,
          totalClaimed: r.totalClaimed,
          totalSlashed: r.totalSlashed,
          totalClawedBack: r.totalClawedBack,
        },
      ]);
      return;
    case "distribution":
      load("loadDistribution", [
        h32(parts[0] as string),
        Number(parts[1]),
        Number(parts[2]),
        {
          exists: true,
          status: indexOf(LIST_STATUSES, r.status),
          triggered: r.triggered,
          hasSlashSeq: r.slashSeq !== null,
          attempt: r.attempt,
          entryCount: r.entryCount,
          slashSeq: r.slashSeq ?? 0,
          slot: BigInt(r.slot as number),
          raceTime: r.raceTime,
          total: r.total,
          raceWeight: r.raceWeight,
          distributor: h32(r.distributor),
          listRoot: h32(r.listRoot),
          listBlob: h32(r.listBlob),
        },
      ]);
      return;
    case "listClaim":
      // What the entry vested (the core's record; `true` in vectors made before deviation 42 counts as 0).
      load("loadListClaim", [
        h32(parts[0] as string),
        Number(parts[1]),
        h32(parts[2] as string),
        typeof record === "bigint" ? record : 0n,
      ]);
      return;
    case "slashLog":
      load("loadSlashLog", [
        h32(parts[0] as string),
        h32(parts[1] as string),
        (record as Obj[]).map((entry) => ({
          seq: entry.seq,
          round: BigInt(entry.round as number),
          fractionBps: entry.fractionBps,
        })),
      ]);
      return;
    case "published":
      // Not held: a published payload stays in the call's data.
      return;
    case "voteAt":
      // Not held: a trigger's choices are packed by voter id (its `vote` records); the vote order is the core's.
      return;
    default:
      throw new Error(`${key}: the contract does not hold ${kind} records`);
  }
}

export const n = (value: unknown): number => Number(value);

/**
 * The contract's record under a core state key, in the core's shape (only the fields the contract holds), or
 * undefined when it has none.
 */
export async function readRecord(key: string): Promise<Json | undefined> {
  const [kind, ...parts] = key.split("/");
  const task = h32(parts[0] ?? null);
  switch (kind) {
    case "account": {
      const balance = await read<bigint>("balanceOf", [h32(parts[0] as string)]);
      return { balance };
    }
    case "chain": {
      const [, supply, taskCount] = await read<[unknown, bigint, number]>("chainTotals", []);
      const slot = await read<bigint>("currentSlot", []);
      return { slot: n(slot), supply, taskCount: n(taskCount) };
    }
    case "totals": {
      const [totals] = await read<[Obj, bigint, number]>("chainTotals", []);
      return { ...totals };
    }
    case "taskAt": {
      const id = await read<Hex>("taskAt", [Number(parts[0])]);
      return id === ZERO32 ? undefined : unhex(id);
    }
    case "task": {
      const [t, openCycles, rounds, stakes] = await read<[Record<string, unknown>, number[], bigint[], bigint[]]>(
        "getTask",
        [task],
      );
      if (t.exists !== true) return undefined;
      const late = await read<{ cycle: number; trigger: number; closesAt: bigint }[]>("lateTriggers", [task]);
      return {
        bundleHash: unhex(t.bundleHash as Hex),
        burned: t.burned as bigint,
        createdSlot: n(t.createdSlot),
        creator: unhex(t.creator as Hex),
        escrow: t.escrow as bigint,
        id: parts[0] as string,
        index: n(t.index),
        lateTriggers: late.map((ref) => ({ closesAt: n(ref.closesAt), cycle: n(ref.cycle), trigger: n(ref.trigger) })),
        metadataHash: t.metadataHash === ZERO32 ? null : unhex(t.metadataHash as Hex),
        name: t.name as string,
        nodeCount: n(t.nodeCount),
        openCycles: openCycles.map(n),
        params: paramsFromStruct(t.params as Record<string, unknown>),
        ramp: {
          buckets: rounds.map((round, i) => [n(round), stakes[i] as bigint]),
          foldedThrough: n(t.rampFoldedThrough),
          fullStake: t.rampFullStake as bigint,
        },
        seedCycle: n(t.seedCycle),
        seedHead: unhex(t.seedHead as Hex),
        slashCount: n(t.slashCount),
        startSlot: n(t.startSlot),
        status: STATUSES[n(t.status)] as string,
        totalPaid: t.totalPaid as bigint,
        totalSlashed: t.totalSlashed as bigint,
      };
    }
    case "node": {
      const node = await read<Record<string, unknown>>("getNode", [task, h32(parts[1] as string)]);
      if (node.exists !== true) return undefined;
      return {
        account: parts[1] as string,
        equivocations: n(node.equivocations),
        index: n(node.index),
        lastRevealCycle: n(node.lastRevealCycle),
        losingVotes: n(node.losingVotes),
        lots: (node.lots as { amount: bigint; activationRound: bigint }[]).map((lot) => ({
          activationRound: n(lot.activationRound),
          amount: lot.amount,
        })),
        missedDuties: n(node.missedDuties),
        rampedStake: node.rampedStake as bigint,
        slashCount: n(node.slashCount),
        slashedTotal: node.slashedTotal as bigint,
        task: parts[0] as string,
        unbonding: node.unbonding as bigint,
        unbondingUntilRound: n(node.unbondingUntilRound),
        url: node.url as string,
      };
    }
    case "nodeAt": {
      const account = await read<Hex>("nodeAt", [task, Number(parts[1])]);
      return account === ZERO32 ? undefined : unhex(account);
    }
    case "cycle": {
      const [c, payment] = await Promise.all([
        read<Record<string, unknown>>("getCycle", [task, Number(parts[1])]),
        read<Record<string, unknown>>("getRulePayment", [task, Number(parts[1])]),
      ]);
      if (c.exists !== true) return undefined;
      // `firstAttemptRound` + attempt: the task's `revealSlots` 0 (paired reveals) puts it a round later.
      const [t] = await read<[{ params: { revealSlots: number } }]>("getTask", [task]);
      return {
        attempt: n(c.attempt),
        attemptRound: Number(parts[1]) + (n(t.params.revealSlots) === 0 ? 3 : 2) + n(c.attempt),
        completedRound: c.hasCompletedRound === true ? n(c.completedRound) : null,
        cycle: Number(parts[1]),
        distributor: c.distributor === ZERO32 ? null : unhex(c.distributor as Hex),
        failedDistributors: (c.failedDistributors as Hex[]).map(unhex),
        outcome: OUTCOMES[n(c.outcome)] ?? null,
        paid: c.paid as bigint,
        reserved: c.reserved as bigint,
        revealCount: n(c.revealCount),
        revealedWeight: c.revealedWeight as bigint,
        reviewWeight: c.reviewWeight as bigint,
        // What a rule paid the cycle from: the contract's rule payment record (0 until then).
        ruleBase: payment.base as bigint,
        ruleShares: n(payment.shareCount),
        ruleWeight: payment.revealedWeight as bigint,
        saltAccumulator: unhex(c.saltAccumulator as Hex),
        seed: c.hasSeed === true ? unhex(c.seed as Hex) : null,
        shareCount: n(c.shareCount),
        task: parts[0] as string,
        triggerCount: n(c.triggerCount),
        validCount: n(c.validCount),
      };
    }
    case "commit": {
      const c = await read<Record<string, unknown>>("getCommit", [task, Number(parts[1]), h32(parts[2] as string)]);
      if (c.exists !== true) return undefined;
      // A revealed commit's commitment is not held (bytes32(0)): see withoutUnheld.
      const held = BigInt(c.commitment as Hex) === 0n ? {} : { commitment: unhex(c.commitment as Hex) };
      return { ...held, slot: n(c.slot), weight: c.weight as bigint };
    }
    case "reveal": {
      const r = await read<Record<string, unknown>>("getReveal", [task, Number(parts[1]), h32(parts[2] as string)]);
      if (r.exists !== true) return undefined;
      return {
        index: n(r.index),
        proofDigest: unhex(r.proofDigest as Hex),
        published: r.published as boolean,
        slot: n(r.slot),
        status: REVEAL_STATUSES[n(r.status)] as string,
        weight: r.weight as bigint,
      };
    }
    case "trigger": {
      const t = await read<Record<string, unknown>>("getTrigger", [task, Number(parts[1]), Number(parts[2])]);
      if (t.exists !== true) return undefined;
      return {
        attempt: n(t.attempt),
        bond: t.bond as bigint,
        closesAt: n(t.closesAt),
        held: t.held as bigint,
        index: n(t.index),
        invalidWeight: t.invalidWeight as bigint,
        kind: TRIGGER_KINDS[n(t.kind)] as string,
        late: t.late as boolean,
        reasonDigest: unhex(t.reasonDigest as Hex),
        resolution: RESOLUTIONS[n(t.resolution)] ?? null,
        slashed: t.slashed as bigint,
        slot: n(t.slot),
        target: unhex(t.target as Hex),
        triggerer: unhex(t.triggerer as Hex),
        unavailableWeight: t.unavailableWeight as bigint,
        validWeight: t.validWeight as bigint,
        verdict: VERDICTS[n(t.verdict)] as string,
        voteCount: n(t.voteCount),
      };
    }
    case "triggerOf": {
      if (parts[2] !== "distribution" && parts[3] !== "0") return undefined;
      const at = await read<number>("triggerOf", [
        task,
        Number(parts[1]),
        triggerSlotKind(parts[2], parts[3]),
        h32(parts[4] as string),
      ]);
      return n(at) === 0 ? undefined : n(at) - 1;
    }
    case "nodeCycle": {
      const triggers = await read<number>("nodeCycleTriggers", [task, Number(parts[1]), h32(parts[2] as string)]);
      return n(triggers) === 0 ? undefined : { triggers: n(triggers) };
    }
    case "vote": {
      const v = await read<Record<string, unknown>>("getVote", [
        task,
        Number(parts[1]),
        Number(parts[2]),
        h32(parts[3] as string),
      ]);
      if (v.exists !== true) return undefined;
      return { choice: CHOICES[n(v.choice)] as string };
    }
    case "vesting": {
      const v = await read<Record<string, unknown>>("getVesting", [task, h32(parts[1] as string)]);
      if (v.exists !== true) return undefined;
      return {
        endAt: n(v.endAt),
        held: v.held as bigint,
        locked: v.locked as bigint,
        lockedRound: n(v.lockedRound),
        totalClaimed: v.totalClaimed as bigint,
        totalClawedBack: v.totalClawedBack as bigint,
        totalSlashed: v.totalSlashed as bigint,
        totalVested: v.totalVested as bigint,
        unlocked: v.unlocked as bigint,
      };
    }
    case "distribution": {
      const d = await read<Record<string, unknown>>("getDistribution", [task, Number(parts[1]), Number(parts[2])]);
      if (d.exists !== true) return undefined;
      return {
        attempt: n(d.attempt),
        distributor: unhex(d.distributor as Hex),
        entryCount: n(d.entryCount),
        listBlob: unhex(d.listBlob as Hex),
        listRoot: unhex(d.listRoot as Hex),
        raceTime: BigInt(d.raceTime as bigint),
        raceWeight: d.raceWeight as bigint,
        slashSeq: d.hasSlashSeq === true ? n(d.slashSeq) : null,
        slot: n(d.slot),
        status: LIST_STATUSES[n(d.status)] as string,
        total: d.total as bigint,
        triggered: d.triggered as boolean,
      };
    }
    case "listClaim": {
      const [claimed, vested] = await read<[boolean, bigint]>("listClaimed", [
        task,
        Number(parts[1]),
        h32(parts[2] as string),
      ]);
      return claimed ? vested : undefined;
    }
    case "slashLog": {
      const log = await read<{ seq: number; round: bigint; fractionBps: number }[]>("slashLogOf", [
        task,
        h32(parts[1] as string),
      ]);
      if (log.length === 0) return undefined;
      return log.map((entry) => ({ fractionBps: n(entry.fractionBps), round: n(entry.round), seq: n(entry.seq) }));
    }
    default:
      throw new Error(`${key}: the contract does not hold ${kind} records`);
  }
}

/** Whether the core state holds a record at `key` (for withoutUnheld). */
export const coreHolds =
  (state: State) =>
  (key: string): boolean =>
    readCoreRecord(state, key) !== undefined;

/**
 * The fields of a core record the contract does not hold (see the table above). `holds` tells whether the core state
 * the record comes from holds another record: a commit's commitment is held only until its reveal.
 */
export function withoutUnheld(
  key: string,
  record: Json | undefined,
  holds: (key: string) => boolean,
): Json | undefined {
  const kind = key.split("/")[0];
  if (record === null || typeof record !== "object" || Array.isArray(record)) return record;
  const copy: Obj = { ...record };
  if (kind === "account") {
    delete copy.nonce;
    // A zero balance and no record are the same in a mapping.
  }
  if (kind === "chain") delete copy.chainId;
  if (kind === "vote") {
    // The contract keeps a vote's choice; its slot and weight are in the Voted log (contracts README, "Storage
    // layout (gas)").
    delete copy.slot;
    delete copy.weight;
  }
  if (kind === "task") {
    // Pruning is a property of the core's state, outside what the two compare (docs/evm.md).
    delete copy.prunedThrough;
  }
  // The commits of a cycle are counted by its Committed logs (contracts README, "Storage layout (gas)").
  if (kind === "cycle") delete copy.commitCount;
  // A reveal's salt, and the commitment of a revealed commit, are in the Revealed and Committed logs.
  if (kind === "reveal") delete copy.salt;
  if (kind === "commit" && holds(`reveal/${key.slice("commit/".length)}`)) {
    delete copy.commitment;
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

export function txCall(tx: Obj): { functionName: string; args: unknown[] } {
  switch (tx.kind) {
    case "transfer":
      return { functionName: "transfer", args: [h32(tx.to), BigInt(tx.amount as string)] };
    case "createTask":
      return {
        functionName: "createTask",
        args: [
          tx.name,
          h32(tx.bundleHash),
          h32(tx.metadataHash),
          paramsToStruct(tx.params as Obj),
          BigInt(tx.funding as string),
        ],
      };
    case "fundTask":
      return { functionName: "fundTask", args: [h32(tx.task), BigInt(tx.amount as string)] };
    case "closeTask":
      return { functionName: "closeTask", args: [h32(tx.task)] };
    case "stake":
      return { functionName: "stake", args: [h32(tx.task), BigInt(tx.amount as string), tx.nodeUrl] };
    case "unstake":
      return { functionName: "unstake", args: [h32(tx.task)] };
    case "withdraw":
      return { functionName: "withdraw", args: [h32(tx.task)] };
    case "commit":
      return { functionName: "commit", args: [h32(tx.task), tx.cycle, h32(tx.commitment)] };
    case "reveal":
      return { functionName: "reveal", args: [h32(tx.task), tx.cycle, h32(tx.proofDigest), h32(tx.salt)] };
    case "commitAndReveal":
      return {
        functionName: "commitAndReveal",
        args: [h32(tx.task), tx.cycle, h32(tx.commitment), h32(tx.proofDigest), h32(tx.salt)],
      };
    case "triggerAudit":
      return {
        functionName: "triggerAudit",
        args: [
          h32(tx.task),
          tx.cycle,
          indexOf(TRIGGER_KINDS, tx.triggerKind),
          indexOf(VERDICTS, tx.verdict),
          tx.attempt,
          h32(tx.target),
          h32(tx.reasonDigest),
        ],
      };
    case "vote":
      return { functionName: "vote", args: [h32(tx.task), tx.cycle, tx.trigger, indexOf(CHOICES, tx.choice)] };
    case "publishProof":
      return { functionName: "publishProof", args: [h32(tx.task), tx.cycle, tx.trigger, `0x${tx.payload as string}`] };
    case "claim":
      return { functionName: "claim", args: [h32(tx.task)] };
    case "claimDistribution":
      return {
        functionName: "claimDistribution",
        args: [
          h32(tx.task),
          tx.cycle,
          h32(tx.recipient),
          BigInt(tx.amount as string),
          BigInt(tx.index as number),
          (tx.proof as string[]).map(h32),
        ],
      };
    case "submitDistribution":
      return {
        functionName: "submitDistribution",
        args: [
          h32(tx.task),
          tx.cycle,
          tx.attempt,
          h32(tx.listRoot),
          h32(tx.listBlob),
          BigInt(tx.total as string),
          tx.entryCount,
        ],
      };
    default:
      throw new Error(`transaction kind ${String(tx.kind)} is not implemented by the contract`);
  }
}

/**
 * Each run of consecutive `LosingVotePenalized` events of one trigger, sorted by node, and each run of one appeal's
 * slashes (§5.8) sorted by the slashed node: a run of consecutive `Slashed` events of one trigger, each with the
 * whistleblower's `Credited` right before it when its share is not zero, moved as a pair. The contract penalizes a
 * trigger's losing voters, and slashes the nodes that voted invalid on the trigger an appeal reverses, word by word of
 * the packed choices (voter-id order), the core in vote order, whose record (`voteAt`) the contract does not hold
 * (contracts/README.md, "Records the contract does not hold"). Every other event, and the place of each run among
 * them, is compared in order. (A trigger that is not an appeal slashes one node: a run of one.)
 */
export function penaltiesByNode(events: readonly Obj[]): Obj[] {
  const sorted = [...events];
  const ref = (event: Obj | undefined) =>
    `${event?.task as string}/${event?.cycle as number}/${event?.trigger as number}`;
  const isWhistleblower = (event: Obj | undefined, slashed: Obj | undefined) =>
    event?.type === "Credited" && event.reason === "whistleblower" && event.task === slashed?.task;
  // The events of the unit that starts at `start` (a penalty; a slash with its whistleblower's share) and its run's
  // key, or no key.
  const unitAt = (start: number): { key: string | undefined; length: number; node: string } => {
    const first = sorted[start];
    if (first?.type === "LosingVotePenalized") {
      return { key: `penalty/${ref(first)}`, length: 1, node: first.node as string };
    }
    const credited = isWhistleblower(first, sorted[start + 1]) && sorted[start + 1]?.type === "Slashed";
    const slashed = credited ? sorted[start + 1] : first;
    if (slashed?.type !== "Slashed") return { key: undefined, length: 1, node: "" };
    return { key: `slash/${ref(slashed)}`, length: credited ? 2 : 1, node: slashed.node as string };
  };
  for (let start = 0; start < sorted.length; ) {
    const first = unitAt(start);
    const units: { at: number; length: number; node: string }[] = [{ at: start, ...first }];
    let end = start + first.length;
    while (first.key !== undefined && end < sorted.length) {
      const unit = unitAt(end);
      if (unit.key !== first.key) break;
      units.push({ at: end, ...unit });
      end += unit.length;
    }
    if (units.length > 1) {
      const part = [...units]
        .sort((a, b) => a.node.localeCompare(b.node))
        .flatMap((unit) => sorted.slice(unit.at, unit.at + unit.length));
      sorted.splice(start, end - start, ...part);
    }
    start = end;
  }
  return sorted;
}

/**
 * The core's view of each log (`coreEvent`), shaped like the expected event at its place, or, where that is of
 * another type (a run that `penaltiesByNode` reorders, whose pairs may differ in length), like the first expected
 * event of the log's type.
 */
export function coreEventsLike(logs: readonly { topics: Hex[]; data: Hex }[], expected: readonly Obj[]): Obj[] {
  return logs.map((log, i) => {
    const type = coreEvent(log, { type: "" }).type;
    const here = expected[i];
    return coreEvent(log, here?.type === type ? here : (expected.find((event) => event.type === type) ?? here));
  });
}

/** The core's view of a contract event: its type and the fields the core's event has. */
export function coreEvent(log: { topics: Hex[]; data: Hex }, like: Obj | undefined): Obj {
  const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] }) as unknown as {
    eventName: string;
    args: Record<string, unknown>;
  };
  const out: Obj = { type: decoded.eventName };
  for (const key of Object.keys(like ?? {})) {
    if (key === "type") continue;
    const value = decoded.args[EVENT_ALIASES[key] ?? key];
    if (value === undefined) continue;
    const names = EVENT_TYPE_ENUMS[decoded.eventName]?.[key] ?? EVENT_ENUMS[key];
    if (names !== undefined && typeof value === "number") out[key] = names[value] ?? null;
    // A list's `replaced` and a missing list's `distributor`: bytes32(0) for the core's null.
    else if (value === ZERO32 && (key === "replaced" || key === "distributor")) out[key] = null;
    else if (typeof value === "string" && /^0x[0-9a-f]{64}$/i.test(value)) out[key] = unhex(value as Hex);
    else if (
      typeof value === "bigint" &&
      ["round", "untilRound", "activationRound", "cycle", "index", "endRound"].includes(key)
    ) {
      out[key] = Number(value);
    } else out[key] = value as Json;
  }
  return out;
}
