import { decodeParams, type TaskParams } from "@gradual/protocol";
import type { Timing } from "./windowLayout.ts";

/** Task parameters as the protocol types them (amounts as bigints), from the API's wire form. */
function paramsFromWire(raw: unknown): TaskParams {
  const decoded = decodeParams(raw);
  if ("ok" in decoded && decoded.ok === false) {
    throw new TypeError(`the ledger sent task parameters this dashboard cannot read: ${decoded.message}`);
  }
  return decoded as TaskParams;
}

export function timingOf(task: { readonly startSlot: number; readonly params: unknown }): Timing {
  return { startSlot: task.startSlot, params: paramsFromWire(task.params) };
}

/** A lot's weight on the trust ramp (protocol.md §3.3) as a fraction in [0, 1] at `round`. */
export function rampFraction(activationRound: number, round: number, rampRounds: number): number {
  if (round < activationRound) return 0;
  if (rampRounds === 0) return 1;
  return Math.min(round - activationRound + 1, rampRounds) / rampRounds;
}
