import type { ListRecord, TransactionBody, Verdict, WorkRecord } from "@gradual/node";
import type { Account, Hash, State, TaskParams } from "@gradual/protocol";
import type { ProofBook } from "./proofs.ts";
import type { SeededRandom } from "./rng.ts";
import type { RuleSet } from "./rules.ts";
import type { GroupSpec, StrategyName } from "./scenario.ts";

/** What a node remembers across slots: the mutable form of decide()'s NodeMemory. */
export type MutableMemory = {
  readonly work: Map<number, WorkRecord>;
  readonly verdicts: Map<string, Verdict>;
  readonly lists: Map<string, ListRecord>;
  readonly done: Set<string>;
};

/**
 * How a payment to a node is judged: `honest` nodes follow decide() exactly; `faulty` ones (lazy, offline) do valid
 * work but cut corners; `attacker`s try to get paid for nothing or to hurt others.
 */
export type NodeClass = "honest" | "faulty" | "attacker";

export type SimNode = {
  readonly index: number;
  readonly name: string;
  readonly account: Account;
  readonly group: SimGroup;
  readonly memory: MutableMemory;
  /** The stake transaction was sent. */
  joined: boolean;
  /**
   * The node is leaving (its group's leaveRound came): decide() runs with `leaving`, so it commits nothing more,
   * reveals its last commit, unstakes, and still claims what it is owed.
   */
  left: boolean;
  /**
   * The slot of the current round (0-based offset) from which the node is down (a crash fault, or an offline node's
   * draw), or null: a down node makes no decisions and its proofs cannot be fetched. Reset at every round start.
   */
  downFrom: number | null;
  /** Down in the current slot (downFrom reached). */
  down: boolean;
};

export type SimGroup = {
  readonly spec: GroupSpec;
  readonly strategy: Strategy;
  readonly nodes: SimNode[];
  readonly members: ReadonlySet<Account>;
  /** This round, the group cannot fetch proofs of nodes outside it (a cannotFetch fault). */
  isolated: boolean;
  /** Coordination state of colluding groups (shared by every member, as one operator). */
  readonly shared: Map<string, unknown>;
};

export type AuditRequest = {
  readonly cycle: number;
  readonly target: Account;
  readonly proofDigest: Hash;
  /** The payload is on the ledger (an answered availability challenge): anyone can read it. */
  readonly published?: boolean;
};

/** The simulation as strategies see it: the ledger state of the block being built, and the modelled world. */
export interface World {
  readonly seed: number;
  readonly rules: RuleSet;
  readonly params: TaskParams;
  readonly task: Hash;
  readonly startSlot: number;
  readonly state: State;
  /** The slot being built: transactions decided now land in it. */
  readonly slot: number;
  readonly round: number;
  readonly proofs: ProofBook;
  readonly nodes: readonly SimNode[];
  nodeOf(account: Account): SimNode | undefined;
  random(stream: string): SeededRandom;
  /** Whether `node` can fetch `target`'s proof now (target up, no partition between them). */
  canFetch(node: SimNode, target: Account): boolean;
  /** The list an honest node computes for (cycle, attempt): the default equal split of the valid submitters. */
  honestList(cycle: number, attempt: number): ListRecord;
  salt(node: SimNode, cycle: number): Hash;
}

/**
 * A strategy maps the honest node's decisions and the executor's results to its own (docs/simulator.md
 * "Strategies"): decide() chooses what to do next from the ledger and the node's memory, and the strategy supplies
 * the results of work, audits and list computations, so an adversary differs from an honest node only where it
 * chooses to.
 */
export type Strategy = {
  readonly name: StrategyName;
  readonly nodeClass: NodeClass;
  /** Whether an audit by this strategy is real work (lazy and griefing nodes answer without checking). */
  readonly checksProofs: boolean;
  /**
   * Drawn at each round start: the slot of the round (0-based offset) from which the node is away until the round
   * ends, or null to stay (offline nodes).
   */
  absence?(world: World, node: SimNode): number | null;
  /**
   * After a trigger appears, the driver forgets this strategy's verdict on the target (or its list) so that it is
   * asked again (the lazy follower copies the tally instead of keeping its unchecked `valid`).
   */
  readonly revisitsOnTrigger?: boolean;
  work(world: World, node: SimNode, cycle: number): WorkRecord;
  /** null: no answer yet, ask again in the next slot (the follower waits for the first wave of votes). */
  audit(world: World, node: SimNode, request: AuditRequest): Verdict | null;
  computeList(world: World, node: SimNode, cycle: number, attempt: number): ListRecord | null;
  /** Transactions the group sends as one operator this slot, beside what decide() chose (whale triggers). */
  groupTransactions?(world: World, group: SimGroup): { readonly node: SimNode; readonly tx: TransactionBody }[];
};
