import type { PropertyScenario } from "../properties/scenarios.ts";
import { distribute } from "./distribute.ts";
import {
  type BaselineResult,
  BOUNTY,
  check,
  coalitionVote,
  createLedger,
  drawDowntime,
  isActive,
  type Judgement,
  MINIMUM_STAKE,
  type ModelNode,
  modelNodes,
  realWork,
  SeededRandom,
} from "./model.ts";

/**
 * The naive instant-reward baseline (docs/simulator.md "Baselines"): every staked node votes on every proof, the
 * stake majority decides (more than half of the voted stake `invalid`: slashed 30% and unpaid; at least half
 * `valid`: paid; otherwise unpaid), a distributor drawn by stake posts a stake-weighted list that the stake majority
 * accepts or rejects, and rewards are paid in full at once. No ramp, no vesting, no bond, no commit-reveal.
 */

const NAIVE_SLASH_BPS = 3_000n;

export function runNaiveBaseline(scenario: PropertyScenario, seed: number): BaselineResult {
  const nodes = modelNodes(scenario);
  const ledger = createLedger(scenario, nodes, 0);
  const random = new SeededRandom(seed, "baseline/naive");
  for (let round = 0; round < scenario.rounds; round += 1) {
    drawDowntime(scenario, nodes, round, random);
    const submitters = nodes.filter((node) => isActive(node, round) && node.stake >= MINIMUM_STAKE);
    ledger.start(round, BOUNTY);
    const work = new Map(submitters.map((node) => [node.id, realWork(node, round)]));
    for (const node of submitters) if (work.get(node.id) === true) ledger.work(round, node.id, node.stake);
    const approved: ModelNode[] = [];
    for (const target of submitters) {
      const tally: Record<Judgement, bigint> = { valid: 0n, invalid: 0n, unavailable: 0n };
      const lazy: ModelNode[] = [];
      for (const voter of submitters) {
        if (voter === target || voter.down) continue;
        if (voter.strategy === "follower") {
          lazy.push(voter);
          continue;
        }
        tally[coalitionVote(voter, target, round) ?? check(scenario, voter, target, round, work)] += voter.stake;
      }
      const lead: Judgement =
        tally.valid >= tally.invalid && tally.valid >= tally.unavailable
          ? "valid"
          : tally.invalid >= tally.unavailable
            ? "invalid"
            : "unavailable";
      for (const voter of lazy) tally[lead] += voter.stake;
      const voted = tally.valid + tally.invalid + tally.unavailable;
      if (tally.invalid * 2n > voted) {
        const slashed = (target.stake * NAIVE_SLASH_BPS) / 10_000n;
        target.stake -= slashed;
        ledger.slash(target.id, slashed, 0n);
      } else if (voted === 0n || tally.valid * 2n >= voted) approved.push(target);
    }
    distribute(
      { round, bounty: BOUNTY, approved, voters: submitters, attempts: 4, rule: "weighted", draw: "stake" },
      ledger,
      random,
    );
    ledger.complete(round);
  }
  return { fairness: ledger.finish() };
}
