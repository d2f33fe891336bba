/**
 * A local EVM chain for devnets and tests: the anvil binary that `@foundry-rs/anvil` ships in its npm package
 * (no other download), started on 127.0.0.1 on a free port and stopped with its process group.
 *
 * Anvil writes the states it no longer keeps in memory to disk (a file per block past its in-memory window, about
 * 0.7 MB each for a large harness) and never removes them, not even on SIGTERM: by default under
 * `~/.foundry/anvil/tmp`, where a few test runs left tens of gigabytes. Each anvil here gets its own cache folder in
 * the system's temporary folder (a scratch folder owned by the anvil process), removed when it stops; a folder whose
 * anvil is gone (its Node process was killed before `stop`) is removed by the next start.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createScratchFolder, recordScratchOwner } from "@gradual/node";

export type Anvil = {
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  /** The folder anvil persists old states to (`--cache-path`); removed by `stop`. */
  readonly cacheDir: string;
  stop(): Promise<void>;
};

/** The prefix of every anvil cache folder in the system's temporary folder. */
export const ANVIL_CACHE_PREFIX = "gradual-anvil-";

export type StartAnvilOptions = {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly chainId?: number;
  /** Seconds per block; unset mines a block per transaction. */
  readonly blockTime?: number;
  /**
   * With `blockTime`: also mine a block per transaction (anvil's `--mixed-mining`), so a call lands at once, in the
   * slot it was sent in, while the interval blocks keep the clock moving when nobody sends.
   */
  readonly mixedMining?: boolean;
  readonly log?: (line: string) => void;
  /** Accept contracts over the 24,576-byte limit (EIP-170): test harnesses with loaders; never for deployments. */
  readonly disableCodeSizeLimit?: boolean;
  /** The block gas limit (anvil's default is 30,000,000): benchmarks that put thousands of calls in a block. */
  readonly gasLimit?: bigint;
};

/** The path of the anvil executable installed for this platform. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const manifest = require.resolve(`${pkg}/package.json`);
  return join(dirname(manifest), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31_337;
  const args = ["--host", "127.0.0.1", "--port", String(options.port ?? 0), "--chain-id", String(chainId)];
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  if (options.mixedMining === true) args.push("--mixed-mining");
  if (options.disableCodeSizeLimit === true) args.push("--disable-code-size-limit");
  if (options.gasLimit !== undefined) args.push("--gas-limit", options.gasLimit.toString());
  if (process.env.GRADUAL_ANVIL_STEPS === "1") args.push("--steps-tracing");
  const cacheDir = await createScratchFolder(ANVIL_CACHE_PREFIX);
  args.push("--cache-path", cacheDir);
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const removeCache = () => rm(cacheDir, { recursive: true, force: true });
  if (child.pid !== undefined) await recordScratchOwner(cacheDir, child.pid);
  const listening = new Promise<number>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") options.log?.(line);
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) {
        child.stdout?.off("data", onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => options.log?.(chunk.toString("utf8").trimEnd()));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`anvil exited with code ${code} before listening: ${seen.slice(-500)}`)),
    );
  });
  let port: number;
  try {
    port = await listening;
  } catch (error) {
    await stopChild(child);
    await removeCache();
    throw error;
  }
  child.stdout?.resume();
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    port,
    chainId,
    cacheDir,
    stop: async () => {
      await stopChild(child);
      await removeCache();
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
  });
}
