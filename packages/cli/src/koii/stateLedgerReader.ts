import { toWire } from "@gradual/ledger/client";
import {
  currentRound,
  getActiveWeight,
  getChain,
  getCycle,
  getDistribution,
  getDistributionEntries,
  getNodeView,
  getReveal,
  getTask,
  keys,
  listNodeAccounts,
  listRevealers,
  listTriggers,
  listVotes,
  readRecord,
  type State,
  type TriggerRecord,
} from "@gradual/protocol";
import type { LedgerReader } from "@gradual/sdk";

/**
 * ctx.ledger for a local network that has no HTTP ledger: the GET routes of the ledger's /v1 API that task code
 * reads (tasks, nodes, cycles, reveals, votes, distributions, chain), answered from an in-memory state in the same
 * wire form (bigints as decimal strings). Unknown paths fail like a 404.
 */

const PAGE_LIMIT = 1_000;

function notFound(path: string, what = "no such record"): Error {
  return new Error(`GET /v1${path}: HTTP 404 ${what} (local test ledger)`);
}

function pageOf<T>(all: readonly T[], query: URLSearchParams) {
  const offset = Number(query.get("offset") ?? 0);
  const limit = Math.min(PAGE_LIMIT, Number(query.get("limit") ?? 100));
  const items = all.slice(offset, offset + limit);
  return { items, offset, total: all.length, next: offset + limit < all.length ? offset + limit : null };
}

function nodeWire(state: State, task: string, account: string) {
  const view = getNodeView(state, task, account);
  if (view === undefined) return undefined;
  return {
    task,
    account,
    index: view.record.index,
    url: view.record.url,
    stake: view.stake.toString(),
    weight: view.weight.toString(),
    slashedTotal: view.record.slashedTotal.toString(),
    claimable: view.claimable.toString(),
    locked: view.locked.toString(),
  };
}

type Route = {
  pattern: RegExp;
  answer: (state: State, match: string[], query: URLSearchParams, path: string) => unknown;
};

const ROUTES: Route[] = [
  {
    pattern: /^\/tasks\/([0-9a-f]{64})$/,
    answer: (state, [, id]) => {
      const task = getTask(state, id as string);
      if (task === undefined) return undefined;
      const slot = getChain(state).slot;
      return {
        task: toWire(task),
        slot,
        nextSlot: slot + 1,
        round: currentRound(state, task),
        activeWeight: getActiveWeight(state, task).toString(),
        cycles: [],
      };
    },
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/nodes$/,
    answer: (state, [, id], query) =>
      pageOf(
        listNodeAccounts(state, id as string).flatMap((account) => nodeWire(state, id as string, account) ?? []),
        query,
      ),
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/nodes\/([0-9a-f]{64})$/,
    answer: (state, [, id, account]) => nodeWire(state, id as string, account as string),
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/cycles\/(\d+)$/,
    answer: (state, [, id, number]) => {
      const cycle = Number(number);
      const record = getCycle(state, id as string, cycle);
      if (record === undefined) return undefined;
      const distributions = [];
      for (let attempt = 0; attempt <= record.attempt; attempt += 1) {
        const distribution = getDistribution(state, id as string, cycle, attempt);
        if (distribution !== undefined) distributions.push(distribution);
      }
      return {
        task: id,
        cycle,
        record: toWire(record),
        triggers: toWire(listTriggers(state, id as string, cycle)),
        distributions: toWire(distributions),
        slot: getChain(state).slot,
      };
    },
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/cycles\/(\d+)\/reveals$/,
    answer: (state, [, id, number], query) => {
      const cycle = Number(number);
      const reveals = listRevealers(state, id as string, cycle).flatMap((node) => {
        const reveal = getReveal(state, id as string, cycle, node);
        return reveal === undefined ? [] : [{ node, ...reveal }];
      });
      return pageOf(reveals, query);
    },
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/cycles\/(\d+)\/triggers\/(\d+)\/votes$/,
    answer: (state, [, id, number, index], query) => {
      const trigger = readRecord<TriggerRecord>(state, keys.trigger(id as string, Number(number), Number(index)));
      if (trigger === undefined) return undefined;
      const votes = listVotes(state, id as string, Number(number), trigger).map((vote) => ({
        voter: vote.voter,
        choice: vote.choice,
        weight: vote.weight.toString(),
        slot: vote.slot,
      }));
      return { ...pageOf(votes, query), trigger: toWire(trigger) };
    },
  },
  {
    pattern: /^\/tasks\/([0-9a-f]{64})\/cycles\/(\d+)\/distributions\/(\d+)$/,
    answer: (state, [, id, number, attempt], query) => {
      const distribution = getDistribution(state, id as string, Number(number), Number(attempt));
      if (distribution === undefined) return undefined;
      const entries = getDistributionEntries(state, id as string, Number(number), Number(attempt)).map((entry) => ({
        recipient: entry.recipient,
        amount: entry.amount.toString(),
      }));
      return { ...pageOf(entries, query), distribution: toWire(distribution) };
    },
  },
];

export function createStateLedgerReader(
  getState: () => State,
  chain: { chainId: string; slotMs: number },
): LedgerReader {
  return {
    get: async <T>(rawPath: string): Promise<T> => {
      const url = new URL(rawPath.replace(/^\/v1(?=\/)/, ""), "http://local");
      const path = url.pathname.replace(/\/$/, "");
      const state = getState();
      if (path === "/chain") {
        const record = getChain(state);
        return {
          chainId: chain.chainId,
          slotMs: chain.slotMs,
          head: { slot: record.slot },
          taskCount: record.taskCount,
        } as T;
      }
      for (const route of ROUTES) {
        const match = route.pattern.exec(path);
        if (match === null) continue;
        const answer = route.answer(state, [...match], url.searchParams, path);
        if (answer === undefined) throw notFound(path);
        return answer as T;
      }
      throw notFound(path, "route not served");
    },
  };
}
