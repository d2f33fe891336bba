import { appendFileSync } from "node:fs";

/** A ledger run inside the devnet command's own process (see `startDevnetLedger`). */
export type DevnetLedger = {
  readonly url: string;
  /** Resolves with the error when the ledger stopped by itself (a storage failure). */
  readonly failed: Promise<Error>;
  /** Stops producing blocks, answers what is in flight, closes the server and the store. */
  close(): Promise<void>;
};

/**
 * Starts a devnet's ledger in this process, serving the dashboard, logging to `logFile`. The devnet command only
 * follows the chain and waits, so it hosts the ledger rather than starting a process for it: one Node process fewer
 * (each maps about 43 MB of the node executable; the devnet's memory in docs/benchmarks.md). Signatures are checked
 * on the main thread (a devnet block holds a handful; a verifier thread is a V8 isolate of about 10 MB). The ledger
 * modules are loaded here, not at import, so `gradual devnet --help` stays light.
 */
export async function startDevnetLedger(options: {
  readonly dataDir: string;
  readonly genesisPath: string;
  readonly port: number;
  readonly slotMs: number;
  readonly logFile: string;
}): Promise<DevnetLedger> {
  const [{ createLineLogger, loadGenesisFile, startLedger }, { builtDashboardDir, registerDashboardRoutes }] =
    await Promise.all([import("@gradual/ledger"), import("@gradual/dashboard")]);
  const running = await startLedger({
    dataDir: options.dataDir,
    port: options.port,
    slotMs: options.slotMs,
    genesis: loadGenesisFile(options.genesisPath),
    workers: 0,
    logger: createLineLogger((line) => appendFileSync(options.logFile, line)),
    configureServer: async (app) => registerDashboardRoutes(app, builtDashboardDir()),
  });
  appendFileSync(
    options.logFile,
    `ledger info: listening at ${running.url} (in the devnet command, pid ${process.pid})\n`,
  );
  return { url: running.url, failed: running.failed, close: () => running.close() };
}
