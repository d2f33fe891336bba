/**
 * proof-of-compute: each node solves a hash puzzle bound to (task, cycle, node); an auditor checks it with one
 * hash. The bounty follows the submitters' ramped stake weight. See README.md for the measured asymmetry.
 */
import { canonicalStringify, type DistributionEntry } from "@gradual/protocol";
import { defineTask, equalSplit, type JsonValue, type Submitter, type TaskContext } from "@gradual/sdk";
import { checkSolution, MAX_DIFFICULTY_BITS, puzzleSeed, solvePuzzle } from "./puzzle.ts";

/** About 2^16 = 65,536 hashes: about 80 ms on average on one core of a small machine (README.md). */
export const DEFAULT_DIFFICULTY_BITS = 16;

export type ComputeProof = { readonly cycle: number; readonly nonce: number; readonly digest: string };

const solutionKey = (cycle: number) => `solution/${String(cycle).padStart(10, "0")}`;
const RETAINED_CYCLES = 64;

export function difficultyOf(config: TaskContext["config"]): number {
  const raw = config.difficultyBits;
  if (raw === undefined || raw.trim() === "") return DEFAULT_DIFFICULTY_BITS;
  const bits = Number(raw);
  if (!Number.isSafeInteger(bits) || bits < 1 || bits > MAX_DIFFICULTY_BITS) {
    throw new RangeError(`config.difficultyBits: expected an integer in [1, ${MAX_DIFFICULTY_BITS}], got ${raw}`);
  }
  return bits;
}

function isComputeProof(value: unknown): value is ComputeProof {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proof = value as Record<string, unknown>;
  return (
    Object.keys(proof).sort().join(",") === "cycle,digest,nonce" &&
    Number.isSafeInteger(proof.cycle) &&
    Number.isSafeInteger(proof.nonce) &&
    typeof proof.digest === "string"
  );
}

/**
 * The bounty in proportion to each submitter's ramped weight (a fresh whale earns little until trusted), sorted by
 * account; the units lost to rounding down go one each to the first weighted submitters in that order, so the
 * whole bounty is paid and every node computes the same list. With no weight at all: an equal split.
 */
export function weightedSplit(submitters: readonly Submitter[], bounty: bigint): DistributionEntry[] {
  const byAccount = new Map<string, bigint>();
  for (const { account, weight } of submitters) {
    if (typeof weight !== "bigint" || weight < 0n) throw new TypeError(`weight of ${account} must be a bigint >= 0`);
    // A duplicate keeps its largest weight, so the result does not depend on the submitters' order.
    if ((byAccount.get(account) ?? -1n) < weight) byAccount.set(account, weight);
  }
  const accounts = [...byAccount.keys()].sort();
  const total = accounts.reduce((sum, account) => sum + (byAccount.get(account) as bigint), 0n);
  if (total === 0n) return equalSplit(submitters, bounty);
  const shares = accounts.map((recipient) => ({
    recipient,
    amount: (bounty * (byAccount.get(recipient) as bigint)) / total,
  }));
  let remainder = bounty - shares.reduce((sum, share) => sum + share.amount, 0n);
  for (const share of shares) {
    if (remainder === 0n) break;
    if ((byAccount.get(share.recipient) as bigint) > 0n) {
      share.amount += 1n;
      remainder -= 1n;
    }
  }
  return shares.filter((share) => share.amount > 0n);
}

export default defineTask({
  async task(ctx) {
    const difficultyBits = difficultyOf(ctx.config);
    const started = performance.now();
    const solution = await solvePuzzle(puzzleSeed(ctx.taskId, ctx.cycle, ctx.node), difficultyBits);
    const workMs = Math.round(performance.now() - started);
    await ctx.store.set(solutionKey(ctx.cycle), { cycle: ctx.cycle, difficultyBits, workMs, ...solution });
    const keys = await ctx.store.keys("solution/");
    for (const key of keys.slice(0, Math.max(0, keys.length - RETAINED_CYCLES))) await ctx.store.delete(key);
    ctx.log.info("solved", { cycle: ctx.cycle, attempts: solution.attempts, workMs });
  },

  async submission(ctx) {
    const stored = await ctx.store.get<{ nonce: number; digest: string }>(solutionKey(ctx.cycle));
    if (stored === undefined) throw new Error(`no solution stored for cycle ${ctx.cycle}: task() did not finish`);
    return { cycle: ctx.cycle, nonce: stored.nonce, digest: stored.digest };
  },

  audit(ctx, proof, submitter) {
    if (proof.bytes.length > 256) return false;
    let claimed: unknown;
    try {
      claimed = proof.json();
    } catch {
      return false;
    }
    if (!isComputeProof(claimed) || claimed.cycle !== ctx.cycle) return false;
    if (canonicalStringify(claimed) !== proof.text()) return false;
    // The seed is the submitter's, not the auditor's: a nonce copied from another node does not solve it.
    const seed = puzzleSeed(ctx.taskId, ctx.cycle, submitter);
    return checkSolution(seed, difficultyOf(ctx.config), claimed.nonce, claimed.digest);
  },

  distribution(_ctx, submitters, bounty) {
    return weightedSplit(submitters, bounty);
  },

  routes(router) {
    router.get("/solution/:cycle", async (request, ctx) => {
      const raw = request.params.cycle ?? "";
      if (!/^(0|[1-9][0-9]{0,9})$/.test(raw)) return { status: 400, body: { error: "expected a cycle number" } };
      const solution = await ctx.store.get<JsonValue>(solutionKey(Number(raw)));
      return solution === undefined
        ? { status: 404, body: { error: `no solution for cycle ${raw}` } }
        : { body: solution };
    });
  },
});
