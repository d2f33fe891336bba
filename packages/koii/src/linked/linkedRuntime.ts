/**
 * The local chain of a Koii task folder linked to gradual (`gradual koii link`): when the folder's own tests or its
 * `simulate` script load the task outside any node, Koii's wrapper runs in this process against an in-memory gradual
 * ledger with one staked node (this process), as Koii's wrapper runs locally against its dummy task state. The duty
 * methods Koii's tests call (`taskRunner.submitTask`, `auditTask`, `selectAndGenerateDistributionList`,
 * `submitDistributionList`, `auditDistribution`, `namespaceWrapper.stakeOnChain`) send the node's real transactions
 * (commit and reveal, triggers, the list) through the protocol core, advancing the chain to each window, and run the
 * task's functions through the same adapter a node uses (`fromKoii`). `getTaskState` and the other readers answer
 * from that chain. docs/koii.md "Your own tests".
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { generateKeyPair, type KeyPair, signBytes } from "@gradual/ledger/client";
import type { TransactionBody } from "@gradual/node/decide";
import { createLocalTask, createMemoryLedgerReader, MemoryChain } from "@gradual/node/local";
import {
  computeCommitment,
  DEVNET_PARAMS,
  type DistributionEntry,
  encodeList,
  getChain,
  getCycle,
  getCycleWindows,
  getDistribution,
  getNodeView,
  getReveal,
  getRuleDistribution,
  getTask,
  jsonPayloadBytes,
  listBlobHash,
  listRevealers,
  listRoot,
  roundOf,
  sha256Hex,
  type TaskParams,
  TOKEN,
  taskPayloadBytes,
} from "@gradual/protocol";
import { memoryBlobs, memoryStore, type Proof, type TaskContext } from "@gradual/sdk";
import { mapKoiiConfig } from "../config/mapKoiiConfig.ts";
import { setLocalRounds } from "../runtime/chain.ts";
import { adoptIdentity } from "../runtime/constants.ts";
import { setFallbackContext } from "../runtime/context.ts";
import { fromKoii } from "../runtime/fromKoii.ts";
import { type LocalDuties, setLocalDuties } from "../runtime/taskManager.ts";

const CHAIN_ID = "gradual-koii-linked";
/** Where the local node says it serves its proofs; requests there never leave the process. */
const LOCAL_NODE_URL = "http://gradual-local-node.invalid";
/** Slots per round of the local chain: windows are stepped through, not waited for. */
const LOCAL_ROUND_SLOTS = 40;
/**
 * Cycles between two Koii rounds on the local chain. Koii's tests run a round's duties one after another (submit,
 * audit, distribute, audit the list) before the next round's; on the ledger a cycle's list is settled two rounds
 * after its work, so each Koii round gets a cycle of its own, started after the previous one's list settled.
 */
const CYCLES_PER_ROUND = 4;

export type LinkedRuntimeOptions = {
  /** The task folder (config-task.yml is read from it when present); default the working directory. */
  readonly directory?: string;
  /** Koii's namespace-wrapper Express app (the shim's `app`). */
  readonly app: Parameters<typeof fromKoii>[0]["app"];
  readonly log?: (line: string) => void;
};

function localParams(directory: string): { name: string; params: TaskParams; funding: bigint } {
  const file = path.join(directory, "config-task.yml");
  const base = existsSync(file)
    ? mapKoiiConfig(readFileSync(file, "utf8"), { roundSlots: LOCAL_ROUND_SLOTS })
    : { name: "local-koii-task", params: DEVNET_PARAMS, funding: 1_000n * TOKEN };
  // Stake counts at once (a local run has no whale to keep out), and every round's records stay readable (rewards
  // vest for longer than any local run, so no cycle is pruned, protocol.md §9.3).
  const params = { ...base.params, warmupRounds: 0, rampRounds: 0, vestingRounds: 100_000 };
  // Enough escrow for every round a test may run, whatever config-task.yml's bounty.
  return { name: base.name, params, funding: base.funding + params.bountyPerRound * 100_000n };
}

export function startLinkedRuntime(options: LinkedRuntimeOptions): void {
  const directory = options.directory ?? process.cwd();
  const log = options.log ?? ((line: string) => console.log(`[gradual local] ${line}`));
  const { name, params, funding } = localParams(directory);
  const creator = generateKeyPair();
  const me: KeyPair = generateKeyPair();
  const chain = new MemoryChain({
    chainId: CHAIN_ID,
    accounts: [
      { account: creator.publicKey, balance: funding + 1_000n * TOKEN },
      { account: me.publicKey, balance: params.minimumStake * 1_000n + 1_000n * TOKEN },
    ],
    // A refusal is reported, as a node would log it.
    onRefused: (tx, refusal) => log(`the local ledger refused ${tx.kind}: ${refusal.code}`),
  });
  const proofs = new Map<string, Uint8Array>();
  const submittedLists = new Set<number>();

  const send = (from: KeyPair, body: TransactionBody): void => void chain.send(from.publicKey, body);
  /** One block: the pending transactions at the next slot. */
  const produce = (): void => void chain.produce();
  const advanceTo = (slot: number): void => chain.advanceTo(slot);

  const taskId = createLocalTask(chain, creator, {
    name,
    bundleHash: sha256Hex(`linked:${directory}`),
    params,
    funding,
  });
  send(me, { kind: "stake", task: taskId, amount: params.minimumStake, nodeUrl: LOCAL_NODE_URL });
  produce();

  const task = () => {
    const record = getTask(chain.state, taskId);
    if (record === undefined) throw new Error("the local chain lost its task");
    return record;
  };
  const round = () => roundOf(task(), getChain(chain.state).slot);
  /** Koii round -> the local cycle it runs on (allocated when the round first reaches the chain). */
  const cycles = new Map<number, number>();
  let lastCycle = Number.NEGATIVE_INFINITY;
  const allocate = (koiiRound: number): number => {
    const known = cycles.get(koiiRound);
    if (known !== undefined) return known;
    const cycle = Math.max(round() + 1, lastCycle + CYCLES_PER_ROUND);
    cycles.set(koiiRound, cycle);
    lastCycle = cycle;
    return cycle;
  };
  const ledger = createMemoryLedgerReader(chain, { slotMs: 400 });
  const store = memoryStore();
  const blobs = memoryBlobs();
  const localFetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(LOCAL_NODE_URL)) return fetch(input, init);
    const digest = /\/proofs\/([0-9a-f]{64})$/.exec(url)?.[1];
    const bytes = digest === undefined ? undefined : proofs.get(digest);
    return bytes === undefined ? new Response("not found", { status: 404 }) : new Response(bytes);
  };
  const contextFor = (cycle: number): TaskContext => ({
    taskId,
    cycle,
    round: round(),
    node: me.publicKey,
    sign: async (bytes) => signBytes(me, taskPayloadBytes(bytes)),
    signJson: async (text) => signBytes(me, jsonPayloadBytes(text)),
    store,
    blobs,
    log: {
      info: (message) => log(message),
      warn: (message) => log(`warn: ${message}`),
      error: (message) => log(`error: ${message}`),
    },
    fetch: localFetch,
    ledger,
    config: { GRADUAL_KOII_BASE_PATH: directory, ...definedEnv() },
  });
  const definition = fromKoii({ taskName: name, app: options.app });

  /** Moves the chain to `slot` unless it is already past `closesAt`, which a duty called too late cannot undo. */
  const enter = (what: string, cycle: number, window: { opensAt: number; closesAt: number }): boolean => {
    const slot = getChain(chain.state).slot + 1; // the slot the next transaction lands in
    if (slot >= window.closesAt) {
      log(`${what}(${cycle}): the local chain is at round ${round()}, past that window; nothing sent`);
      return false;
    }
    advanceTo(window.opensAt - 1);
    return true;
  };

  const duties: LocalDuties = {
    async submitTask(koiiRound) {
      const cycle = allocate(koiiRound);
      const windows = getCycleWindows(task(), cycle);
      if (!enter("submitTask", koiiRound, windows.commit)) return;
      const value = await definition.submission(contextFor(koiiRound));
      if (value === null || value === undefined) return;
      const bytes = new TextEncoder().encode(String(value));
      const proofDigest = sha256Hex(bytes);
      const salt = sha256Hex(`salt:${me.publicKey}:${cycle}:${proofDigest}`);
      proofs.set(proofDigest, bytes);
      send(me, {
        kind: "commit",
        task: taskId,
        cycle,
        commitment: computeCommitment({ task: taskId, cycle, node: me.publicKey, proofDigest, salt }),
      });
      produce();
      advanceTo(windows.reveal.opensAt - 1);
      send(me, { kind: "reveal", task: taskId, cycle, proofDigest, salt });
      produce();
      log(
        `submitTask(${koiiRound}): committed and revealed ${JSON.stringify(String(value).slice(0, 80))} (local cycle ${cycle})`,
      );
    },
    async auditTask(koiiRound) {
      const cycle = cycles.get(koiiRound);
      if (cycle === undefined) return log(`auditTask(${koiiRound}): nothing was submitted for that round`);
      const windows = getCycleWindows(task(), cycle);
      if (!enter("auditTask", koiiRound, windows.proofTriggers)) return;
      for (const account of listRevealers(chain.state, taskId, cycle)) {
        const reveal = getReveal(chain.state, taskId, cycle, account);
        const bytes = reveal === undefined ? undefined : proofs.get(reveal.proofDigest);
        if (reveal === undefined || bytes === undefined) continue;
        const valid = await definition.audit(contextFor(koiiRound), proofOf(bytes, reveal.proofDigest), account);
        if (!valid && account !== me.publicKey) {
          send(me, {
            kind: "triggerAudit",
            task: taskId,
            cycle,
            target: account,
            triggerKind: "proof",
            verdict: "invalid",
            attempt: 0,
            reasonDigest: sha256Hex(`audit:${cycle}:${account}`),
          });
        }
        log(
          `auditTask(${koiiRound}): ${account === me.publicKey ? "own submission" : account.slice(0, 8)} ${valid ? "valid" : "invalid"}`,
        );
      }
      produce();
      advanceTo(windows.proofVotes.closesAt);
    },
    async selectAndGenerateDistributionList(koiiRound) {
      await submitList(koiiRound);
    },
    async submitDistributionList(koiiRound) {
      await submitList(koiiRound);
    },
    async auditDistribution(koiiRound) {
      const cycle = cycles.get(koiiRound);
      const record = cycle === undefined ? undefined : getCycle(chain.state, taskId, cycle);
      if (cycle === undefined || record === undefined)
        return log(`auditDistribution(${koiiRound}): no list for that round`);
      const windows = getCycleWindows(task(), cycle, record.attemptRound);
      if (!enter("auditDistribution", koiiRound, windows.distributionVotes)) return;
      const posted = getDistribution(chain.state, taskId, cycle, record.attempt);
      const expected = await expectedList(koiiRound, cycle);
      const same = posted !== undefined && posted.listRoot === listRoot(expected);
      log(`auditDistribution(${koiiRound}): the list ${same ? "matches" : "differs from"} this node's own`);
      advanceTo(windows.distributionVotes.closesAt);
    },
    async stakeOnChain(amount) {
      if (amount > 0) {
        send(me, { kind: "stake", task: taskId, amount: BigInt(amount), nodeUrl: LOCAL_NODE_URL });
        produce();
      }
      log(`stakeOnChain: staked ${amount} more base units`);
    },
  };

  async function expectedList(koiiRound: number, cycle: number): Promise<DistributionEntry[]> {
    if (task().params.distributionRule !== "custom") return getRuleDistribution(chain.state, taskId, cycle) ?? [];
    const submitters = listRevealers(chain.state, taskId, cycle).flatMap((account) => {
      const reveal = getReveal(chain.state, taskId, cycle, account);
      if (reveal?.status !== "valid") return [];
      return [
        { account, weight: getNodeView(chain.state, taskId, account)?.weight ?? 0n, proofDigest: reveal.proofDigest },
      ];
    });
    const record = getCycle(chain.state, taskId, cycle);
    const entries = await (definition.distribution as NonNullable<typeof definition.distribution>)(
      contextFor(koiiRound),
      submitters,
      record?.reserved ?? task().params.bountyPerRound,
    );
    return [...entries].sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0));
  }

  async function submitList(koiiRound: number): Promise<void> {
    const cycle = cycles.get(koiiRound);
    const record = cycle === undefined ? undefined : getCycle(chain.state, taskId, cycle);
    if (cycle === undefined || record === undefined) {
      log(`distribution(${koiiRound}): nothing was submitted for that round`);
      return;
    }
    if (submittedLists.has(cycle)) return;
    const windows = getCycleWindows(task(), cycle, record.attemptRound);
    if (!enter("submitDistributionList", koiiRound, windows.distribution)) return;
    advanceTo(windows.distribution.opensAt);
    // The local chain has one node: its list is the only one, so it always wins the race (§6.1).
    const entries = await expectedList(koiiRound, cycle);
    await blobs.put(encodeList(entries));
    send(me, {
      kind: "submitDistribution",
      task: taskId,
      cycle,
      attempt: record.attempt,
      listRoot: listRoot(entries),
      listBlob: listBlobHash(entries),
      total: entries.reduce((sum, entry) => sum + entry.amount, 0n),
      entryCount: entries.length,
    });
    produce();
    submittedLists.add(cycle);
    log(`distribution(${koiiRound}): submitted a list of ${entries.length} payment(s)`);
  }

  adoptIdentity(taskId, me.publicKey);
  setLocalRounds({
    // A round the local chain never ran has no cycle (-1 is none).
    cycleOf: (koiiRound) => cycles.get(koiiRound) ?? -1,
    rounds: () => [...cycles.keys()].sort((a, b) => a - b),
  });
  setFallbackContext(() => contextFor(round()));
  setLocalDuties(duties);
}

function proofOf(bytes: Uint8Array, digest: string): Proof {
  return {
    bytes,
    digest,
    text: () => new TextDecoder().decode(bytes),
    json: <T>() => JSON.parse(new TextDecoder().decode(bytes)) as T,
  };
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}
