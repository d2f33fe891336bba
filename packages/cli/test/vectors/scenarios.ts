import type { Hash, TaskParams } from "@gradual/protocol";
import { accountOf, type Name, type TxBody, type VectorBuilder } from "./builder.ts";

/** One spec vector: its folder under spec-tests/, what it checks, and how to build it. */
export type VectorCase = {
  readonly path: string;
  readonly description: string;
  /**
   * Set when the vector states behaviour the brief requires that the protocol does not implement yet: its post.json
   * is the spec outcome, and the runner reports it as a known failure (todo) until the protocol is fixed.
   */
  readonly knownBug?: string;
  readonly build: (builder: VectorBuilder) => void;
};

/**
 * The standard history most vectors start from. The task is created in slot 9, so round r spans slots
 * [10 + 10r, 20 + 10r). For cycle c: commits in [17, 20) + 10c, reveals in [20, 22) + 10c (seed fixed at 22 + 10c),
 * proof triggers in [22, 25) + 10c, votes until 27 + 10c (resolution at 27 + 10c); the list of attempt 0 in
 * [30, 32) + 10c, list triggers in [32, 35) + 10c, settlement at 37 + 10c. Nodes staked in slot 9 are active and
 * weigh in full from round 0 (warmupRounds 1, rampRounds 0).
 */
export const NODES: Readonly<Partial<Record<Name, bigint>>> = { bob: 300n, carol: 200n, dave: 100n };
export const NODE_NAMES: readonly Name[] = ["bob", "carol", "dave"];

export function taskWithNodes(
  builder: VectorBuilder,
  params: Partial<TaskParams> = {},
  funding = 5_000n,
  nodes: Readonly<Partial<Record<Name, bigint>>> = NODES,
): Hash {
  builder.advanceTo(9);
  builder.createTask(params, funding);
  for (const [name, amount] of Object.entries(nodes)) builder.stake(name as Name, amount as bigint);
  return builder.task;
}

export function commitAll(builder: VectorBuilder, cycle: number, names: readonly Name[] = NODE_NAMES): void {
  builder.advanceTo(builder.windows(cycle).commit.opensAt);
  for (const name of names) builder.commit(name, cycle);
}

export function revealAll(builder: VectorBuilder, cycle: number, names: readonly Name[] = NODE_NAMES): void {
  builder.advanceTo(builder.windows(cycle).reveal.opensAt);
  for (const name of names) builder.reveal(name, cycle);
}

/** Commit and reveal of cycle `cycle` by every node; ends in the first slot of the reveal window. */
export function workCycle(builder: VectorBuilder, cycle: number, names: readonly Name[] = NODE_NAMES): void {
  commitAll(builder, cycle, names);
  revealAll(builder, cycle, names);
}

/** Advances to the first slot of the cycle's distribution window; returns the candidate that wins the race (§6.1). */
export function toDistribution(builder: VectorBuilder, cycle: number): Name {
  builder.advanceTo(builder.windows(cycle).distribution.opensAt);
  return builder.distributorOf(cycle);
}

/** The race's winner posts the honest list in the first slot of the window; returns it. */
export function submitHonestList(builder: VectorBuilder, cycle: number): Name {
  const distributor = toDistribution(builder, cycle);
  builder.submitList(distributor, cycle, builder.honestList(cycle));
  return distributor;
}

/** Cycle 0 worked by every node and paid by its honest list (accepted at slot 37); ends in `slot`. */
export function paidCycleZero(builder: VectorBuilder, slot: number): void {
  taskWithNodes(builder);
  workCycle(builder, 0);
  submitHonestList(builder, 0);
  builder.advanceTo(slot);
}

/**
 * A `weighted` task (bob 300, carol 100, dave 150, and `voters`, who stay out of the review; those among `workers`
 * commit and reveal in cycle 0 too) where bob's trigger against dave's valid cycle 0 proof is upheld below the slash
 * supermajority with carol's vote (400 of 550): the proof is invalid, and unpaid when cycle 0 pays itself at slot 30
 * (§5.5). Ends in slot 23.
 */
export function proofFoundInvalid(
  builder: VectorBuilder,
  voters: Readonly<Partial<Record<Name, bigint>>> = {},
  workers: readonly Name[] = [],
): void {
  taskWithNodes(builder, { distributionRule: "weighted" }, 5_000n, { bob: 300n, carol: 100n, dave: 150n, ...voters });
  workCycle(builder, 0, [...NODE_NAMES, ...workers]);
  builder.advanceTo(22);
  builder.trigger("bob", 0, accountOf("dave"));
  builder.advanceTo(23);
  builder.vote("carol", 0, 0, "invalid");
}

/** The nodes other than `name`, heaviest first. */
export function othersThan(name: Name, names: readonly Name[] = NODE_NAMES): Name[] {
  return names.filter((other) => other !== name);
}

export function transferBody(to: Name, amount: bigint): TxBody {
  return { kind: "transfer", to: accountOf(to), amount };
}
