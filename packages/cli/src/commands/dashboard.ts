import { builtDashboardDir, DEFAULT_DASHBOARD_PORT, startDashboardServer } from "@gradual/dashboard";
import type { Command } from "commander";
import { CliError } from "../output.ts";

type DashboardFlags = { ledger?: string; port: string; host: string; noNodeStatus?: boolean; nodeStatus?: boolean };

/**
 * `gradual dashboard --ledger URL`: the live dashboard for any ledger. Serves the built page (building it first
 * if needed) and relays the ledger's read API and event stream, so the page needs no CORS from the ledger.
 */
export function register(program: Command): void {
  program
    .command("dashboard")
    .description("Serve the live dashboard (pipeline, audits, slashes, rewards) for any ledger")
    .option("--ledger <url>", "ledger URL (default: $GRADUAL_LEDGER or http://127.0.0.1:8899)")
    .option("--port <n>", "port to serve the dashboard on (0 = any free port)", String(DEFAULT_DASHBOARD_PORT))
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--no-node-status", "do not relay nodes' /health and /metrics to the node pages")
    .action(async (options: DashboardFlags) => {
      const ledgerUrl = options.ledger ?? process.env.GRADUAL_LEDGER ?? "http://127.0.0.1:8899";
      if (!/^[0-9]+$/.test(options.port) || Number(options.port) > 65_535) {
        throw new CliError("CLI__BAD_OPTION", `--port: expected 0..65535, got ${JSON.stringify(options.port)}`);
      }
      let url: URL;
      try {
        url = new URL(ledgerUrl);
      } catch {
        throw new CliError("CLI__BAD_OPTION", `--ledger: expected a URL, got ${JSON.stringify(ledgerUrl)}`);
      }
      const distDir = builtDashboardDir({ log: (line) => process.stderr.write(`${line}\n`) });
      const server = await startDashboardServer({
        ledgerUrl: url.toString(),
        port: Number(options.port),
        host: options.host,
        distDir,
        relayNodeStatus: options.nodeStatus !== false,
      });
      // The address first, so a reader (or a script) finds it at once.
      process.stdout.write(`dashboard ${server.url}/  (ledger ${url.origin})\n`);
      const stop = () => {
        void server.close().finally(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
