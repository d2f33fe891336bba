import { SeededRandom } from "./rng.ts";
import type { FaultSpec, Scenario } from "./scenario.ts";
import type { SimGroup, SimNode } from "./world.ts";

export type TransactionFate =
  | { readonly kind: "send" }
  | { readonly kind: "drop" }
  | { readonly kind: "delay"; readonly slots: number };

const SEND: TransactionFate = { kind: "send" };
const DROP: TransactionFate = { kind: "drop" };

function inRange(fault: { fromRound: number; toRound: number }, round: number): boolean {
  return round >= fault.fromRound && round < fault.toRound;
}

/**
 * The scenario's faults (docs/simulator.md "Faults"), applied by round: crashed nodes and offline draws keep nodes
 * down for a whole round (no decisions; their proofs cannot be fetched), a cannotFetch group cannot reach proofs of
 * nodes outside it, and lost or late transactions are drawn per transaction from the `transactions` stream.
 */
export class Faults {
  readonly #faults: readonly FaultSpec[];
  readonly #groups: ReadonlyMap<string, SimGroup>;
  /** Fault index -> the nodes a `crash` fault takes down (drawn once per run). */
  readonly #crashing = new Map<number, ReadonlySet<SimNode>>();
  readonly #transactions: SeededRandom;
  #round = -1;

  constructor(scenario: Scenario, groups: ReadonlyMap<string, SimGroup>, seed: number) {
    this.#faults = scenario.faults;
    this.#groups = groups;
    this.#transactions = new SeededRandom(seed, "faults/transactions");
    scenario.faults.forEach((fault, index) => {
      if (fault.kind !== "crash") return;
      const nodes = groups.get(fault.group)?.nodes ?? [];
      const chosen = new SeededRandom(seed, `faults/crash/${index}`)
        .shuffle(nodes)
        .slice(0, fault.count ?? nodes.length);
      this.#crashing.set(index, new Set(chosen));
    });
  }

  /**
   * Marks isolated groups for `round`, and when crashed nodes go down (from `atSlot` of the crash's first round, from
   * the start of the others). Offline draws are the strategy's.
   */
  startRound(round: number): void {
    this.#round = round;
    for (const group of this.#groups.values()) group.isolated = false;
    this.#faults.forEach((fault, index) => {
      if (!inRange(fault, round)) return;
      if (fault.kind === "crash") {
        const from = round === fault.fromRound ? fault.atSlot : 0;
        for (const node of this.#crashing.get(index) ?? []) node.downFrom = Math.min(node.downFrom ?? from, from);
      }
      if (fault.kind === "cannotFetch") {
        const group = this.#groups.get(fault.group);
        if (group !== undefined) group.isolated = true;
      }
    });
  }

  /** What happens to one transaction `node` sends in the current round. */
  fate(node: SimNode): TransactionFate {
    for (const fault of this.#faults) {
      if (!inRange(fault, this.#round)) continue;
      if (fault.kind !== "lostTransactions" && fault.kind !== "lateTransactions") continue;
      if (fault.group !== null && fault.group !== node.group.spec.name) continue;
      if (!this.#transactions.chance(fault.probability)) continue;
      return fault.kind === "lostTransactions" ? DROP : { kind: "delay", slots: fault.delaySlots };
    }
    return SEND;
  }
}
