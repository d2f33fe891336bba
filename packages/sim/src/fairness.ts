import type { Account, ProtocolEvent } from "@gradual/protocol";
import type { NodeClass } from "./world.ts";

/**
 * Honest accounting for issue 14 (docs/simulator.md "Property metrics"). Fair pay is computed against EVERY node
 * that did valid work in a cycle, not against the recipients a list chose to pay:
 *
 *   fair(node, c) = reserved(c) × weight(node, c) / Σ weight of the nodes whose revealed proof was their own work
 *
 * where weight is the node's ramped weight in the cycle's round (protocol.md §3.3). A node's lost pay is
 * Σ max(0, fair − paid) over cycles; a coalition's unfair extraction is Σ max(0, paid − fair) over cycles, summed
 * over its members per cycle. A cycle that fails (no list accepted) pays nobody, so its workers lose their fair pay.
 * Both rule sets (and the compact baselines, which feed the same ledger) are measured with this one definition.
 */

/** Rounding slack per cycle: list amounts are floored per entry, so a fair share may differ by a few base units. */
const ROUNDING_BASE_UNITS = 1_000n;

export type NodeFairness = {
  readonly account: Account;
  readonly name: string;
  readonly group: string;
  readonly nodeClass: NodeClass;
  /** The strategy, so that property checks can tell an honest node that went offline from an attacker. */
  readonly strategy: string;
  paid: bigint;
  fair: bigint;
  /** Σ max(0, fair − paid) per cycle, beyond the rounding slack, plus pay a late challenge took back (`clawBack`). */
  lostPay: bigint;
  slashed: bigint;
  /** Trigger bonds forfeited (the node's triggers that were rejected). */
  bondsLost: bigint;
  /**
   * Taken from vesting: by a slash (part of `slashed`), or by a late challenge's clawback (part of `slashed` for the
   * coalition, of `lostPay` for anyone else).
   */
  clawedBack: bigint;
  /** Whistleblower shares of slashes that the node's triggers caused (protocol.md §5.5). */
  whistleblower: bigint;
};

export type WindowFigures = {
  /** The reserved bounty of the cycles that started in the window. */
  bounty: bigint;
  /** Σ max(0, coalition paid − coalition fair) per cycle. */
  unfair: bigint;
  /** Σ max(0, fair − paid) over honest nodes. */
  honestLostPay: bigint;
};

export type FairnessMetrics = {
  /** Cycles [fromRound, toRound) of the coalition's stay, or null without a coalition. */
  readonly stay: { readonly fromRound: number; readonly toRound: number } | null;
  /** The stay (attack window): cycles that started while the coalition was staked. */
  readonly attack: WindowFigures;
  /** The stay plus the vesting period after the coalition left (the whole run when the run lasts that long). */
  readonly stayAndVesting: WindowFigures;
  /**
   * The strike: cycles from the coalition's first attacking round (strikeRound) until it left. A patient coalition
   * works honestly first, so its stay averages its attack down; this window does not.
   */
  readonly strike: WindowFigures;
  readonly whole: WindowFigures;
  /** Coalition: paid, fair share, slashed (stake and vesting), and net = unfair (whole run) − slashed. */
  readonly coalition: { paid: bigint; fair: bigint; unfair: bigint; slashed: bigint; clawedBack: bigint; net: bigint };
  readonly nodes: NodeFairness[];
};

export type FairnessMember = {
  readonly account: Account;
  readonly name: string;
  readonly group: string;
  readonly nodeClass: NodeClass;
  readonly strategy: string;
};

export type FairnessOptions = {
  readonly stay: { readonly fromRound: number; readonly toRound: number } | null;
  /** The round the coalition starts attacking (defaults to the start of its stay). */
  readonly strikeRound?: number;
  readonly vestingRounds: number;
  /**
   * The task's rule is `custom`: a paid cycle's recipients claim their list entries after it completes (§6.4), so
   * the ledger settles such a cycle when its claim window closes (`ListClaimWindowClosed`), with what was claimed.
   */
  readonly listClaims?: boolean;
};

function emptyWindow(): WindowFigures {
  return { bounty: 0n, unfair: 0n, honestLostPay: 0n };
}

/**
 * Collects, per cycle, who did valid work (with its weight) and who was paid, and settles the cycle when it
 * completes. The simulator feeds it from protocol events (`observe`); the compact baselines call `work`, `pay`,
 * `slash`, `forfeit` and `complete` directly.
 */
export class FairnessLedger {
  readonly #options: FairnessOptions;
  readonly #nodes = new Map<Account, NodeFairness>();
  readonly #reserved = new Map<number, bigint>();
  readonly #workers = new Map<number, Map<Account, bigint>>();
  readonly #paid = new Map<number, Map<Account, bigint>>();
  /** Paid cycles of a custom-rule task whose list entries may still be claimed (`FairnessOptions.listClaims`). */
  readonly #claiming = new Set<number>();
  readonly #attack = emptyWindow();
  readonly #stayAndVesting = emptyWindow();
  readonly #strike = emptyWindow();
  readonly #whole = emptyWindow();
  readonly #coalition = { paid: 0n, fair: 0n, unfair: 0n, slashed: 0n, clawedBack: 0n, net: 0n };

  /** `${cycle}/${trigger}` -> who raised it, to credit whistleblower shares. */
  readonly #triggerers = new Map<string, Account>();

  constructor(members: readonly FairnessMember[], options: FairnessOptions) {
    this.#options = options;
    for (const member of members) {
      this.#nodes.set(member.account, {
        ...member,
        paid: 0n,
        fair: 0n,
        lostPay: 0n,
        slashed: 0n,
        bondsLost: 0n,
        clawedBack: 0n,
        whistleblower: 0n,
      });
    }
  }

  start(cycle: number, reserved: bigint): void {
    this.#reserved.set(cycle, reserved);
  }

  /** `node` revealed its own valid work for `cycle`, weighing `weight` in the cycle's round. */
  work(cycle: number, node: Account, weight: bigint): void {
    const workers = this.#workers.get(cycle) ?? new Map<Account, bigint>();
    workers.set(node, weight);
    this.#workers.set(cycle, workers);
  }

  pay(cycle: number, node: Account, amount: bigint): void {
    const paid = this.#paid.get(cycle) ?? new Map<Account, bigint>();
    paid.set(node, (paid.get(node) ?? 0n) + amount);
    this.#paid.set(cycle, paid);
  }

  slash(node: Account, fromStake: bigint, fromVesting: bigint): void {
    const record = this.#nodes.get(node);
    if (record === undefined) return;
    record.slashed += fromStake + fromVesting;
    record.clawedBack += fromVesting;
    if (record.nodeClass === "attacker") {
      this.#coalition.slashed += fromStake + fromVesting;
      this.#coalition.clawedBack += fromVesting;
    }
  }

  /**
   * A late challenge took back `amount` that `cycle` paid `node` and it had not claimed (protocol.md §5.7). From the
   * coalition, it is what the rules recovered of its extraction, counted in its net like a slash. From anyone else it
   * is pay lost after all (paid, then taken back), not a slash: P1, P6 and P7 count it, P2's and P3's "no honest node
   * slashed" do not.
   */
  clawBack(cycle: number, node: Account, amount: bigint): void {
    const record = this.#nodes.get(node);
    if (record === undefined) return;
    if (record.nodeClass === "attacker") {
      this.slash(node, 0n, amount);
      return;
    }
    record.clawedBack += amount;
    record.paid -= amount;
    record.lostPay += amount;
    if (record.nodeClass === "honest") for (const window of this.#windows(cycle)) window.honestLostPay += amount;
  }

  /** `node`'s trigger was upheld and it received `amount` of the slash. */
  reward(node: Account, amount: bigint): void {
    const record = this.#nodes.get(node);
    if (record !== undefined) record.whistleblower += amount;
  }

  forfeit(node: Account, amount: bigint): void {
    const record = this.#nodes.get(node);
    if (record !== undefined) record.bondsLost += amount;
  }

  #windows(cycle: number): WindowFigures[] {
    const windows = [this.#whole];
    const stay = this.#options.stay;
    if (stay === null) return windows;
    if (cycle >= stay.fromRound && cycle < stay.toRound) windows.push(this.#attack);
    if (cycle >= (this.#options.strikeRound ?? stay.fromRound) && cycle < stay.toRound) windows.push(this.#strike);
    if (cycle >= stay.fromRound && cycle < stay.toRound + this.#options.vestingRounds) {
      windows.push(this.#stayAndVesting);
    }
    return windows;
  }

  /** Settles `cycle`: fair shares against every valid worker, lost pay and the coalition's extraction. */
  complete(cycle: number): void {
    const reserved = this.#reserved.get(cycle) ?? 0n;
    const workers = this.#workers.get(cycle) ?? new Map<Account, bigint>();
    const paid = this.#paid.get(cycle) ?? new Map<Account, bigint>();
    this.#workers.delete(cycle);
    this.#paid.delete(cycle);
    const windows = this.#windows(cycle);
    for (const window of windows) window.bounty += reserved;
    let total = 0n;
    for (const weight of workers.values()) total += weight;
    // Nodes that did valid work all weigh 0 only before anyone ramped: each then counts as weight 1 (§6.1's rule).
    const weightOf = (account: Account) => (total === 0n ? 1n : (workers.get(account) ?? 0n));
    const denominator = total === 0n ? BigInt(workers.size) : total;
    let coalitionPaid = 0n;
    let coalitionFair = 0n;
    const accounts = new Set<Account>([...workers.keys(), ...paid.keys()]);
    for (const account of accounts) {
      const record = this.#nodes.get(account);
      const fair = workers.has(account) && denominator > 0n ? (reserved * weightOf(account)) / denominator : 0n;
      const amount = paid.get(account) ?? 0n;
      if (record === undefined) continue;
      record.paid += amount;
      record.fair += fair;
      const lost = fair - amount;
      if (lost > ROUNDING_BASE_UNITS) {
        record.lostPay += lost;
        if (record.nodeClass === "honest") for (const window of windows) window.honestLostPay += lost;
      }
      if (record.nodeClass === "attacker") {
        coalitionPaid += amount;
        coalitionFair += fair;
      }
    }
    this.#coalition.paid += coalitionPaid;
    this.#coalition.fair += coalitionFair;
    const unfair = coalitionPaid - coalitionFair;
    if (unfair > ROUNDING_BASE_UNITS) {
      this.#coalition.unfair += unfair;
      for (const window of windows) window.unfair += unfair;
    }
  }

  /** Feeds the ledger from the protocol's events (the simulator). `ownWork` and `weightOf` read the world. */
  observe(
    event: ProtocolEvent,
    ownWork: (cycle: number, node: Account, digest: string) => boolean,
    weightOf: (node: Account, cycle: number) => bigint,
  ): void {
    switch (event.type) {
      case "CycleStarted":
        this.start(event.cycle, event.reserved);
        break;
      case "Revealed":
        if (ownWork(event.cycle, event.node, event.proofDigest)) {
          this.work(event.cycle, event.node, weightOf(event.node, event.cycle));
        }
        break;
      case "Vested":
        this.pay(event.cycle, event.node, event.amount);
        break;
      case "AuditTriggered":
        this.#triggerers.set(`${event.cycle}/${event.trigger}`, event.triggerer);
        break;
      case "Slashed": {
        this.slash(event.node, event.fromStake, event.fromVesting);
        const triggerer = this.#triggerers.get(`${event.cycle}/${event.trigger}`);
        if (triggerer !== undefined) this.reward(triggerer, event.toWhistleblower);
        break;
      }
      case "RewardClawedBack":
        this.clawBack(event.cycle, event.node, event.amount);
        break;
      case "BondForfeited":
        this.forfeit(event.triggerer, event.amount);
        break;
      case "CycleCompleted":
        if (this.#options.listClaims === true && event.outcome === "paid") this.#claiming.add(event.cycle);
        else this.complete(event.cycle);
        break;
      case "ListClaimWindowClosed":
        if (this.#claiming.delete(event.cycle)) this.complete(event.cycle);
        break;
      default:
        break;
    }
  }

  finish(): FairnessMetrics {
    // Lists whose claim window was still open when the run ended: settled with what their recipients claimed.
    for (const cycle of [...this.#claiming].sort((left, right) => left - right)) this.complete(cycle);
    this.#claiming.clear();
    const coalition = { ...this.#coalition };
    coalition.net = coalition.unfair - coalition.slashed;
    return {
      stay: this.#options.stay,
      attack: { ...this.#attack },
      stayAndVesting: { ...this.#stayAndVesting },
      strike: { ...this.#strike },
      whole: { ...this.#whole },
      coalition,
      nodes: [...this.#nodes.values()].map((node) => ({ ...node })),
    };
  }
}
