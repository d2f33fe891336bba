import type { FairnessLedger } from "../fairness.ts";
import type { SeededRandom } from "../rng.ts";
import { type ModelNode, paysItself, striking } from "./model.ts";

/**
 * A distribution step shared by the baselines: a distributor is drawn from the approved submitters, posts its list,
 * every active node votes on it by stake (the coalition passes its own lists and contests the others when it is a
 * whale; lazy nodes copy the majority after everyone else), and a list with more invalid than valid stake is
 * rejected and another distributor drawn, up to `attempts` times. Nothing is paid if every attempt fails.
 */

export type DistributeOptions = {
  readonly round: number;
  readonly bounty: bigint;
  readonly approved: readonly ModelNode[];
  readonly voters: readonly ModelNode[];
  readonly attempts: number;
  /** The honest list: `equal` (Koii's template: floor(bounty / approved) each) or `weighted` by stake. */
  readonly rule: "equal" | "weighted";
  /** How the distributor is drawn: uniformly (Koii's hash score) or by stake. */
  readonly draw: "uniform" | "stake";
};

type Entries = Map<string, bigint>;

function split(nodes: readonly ModelNode[], bounty: bigint, rule: "equal" | "weighted"): Entries {
  const entries: Entries = new Map();
  if (nodes.length === 0) return entries;
  const total = nodes.reduce((sum, node) => sum + node.stake, 0n);
  for (const node of nodes) {
    const amount = rule === "equal" || total === 0n ? bounty / BigInt(nodes.length) : (bounty * node.stake) / total;
    entries.set(node.id, amount);
  }
  return entries;
}

function sameEntries(left: Entries, right: Entries): boolean {
  if (left.size !== right.size) return false;
  for (const [key, value] of left) if (right.get(key) !== value) return false;
  return true;
}

function drawFrom(candidates: readonly ModelNode[], draw: "uniform" | "stake", random: SeededRandom): ModelNode {
  if (draw === "uniform") return random.pick(candidates);
  const total = candidates.reduce((sum, node) => sum + node.stake, 0n);
  let ticket = BigInt(Math.floor(random.next() * Number(total)));
  for (const node of candidates) {
    if (ticket < node.stake) return node;
    ticket -= node.stake;
  }
  return candidates[candidates.length - 1] as ModelNode;
}

export function distribute(options: DistributeOptions, ledger: FairnessLedger, random: SeededRandom): void {
  const { round, bounty, approved, voters, rule, draw } = options;
  const honestList = split(approved, bounty, rule);
  let candidates = [...approved];
  for (let attempt = 0; attempt < options.attempts && candidates.length > 0; attempt += 1) {
    const distributor = drawFrom(candidates, draw, random);
    candidates = candidates.filter((node) => node !== distributor);
    const own = paysItself(distributor, round);
    const list = own
      ? split(
          approved.filter((node) => node.nodeClass === "attacker"),
          bounty,
          "equal",
        )
      : honestList;
    const honest = sameEntries(list, honestList);
    let valid = 0n;
    let invalid = 0n;
    const lazy: ModelNode[] = [];
    for (const voter of voters) {
      if (voter.down) continue;
      if (voter.strategy === "follower") {
        lazy.push(voter);
        continue;
      }
      let agrees = honest;
      if (striking(voter, round) && (voter.strategy === "whale" || voter.strategy === "selfpay")) {
        agrees = own || (voter.strategy === "selfpay" && honest);
      }
      if (agrees) valid += voter.stake;
      else invalid += voter.stake;
    }
    const majorityValid = valid >= invalid;
    for (const voter of lazy) {
      if (majorityValid) valid += voter.stake;
      else invalid += voter.stake;
    }
    if (invalid > valid) continue;
    for (const [node, amount] of list) ledger.pay(round, node, amount);
    return;
  }
}
