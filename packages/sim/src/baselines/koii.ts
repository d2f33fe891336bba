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
  MINIMUM_STAKE,
  type ModelNode,
  modelNodes,
  realWork,
  SeededRandom,
  striking,
} from "./model.ts";

/**
 * Koii's published rules as a compact round model (docs/simulator.md "Baselines", with the sources for each rule):
 *
 * - submissions of the round are on chain and visible before the window closes (no commit-reveal);
 * - each node audits up to 5 submitters picked at random (namespace-wrapper `validateAndVoteOnNodes`, sampling on
 *   by default since Jan 2025); a failed check raises or joins the submitter's audit trigger with an invalid vote; a
 *   node that finds a triggered submission valid votes valid; an unreachable submission fails the check (the
 *   template audits fetch the payload and return false when they cannot; inferred);
 * - the trigger is decided by stake (invalid stake above valid stake): Koii's docs scale a node's vote by its
 *   portion of the stake pool ("Staking and Voting"); K2's exact rule lives in the closed task-node;
 * - slashing as the template's distribution does it: a submitter whose votes are negative is listed with minus 70%
 *   of its stake, and a submitter with a trigger and no net approval is not paid;
 * - the distributor is drawn from the round's submitters by a hash score, uniform over nodes
 *   (`nodeSelectionDistributionList`); its list is audited by every node (`validateAndVoteOnDistributionList`) and
 *   retried with another distributor up to `allowed_failed_distributions` (3) times;
 * - the template's list pays floor(bounty / approved) to each approved submitter; rewards are claimable in full about
 *   two rounds later (no vesting, no ramp: stake counts in full as soon as it is staked), and a node that leaves
 *   keeps all of it. There is no trigger bond.
 */

const KOII_AUDITS_PER_NODE = 5;
const KOII_SLASH_BPS = 7_000n;
const KOII_ALLOWED_FAILED_DISTRIBUTIONS = 3;

type Tally = { valid: bigint; invalid: bigint; triggered: boolean };

export function runKoiiBaseline(scenario: PropertyScenario, seed: number): BaselineResult {
  const nodes = modelNodes(scenario);
  const ledger = createLedger(scenario, nodes, 0);
  const random = new SeededRandom(seed, "baseline/koii");
  for (let round = 0; round < scenario.rounds; round += 1) {
    drawDowntime(scenario, nodes, round, random);
    const submitters = nodes.filter((node) => isActive(node, round) && node.stake >= MINIMUM_STAKE);
    ledger.start(round, BOUNTY);
    const work = new Map(submitters.map((node) => [node.id, realWork(node, round)]));
    for (const node of submitters) if (work.get(node.id) === true) ledger.work(round, node.id, node.stake);
    const tallies = new Map<string, Tally>(
      submitters.map((node) => [node.id, { valid: 0n, invalid: 0n, triggered: false }]),
    );
    const samples = new Map<string, ModelNode[]>();
    for (const auditor of submitters) {
      if (auditor.down) continue;
      const others = submitters.filter((node) => node !== auditor);
      const sample = random.shuffle([...others]).slice(0, KOII_AUDITS_PER_NODE);
      samples.set(auditor.id, sample);
    }
    const valid: [ModelNode, ModelNode][] = [];
    for (const auditor of submitters) {
      if (auditor.down || auditor.strategy === "follower") continue;
      const watchesAll = striking(auditor, round) && auditor.strategy !== "selfpay";
      const targets = watchesAll ? submitters : (samples.get(auditor.id) ?? []);
      for (const target of targets) {
        if (target === auditor) continue;
        const vote = coalitionVote(auditor, target, round) ?? check(scenario, auditor, target, round, work);
        const tally = tallies.get(target.id) as Tally;
        if (vote === "valid") valid.push([auditor, target]);
        else {
          tally.invalid += auditor.stake;
          tally.triggered = true;
        }
      }
    }
    for (const [auditor, target] of valid) {
      const tally = tallies.get(target.id) as Tally;
      if (tally.triggered) tally.valid += auditor.stake;
    }
    // Lazy nodes vote after the others, with the majority of the tally, on the triggers they sampled.
    const lazyVotes: [ModelNode, Tally][] = [];
    for (const auditor of submitters) {
      if (auditor.down || auditor.strategy !== "follower") continue;
      for (const target of samples.get(auditor.id) ?? []) {
        const tally = tallies.get(target.id) as Tally;
        if (tally.triggered) lazyVotes.push([auditor, tally]);
      }
    }
    for (const [auditor, tally] of lazyVotes) {
      if (tally.valid >= tally.invalid) tally.valid += auditor.stake;
      else tally.invalid += auditor.stake;
    }
    const approved: ModelNode[] = [];
    for (const node of submitters) {
      const tally = tallies.get(node.id) as Tally;
      if (tally.triggered && tally.invalid > tally.valid) {
        const slashed = (node.stake * KOII_SLASH_BPS) / 10_000n;
        node.stake -= slashed;
        ledger.slash(node.id, slashed, 0n);
      } else if (!tally.triggered || tally.valid > tally.invalid) approved.push(node);
    }
    distribute(
      {
        round,
        bounty: BOUNTY,
        approved,
        voters: submitters,
        attempts: 1 + KOII_ALLOWED_FAILED_DISTRIBUTIONS,
        rule: "equal",
        draw: "uniform",
      },
      ledger,
      random,
    );
    ledger.complete(round);
  }
  return { fairness: ledger.finish() };
}
