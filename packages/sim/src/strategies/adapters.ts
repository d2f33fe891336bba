import type { TransactionBody } from "@gradual/node";
import { type Account, keys, readRecord, type State, sha256Hex, type TriggerRecord } from "@gradual/protocol";

/**
 * The places where the simulator's adversaries touch the protocol's transaction shapes, kept in one file so that the
 * protocol changes of issue 14 are a local edit here (docs/simulator.md "Adapting to protocol changes"):
 *
 * - `proofTrigger`: `triggerAudit` carries `verdict: "invalid" | "unavailable"`; an unavailable verdict opens an
 *   availability challenge (protocol.md §5.6), which takes no votes.
 * - `proofTriggerOf`: the trigger record (and its tally) against a proof, if any.
 * - `tallyMajority`: which choice leads a trigger's running tally (new resolutions such as `disputed` add no choice).
 */

export type TriggerVerdict = "invalid" | "unavailable" | "valid";

/** A proof trigger against `target` in `cycle`, claiming `verdict` (the field is added by the protocol change). */
export function proofTrigger(task: string, cycle: number, target: Account, verdict: TriggerVerdict): TransactionBody {
  return {
    kind: "triggerAudit",
    task,
    cycle,
    target,
    triggerKind: "proof",
    verdict,
    attempt: 0,
    reasonDigest: sha256Hex(`gradual-sim/trigger-reason/${verdict}`),
  };
}

export function proofTriggerOf(state: State, task: string, cycle: number, target: Account): TriggerRecord | undefined {
  // The newest of the proof's `invalid` trigger and its appeal (§5.8): a copier copies the tally it is asked about.
  const proof = readRecord<number>(state, keys.triggerOf(task, cycle, "proof", 0, target));
  const appeal = readRecord<number>(state, keys.triggerOf(task, cycle, "appeal", 0, target));
  const index = appeal !== undefined && (proof === undefined || appeal > proof) ? appeal : proof;
  return index === undefined ? undefined : readRecord<TriggerRecord>(state, keys.trigger(task, cycle, index));
}

export function listTriggerOf(
  state: State,
  task: string,
  cycle: number,
  attempt: number,
  distributor: Account,
): TriggerRecord | undefined {
  const index = readRecord<number>(state, keys.triggerOf(task, cycle, "distribution", attempt, distributor));
  return index === undefined ? undefined : readRecord<TriggerRecord>(state, keys.trigger(task, cycle, index));
}

/** The choice with the most weight in the trigger's tally so far (ties go to `valid`, then `invalid`). */
export function tallyMajority(trigger: TriggerRecord): "valid" | "invalid" | "unavailable" {
  const { validWeight, invalidWeight, unavailableWeight } = trigger;
  if (validWeight >= invalidWeight && validWeight >= unavailableWeight) return "valid";
  return invalidWeight >= unavailableWeight ? "invalid" : "unavailable";
}
