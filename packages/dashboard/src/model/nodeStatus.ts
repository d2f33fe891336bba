import type { NodeView } from "@gradual/wire";

/** A node's standing in words: unbonding, warming up, ramping up its trust, or fully active (protocol.md §3). */
export function nodeStanding(
  node: NodeView,
  round: number,
  minimumStake = 0n,
): { readonly label: string; readonly tone: "good" | "warn" | "bad" | "neutral" } {
  const stake = BigInt(node.stake);
  const weight = BigInt(node.weight);
  if (BigInt(node.unbonding) > 0n && stake === 0n)
    return { label: `unbonding until round ${node.unbondingUntilRound}`, tone: "warn" };
  if (stake === 0n) return { label: "no stake", tone: "neutral" };
  // Below the task's minimum (after a slash, say) a node does no duties and is not paid: not "active".
  if (stake < minimumStake) return { label: "below the minimum stake: inactive", tone: "bad" };
  const waiting = node.lots.filter((lot) => lot.activationRound > round);
  if (weight === 0n && waiting.length > 0) {
    return {
      label: `warming up (active from round ${Math.min(...waiting.map((lot) => lot.activationRound))})`,
      tone: "neutral",
    };
  }
  if (weight < stake) return { label: "ramping up", tone: "neutral" };
  return { label: "active", tone: "good" };
}

/** Weight as a share of stake: "33%" on the first ramp round of a 3-round ramp. */
export function weightShare(node: NodeView): string {
  const stake = BigInt(node.stake);
  if (stake === 0n) return "0%";
  return `${Number((BigInt(node.weight) * 100n) / stake)}%`;
}
