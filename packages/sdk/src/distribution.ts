import type { DistributionEntry } from "@gradual/protocol";
import type { Submitter } from "./types.ts";

/**
 * The default distribution: the bounty split equally among the cycle's valid submitters, sorted by account. The
 * remainder (bounty mod n) goes one base unit each to the first submitters in that order, so the whole bounty is
 * paid and every honest node computes the same list.
 */
export function equalSplit(submitters: readonly Submitter[], bounty: bigint): DistributionEntry[] {
  if (typeof bounty !== "bigint" || bounty < 0n)
    throw new TypeError(`equalSplit: expected a bigint bounty >= 0, got ${String(bounty)}`);
  const accounts = [...new Set(submitters.map((submitter) => submitter.account))].sort();
  if (accounts.length === 0) return [];
  const share = bounty / BigInt(accounts.length);
  const remainder = Number(bounty % BigInt(accounts.length));
  return accounts
    .map((recipient, index) => ({ recipient, amount: share + (index < remainder ? 1n : 0n) }))
    .filter((entry) => entry.amount > 0n);
}
