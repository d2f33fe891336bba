import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  write,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { BlockHeader } from "./block.ts";
import { LedgerError } from "./errors.ts";
import type { LedgerStore } from "./store/LedgerStore.ts";

/**
 * The chain knows where it was (issue 13): after every durable block the ledger also writes the head's number and
 * hash to DATA/head.json, outside the database, and syncs it ({@link HeadFileWriter}). At start-up and in `verify` the
 * database must reach that head; a database that was deleted, truncated, rolled back by a damaged WAL or replaced
 * by an older copy is refused instead of silently continuing from an earlier block.
 */
export const HEAD_FILE = "head.json";

export type HeadRecord = { readonly chainId: string; readonly number: number; readonly hash: string };

function headFilePath(dataDir: string): string {
  return join(dataDir, HEAD_FILE);
}

export function readHeadFile(dataDir: string): HeadRecord | undefined {
  const path = headFilePath(dataDir);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new LedgerError("LEDGER__DAMAGED", {
      message: `${path} is not readable JSON (${(error as Error).message}); restore it or the data directory from a backup`,
    });
  }
  const record = parsed as Partial<HeadRecord>;
  if (
    typeof record.chainId !== "string" ||
    !Number.isSafeInteger(record.number) ||
    typeof record.hash !== "string" ||
    !/^[0-9a-f]{64}$/.test(record.hash)
  ) {
    throw new LedgerError("LEDGER__DAMAGED", { message: `${path} does not hold { chainId, number, hash }` });
  }
  return record as HeadRecord;
}

/** Bytes of the head record on disk: a fixed size, padded with spaces, so an overwrite never leaves a tail. */
const HEAD_RECORD_BYTES = 256;

/**
 * Keeps DATA/head.json open and overwrites it after every block: one write of 256 bytes at offset 0 (within one
 * disk sector's worth of a page, so not torn in practice) and one fdatasync, the cheapest durable record per block.
 * The file is created once through a temporary file, fsync, rename and a directory fsync.
 */
export class HeadFileWriter {
  readonly #dataDir: string;
  readonly #chainId: string;
  #fd: number | undefined;

  constructor(dataDir: string, chainId: string) {
    this.#dataDir = dataDir;
    this.#chainId = chainId;
  }

  #record(head: BlockHeader): Buffer {
    const text = JSON.stringify({ chainId: this.#chainId, number: head.number, hash: head.hash });
    const bytes = Buffer.alloc(HEAD_RECORD_BYTES, 0x20);
    bytes.write(text, 0, "utf8");
    bytes[HEAD_RECORD_BYTES - 1] = 0x0a;
    return bytes;
  }

  /** Writes the head and waits for the disk in this thread (start-up). */
  write(head: BlockHeader): void {
    const bytes = this.#record(head);
    if (this.#fd === undefined) {
      writeHeadFileAtomically(this.#dataDir, bytes);
      this.#fd = openSync(headFilePath(this.#dataDir), "r+");
      return;
    }
    writeSync(this.#fd, bytes, 0, bytes.length, 0);
    fdatasyncSync(this.#fd);
  }

  /**
   * The same, with the write and the fdatasync on libuv's thread pool: the ledger's thread goes on admitting while
   * the disk works (after every block). Calls must not overlap; the ledger makes one block at a time.
   */
  async writeAsync(head: BlockHeader): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) {
      this.write(head);
      return;
    }
    const bytes = this.#record(head);
    await new Promise<void>((resolve, reject) => {
      write(fd, bytes, 0, bytes.length, 0, (error) => {
        if (error) reject(error);
        else fdatasync(fd, (syncError) => (syncError ? reject(syncError) : resolve()));
      });
    });
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function writeHeadFileAtomically(dataDir: string, bytes: Uint8Array): void {
  const path = headFilePath(dataDir);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w", 0o644);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const directory = openSync(dataDir, "r");
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

/** What to tell an operator whose database is behind its head file. */
const WHAT_TO_DO =
  "Restore the data directory from a backup (or copy a verified replica's), or, to accept losing the blocks after the database's head, move head.json aside and start again";

/**
 * Null when the store reaches the recorded head (same chain, a block with that number and hash), otherwise the
 * LEDGER__ROLLED_BACK error to refuse with.
 */
export async function checkHeadFile(dataDir: string, store: LedgerStore): Promise<LedgerError | null> {
  const recorded = readHeadFile(dataDir);
  if (recorded === undefined) return null;
  const genesis = await store.readGenesis();
  const head = await store.getHead();
  const context = { recorded: recorded.number, recordedHash: recorded.hash, stored: head?.number ?? null };
  if (genesis === undefined || head === undefined) {
    return new LedgerError("LEDGER__ROLLED_BACK", {
      message: `${headFilePath(dataDir)} records block ${recorded.number} of chain ${recorded.chainId}, but ${store.location} holds no chain (deleted or replaced). ${WHAT_TO_DO}.`,
      context,
    });
  }
  if (genesis.chainId !== recorded.chainId) {
    return new LedgerError("LEDGER__ROLLED_BACK", {
      message: `${headFilePath(dataDir)} records chain ${recorded.chainId}, but ${store.location} holds chain ${genesis.chainId}. ${WHAT_TO_DO}.`,
      context,
    });
  }
  if (head.number < recorded.number) {
    return new LedgerError("LEDGER__ROLLED_BACK", {
      message: `the database's head is block ${head.number}, but block ${recorded.number} was durable (${headFilePath(dataDir)}): the database was rolled back (lost writes, a damaged WAL or an old copy). ${WHAT_TO_DO}.`,
      context,
    });
  }
  const block = (await store.getBlockHeaders(recorded.number, recorded.number))[0];
  if (block?.hash !== recorded.hash) {
    return new LedgerError("LEDGER__ROLLED_BACK", {
      message: `block ${recorded.number} in the database has hash ${block?.hash ?? "(none)"}, but ${recorded.hash} was durable: the database holds another history. ${WHAT_TO_DO}.`,
      context,
    });
  }
  return null;
}
