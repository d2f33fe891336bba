import { TOKEN } from "@gradual/protocol";
import { FairnessLedger, type FairnessMetrics } from "../fairness.ts";
import {
  type CoalitionStrategy,
  coalitionNodes,
  coalitionStrategyOf,
  lazyCount,
  PARTITION_NODES,
  type PropertyScenario,
  SYBIL_STAKE,
} from "../properties/scenarios.ts";
import { SeededRandom } from "../rng.ts";
import type { NodeClass } from "../world.ts";

/**
 * What the compact baselines share (docs/simulator.md "Baselines"): the nodes of a property scenario, who is up,
 * whose proof is real work, and how each kind of node judges a proof. The baselines are round-based models, not
 * the protocol: one step per round, no slots, no transactions; they feed the same FairnessLedger as the simulator.
 */

export type ModelNode = {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly nodeClass: NodeClass;
  readonly strategy: CoalitionStrategy | "honest" | "follower" | "offline";
  stake: bigint;
  readonly joinRound: number;
  readonly leaveRound: number | null;
  readonly strikeRound: number;
  /** The round it stops striking while it stays (the `holdout`), or null. */
  readonly strikeUntil: number | null;
  /** Down for the current round (an offline draw or a crash). */
  down: boolean;
};

export const MINIMUM_STAKE = 1_000n * TOKEN;
export const BOUNTY = 1_000n * TOKEN;

function tokens(amount: number): bigint {
  return BigInt(Math.round(amount * 1_000)) * (TOKEN / 1_000n);
}

export function modelNodes(scenario: PropertyScenario): ModelNode[] {
  const nodes: ModelNode[] = [];
  const add = (group: string, strategy: ModelNode["strategy"], nodeClass: NodeClass, count: number, stake: bigint) => {
    for (let index = 0; index < count; index += 1) {
      const coalition = nodeClass === "attacker";
      nodes.push({
        id: `${group}-${index}`,
        name: `${group}-${index}`,
        group,
        nodeClass,
        strategy,
        stake,
        joinRound: coalition ? scenario.joinRound : 0,
        leaveRound: coalition ? scenario.leaveRound : scenario.othersLeaveRound,
        strikeRound: coalition && strategy !== "garbage" ? scenario.strikeRound : coalition ? scenario.joinRound : 0,
        strikeUntil: coalition ? scenario.strikeUntil : null,
        down: false,
      });
    }
  };
  const lazy = lazyCount(scenario);
  const other = tokens(scenario.otherStake);
  const cut = scenario.partition ? PARTITION_NODES : 0;
  add("honest", "honest", "honest", scenario.others - lazy - scenario.offline - cut, other);
  add("cut", "honest", "honest", cut, other);
  add("lazy", "follower", "faulty", lazy, other);
  add("offline", "offline", "faulty", scenario.offline, other);
  if (scenario.sybilNodes !== null) {
    add("subject", "honest", "honest", scenario.sybilNodes, tokens(SYBIL_STAKE / scenario.sybilNodes));
  }
  if (scenario.strategy !== "none") {
    const { count, stakeTokens } = coalitionNodes(scenario);
    add("coalition", coalitionStrategyOf(scenario.strategy), "attacker", count, tokens(Math.floor(stakeTokens)));
  }
  return nodes;
}

export function createLedger(scenario: PropertyScenario, nodes: readonly ModelNode[], vestingRounds: number) {
  const stay = scenario.strategy === "none" ? null : { fromRound: scenario.joinRound, toRound: scenario.leaveRound };
  return new FairnessLedger(
    nodes.map((node) => ({
      account: node.id,
      name: node.name,
      group: node.group,
      nodeClass: node.nodeClass,
      strategy: node.strategy,
    })),
    { stay, vestingRounds, strikeRound: scenario.strategy === "garbage" ? scenario.joinRound : scenario.strikeRound },
  );
}

export function isActive(node: ModelNode, round: number): boolean {
  return round >= node.joinRound && (node.leaveRound === null || round < node.leaveRound);
}

export function striking(node: ModelNode, round: number): boolean {
  return (
    node.nodeClass === "attacker" &&
    round >= node.strikeRound &&
    (node.strikeUntil === null || round < node.strikeUntil)
  );
}

/** Draws who is down this round: offline nodes with probability 0.5, and the partition's two crashed nodes. */
export function drawDowntime(scenario: PropertyScenario, nodes: ModelNode[], round: number, random: SeededRandom) {
  const crashFrom = scenario.strikeRound + 1;
  let crashed = 0;
  for (const node of nodes) {
    node.down = false;
    if (node.strategy === "offline") node.down = random.chance(0.5);
    if (scenario.partition && node.group === "honest" && round >= crashFrom && round < crashFrom + 2 && crashed < 2) {
      node.down = true;
      crashed += 1;
    }
  }
}

/** Whether the node's proof for the round is its own real work (the coalition's whale, colluding and garbage submit garbage). */
export function realWork(node: ModelNode, round: number): boolean {
  if (node.strategy === "garbage") return false;
  if (node.strategy === "whale" || node.strategy === "colluding") return !striking(node, round);
  return true;
}

export type Judgement = "valid" | "invalid" | "unavailable";

/**
 * A checking node's view of `target`'s proof: unavailable when the target is down (or, for a partitioned `cut`
 * node, outside its group), else valid exactly for real work.
 */
export function check(
  scenario: PropertyScenario,
  auditor: ModelNode,
  target: ModelNode,
  round: number,
  work: ReadonlyMap<string, boolean>,
): Judgement {
  const cut =
    scenario.partition &&
    auditor.group === "cut" &&
    target.group !== "cut" &&
    round >= scenario.strikeRound &&
    round < scenario.strikeRound + 4;
  if (target.down || cut) return "unavailable";
  return work.get(target.id) === true ? "valid" : "invalid";
}

/** What a coalition member votes on `target` while striking (null: it checks like an honest node). */
export function coalitionVote(auditor: ModelNode, target: ModelNode, round: number): Judgement | null {
  if (!striking(auditor, round)) return null;
  const member = target.nodeClass === "attacker";
  switch (auditor.strategy) {
    case "whale":
    case "disputer":
    case "holdout":
      return member ? "valid" : "invalid";
    case "unavailable":
      return member ? "valid" : "unavailable";
    case "colluding":
      return member ? "valid" : null;
    case "downtime":
      return target.down ? "invalid" : null;
    default:
      return null;
  }
}

/** Whether a striking coalition member, drawn as distributor, pays the whole bounty to the coalition. */
export function paysItself(node: ModelNode, round: number): boolean {
  return (
    striking(node, round) && (node.strategy === "whale" || node.strategy === "selfpay" || node.strategy === "colluding")
  );
}

export type BaselineResult = { readonly fairness: FairnessMetrics };

export { SeededRandom };
