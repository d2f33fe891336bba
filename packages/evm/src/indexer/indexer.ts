/**
 * The indexer: the `Gradual` contract's logs, followed durably (`followLogs`, SQLite) and replayed through the core
 * (`ChainReplay`). The state is never read from disk: on start every stored log is replayed into a fresh core, then
 * the follower goes on from its cursor; on a reorg the core is rebuilt from the logs the store kept.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ProducedBlock } from "@gradual/node/local";
import type { ProtocolEvent } from "@gradual/protocol";
import type { Abi, Address, PublicClient } from "viem";
import { gradualAbi } from "../compile.ts";
import type { EvmError } from "../errors.ts";
import { createLogFollower, type FollowProgress, followLogs } from "../follow.ts";
import { type LogStore, MAX_LOGS_PER_READ, openLogStore } from "../logStore.ts";
import { asEvmError, connect } from "../rpc.ts";
import { ChainReplay, coreChainId } from "./replay.ts";

export type IndexerProgress = {
  /** The last EVM block whose logs are stored and applied. */
  readonly block: bigint | undefined;
  readonly head: bigint;
  /** The core's slot (its last block). */
  readonly slot: number;
  readonly logs: number;
};

export type StartIndexerParameters = {
  readonly rpcUrl: string;
  readonly contract: Address;
  /** The first block to read (the contract's deployment block; default 0). */
  readonly fromBlock?: bigint;
  /** Where the log store lives (`<dataDir>/logs-<chain>-<contract>.sqlite`). */
  readonly dataDir: string;
  /** Blocks to stay behind the head (default 0: anvil; use more on a chain that reorgs). */
  readonly confirmations?: number;
  readonly pollIntervalMs?: number;
  /** Each block's core events, as the ledger's event stream would carry them. */
  readonly onEvents?: (events: readonly ProtocolEvent[], block: ProducedBlock) => void;
  readonly onProgress?: (progress: IndexerProgress) => void;
  readonly onDivergence?: (error: EvmError) => void;
  readonly onError?: (error: Error) => void;
  /** Run no background loop: the caller drives `catchUp()` (tests). */
  readonly manual?: boolean;
};

export type Indexer = {
  /** The current replay (a new one after a reorg). */
  readonly replay: ChainReplay;
  readonly store: LogStore;
  readonly chainId: string;
  readonly evmChainId: number;
  /** The Gradual contract followed (lowercase). */
  readonly contract: Address;
  readonly slotMs: number;
  readonly genesisTimestamp: bigint;
  /** Reads up to the safe head now and applies what it stored; resolves when done. */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
};

/** The contract's clock: `genesisTimestamp` (seconds) and `slotMs`. */
export async function readContractClock(
  client: PublicClient,
  contract: Address,
  abi: Abi,
): Promise<{ genesisTimestamp: bigint; slotMs: number }> {
  try {
    const [genesisTimestamp, slotMs] = await Promise.all([
      client.readContract({ address: contract, abi, functionName: "genesisTimestamp" }) as Promise<bigint>,
      client.readContract({ address: contract, abi, functionName: "slotMs" }) as Promise<number>,
    ]);
    return { genesisTimestamp, slotMs: Number(slotMs) };
  } catch (error) {
    throw asEvmError(error, `reading the clock of the Gradual contract at ${contract}`);
  }
}

export async function startIndexer(parameters: StartIndexerParameters): Promise<Indexer> {
  const { contract } = parameters;
  const { publicClient: client, chain } = await connect({ rpcUrl: parameters.rpcUrl });
  const abi = gradualAbi() as Abi;
  const { genesisTimestamp, slotMs } = await readContractClock(client, contract, abi);
  const fromBlock = parameters.fromBlock ?? 0n;
  mkdirSync(parameters.dataDir, { recursive: true });
  const store = openLogStore(join(parameters.dataDir, `logs-${chain.id}-${contract.toLowerCase()}.sqlite`), {
    chainId: chain.id,
    address: contract,
    fromBlock,
  });
  const chainId = coreChainId(chain.id, contract);
  const fresh = () =>
    new ChainReplay({
      abi,
      contract,
      chainId,
      evmChainId: chain.id,
      genesisTimestamp,
      slotMs,
      ...(parameters.onEvents === undefined ? {} : { onEvents: parameters.onEvents }),
      ...(parameters.onDivergence === undefined ? {} : { onDivergence: parameters.onDivergence }),
    });
  let replay = fresh();

  /** Applies every stored log after the replay's position, then produces the slots the cursor is past. */
  const drain = (): void => {
    for (;;) {
      const position = replay.position;
      const logs = store.logs({ ...(position === undefined ? {} : { after: position }), limit: MAX_LOGS_PER_READ });
      for (const log of logs) replay.applyLog(log);
      if (logs.length < MAX_LOGS_PER_READ || replay.diverged !== undefined) break;
    }
    const cursor = store.cursor();
    // A later EVM block may still share the cursor's slot: only the slots before it are over.
    if (cursor !== undefined) replay.advanceTo(replay.slotOf(cursor.timestamp) - 1);
  };
  drain();

  const followParameters = {
    client,
    address: contract,
    fromBlock,
    confirmations: parameters.confirmations ?? 0,
    store,
    ...(parameters.pollIntervalMs === undefined ? {} : { pollIntervalMs: parameters.pollIntervalMs }),
    onLogs: () => drain(),
    onReorg: () => {
      // The core cannot undo blocks: it is rebuilt from the logs the store kept.
      replay = fresh();
      drain();
    },
    onProgress: (progress: FollowProgress) => {
      drain();
      parameters.onProgress?.({
        block: progress.block,
        head: progress.head,
        slot: replay.chain.slot,
        logs: replay.applied,
      });
    },
    ...(parameters.onError === undefined ? {} : { onError: parameters.onError }),
  };
  const stepper = createLogFollower(followParameters);
  const loop = parameters.manual === true ? undefined : followLogs(followParameters);
  let stopped = false;
  return {
    get replay() {
      return replay;
    },
    store,
    chainId,
    evmChainId: chain.id,
    contract: contract.toLowerCase() as Address,
    slotMs,
    genesisTimestamp,
    async catchUp() {
      if (loop !== undefined) throw new Error("catchUp() is for an indexer started with manual: true");
      await stepper.catchUp();
      drain();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await loop?.stop();
      store.close();
    },
  };
}
