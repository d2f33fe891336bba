import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlockWire, LedgerClient } from "@gradual/ledger";
import { CLI_BIN } from "../../src/devnet/processes.ts";

/**
 * Helpers of the end-to-end tests: real `gradual` processes over 127.0.0.1, asserted on what the ledger recorded.
 * Every wait is bounded; every process and directory a test creates is removed in its `after`.
 */

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gradual-e2e-${prefix}-`));
}

/** Removes a test's directory, unless GRADUAL_E2E_KEEP=1 (then its logs stay for a post-mortem). */
export function removeDir(path: string | undefined): void {
  if (path === undefined) return;
  if (process.env.GRADUAL_E2E_KEEP === "1") process.stderr.write(`kept ${path}\n`);
  else rmSync(path, { recursive: true, force: true });
}

/** This process's live children with their command lines, from /proc (Linux). */
export function childProcesses(): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== process.pid) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ") });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs` with `what` and
 * the last value `describe` gives (what the test was waiting for and how far it got).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => Promise<string> | string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error; // the ledger was busy: poll again
    }
    await sleep(options.intervalMs ?? 500);
  }
  const state = options.describe === undefined ? "" : ` (${await options.describe()})`;
  const cause = lastError === undefined ? "" : `; last error: ${String(lastError)}`;
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${state}${cause}`);
}

export type CommandResult = { readonly code: number | null; readonly stdout: string; readonly stderr: string };

/** Runs `gradual <args>` to completion (killed after `timeoutMs`). */
export function runGradual(args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return runNode([CLI_BIN, ...args], timeoutMs);
}

/** Runs `node <args>` to completion (killed after `timeoutMs`). */
export function runNode(args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every block from `from` to `to` (inclusive), fetched 100 at a time. */
export async function readBlocks(client: LedgerClient, from: number, to: number): Promise<BlockWire[]> {
  const blocks: BlockWire[] = [];
  for (let next = from; next <= to; next += 100)
    blocks.push(...(await client.getBlocks(next, Math.min(to, next + 99))));
  return blocks;
}

/** Every event of the ledger's blocks up to its head, in order (window ends and transactions alike). */
export async function ledgerEvents(client: LedgerClient): Promise<BlockWire["events"][number]["event"][]> {
  const head = (await client.getChain()).head.number;
  return (await readBlocks(client, 0, head)).flatMap((block) => block.events.map(({ event }) => event));
}

export type IncludedTx = {
  readonly block: number;
  readonly slot: number;
  readonly kind: string;
  readonly from: string;
  readonly tx: Record<string, unknown>;
  readonly ok: boolean;
  readonly code: string | undefined;
};

/** The included transactions of some blocks, flattened, with their results. */
export function includedTransactions(blocks: readonly BlockWire[]): IncludedTx[] {
  return blocks.flatMap((block) =>
    block.txs.map((entry) => ({
      block: block.number,
      slot: block.slot,
      kind: entry.tx.kind,
      from: entry.tx.from,
      tx: entry.tx as Record<string, unknown>,
      ok: entry.result.ok,
      code: entry.result.ok ? undefined : entry.result.code,
    })),
  );
}

/** The node's GET /health, or undefined when it does not answer. */
export async function nodeHealth(url: string): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** The task's round of a slot (protocol.md §1.1). */
export function roundOfSlot(task: { startSlot: number; params: Record<string, unknown> }, slot: number): number {
  return Math.floor((slot - task.startSlot) / Number(task.params.roundSlots));
}
