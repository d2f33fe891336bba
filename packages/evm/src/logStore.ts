import Database from "better-sqlite3";
import type { Address, Hash, Hex } from "viem";
import { EvmError } from "./errors.ts";

/**
 * The log follower's durable state in one SQLite file: the logs it stored (each with its block number, block hash,
 * block timestamp, transaction hash and log index), the hashes of the blocks it has seen (to find where a reorg
 * forked), and its cursor (the last block done). A range of blocks is committed in one transaction with the cursor,
 * so after a crash either all of it is there or none, and a restart resumes after the cursor without duplicates.
 */

export type StoredLog = {
  readonly blockNumber: bigint;
  readonly blockHash: Hash;
  /** Seconds since the epoch, as `block.timestamp`. */
  readonly blockTimestamp: bigint;
  readonly transactionHash: Hash;
  readonly transactionIndex: number;
  readonly logIndex: number;
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
};

export type StoredBlock = { readonly number: bigint; readonly hash: Hash; readonly timestamp: bigint };

/** What a store follows; a store written for one never serves another (`EVM__FOLLOW_STORE_MISMATCH`). */
export type FollowTarget = { readonly chainId: number; readonly address: Address; readonly fromBlock: bigint };

/** The most logs one read returns (callers page with `after`). */
export const MAX_LOGS_PER_READ = 10_000;

/** Blocks without logs whose hashes are kept behind the cursor (older ones are pruned: reorgs that deep roll back further). */
export const RETAINED_EMPTY_BLOCKS = 1_024;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, timestamp INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    block_hash TEXT NOT NULL,
    block_timestamp INTEGER NOT NULL,
    transaction_hash TEXT NOT NULL,
    transaction_index INTEGER NOT NULL,
    address TEXT NOT NULL,
    topics TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
  ) STRICT;
`;

type LogRow = {
  block_number: number;
  log_index: number;
  block_hash: string;
  block_timestamp: number;
  transaction_hash: string;
  transaction_index: number;
  address: string;
  topics: string;
  data: string;
};

function toNumber(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what}: out of range: ${value}`);
  return Number(value);
}

function logOfRow(row: LogRow): StoredLog {
  return {
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as Hash,
    blockTimestamp: BigInt(row.block_timestamp),
    transactionHash: row.transaction_hash as Hash,
    transactionIndex: row.transaction_index,
    logIndex: row.log_index,
    address: row.address as Address,
    topics: JSON.parse(row.topics) as Hex[],
    data: row.data as Hex,
  };
}

export type LogStore = {
  /** The block up to which every log is stored, with its hash; undefined before the first range. */
  cursor(): StoredBlock | undefined;
  /** Stores a range's logs and blocks and moves the cursor to `cursor`, in one transaction. */
  commitRange(range: { logs: readonly StoredLog[]; blocks: readonly StoredBlock[]; cursor: StoredBlock }): void;
  /** The stored block strictly between `above` and `below` nearest to their middle, if any. */
  storedBlockBetween(above: bigint, below: bigint): StoredBlock | undefined;
  /** Removes every log and block after `block` (a stored block, or undefined for all) and moves the cursor there. */
  rollbackAfter(block: StoredBlock | undefined, firstBlock: bigint): { removedLogs: number };
  /** Stored logs in chain order, after `after` (block number and log index), at most `limit`. */
  logs(options?: { after?: { blockNumber: bigint; logIndex: number }; limit?: number }): StoredLog[];
  countLogs(): number;
  close(): void;
};

/**
 * Opens (or creates) the store at `path` (":memory:" for one that dies with the process) for `target`; a store
 * that was written for another chain, contract or first block is refused.
 */
export function openLogStore(path: string, target: FollowTarget): LogStore {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA);
    checkTarget(db, path, target);
  } catch (error) {
    db.close();
    throw error;
  }
  return createLogStore(db);
}

function checkTarget(db: Database.Database, path: string, target: FollowTarget): void {
  const wanted = {
    chainId: String(target.chainId),
    address: target.address.toLowerCase(),
    fromBlock: String(target.fromBlock),
  };
  const rows = db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[];
  const meta = new Map(rows.map((row) => [row.key, row.value]));
  if (!meta.has("address")) {
    const insert = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    db.transaction(() => {
      for (const [key, value] of Object.entries(wanted)) insert.run(key, value);
    })();
    return;
  }
  for (const [key, value] of Object.entries(wanted))
    if (meta.get(key) !== value)
      throw new EvmError("EVM__FOLLOW_STORE_MISMATCH", {
        message: `${path} follows ${key} ${meta.get(key)}, not ${value}`,
        context: { path, key, stored: meta.get(key), wanted: value },
      });
}

function createLogStore(db: Database.Database): LogStore {
  const readMeta = db.prepare("SELECT value FROM meta WHERE key = ?").pluck();
  const writeMeta = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const deleteMeta = db.prepare("DELETE FROM meta WHERE key = ?");
  const insertBlock = db.prepare("INSERT OR REPLACE INTO blocks (number, hash, timestamp) VALUES (?, ?, ?)");
  const insertLog = db.prepare(
    `INSERT INTO logs (block_number, log_index, block_hash, block_timestamp, transaction_hash, transaction_index, address, topics, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const pruneEmptyBlocks = db.prepare(
    "DELETE FROM blocks WHERE number < ? AND NOT EXISTS (SELECT 1 FROM logs WHERE logs.block_number = blocks.number)",
  );
  const between = db.prepare(
    "SELECT number, hash, timestamp FROM blocks WHERE number > ? AND number < ? ORDER BY abs(number - ?), number LIMIT 1",
  );
  const deleteLogsAfter = db.prepare("DELETE FROM logs WHERE block_number > ?");
  const deleteBlocksAfter = db.prepare("DELETE FROM blocks WHERE number > ?");
  const logsAfter = db.prepare(
    `SELECT * FROM logs WHERE block_number > ? OR (block_number = ? AND log_index > ?)
     ORDER BY block_number, log_index LIMIT ?`,
  );
  const countLogs = db.prepare("SELECT count(*) FROM logs").pluck();

  const setCursor = (block: StoredBlock | undefined) => {
    if (block === undefined) deleteMeta.run("cursor");
    else
      writeMeta.run(
        "cursor",
        JSON.stringify({ number: block.number.toString(), hash: block.hash, timestamp: block.timestamp.toString() }),
      );
  };

  const commitRange = db.transaction(
    (range: { logs: readonly StoredLog[]; blocks: readonly StoredBlock[]; cursor: StoredBlock }) => {
      for (const block of range.blocks)
        insertBlock.run(toNumber(block.number, "block number"), block.hash, toNumber(block.timestamp, "timestamp"));
      for (const log of range.logs)
        insertLog.run(
          toNumber(log.blockNumber, "block number"),
          log.logIndex,
          log.blockHash,
          toNumber(log.blockTimestamp, "timestamp"),
          log.transactionHash,
          log.transactionIndex,
          log.address,
          JSON.stringify(log.topics),
          log.data,
        );
      setCursor(range.cursor);
      pruneEmptyBlocks.run(Math.max(0, toNumber(range.cursor.number, "cursor") - RETAINED_EMPTY_BLOCKS));
    },
  );

  const rollback = db.transaction((block: StoredBlock | undefined, firstBlock: bigint) => {
    const after = block === undefined ? toNumber(firstBlock, "first block") - 1 : toNumber(block.number, "block");
    const removedLogs = deleteLogsAfter.run(after).changes;
    deleteBlocksAfter.run(after);
    setCursor(block);
    return { removedLogs };
  });

  return {
    cursor() {
      const raw = readMeta.get("cursor") as string | undefined;
      if (raw === undefined) return undefined;
      const parsed = JSON.parse(raw) as { number: string; hash: Hash; timestamp: string };
      return { number: BigInt(parsed.number), hash: parsed.hash, timestamp: BigInt(parsed.timestamp) };
    },
    commitRange: (range) => commitRange(range),
    storedBlockBetween(above, below) {
      // `above` may be -1 (a follower from block 0 with nothing known to match): plain numbers, no range check.
      const row = between.get(Number(above), Number(below), Number((above + below) / 2n)) as
        | { number: number; hash: string; timestamp: number }
        | undefined;
      if (row === undefined) return undefined;
      return { number: BigInt(row.number), hash: row.hash as Hash, timestamp: BigInt(row.timestamp) };
    },
    rollbackAfter: (block, firstBlock) => rollback(block, firstBlock),
    logs(options = {}) {
      const limit = Math.min(options.limit ?? MAX_LOGS_PER_READ, MAX_LOGS_PER_READ);
      const after = options.after;
      const rows = (
        after === undefined
          ? logsAfter.all(-1, -1, -1, limit)
          : logsAfter.all(
              toNumber(after.blockNumber, "block"),
              toNumber(after.blockNumber, "block"),
              after.logIndex,
              limit,
            )
      ) as LogRow[];
      return rows.map(logOfRow);
    },
    countLogs: () => Number(countLogs.get()),
    close: () => db.close(),
  };
}
