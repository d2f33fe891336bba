import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CLI_BIN = join(REPO_ROOT, "packages/cli/bin/gradual.js");

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `gradual-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export type LedgerProcess = {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly adminToken: string | null;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (a graceful stop). */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
};

export type SpawnOptions = {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Run without the power to ignore file modes (see {@link unprivilegedCommand}). */
  readonly unprivileged?: boolean;
  readonly startTimeoutMs?: number;
};

const CAPABILITIES_THAT_IGNORE_FILE_MODES = "-dac_override,-dac_read_search,-fowner";

/**
 * How to run a process that file modes apply to. A normal user is already subject to them. Root ignores them
 * through three capabilities; `setpriv` starts the process as root without those (so it still reads the repository
 * wherever it was cloned, even in a directory only root may enter, but cannot write where the mode forbids it).
 * Without setpriv, root falls back to running as `nobody`, which needs a world-readable clone.
 */
export function unprivilegedCommand(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args: [...args] };
  if (spawnSync("setpriv", ["--version"]).status === 0) {
    return {
      command: "setpriv",
      args: [
        `--inh-caps=${CAPABILITIES_THAT_IGNORE_FILE_MODES}`,
        `--bounding-set=${CAPABILITIES_THAT_IGNORE_FILE_MODES}`,
        "--",
        command,
        ...args,
      ],
    };
  }
  return { command: "setpriv-missing", args: [] };
}

function spawnMaybeUnprivileged(args: readonly string[], unprivileged: boolean, env: NodeJS.ProcessEnv | undefined) {
  const { command, args: finalArgs } = unprivileged
    ? unprivilegedCommand(process.execPath, args)
    : { command: process.execPath, args: [...args] };
  if (command === "setpriv-missing") {
    // As root without setpriv: the unprivileged user must be able to read the repository.
    return spawn(process.execPath, [...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      uid: 65534,
      gid: 65534,
    });
  }
  return spawn(command, finalArgs, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts `gradual ledger --data DIR --port 0 ...` as a real process and waits for its "listening" line. */
export function spawnLedger(dataDir: string, options: SpawnOptions = {}): Promise<LedgerProcess> {
  const child = spawnMaybeUnprivileged(
    // The ledger alone: --no-dashboard keeps the dashboard's build and routes out of these processes.
    [CLI_BIN, "ledger", "--data", dataDir, "--port", "0", "--quiet", "--no-dashboard", ...(options.args ?? [])],
    options.unprivileged ?? false,
    options.env,
  );
  let stderr = "";
  let stdout = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("exit", (code, signal) => done({ code, signal }));
  });
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectStart(new Error(`ledger did not start in time; stderr:\n${stderr}`));
    }, options.startTimeoutMs ?? 30_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      clearTimeout(timer);
      try {
        const info = JSON.parse(line) as { url: string; port: number; pid: number; adminToken: string | null };
        const stopWith = async (signal: NodeJS.Signals) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        };
        resolveStart({
          url: info.url,
          port: info.port,
          pid: info.pid,
          adminToken: info.adminToken,
          child,
          stderr: () => stderr,
          exited,
          stop: () => stopWith("SIGTERM"),
          kill: () => stopWith("SIGKILL"),
        });
      } catch (error) {
        rejectStart(new Error(`unexpected first stdout line ${JSON.stringify(line)}: ${String(error)}`));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectStart(new Error(`ledger exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
    });
  });
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `gradual ARGS` to completion. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; unprivileged?: boolean } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnMaybeUnprivileged([CLI_BIN, ...args], options.unprivileged ?? false, options.env);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`gradual ${args.join(" ")} timed out; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export function readJsonFile<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
