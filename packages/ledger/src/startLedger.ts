import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Clock, systemClock } from "./clock.ts";
import { LedgerError, StorageError } from "./errors.ts";
import { createDevnetGenesis, genesisToJson, type LedgerGenesis } from "./genesis.ts";
import { checkHeadFile, HEAD_FILE, HeadFileWriter, readHeadFile } from "./headFile.ts";
import { Ledger } from "./ledger.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { LedgerMetrics } from "./metrics.ts";
import { BlockProducer } from "./producer.ts";
import { createLedgerServer, type LedgerServerOptions } from "./server/createLedgerServer.ts";
import { BlobStore } from "./store/blobStore.ts";
import type { LedgerStore } from "./store/LedgerStore.ts";
import { SQLITE_FILE_NAME, SqliteStore } from "./store/sqliteStore.ts";
import { VerifierPool } from "./verifierPool.ts";

const DEFAULT_LEDGER_PORT = 8899;
const DEFAULT_SLOT_MS = 400;

export type StartLedgerOptions = {
  readonly dataDir: string;
  /** 127.0.0.1 unless given. */
  readonly host?: string;
  /** 8899 unless given; 0 picks a free port (read it from the result, stdout, or DATA/ledger.json). */
  readonly port?: number;
  readonly slotMs?: number;
  /** The chain to start when the data directory is empty; must match the stored one otherwise. */
  readonly genesis?: LedgerGenesis;
  /** With an empty data directory and no genesis: create a devnet genesis (written to DATA/genesis.json). */
  readonly devnet?: boolean;
  /** Devnet only: slots advance only through POST /v1/admin/slots. */
  readonly manualSlots?: boolean;
  /** Verifier threads (default: the machine's cores). */
  readonly workers?: number;
  /** A size quota for the database; writes past it fail like a full disk. */
  readonly maxDatabaseBytes?: number;
  readonly maxTransactionsPerBlock?: number;
  readonly maxMempoolTransactions?: number;
  readonly maxPendingPerSender?: number;
  /** Anti-spam reserve per pending transaction, in base units (see LedgerOptions). */
  readonly reservePerPending?: bigint;
  /** Size limit of the blob store (DATA/blobs.sqlite), apart from the chain database. */
  readonly maxBlobStoreBytes?: number;
  /** Most blob bytes one account may store. */
  readonly maxBlobBytesPerAccount?: number;
  /** Slots without a block before /v1/health says LEDGER__STALLED. */
  readonly stallSlots?: number;
  /** Devnet admin token; generated (and written to DATA/admin-token) when omitted. */
  readonly adminToken?: string;
  readonly server?: Omit<LedgerServerOptions, "adminToken">;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Another store (PostgreSQL later); the default is SQLite in dataDir. */
  readonly store?: LedgerStore;
  /** Adds routes to the HTTP server before it listens (the CLI mounts the dashboard at / this way). */
  readonly configureServer?: (app: FastifyInstance) => void | Promise<void>;
};

export type RunningLedger = {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly chainId: string;
  readonly adminToken: string | undefined;
  readonly ledger: Ledger;
  readonly producer: BlockProducer;
  readonly server: FastifyInstance;
  readonly metrics: LedgerMetrics;
  /** Resolves with the error when the ledger stopped by itself (a storage failure); after that it is closed. */
  readonly failed: Promise<Error>;
  /** Stops producing, answers what is in flight, closes the server, the workers and the store. */
  close(): Promise<void>;
};

const LOCK_FILE = "ledger.lock";
const INFO_FILE = "ledger.json";
const ADMIN_TOKEN_FILE = "admin-token";
const GENESIS_FILE = "genesis.json";

const openInThisProcess = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One ledger per data directory: a lock file with the owner's pid (a stale one, after kill -9, is taken over). */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  if (openInThisProcess.has(dataDir)) {
    throw new LedgerError("LEDGER__CONFIG", { message: `${dataDir} is already open in this process` });
  }
  if (existsSync(path)) {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    if (Number.isSafeInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new LedgerError("LEDGER__CONFIG", {
        message: `another ledger (pid ${pid}) uses ${dataDir}; stop it first (or remove ${path} if that process is not a ledger)`,
      });
    }
  }
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, `${process.pid}\n`);
  } catch (error) {
    throw new StorageError("write the lock file", error, dataDir);
  }
  openInThisProcess.add(dataDir);
  return () => {
    openInThisProcess.delete(dataDir);
    rmSync(path, { force: true });
  };
}

function writeDataFile(dataDir: string, name: string, text: string, mode = 0o644): void {
  try {
    writeFileSync(join(dataDir, name), text, { mode });
  } catch (error) {
    throw new StorageError(`write ${name}`, error, dataDir);
  }
}

async function resolveGenesis(options: StartLedgerOptions, store: LedgerStore, dataDir: string) {
  const stored = await store.readGenesis();
  if (stored !== undefined) {
    if (options.devnet && stored.devnet === null) {
      throw new LedgerError("LEDGER__CONFIG", {
        message: `${dataDir} holds chain ${stored.chainId}, which is not a devnet: --devnet needs a new data directory`,
      });
    }
    return options.genesis;
  }
  // No chain in the database. A data directory that had one (a head file, a devnet genesis file) is never silently
  // started over: the operator decides (issue 13).
  if (readHeadFile(dataDir) !== undefined || (options.devnet && existsSync(join(dataDir, GENESIS_FILE)))) {
    throw new LedgerError("LEDGER__ROLLED_BACK", {
      message: `${dataDir} held a chain (${existsSync(join(dataDir, HEAD_FILE)) ? HEAD_FILE : GENESIS_FILE} is there) but its database is gone; restore it from a backup, or use a new data directory for a new chain`,
    });
  }
  if (options.genesis !== undefined) return options.genesis;
  if (!options.devnet) {
    throw new LedgerError("LEDGER__CONFIG", {
      message: `${dataDir} holds no chain yet: start it with --genesis FILE, or --devnet for a local devnet`,
    });
  }
  const genesis = createDevnetGenesis();
  writeDataFile(dataDir, GENESIS_FILE, `${JSON.stringify(genesisToJson(genesis), null, 2)}\n`, 0o600);
  return genesis;
}

/**
 * Starts a ledger: opens (or creates) the chain in `dataDir`, starts the verifier pool, the block producer and the
 * HTTP server. The CLI's `gradual ledger` runs this; tests embed it in-process.
 */
export async function startLedger(options: StartLedgerOptions): Promise<RunningLedger> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const unlock = lockDataDir(dataDir);
  const cleanup: (() => Promise<void> | void)[] = [unlock];
  const unwind = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    if (
      options.store === undefined &&
      !existsSync(join(dataDir, SQLITE_FILE_NAME)) &&
      readHeadFile(dataDir) !== undefined
    ) {
      // Refuse before SQLite creates an empty database in its place.
      throw new LedgerError("LEDGER__ROLLED_BACK", {
        message: `${join(dataDir, SQLITE_FILE_NAME)} is gone but ${join(dataDir, HEAD_FILE)} records a chain: restore the database from a backup, or use a new data directory for a new chain`,
      });
    }
    if (
      options.store === undefined &&
      !existsSync(join(dataDir, SQLITE_FILE_NAME)) &&
      options.genesis === undefined &&
      !options.devnet
    ) {
      // Nothing to start and nothing to create: refuse before SQLite makes an empty database (a mistyped --data).
      throw new LedgerError("LEDGER__CONFIG", {
        message: `${dataDir} holds no chain yet: start it with --genesis FILE, or --devnet for a local devnet`,
      });
    }
    const store =
      options.store ??
      new SqliteStore({
        dataDir,
        ...(options.maxDatabaseBytes === undefined ? {} : { maxDatabaseBytes: options.maxDatabaseBytes }),
      });
    cleanup.push(() => store.close());
    const rolledBack = await checkHeadFile(dataDir, store);
    if (rolledBack !== null) throw rolledBack;
    const genesis = await resolveGenesis(options, store, dataDir);
    const metrics = new LedgerMetrics();
    const stored = await store.readGenesis();
    const verifier = new VerifierPool({
      chainId: (stored ?? genesis)?.chainId ?? "",
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    });
    cleanup.push(() => verifier.close());
    let headWriter: HeadFileWriter | undefined;
    const ledger = await Ledger.open(
      {
        ...(genesis === undefined ? {} : { genesis }),
        ...(options.maxTransactionsPerBlock === undefined
          ? {}
          : { maxTransactionsPerBlock: options.maxTransactionsPerBlock }),
        ...(options.maxMempoolTransactions === undefined
          ? {}
          : { maxMempoolTransactions: options.maxMempoolTransactions }),
        ...(options.maxPendingPerSender === undefined ? {} : { maxPendingPerSender: options.maxPendingPerSender }),
        ...(options.reservePerPending === undefined ? {} : { reservePerPending: options.reservePerPending }),
      },
      {
        store,
        verifier,
        clock,
        metrics,
        logger,
        // Only for the default store in dataDir: the head file records that store's head.
        ...(options.store === undefined ? { onDurableBlock: (header) => headWriter?.writeAsync(header) } : {}),
      },
    );
    if (options.store === undefined) {
      try {
        headWriter = new HeadFileWriter(dataDir, ledger.chainId);
        const writer = headWriter;
        cleanup.push(() => writer.close());
        headWriter.write(ledger.head);
      } catch (error) {
        throw new StorageError(`write ${HEAD_FILE}`, error, dataDir);
      }
    }
    if (options.manualSlots && !ledger.isDevnet) {
      throw new LedgerError("LEDGER__CONFIG", { message: "--manual-slots exists only in devnet mode" });
    }
    let adminToken: string | undefined;
    if (ledger.isDevnet) {
      adminToken = options.adminToken ?? randomBytes(32).toString("hex");
      writeDataFile(dataDir, ADMIN_TOKEN_FILE, `${adminToken}\n`, 0o600);
    }
    const producer = new BlockProducer(
      {
        slotMs: options.slotMs ?? DEFAULT_SLOT_MS,
        manualSlots: options.manualSlots ?? false,
        ...(options.stallSlots === undefined ? {} : { stallSlots: options.stallSlots }),
      },
      { ledger, clock, logger },
    );
    const blobs = new BlobStore({
      dataDir,
      ...(options.maxBlobStoreBytes === undefined ? {} : { maxBytes: options.maxBlobStoreBytes }),
      ...(options.maxBlobBytesPerAccount === undefined ? {} : { maxBytesPerAccount: options.maxBlobBytesPerAccount }),
    });
    cleanup.push(() => blobs.close());
    const server = createLedgerServer(
      { ...options.server, ...(adminToken === undefined ? {} : { adminToken }) },
      { ledger, producer, metrics, logger, blobs },
    );
    // Unwound in reverse: stop producing, stop admitting (answering waiters), then close the server.
    cleanup.push(() => server.close());
    cleanup.push(() => ledger.stop());
    cleanup.push(() => producer.stop());
    await options.configureServer?.(server);
    await server.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? DEFAULT_LEDGER_PORT });
    const address = server.server.address();
    const port = typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_LEDGER_PORT);
    const host = options.host ?? "127.0.0.1";
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    writeDataFile(dataDir, INFO_FILE, `${JSON.stringify({ pid: process.pid, url, port, chainId: ledger.chainId })}\n`);
    producer.start();

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= unwind();
      return closing;
    };
    const failed = new Promise<Error>((resolveFailure) => {
      ledger.onFatal((error) => {
        void close().finally(() => resolveFailure(error));
      });
    });
    logger.info(`ledger ${ledger.chainId} at ${url}, block ${ledger.head.number}, data ${dataDir}`);
    return {
      url,
      port,
      dataDir,
      chainId: ledger.chainId,
      adminToken,
      ledger,
      producer,
      server,
      metrics,
      failed,
      close,
    };
  } catch (error) {
    await unwind().catch(() => {});
    throw error;
  }
}
