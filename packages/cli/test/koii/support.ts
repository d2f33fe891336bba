import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before } from "node:test";
import type { CycleDetails, LedgerClient, NodeView } from "@gradual/ledger";
import { type KoiiDevnet, type StartKoiiDevnetOptions, startKoiiDevnet } from "../../src/koii/devnet.ts";
import { ledgerEvents, makeTempDir, removeDir, waitFor } from "../e2e/support.ts";

/** Helpers of the Koii end-to-end tests: what the ledger recorded, cycle by cycle. */

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const EXAMPLES = new URL("../../../../examples/koii/", import.meta.url).pathname;

/** The cycles that had submitters and are complete, with every list the ledger holds for them. */
export async function settledCycles(client: LedgerClient, taskId: string): Promise<CycleDetails[]> {
  const view = await client.getTask(taskId);
  const cycles: CycleDetails[] = [];
  for (let cycle = 0; cycle <= (view?.round ?? 0); cycle += 1) {
    const details = await client.getCycleDetails(taskId, cycle);
    if (details?.record.outcome === "paid" && details.reveals.length > 0) cycles.push(details);
  }
  return cycles;
}

/** Waits until `count` cycles with submitters are settled (and `also` holds), then returns them. */
export function waitForSettledCycles(
  client: LedgerClient,
  taskId: string,
  count: number,
  timeoutMs: number,
  also: (cycles: CycleDetails[]) => Promise<boolean> | boolean = () => true,
): Promise<CycleDetails[]> {
  let seen = "";
  return waitFor(
    `${count} settled cycles`,
    async () => {
      const cycles = await settledCycles(client, taskId);
      seen = cycles.map((cycle) => `${cycle.cycle}:${cycle.record.outcome}`).join(" ");
      return cycles.length >= count && (await also(cycles)) ? cycles : undefined;
    },
    { timeoutMs, intervalMs: 1_000, describe: () => `settled so far: ${seen || "none"}` },
  );
}

/** The accepted distribution attempt of a cycle and its entries. */
export function acceptedList(cycle: CycleDetails): readonly { recipient: string; amount: string }[] {
  const accepted = cycle.distributions.find((distribution) => distribution.status === "accepted");
  if (accepted === undefined) throw new Error(`cycle ${cycle.cycle} has no accepted list`);
  return cycle.distributionEntries[accepted.attempt] ?? [];
}

/** Everything vested to `account` by the accepted lists of `cycles`. */
export function vestedTo(cycles: readonly CycleDetails[], account: string): bigint {
  return cycles
    .flatMap((cycle) => acceptedList(cycle))
    .filter((entry) => entry.recipient === account)
    .reduce((sum, entry) => sum + BigInt(entry.amount), 0n);
}

/**
 * What entered each account's vesting from the task's lists so far, read once from the ledger's events: a list entry
 * enters when it is claimed (protocol.md §6.4), after the list is accepted, so this trails `vestedTo` while claims are
 * on their way. For an account asked about (one never slashed: a slashed node's late claims are net of its slashes),
 * each `Vested` event of a cycle in `cycles` must pay exactly its entry of that cycle's accepted list.
 */
export async function claimedInto(
  client: LedgerClient,
  taskId: string,
  cycles: readonly CycleDetails[],
): Promise<(account: string) => bigint> {
  const byCycle = new Map(cycles.map((cycle) => [cycle.cycle, cycle]));
  const vested = (await ledgerEvents(client)).filter((event) => event.type === "Vested" && event.task === taskId);
  return (account) => {
    let total = 0n;
    for (const event of vested) {
      if (event.type !== "Vested" || event.node !== account) continue;
      const cycle = byCycle.get(event.cycle);
      if (cycle !== undefined) {
        const entry = acceptedList(cycle).find((item) => item.recipient === account);
        assert.equal(String(event.amount), entry?.amount, `cycle ${event.cycle}: the claim pays the list's entry`);
      }
      total += BigInt(event.amount);
    }
    return total;
  };
}

/**
 * What the task credited `account` up to the ledger's head (`Credited` events: returned and won bonds, whistleblower
 * shares; protocol.md §5.5): it sits in the vesting record beside the rewards, unlocked.
 */
export async function creditedTo(client: LedgerClient, taskId: string, account: string): Promise<bigint> {
  let total = 0n;
  for (const event of await ledgerEvents(client)) {
    if (event.type === "Credited" && event.task === taskId && event.node === account) total += BigInt(event.amount);
  }
  return total;
}

export async function nodeViews(client: LedgerClient, taskId: string): Promise<Map<string, NodeView>> {
  const page = await client.listNodes(taskId, { limit: 100 });
  return new Map(page.items.map((view) => [view.account, view]));
}

/**
 * A devnet of `gradual node` processes running examples/koii/`example` for the tests of the enclosing describe:
 * started before them, stopped (and its data removed) after; the returned function gives it to each test.
 */
export function useKoiiDevnet(
  example: string,
  options: Omit<StartKoiiDevnetOptions, "dataDir" | "task"> = {},
): () => KoiiDevnet {
  let dataDir: string | undefined;
  let net: KoiiDevnet | undefined;
  before(async () => {
    dataDir = makeTempDir(`koii-${example}`);
    net = await startKoiiDevnet({
      honestNodes: 3,
      slotMs: 200,
      nodeArgs: ["--quiet"],
      ...options,
      dataDir,
      task: `${EXAMPLES}${example}`,
    });
  });
  after(async () => {
    await net?.stop();
    removeDir(dataDir);
  });
  return () => {
    if (net === undefined) throw new Error(`the ${example} devnet did not start`);
    return net;
  };
}
