import type { DecideHints } from "@gradual/node";
import {
  type Account,
  getAuditAssignments,
  getTask,
  type Hash,
  listRevealers,
  listTriggers,
  type State,
  type TriggerRecord,
} from "@gradual/protocol";

type CycleAssignments = {
  readonly targets: ReadonlyMap<Account, readonly Account[]>;
  readonly auditors: Map<Account, readonly Account[]>;
  readonly revealers: readonly Account[];
  readonly all: boolean;
};

const NONE: readonly Account[] = [];

/**
 * Answers every node would compute alike, computed once and handed to decide() as hints: each cycle's audit
 * assignment when its seed is fixed (getAuditAssignments: one permutation for the whole cycle) instead of every node
 * recomputing its own and its targets' auditors on every call, and each open cycle's triggers once per state. The
 * answers are exactly getAuditAssignment's, getAuditorsOf's and listTriggers' (test/wake.test.ts compares whole
 * runs with and without the hints).
 */
export class AuditCache {
  readonly #task: Hash;
  readonly #cycles = new Map<number, CycleAssignments>();
  #triggersState: State | null = null;
  readonly #triggers = new Map<number, readonly TriggerRecord[]>();
  readonly #proofTargets = new Map<number, ReadonlySet<Account>>();
  readonly #hints = new Map<Account, DecideHints>();

  constructor(task: Hash) {
    this.#task = task;
  }

  onSeedFixed(state: State, cycle: number): void {
    const targets = getAuditAssignments(state, this.#task, cycle);
    const all = getTask(state, this.#task)?.params.auditMode === "all";
    const auditors = new Map<Account, readonly Account[]>();
    if (!all) {
      const building = new Map<Account, Account[]>();
      for (const [auditor, list] of targets) {
        list.forEach((target, rank) => {
          let row = building.get(target);
          if (row === undefined) {
            row = [];
            building.set(target, row);
          }
          row[rank] = auditor;
        });
      }
      for (const [target, row] of building) auditors.set(target, row);
    }
    this.#cycles.set(cycle, {
      targets,
      auditors,
      revealers: all ? listRevealers(state, this.#task, cycle) : NONE,
      all,
    });
  }

  prune(oldestOpen: number): void {
    for (const cycle of this.#cycles.keys()) if (cycle < oldestOpen) this.#cycles.delete(cycle);
  }

  /** How many submissions an auditor checks in `cycle` (0 before its seed). */
  assignedCount(cycle: number, auditor: Account): number {
    return this.#cycles.get(cycle)?.targets.get(auditor)?.length ?? 0;
  }

  #triggersOf(state: State, cycle: number): readonly TriggerRecord[] {
    if (this.#triggersState !== state) {
      this.#triggers.clear();
      this.#proofTargets.clear();
      this.#triggersState = state;
    }
    let triggers = this.#triggers.get(cycle);
    if (triggers === undefined) {
      triggers = listTriggers(state, this.#task, cycle);
      this.#triggers.set(cycle, triggers);
    }
    return triggers;
  }

  /** Whether `target`'s proof of `cycle` has a trigger in `state` (the same as reading its triggerOf record). */
  hasProofTrigger(state: State, cycle: number, target: Account): boolean {
    const triggers = this.#triggersOf(state, cycle);
    let targets = this.#proofTargets.get(cycle);
    if (targets === undefined) {
      targets = new Set(triggers.filter((trigger) => trigger.kind === "proof").map((trigger) => trigger.target));
      this.#proofTargets.set(cycle, targets);
    }
    return targets.has(target);
  }

  /**
   * The hints for `me`, made once per node: they answer for the state `stateOf` gives when they are asked, the
   * state decide() is reading (the simulator's current one).
   */
  hintsFor(stateOf: () => State, me: Account): DecideHints {
    let hints = this.#hints.get(me);
    if (hints === undefined) {
      hints = this.#makeHints(stateOf, me);
      this.#hints.set(me, hints);
    }
    return hints;
  }

  #makeHints(stateOf: () => State, me: Account): DecideHints {
    return {
      triggers: (cycle) => this.#triggersOf(stateOf(), cycle),
      auditAssignment: (cycle) => {
        const entry = this.#cycles.get(cycle);
        return entry === undefined ? undefined : (entry.targets.get(me) ?? NONE);
      },
      auditorsOf: (cycle, target) => {
        const entry = this.#cycles.get(cycle);
        if (entry === undefined) return undefined;
        let row = entry.auditors.get(target);
        if (row === undefined && entry.all) {
          row = entry.revealers.filter((account) => account !== target);
          entry.auditors.set(target, row);
        }
        return row ?? NONE;
      },
    };
  }
}
