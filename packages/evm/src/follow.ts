import { type Address, BlockNotFoundError, type Hash, type PublicClient } from "viem";
import type { LogStore, StoredBlock, StoredLog } from "./logStore.ts";
import { asEvmError, isUnreachableError } from "./rpc.ts";

/**
 * A durable follower of one contract's logs, for the indexer: it polls `eth_getLogs` over bounded block ranges up to
 * `confirmations` blocks behind the head, stores each log with its block's number, hash and timestamp, its
 * transaction hash and log index (`LogStore`, SQLite), and resumes after its cursor when restarted. Before each step
 * it checks that the block at its cursor still has the hash it stored; when it does not (a reorg), it finds the last
 * stored block that is still on the chain, removes every log after it and reports the rollback.
 *
 * Memory is bounded by one range: at most `maxBlockRange` blocks and, where a range holds more than
 * `maxLogsPerRange` logs, a range halved until it does not (down to one block).
 */

export const DEFAULT_MAX_BLOCK_RANGE = 1_000n;
export const DEFAULT_MAX_LOGS_PER_RANGE = 10_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** Stored blocks checked, at most, to find where a reorg forked; past it everything after `fromBlock` is refetched. */
export const MAX_FORK_SEARCH_STEPS = 64;

export type FollowProgress = {
  /** The last block whose logs are stored (undefined before the first). */
  readonly block: bigint | undefined;
  readonly head: bigint;
  /** The newest block old enough to follow: head − confirmations. */
  readonly safeHead: bigint;
};

export type FollowReorg = {
  /** The last stored block still on the chain (undefined: none was; everything from fromBlock is refetched). */
  readonly commonAncestor: bigint | undefined;
  /** The cursor before the rollback: the logs of blocks after commonAncestor up to it were removed. */
  readonly previousCursor: bigint;
  readonly removedLogs: number;
};

export type FollowRange = { readonly fromBlock: bigint; readonly toBlock: bigint };

export type FollowLogsParameters = {
  readonly client: PublicClient;
  readonly address: Address;
  /** The first block to read (the contract's deployment block). */
  readonly fromBlock: bigint;
  /** Blocks to stay behind the head: a log is stored once `confirmations` blocks are on top of its block. */
  readonly confirmations: number;
  readonly store: LogStore;
  /** The logs of a range, after they are durable (in chain order). */
  readonly onLogs?: (logs: readonly StoredLog[], range: FollowRange) => void | Promise<void>;
  readonly onReorg?: (reorg: FollowReorg) => void | Promise<void>;
  readonly onProgress?: (progress: FollowProgress) => void;
  /** A step that failed (the RPC is down, ...); the follower tries again after the poll interval. */
  readonly onError?: (error: Error) => void;
  readonly maxBlockRange?: bigint;
  readonly maxLogsPerRange?: number;
  readonly pollIntervalMs?: number;
};

export type PollResult =
  | { readonly kind: "advanced"; readonly range: FollowRange; readonly logs: number; readonly head: bigint }
  | { readonly kind: "reorg"; readonly reorg: FollowReorg }
  | { readonly kind: "idle"; readonly head: bigint }
  /** The chain moved while the range was read (a block changed under it); nothing was stored. */
  | { readonly kind: "retry" };

export type LogFollower = {
  /** One step: a reorg check, then at most one range read and stored. */
  poll(): Promise<PollResult>;
  /** Polls until a poll finds nothing new (the safe head is reached); returns the number of logs stored. */
  catchUp(): Promise<number>;
};

export type FollowLogsReturnType = {
  /** Stops after the current step; resolves when the loop has ended. */
  stop(): Promise<void>;
};

function checkParameters(parameters: FollowLogsParameters): void {
  if (!Number.isSafeInteger(parameters.confirmations) || parameters.confirmations < 0)
    throw new RangeError(`confirmations: expected a non-negative integer, got ${parameters.confirmations}`);
  if (parameters.fromBlock < 0n) throw new RangeError(`fromBlock: expected ≥ 0, got ${parameters.fromBlock}`);
  const range = parameters.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  if (range < 1n) throw new RangeError(`maxBlockRange: expected ≥ 1, got ${range}`);
  const logs = parameters.maxLogsPerRange ?? DEFAULT_MAX_LOGS_PER_RANGE;
  if (!Number.isSafeInteger(logs) || logs < 1) throw new RangeError(`maxLogsPerRange: expected ≥ 1, got ${logs}`);
}

/** The block's hash and timestamp, or undefined when the chain has no block at that number (it got shorter). */
async function blockAt(client: PublicClient, number: bigint): Promise<StoredBlock | undefined> {
  try {
    const block = await client.getBlock({ blockNumber: number });
    return { number, hash: block.hash, timestamp: block.timestamp };
  } catch (error) {
    if (error instanceof BlockNotFoundError) return undefined;
    throw asEvmError(error, `reading block ${number}`);
  }
}

/** A follower whose steps the caller drives (`poll`, `catchUp`): what `followLogs` runs in a loop, and what tests drive. */
export function createLogFollower(parameters: FollowLogsParameters): LogFollower {
  checkParameters(parameters);
  const { client, address, store } = parameters;
  const maxBlockRange = parameters.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  const maxLogsPerRange = parameters.maxLogsPerRange ?? DEFAULT_MAX_LOGS_PER_RANGE;
  const confirmations = BigInt(parameters.confirmations);
  // The range shrinks when a read returns too many logs (or the endpoint refuses it) and grows back after successes.
  let blockRange = maxBlockRange;

  /** The last stored block still on the chain: a binary search over the stored blocks below the cursor. */
  async function findCommonAncestor(cursor: StoredBlock): Promise<StoredBlock | undefined> {
    let matching: StoredBlock | undefined;
    let above = parameters.fromBlock - 1n; // nothing before fromBlock is stored: it "matches" by definition
    let below = cursor.number;
    for (let step = 0; step < MAX_FORK_SEARCH_STEPS; step += 1) {
      const candidate = store.storedBlockBetween(above, below);
      if (candidate === undefined) return matching;
      const onChain = await blockAt(client, candidate.number);
      if (onChain?.hash === candidate.hash) {
        matching = candidate;
        above = candidate.number;
      } else below = candidate.number;
    }
    return undefined;
  }

  async function rollBack(cursor: StoredBlock): Promise<PollResult> {
    const ancestor = await findCommonAncestor(cursor);
    const { removedLogs } = store.rollbackAfter(ancestor, parameters.fromBlock);
    const reorg = { commonAncestor: ancestor?.number, previousCursor: cursor.number, removedLogs };
    await parameters.onReorg?.(reorg);
    return { kind: "reorg", reorg };
  }

  /** The logs of [from, to], or undefined when the range must shrink (too many logs, or the endpoint refused it). */
  async function readLogs(from: bigint, to: bigint) {
    try {
      const logs = await client.getLogs({ address, fromBlock: from, toBlock: to });
      if (logs.length > maxLogsPerRange && to > from) return undefined;
      return logs;
    } catch (error) {
      if (to > from && !isUnreachableError(error)) return undefined;
      throw asEvmError(error, `eth_getLogs ${from}..${to}`);
    }
  }

  /**
   * Reads [from, to] (shrunk while it holds too many logs) with the hash and timestamp of each block that has a log.
   * Undefined when the chain moved under the read: a block is gone, a log's block hash is not its block's, or the
   * range's last block changed between before and after the read.
   */
  async function readRange(from: bigint, initialTo: bigint) {
    let to = initialTo;
    let rangeEnd = await blockAt(client, to);
    let logs = await readLogs(from, to);
    while (logs === undefined) {
      blockRange = (to - from + 1n) / 2n > 0n ? (to - from + 1n) / 2n : 1n;
      to = from + blockRange - 1n;
      rangeEnd = await blockAt(client, to);
      logs = await readLogs(from, to);
    }
    if (rangeEnd === undefined) return undefined;
    const blocks = new Map<bigint, StoredBlock>([[to, rangeEnd]]);
    for (const log of logs) {
      let block = blocks.get(log.blockNumber);
      if (block === undefined) {
        block = await blockAt(client, log.blockNumber);
        if (block === undefined) return undefined;
        blocks.set(log.blockNumber, block);
      }
      if (block.hash !== log.blockHash) return undefined;
    }
    if ((await blockAt(client, to))?.hash !== rangeEnd.hash) return undefined;
    const stored: StoredLog[] = logs.map((log) => {
      const block = blocks.get(log.blockNumber) as StoredBlock;
      return {
        blockNumber: block.number,
        blockHash: block.hash,
        blockTimestamp: block.timestamp,
        transactionHash: log.transactionHash as Hash,
        transactionIndex: log.transactionIndex as number,
        logIndex: log.logIndex as number,
        address: log.address,
        topics: log.topics,
        data: log.data,
      };
    });
    return { to, rangeEnd, blocks, stored };
  }

  async function poll(): Promise<PollResult> {
    const head = await client.getBlockNumber({ cacheTime: 0 }).catch((error: unknown) => {
      throw asEvmError(error, "eth_blockNumber");
    });
    const safeHead = head - confirmations;
    const cursor = store.cursor();
    if (cursor !== undefined && (await blockAt(client, cursor.number))?.hash !== cursor.hash) return rollBack(cursor);
    const from = cursor === undefined ? parameters.fromBlock : cursor.number + 1n;
    if (from > safeHead) {
      parameters.onProgress?.({ block: cursor?.number, head, safeHead });
      return { kind: "idle", head };
    }
    const read = await readRange(from, from + blockRange - 1n < safeHead ? from + blockRange - 1n : safeHead);
    if (read === undefined) return { kind: "retry" };
    // The cursor still on the chain after the read: the range continues what is stored.
    if (cursor !== undefined && (await blockAt(client, cursor.number))?.hash !== cursor.hash) return rollBack(cursor);
    const { to, rangeEnd, blocks, stored } = read;
    store.commitRange({ logs: stored, blocks: [...blocks.values()], cursor: rangeEnd });
    if (blockRange < maxBlockRange) blockRange = blockRange * 2n < maxBlockRange ? blockRange * 2n : maxBlockRange;
    const range = { fromBlock: from, toBlock: to };
    if (stored.length > 0) await parameters.onLogs?.(stored, range);
    parameters.onProgress?.({ block: to, head, safeHead });
    return { kind: "advanced", range, logs: stored.length, head };
  }

  return {
    poll,
    async catchUp() {
      let total = 0;
      for (;;) {
        const result = await poll();
        if (result.kind === "idle") return total;
        if (result.kind === "advanced") total += result.logs;
      }
    },
  };
}

/**
 * Follows the logs until stopped: a step every `pollIntervalMs` (at once while behind). A failed step is reported
 * to `onError` and tried again; the cursor in the store makes a restart pick up where the last step ended.
 */
export function followLogs(parameters: FollowLogsParameters): FollowLogsReturnType {
  const follower = createLogFollower(parameters);
  const intervalMs = parameters.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const loop = (async () => {
    while (!stopped) {
      let result: PollResult | undefined;
      try {
        result = await follower.poll();
      } catch (error) {
        parameters.onError?.(error as Error);
      }
      if (stopped) break;
      // Behind: the next step at once. Idle, failed or the chain moving under a read: after the interval.
      if (result?.kind === "advanced" || result?.kind === "reorg") continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
