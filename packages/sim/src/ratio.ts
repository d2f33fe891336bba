/** A ratio of two bigints as a float (for percentages in reports; money itself stays bigint). */
export function ratio(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) return 0;
  return Number((numerator * 1_000_000_000n) / denominator) / 1_000_000_000;
}
