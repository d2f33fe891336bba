import { type Account, getNode, type ProtocolEvent, type State } from "@gradual/protocol";
import { FairnessLedger, type FairnessMetrics } from "./fairness.ts";
import type { ProofBook } from "./proofs.ts";
import { ratio } from "./ratio.ts";
import type { Scenario, StrategyName } from "./scenario.ts";
import type { NodeClass, SimNode } from "./world.ts";

/**
 * Per-run and per-round accounting, from the protocol's own events (docs/simulator.md "Metrics"). A payment is
 * unfair when it pays for a submission that was not the recipient's own work for the cycle (garbage, a replay, a
 * copy), or when it pays an attacker more than the fair share: the bounty split equally among the cycle's real
 * workers.
 */

export type RoundSeries = {
  readonly round: number;
  bountyReserved: bigint;
  paidHonest: bigint;
  paidFaulty: bigint;
  paidAttackers: bigint;
  unfair: bigint;
  honestSlashed: bigint;
  faultySlashed: bigint;
  attackerSlashed: bigint;
  /** Proof checks the nodes were asked for (assigned audits and checks of triggered proofs). */
  auditChecks: number;
  /** What all-pairs auditing of the same submissions would cost: m(m-1) for m revealed submissions. */
  allPairsChecks: number;
  triggers: number;
  votes: number;
  transactions: number;
};

export type GroupSummary = {
  readonly group: string;
  readonly strategy: StrategyName;
  readonly nodeClass: NodeClass;
  readonly nodes: number;
  readonly stake: bigint;
  paid: bigint;
  unfair: bigint;
  slashedStake: bigint;
  slashedVesting: bigint;
  triggers: number;
  falseTriggers: number;
  bondsLost: bigint;
  bondsWon: bigint;
  whistleblowerRewards: bigint;
  losingVotes: number;
  missedDuties: number;
  equivocations: number;
};

export type TriggerCost = {
  /** False triggers: against a proof that was valid content, or a list equal to the honest list. */
  triggers: number;
  upheld: number;
  /** Resolved `disputed`: the target is unpaid for the cycle (a loss the fairness figures count, not `targetCost`). */
  disputed: number;
  /** Bonds the triggerers lost minus whistleblower rewards they won on these triggers. */
  triggererCost: bigint;
  /** Stake and vesting the targets lost minus bonds they received on these triggers. */
  targetCost: bigint;
};

export type RunMetrics = {
  bountyReserved: bigint;
  bountyPaid: bigint;
  paidHonest: bigint;
  paidFaulty: bigint;
  paidAttackers: bigint;
  unfair: bigint;
  /** unfair / bountyReserved. */
  unfairShare: number;
  /** Rounds in which attacker groups were staked (their first join to their last leave), if any. */
  attackWindow: { readonly fromRound: number; readonly toRound: number } | null;
  bountyInAttackWindow: bigint;
  unfairInAttackWindow: bigint;
  unfairShareInAttackWindow: number;
  honestStake: bigint;
  honestSlashed: bigint;
  honestSlashedShare: number;
  honestNodesSlashed: number;
  attackerStake: bigint;
  attackerSlashed: bigint;
  attackerSlashedShare: number;
  faultySlashed: bigint;
  triggers: {
    proof: number;
    /** Of the proof triggers, appeals (verdict `valid`, protocol.md §5.8). */
    appeals: number;
    distribution: number;
    upheld: number;
    disputed: number;
    rejected: number;
    unavailable: number;
    answered: number;
  };
  falseTriggers: TriggerCost;
  /** The same, for triggers sent by griefer nodes only. */
  grieferTriggers: TriggerCost;
  auditChecks: number;
  auditChecksPerRound: number;
  allPairsChecksPerRound: number;
  lists: { accepted: number; rejected: number; missing: number };
  cycles: { paid: number; failed: number; empty: number };
  groups: GroupSummary[];
  /** Fair shares against every valid worker, per node and per window (fairness.ts, issue 14). */
  fairness: FairnessMetrics;
};

type TriggerInfo = {
  readonly triggerer: SimNode | undefined;
  readonly target: SimNode | undefined;
  readonly bond: bigint;
  readonly isFalse: boolean;
  /** An appeal (§5.8): a rejected one burns its bond, nobody wins it. */
  readonly appeal: boolean;
  slashed: bigint;
  whistleblower: bigint;
};

export type MetricsContext = {
  readonly scenario: Scenario;
  readonly proofs: ProofBook;
  readonly nodeOf: (account: Account) => SimNode | undefined;
  /** The honest list digest of (cycle, attempt), for judging list triggers. */
  readonly honestListDigest: (cycle: number, attempt: number) => string;
  readonly listDigestOf: (cycle: number, attempt: number) => string | undefined;
  /** A node's ramped weight in `cycle`'s round (protocol.md §3.3), read when it reveals. */
  readonly weightOf: (account: Account, cycle: number) => bigint;
  readonly vestingRounds: number;
  /** The task's rule is `custom`: paid cycles' entries are claimed after they complete (the fairness ledger waits). */
  readonly listClaims: boolean;
  /**
   * The entries of a cycle's accepted custom list (from its blob): what the list awards, judged when it is accepted,
   * since its recipients claim them later (protocol.md §6.4). Undefined for a cycle paid by its rule.
   */
  readonly acceptedListOf: (cycle: number) => readonly { recipient: Account; amount: bigint }[] | undefined;
};

function emptyCost(): TriggerCost {
  return { triggers: 0, upheld: 0, disputed: 0, triggererCost: 0n, targetCost: 0n };
}

export class Metrics {
  readonly #context: MetricsContext;
  readonly series: RoundSeries[] = [];
  readonly #groups = new Map<string, GroupSummary>();
  readonly #reservedByCycle = new Map<number, bigint>();
  readonly #pendingPayments = new Map<number, Extract<ProtocolEvent, { type: "Vested" }>[]>();
  /** Cycles paid by a custom list, judged on the list's entries at acceptance. */
  readonly #judgedLists = new Set<number>();
  readonly #revealed = new Map<string, string>();
  readonly #triggers = new Map<string, TriggerInfo>();
  readonly #honestSlashedNodes = new Set<Account>();
  readonly #attackWindow: { fromRound: number; toRound: number } | null;
  #unfairInWindow = 0n;
  readonly #counts = {
    triggers: {
      proof: 0,
      appeals: 0,
      distribution: 0,
      upheld: 0,
      disputed: 0,
      rejected: 0,
      unavailable: 0,
      answered: 0,
    },
    lists: { accepted: 0, rejected: 0, missing: 0 },
    cycles: { paid: 0, failed: 0, empty: 0 },
  };
  readonly #falseTriggers = emptyCost();
  readonly #grieferTriggers = emptyCost();
  readonly #fairness: FairnessLedger;

  constructor(context: MetricsContext, nodes: readonly SimNode[]) {
    this.#context = context;
    for (const node of nodes) {
      const spec = node.group.spec;
      if (!this.#groups.has(spec.name)) {
        this.#groups.set(spec.name, {
          group: spec.name,
          strategy: spec.strategy,
          nodeClass: node.group.strategy.nodeClass,
          nodes: spec.count,
          // Everything the group staked: its stake and its top-up.
          stake: (spec.stake + spec.topUp) * BigInt(spec.count),
          paid: 0n,
          unfair: 0n,
          slashedStake: 0n,
          slashedVesting: 0n,
          triggers: 0,
          falseTriggers: 0,
          bondsLost: 0n,
          bondsWon: 0n,
          whistleblowerRewards: 0n,
          losingVotes: 0,
          missedDuties: 0,
          equivocations: 0,
        });
      }
    }
    const attackers = context.scenario.groups.filter((group) =>
      nodes.some((node) => node.group.spec === group && node.group.strategy.nodeClass === "attacker"),
    );
    this.#attackWindow =
      attackers.length === 0
        ? null
        : {
            fromRound: Math.min(...attackers.map((group) => group.joinRound)),
            toRound: Math.max(...attackers.map((group) => group.leaveRound ?? context.scenario.rounds)),
          };
    this.#fairness = new FairnessLedger(
      nodes.map((node) => ({
        account: node.account,
        name: node.name,
        group: node.group.spec.name,
        nodeClass: node.group.strategy.nodeClass,
        strategy: node.group.spec.strategy,
      })),
      {
        stay: this.#attackWindow,
        vestingRounds: context.vestingRounds,
        listClaims: context.listClaims,
        ...(attackers.length === 0 ? {} : { strikeRound: Math.min(...attackers.map((group) => group.strikeRound)) }),
      },
    );
  }

  round(round: number): RoundSeries {
    while (this.series.length <= round) {
      this.series.push({
        round: this.series.length,
        bountyReserved: 0n,
        paidHonest: 0n,
        paidFaulty: 0n,
        paidAttackers: 0n,
        unfair: 0n,
        honestSlashed: 0n,
        faultySlashed: 0n,
        attackerSlashed: 0n,
        auditChecks: 0,
        allPairsChecks: 0,
        triggers: 0,
        votes: 0,
        transactions: 0,
      });
    }
    return this.series[round] as RoundSeries;
  }

  #summary(node: SimNode | undefined): GroupSummary | undefined {
    return node === undefined ? undefined : this.#groups.get(node.group.spec.name);
  }

  #inWindow(cycle: number): boolean {
    const window = this.#attackWindow;
    return window !== null && cycle >= window.fromRound && cycle < window.toRound;
  }

  observe(events: readonly ProtocolEvent[], round: number): void {
    const series = this.round(round);
    const { proofs, weightOf } = this.#context;
    const ownWork = (cycle: number, node: Account, digest: string) => proofs.isOwnWork(digest, cycle, node);
    for (const event of events) {
      this.#fairness.observe(event, ownWork, weightOf);
      switch (event.type) {
        case "CycleStarted":
          this.#reservedByCycle.set(event.cycle, event.reserved);
          series.bountyReserved += event.reserved;
          break;
        case "Revealed":
          this.#revealed.set(`${event.cycle}/${event.node}`, event.proofDigest);
          break;
        case "SeedFixed":
          series.allPairsChecks += event.revealCount * (event.revealCount - 1);
          break;
        case "AuditTriggered":
          this.#onTriggered(event);
          series.triggers += 1;
          break;
        case "Voted":
          series.votes += 1;
          break;
        case "Slashed":
          this.#onSlashed(event, series);
          break;
        case "TriggerResolved":
          this.#onResolved(event);
          break;
        case "Vested":
          this.#onVested(event);
          break;
        case "DistributionAccepted":
          this.#counts.lists.accepted += 1;
          break;
        case "DistributionRejected":
          if (event.reason === "upheld" || event.reason === "disputed") this.#counts.lists.rejected += 1;
          else this.#counts.lists.missing += 1;
          break;
        case "CycleCompleted":
          // Paid by its accepted list (custom) or by its rule as its proof votes closed (§6.2): judged here either way.
          if (event.outcome === "paid") {
            this.#counts.cycles.paid += 1;
            this.#onAccepted(event.cycle, series);
          } else if (event.outcome === "no-submitters") this.#counts.cycles.empty += 1;
          else this.#counts.cycles.failed += 1;
          break;
        default:
          break;
      }
    }
  }

  #onTriggered(event: Extract<ProtocolEvent, { type: "AuditTriggered" }>): void {
    const { proofs, nodeOf, honestListDigest, listDigestOf } = this.#context;
    let isFalse: boolean;
    if (event.kind === "proof") {
      this.#counts.triggers.proof += 1;
      const digest = this.#revealed.get(`${event.cycle}/${event.target}`);
      const valid = digest !== undefined && proofs.isValidFor(digest, event.cycle);
      // An appeal (§5.8) claims the proof valid; any other proof trigger claims it invalid or unavailable.
      if (event.verdict === "valid") this.#counts.triggers.appeals += 1;
      isFalse = digest !== undefined && (event.verdict === "valid" ? !valid : valid);
    } else {
      this.#counts.triggers.distribution += 1;
      isFalse = listDigestOf(event.cycle, event.attempt) === honestListDigest(event.cycle, event.attempt);
    }
    const info: TriggerInfo = {
      triggerer: nodeOf(event.triggerer),
      target: nodeOf(event.target),
      bond: event.bond,
      isFalse,
      appeal: event.kind === "proof" && event.verdict === "valid",
      slashed: 0n,
      whistleblower: 0n,
    };
    this.#triggers.set(`${event.cycle}/${event.trigger}`, info);
    const summary = this.#summary(info.triggerer);
    if (summary !== undefined) {
      summary.triggers += 1;
      if (isFalse) summary.falseTriggers += 1;
    }
  }

  #onSlashed(event: Extract<ProtocolEvent, { type: "Slashed" }>, series: RoundSeries): void {
    const node = this.#context.nodeOf(event.node);
    const amount = event.fromStake + event.fromVesting;
    const summary = this.#summary(node);
    if (summary !== undefined) {
      summary.slashedStake += event.fromStake;
      summary.slashedVesting += event.fromVesting;
    }
    const nodeClass = node?.group.strategy.nodeClass;
    if (nodeClass === "honest") {
      series.honestSlashed += amount;
      this.#honestSlashedNodes.add(event.node);
    } else if (nodeClass === "faulty") series.faultySlashed += amount;
    else series.attackerSlashed += amount;
    const info = this.#triggers.get(`${event.cycle}/${event.trigger}`);
    if (info !== undefined) {
      info.slashed += amount;
      info.whistleblower += event.toWhistleblower;
    }
    const whistleblower = this.#summary(info?.triggerer);
    if (whistleblower !== undefined) whistleblower.whistleblowerRewards += event.toWhistleblower;
  }

  #onResolved(event: Extract<ProtocolEvent, { type: "TriggerResolved" }>): void {
    this.#counts.triggers[event.resolution] += 1;
    const info = this.#triggers.get(`${event.cycle}/${event.trigger}`);
    if (info === undefined) return;
    if (event.resolution === "rejected") {
      const lost = this.#summary(info.triggerer);
      if (lost !== undefined) lost.bondsLost += info.bond;
      const won = info.appeal ? undefined : this.#summary(info.target);
      if (won !== undefined) won.bondsWon += info.bond;
    }
    if (!info.isFalse) return;
    const costs = [this.#falseTriggers];
    if (info.triggerer?.group.spec.strategy === "griefer") costs.push(this.#grieferTriggers);
    for (const cost of costs) {
      cost.triggers += 1;
      if (event.resolution === "upheld") {
        cost.upheld += 1;
        cost.triggererCost -= info.whistleblower;
        cost.targetCost += info.slashed;
      } else if (event.resolution === "rejected") {
        cost.triggererCost += info.bond;
        cost.targetCost -= info.bond;
      } else if (event.resolution === "disputed") cost.disputed += 1;
    }
  }

  /** Vested events of a cycle arrive together, before its CycleCompleted: judged as one payment. */
  #onVested(event: Extract<ProtocolEvent, { type: "Vested" }>): void {
    // A claimed entry of a list already judged at its acceptance.
    if (this.#judgedLists.has(event.cycle)) return;
    const pending = this.#pendingPayments.get(event.cycle) ?? [];
    pending.push(event);
    this.#pendingPayments.set(event.cycle, pending);
  }

  /**
   * A payment is unfair when it pays a submission that was not the recipient's own work, or pays an attacker more
   * than the fair share of the list: the cycle's bounty split equally among the real workers the list pays.
   */
  #onAccepted(cycle: number, series: RoundSeries): void {
    const listed = this.#context.acceptedListOf(cycle);
    if (listed !== undefined) this.#judgedLists.add(cycle);
    const payments =
      listed === undefined
        ? (this.#pendingPayments.get(cycle) ?? [])
        : listed.filter((entry) => entry.amount > 0n).map((entry) => ({ node: entry.recipient, amount: entry.amount }));
    this.#pendingPayments.delete(cycle);
    const { proofs, nodeOf } = this.#context;
    const ownWork = (node: Account) => {
      const digest = this.#revealed.get(`${cycle}/${node}`);
      return digest !== undefined && proofs.isOwnWork(digest, cycle, node);
    };
    const workers = payments.filter((payment) => ownWork(payment.node)).length;
    const fair = (this.#reservedByCycle.get(cycle) ?? 0n) / BigInt(Math.max(workers, 1));
    for (const payment of payments) {
      const node = nodeOf(payment.node);
      const nodeClass = node?.group.strategy.nodeClass ?? "attacker";
      let unfair = 0n;
      if (!ownWork(payment.node)) unfair = payment.amount;
      else if (nodeClass === "attacker" && payment.amount > fair + 1n) unfair = payment.amount - fair;
      if (nodeClass === "honest") series.paidHonest += payment.amount;
      else if (nodeClass === "faulty") series.paidFaulty += payment.amount;
      else series.paidAttackers += payment.amount;
      series.unfair += unfair;
      if (this.#inWindow(cycle)) this.#unfairInWindow += unfair;
      const summary = this.#summary(node);
      if (summary !== undefined) {
        summary.paid += payment.amount;
        summary.unfair += unfair;
      }
    }
  }

  countAudit(round: number): void {
    this.round(round).auditChecks += 1;
  }

  countTransactions(round: number, count: number): void {
    this.round(round).transactions += count;
  }

  /** Totals at the end of the run, with the per-node counters the ledger keeps (losing votes, missed duties). */
  finish(state: State, task: string, nodes: readonly SimNode[]): RunMetrics {
    for (const node of nodes) {
      const record = getNode(state, task, node.account);
      const summary = this.#summary(node);
      if (record === undefined || summary === undefined) continue;
      summary.losingVotes += record.losingVotes;
      summary.missedDuties += record.missedDuties;
      summary.equivocations += record.equivocations;
    }
    const sum = (pick: (series: RoundSeries) => bigint) => this.series.reduce((total, item) => total + pick(item), 0n);
    const groups = [...this.#groups.values()];
    const stakeOf = (nodeClass: NodeClass) =>
      groups.filter((group) => group.nodeClass === nodeClass).reduce((total, group) => total + group.stake, 0n);
    const bountyReserved = sum((item) => item.bountyReserved);
    const unfair = sum((item) => item.unfair);
    const honestSlashed = sum((item) => item.honestSlashed);
    const attackerSlashed = sum((item) => item.attackerSlashed);
    let bountyInWindow = 0n;
    for (const [cycle, reserved] of this.#reservedByCycle) if (this.#inWindow(cycle)) bountyInWindow += reserved;
    const auditRounds = this.series.filter((item) => item.allPairsChecks > 0);
    const auditChecks = this.series.reduce((total, item) => total + item.auditChecks, 0);
    const perRound = (pick: (series: RoundSeries) => number) =>
      auditRounds.length === 0 ? 0 : auditRounds.reduce((total, item) => total + pick(item), 0) / auditRounds.length;
    return {
      bountyReserved,
      bountyPaid: sum((item) => item.paidHonest + item.paidFaulty + item.paidAttackers),
      paidHonest: sum((item) => item.paidHonest),
      paidFaulty: sum((item) => item.paidFaulty),
      paidAttackers: sum((item) => item.paidAttackers),
      unfair,
      unfairShare: ratio(unfair, bountyReserved),
      attackWindow: this.#attackWindow,
      bountyInAttackWindow: bountyInWindow,
      unfairInAttackWindow: this.#unfairInWindow,
      unfairShareInAttackWindow: ratio(this.#unfairInWindow, bountyInWindow),
      honestStake: stakeOf("honest"),
      honestSlashed,
      honestSlashedShare: ratio(honestSlashed, stakeOf("honest")),
      honestNodesSlashed: this.#honestSlashedNodes.size,
      attackerStake: stakeOf("attacker"),
      attackerSlashed,
      attackerSlashedShare: ratio(attackerSlashed, stakeOf("attacker")),
      faultySlashed: sum((item) => item.faultySlashed),
      triggers: { ...this.#counts.triggers },
      falseTriggers: { ...this.#falseTriggers },
      grieferTriggers: { ...this.#grieferTriggers },
      auditChecks,
      auditChecksPerRound: perRound((item) => item.auditChecks),
      allPairsChecksPerRound: perRound((item) => item.allPairsChecks),
      lists: { ...this.#counts.lists },
      cycles: { ...this.#counts.cycles },
      groups,
      fairness: this.#fairness.finish(),
    };
  }
}
