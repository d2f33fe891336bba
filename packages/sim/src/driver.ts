import {
  type DecideOptions,
  decide,
  type ListRecord,
  listKey,
  listSubmitters,
  type NodeAction,
  type NodeView,
  postedListKey,
  stepNode,
  type TransactionBody,
  verdictKey,
} from "@gradual/node/decide";
import { MemoryChain } from "@gradual/node/memoryChain";
import {
  type Account,
  type CycleRecord,
  commitWindow,
  distributionTriggerWindow,
  GradualError,
  getAcceptedList,
  getCycle,
  getDistribution,
  getNode,
  getReveal,
  getTask,
  type Hash,
  keys,
  listBlobHash,
  listRoot,
  nodeWeight,
  type ProtocolEvent,
  proofTriggerWindow,
  readRecord,
  reviewLag,
  roundOf,
  roundStart,
  type State,
  stateRoot,
  type TaskParams,
  type TaskRecord,
} from "@gradual/protocol";
import { equalSplit } from "@gradual/sdk";
import { AuditCache } from "./auditCache.ts";
import { Faults } from "./faults.ts";
import { simSha256Hex } from "./hash.ts";
import { InvariantBreak, InvariantMonitor, type InvariantName } from "./invariants.ts";
import { Metrics, type RoundSeries, type RunMetrics } from "./metrics.ts";
import { ProofBook } from "./proofs.ts";
import { SeededRandom } from "./rng.ts";
import { applyRules, RULE_SETS, type RuleSet, type RulesName } from "./rules.ts";
import type { Scenario } from "./scenario.ts";
import { STRATEGIES } from "./strategies/index.ts";
import type { AuditRequest, MutableMemory, SimGroup, SimNode, Strategy, World } from "./world.ts";

/**
 * The virtual-clock driver (docs/simulator.md "How a run works"). Each slot: wake the nodes that may have something
 * to do, run the node's real decide() for each, let the strategy supply the results of work, audits and lists,
 * queue what reaches the ledger on the in-memory chain every local run uses (`MemoryChain`; faults drop or delay
 * transactions, nonces follow the order they are queued in), produce the block with the real protocol core, account
 * for its events and assert the invariants. No wall clock, no network, no randomness but the seeded streams: the
 * same seed gives the same blocks and the same state roots.
 */

const SIM_CHAIN_ID = "gradual-sim";

/**
 * `scheduled` wakes a node only in the slots where decide() can return something (window openings, the slot after
 * an event that concerns it, and every slot while it waits to trigger); `every-slot` calls decide() for every node
 * in every slot. Both give identical runs (test/wake.test.ts); `scheduled` is the fast one.
 */
export type WakeMode = "scheduled" | "every-slot";

export type SimOptions = {
  readonly seed: number;
  readonly rules?: RulesName;
  readonly wake?: WakeMode;
  /** Hand decide() each cycle's precomputed audit assignment (default true; false makes every node query it). */
  readonly auditHints?: boolean;
  /** Overrides the scenario's full conservation recount interval (in rounds). */
  readonly fullCheckEveryRounds?: number;
  /** The scenario file, for the replay command printed when an invariant breaks. */
  readonly scenarioPath?: string;
  /** Test hook: replaces a block's state or events before the invariants see them (to prove breaks are caught). */
  readonly afterBlock?: (block: {
    slot: number;
    state: State;
    events: ProtocolEvent[];
  }) => { state: State; events: ProtocolEvent[] } | undefined;
  /** Called at every round start (progress reports). */
  readonly onRound?: (round: number, rounds: number) => void;
  /** Measure where the time goes (wall time, so it is kept out of the deterministic result unless asked for). */
  readonly profile?: boolean;
  /**
   * Compute the final state root (default true). Hashing every record of the final state costs a few percent of a
   * run; the report's runs, which read only the metrics, skip it (SimResult.stateRoot is then null).
   */
  readonly stateRoot?: boolean;
};

/** Milliseconds spent in the protocol core (applyBlock), in decide(), and in the invariant checks. */
export type SimProfile = { protocolMs: number; decideMs: number; checksMs: number; totalMs: number };

export type SimResult = {
  readonly scenario: string;
  readonly seed: number;
  readonly rules: RulesName;
  readonly wake: WakeMode;
  readonly params: TaskParams;
  readonly rounds: number;
  readonly finalSlot: number;
  /** Null when the run was asked not to compute it (`stateRoot: false`). */
  readonly stateRoot: Hash | null;
  readonly taskClosed: boolean;
  readonly nodes: number;
  /** Staked nodes summed over the scenario's rounds. */
  readonly nodeRounds: number;
  readonly transactions: number;
  readonly decideCalls: number;
  /** Transactions the ledger included but refused, by code (late votes, second triggers, ...). */
  readonly refusals: Record<string, number>;
  /** How often each conservation check ran: running totals, record recount, full recount. */
  readonly checks: { readonly totals: number; readonly records: number; readonly full: number };
  readonly metrics: RunMetrics;
  readonly series: readonly RoundSeries[];
  /** Only with `profile: true`. */
  readonly profile?: SimProfile;
};

/** A run broke an invariant: `SIM__INVARIANT_BROKEN`, with the seed and the command that replays it. */
export class SimulationError extends GradualError<"SIM__INVARIANT_BROKEN"> {
  override readonly name = "SimulationError";
  constructor(
    readonly seed: number,
    readonly rules: RulesName,
    readonly slot: number,
    readonly round: number,
    readonly invariant: InvariantName,
    readonly detail: string,
    readonly replay: string,
  ) {
    super("SIM__INVARIANT_BROKEN", {
      message:
        `invariant broken: ${invariant}\n  seed ${seed}, rules ${rules}, slot ${slot} (round ${round})\n  ${detail}\n` +
        `  replay: ${replay}`,
      context: { seed, rules, slot, round, invariant, replay },
    });
  }
}

export function replayCommand(scenarioPath: string, seed: number, rules: RulesName): string {
  return `gradual sim --scenario ${scenarioPath} --replay ${seed}${rules === "gradual" ? "" : ` --rules ${rules}`}`;
}

type Outgoing = { readonly node: SimNode | null; readonly tx: TransactionBody };

function emptyMemory(): MutableMemory {
  return { work: new Map(), verdicts: new Map(), lists: new Map(), done: new Set() };
}

/**
 * Events after which any node may have something new to do in the next slot: a trigger to vote on, a published
 * payload to judge, or weight that left (a late challenge may now win). A completed cycle concerns only the nodes
 * that hold a verdict other than `valid` (late challenges open: see #afterEvents), and a completed list only the
 * auditors of a `custom` rule (under a ledger-computed rule there is nothing to check or contest).
 */
const WAKES_ALL: ReadonlySet<ProtocolEvent["type"]> = new Set([
  "AuditTriggered",
  "ProofPublished",
  "TriggerResolved",
  "Unstaked",
  "Withdrawn",
  "Slashed",
]);

/**
 * Drops what no open cycle can ask for again (decide() looks at open cycles, the current claim round, and, for
 * late challenges, the verdicts against proofs of cycles that can still be challenged: `oldestChallengeable`).
 */
/** Whether a node holds a verdict that a late challenge could act on (any verdict but `valid`, §5.7). */
function holdsChallengeableVerdict(memory: MutableMemory): boolean {
  for (const verdict of memory.verdicts.values()) if (verdict !== "valid") return true;
  return false;
}

/**
 * `Number.parseInt(key.slice(from), 10)` for the keys of a node's memory (digits, then `/` or the end), without the
 * slice: NaN when no digit comes first, so such a key is never pruned, as with parseInt.
 */
function numberAt(key: string, from: number): number {
  let value = Number.NaN;
  for (let index = from; index < key.length; index += 1) {
    const digit = key.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) break;
    value = Number.isNaN(value) ? digit : value * 10 + digit;
  }
  return value;
}

function pruneMemory(memory: MutableMemory, oldestOpen: number, oldestChallengeable: number, round: number): void {
  // forEach rather than for-of (no [key, value] array per entry); deleting the entry being visited is allowed.
  memory.work.forEach((_, cycle) => {
    if (cycle < oldestOpen) memory.work.delete(cycle);
  });
  memory.verdicts.forEach((verdict, key) => {
    const cycle = numberAt(key, 0);
    if (cycle < oldestChallengeable || (cycle < oldestOpen && verdict === "valid")) memory.verdicts.delete(key);
  });
  memory.lists.forEach((_, key) => {
    if (numberAt(key, 0) < oldestOpen) memory.lists.delete(key);
  });
  memory.done.forEach((key) => {
    const number = numberAt(key, key.indexOf("/") + 1);
    if (key.startsWith("claim/") ? number < round : number < oldestOpen) memory.done.delete(key);
  });
}

class Simulation implements World {
  readonly seed: number;
  readonly rules: RuleSet;
  readonly params: TaskParams;
  readonly scenario: Scenario;
  readonly nodes: SimNode[] = [];
  task: Hash = "";
  startSlot = 0;
  slot = 1;
  round = 0;
  proofs: ProofBook = new ProofBook("");
  readonly #options: SimOptions;
  readonly #wakeMode: WakeMode;
  readonly #decideOptions: DecideOptions;
  /** A node that left: it commits nothing more (the unstake may come later, with paired reveals). */
  readonly #leavingOptions: DecideOptions;
  readonly #byAccount = new Map<Account, SimNode>();
  readonly #groups = new Map<string, SimGroup>();
  readonly #streams = new Map<string, SeededRandom>();
  readonly #honestLists = new Map<string, ListRecord>();
  readonly #listBlobs = new Map<Hash, ListRecord>();
  readonly #creator: Account;
  /** The in-memory chain every local run uses, its blocks built from what the nodes send (after the faults). */
  readonly #chain: MemoryChain;
  readonly #faults: Faults;
  #metrics: Metrics | null = null;
  #monitor: InvariantMonitor | null = null;
  #audits: AuditCache | null = null;
  readonly #delayed = new Map<number, Outgoing[]>();
  readonly #pending: Outgoing[] = [];
  #wakeAllNext = false;
  readonly #wakeNext = new Set<SimNode>();
  readonly #interest = new Map<SimNode, number>();
  #closed = false;
  #nodeRounds = 0;
  #transactions = 0;
  #decideCalls = 0;
  readonly #refusals: Record<string, number> = {};
  readonly #profile: SimProfile | null;
  readonly #clock: () => number;
  readonly #stateOf = () => this.state;
  readonly #payloadOf = (digest: Hash) => this.proofs.payload(digest);

  constructor(scenario: Scenario, options: SimOptions) {
    this.seed = options.seed;
    this.rules = RULE_SETS[options.rules ?? "gradual"];
    this.params = applyRules(scenario.params, this.rules.name);
    this.scenario = scenario;
    this.#options = options;
    this.#wakeMode = options.wake ?? "scheduled";
    this.#decideOptions = { autoClaim: scenario.autoClaim };
    this.#leavingOptions = { autoClaim: scenario.autoClaim, leaving: true };
    this.#profile = options.profile ? { protocolMs: 0, decideMs: 0, checksMs: 0, totalMs: 0 } : null;
    this.#clock = options.profile ? () => performance.now() : () => 0;
    this.#creator = simSha256Hex(`gradual-sim/creator/${this.seed}`);
    for (const spec of scenario.groups) {
      const members = new Set<Account>();
      const group: SimGroup = {
        spec,
        strategy: STRATEGIES[spec.strategy],
        nodes: [],
        members,
        isolated: false,
        shared: new Map(),
      };
      for (let index = 0; index < spec.count; index += 1) {
        const account = simSha256Hex(`gradual-sim/node/${this.seed}/${spec.name}/${index}`);
        const node: SimNode = {
          index: this.nodes.length,
          name: `${spec.name}-${index}`,
          account,
          group,
          memory: emptyMemory(),
          joined: false,
          left: false,
          downFrom: null,
          down: false,
        };
        group.nodes.push(node);
        members.add(account);
        this.nodes.push(node);
        this.#byAccount.set(account, node);
      }
      this.#groups.set(spec.name, group);
    }
    this.#faults = new Faults(scenario, this.#groups, this.seed);
    this.#chain = new MemoryChain({
      chainId: SIM_CHAIN_ID,
      // Events are read block by block; conservation is checked incrementally by the invariant monitor.
      keepEvents: false,
      checkConservation: false,
      ...(options.afterBlock === undefined ? {} : { afterBlock: options.afterBlock }),
      accounts: [
        { account: this.#creator, balance: this.params.bountyPerRound * BigInt(scenario.rounds) },
        ...this.nodes.map((node) => ({
          account: node.account,
          balance: node.group.spec.stake + node.group.spec.topUp + node.group.spec.balance,
        })),
      ],
    });
  }

  // World -----------------------------------------------------------------------------------------------------

  get state(): State {
    return this.#chain.state;
  }

  nodeOf(account: Account): SimNode | undefined {
    return this.#byAccount.get(account);
  }

  random(stream: string): SeededRandom {
    let random = this.#streams.get(stream);
    if (random === undefined) {
      random = new SeededRandom(this.seed, stream);
      this.#streams.set(stream, random);
    }
    return random;
  }

  canFetch(node: SimNode, target: Account): boolean {
    const other = this.#byAccount.get(target);
    if (other?.down === true) return false;
    return !(node.group.isolated && !node.group.members.has(target));
  }

  honestList(cycle: number, attempt: number): ListRecord {
    const key = listKey(cycle, attempt);
    let list = this.#honestLists.get(key);
    if (list === undefined) {
      const task = getTask(this.state, this.task) as TaskRecord;
      const record = getCycle(this.state, this.task, cycle) as CycleRecord;
      const submitters = listSubmitters(this.state, this.task, cycle, roundOf(task, this.slot));
      const entries = equalSplit(submitters, record.reserved);
      list = { entries, root: listRoot(entries) };
      this.#honestLists.set(key, list);
    }
    return list;
  }

  salt(node: SimNode, cycle: number): Hash {
    return simSha256Hex(`gradual-sim/salt/${this.seed}/${node.account}/${cycle}`);
  }

  // Run -------------------------------------------------------------------------------------------------------

  run(): SimResult {
    const started = this.#clock();
    try {
      this.#createTask();
      const closeSlot = roundStart({ startSlot: this.startSlot, params: this.params }, this.scenario.rounds) - 1;
      // Under the custom rule the last lists' recipients claim their entries after the task closes (§6.4: claims
      // stay open for their window whatever the task's status): one more round for them, so that the run's pay is
      // what the nodes took, not what the lists awarded.
      const claimRounds = this.params.distributionRule === "custom" ? 1 : 0;
      const lastSlot = roundStart(
        { startSlot: this.startSlot, params: this.params },
        this.scenario.rounds + 4 + this.params.allowedFailedDistributions + claimRounds,
      );
      let stopAt: number | null = null;
      for (let slot = this.startSlot; slot <= lastSlot; slot += 1) {
        if (this.#closed) stopAt ??= slot + claimRounds * this.params.roundSlots;
        if (stopAt !== null && slot >= stopAt) break;
        this.#step(slot, closeSlot);
      }
      this.#monitorOf().checkRecords(this.state);
      this.#monitorOf().checkConservation(this.state);
    } catch (error) {
      throw this.#wrap(error);
    }
    if (this.#profile !== null) this.#profile.totalMs = this.#clock() - started;
    return this.#result();
  }

  #wrap(error: unknown): unknown {
    if (error instanceof SimulationError) return error;
    const invariant: InvariantName = error instanceof InvariantBreak ? error.invariant : "engine";
    const detail =
      error instanceof InvariantBreak ? error.detail : error instanceof Error ? error.message : String(error);
    if (!(error instanceof InvariantBreak) && !(error instanceof Error && error.name === "ProtocolError")) return error;
    const replay = replayCommand(this.#options.scenarioPath ?? "<scenario.yaml>", this.seed, this.rules.name);
    return new SimulationError(this.seed, this.rules.name, this.slot, this.round, invariant, detail, replay);
  }

  #monitorOf(): InvariantMonitor {
    if (this.#monitor === null) throw new Error("simulation not set up");
    return this.#monitor;
  }

  #createTask(): void {
    const body: TransactionBody = {
      kind: "createTask",
      name: this.scenario.name.slice(0, 64),
      bundleHash: simSha256Hex("gradual-sim/bundle"),
      metadataHash: null,
      params: this.params,
      funding: this.params.bountyPerRound * BigInt(this.scenario.rounds),
    };
    this.#chain.send(this.#creator, body);
    const block = this.#chain.produce(1);
    const outcome = block.outcomes[0];
    if (outcome === undefined || !outcome.ok) {
      throw new InvariantBreak(
        "engine",
        `createTask refused: ${outcome?.ok === false ? outcome.message : "no outcome"}`,
      );
    }
    const created = outcome.events.find((event) => event.type === "TaskCreated");
    if (created?.type !== "TaskCreated") throw new InvariantBreak("engine", "createTask emitted no TaskCreated");
    this.task = created.task;
    this.startSlot = (getTask(this.state, this.task) as TaskRecord).startSlot;
    this.proofs = new ProofBook(this.task);
    this.#audits = new AuditCache(this.task);
    this.#monitor = new InvariantMonitor(this.task, this.params.bountyPerRound);
    this.#metrics = new Metrics(
      {
        scenario: this.scenario,
        proofs: this.proofs,
        nodeOf: (account) => this.#byAccount.get(account),
        honestListDigest: (cycle, attempt) => this.honestList(cycle, attempt).root,
        listDigestOf: (cycle, attempt) => getDistribution(this.state, this.task, cycle, attempt)?.listRoot,
        acceptedListOf: (cycle) => {
          const accepted = getAcceptedList(this.state, this.task, cycle);
          return accepted === undefined ? undefined : (this.#listBlobs.get(accepted.listBlob)?.entries ?? []);
        },
        // The weight the cycle's commit fixed (§4.2), which the rule pays by: a slash that lands between the commit
        // and the reveal (a round apart with paired reveals, §2.2) does not change the cycle's shares.
        weightOf: (account, cycle) => {
          const reveal = getReveal(this.state, this.task, cycle, account);
          if (reveal !== undefined) return reveal.weight;
          const record = getNode(this.state, this.task, account);
          return record === undefined ? 0n : nodeWeight(record, cycle, this.params);
        },
        vestingRounds: this.params.vestingRounds,
        listClaims: this.params.distributionRule === "custom",
      },
      this.nodes,
    );
  }

  #timing() {
    return { startSlot: this.startSlot, params: this.params };
  }

  #startRound(round: number): void {
    const task = getTask(this.state, this.task) as TaskRecord;
    const oldestOpen = task.openCycles[0] ?? round;
    // A completed cycle stays challengeable for vestingRounds after it completes, which is at most round c + 2 +
    // allowedFailedDistributions (c + 3 + … when reveals are paired, protocol.md §2.2, §5.7).
    const oldestChallengeable = Math.min(
      oldestOpen,
      round - 2 - reviewLag(this.params) - this.params.allowedFailedDistributions - this.params.vestingRounds,
    );
    for (const node of this.nodes) pruneMemory(node.memory, oldestOpen, oldestChallengeable, round);
    this.proofs.prune(oldestChallengeable);
    for (const key of this.#honestLists.keys())
      if (Number.parseInt(key, 10) < oldestOpen) this.#honestLists.delete(key);
    for (const group of this.#groups.values()) group.shared.clear();
    this.#audits?.prune(oldestOpen);
    for (const node of this.nodes) {
      node.downFrom = null;
      const absence = node.group.strategy.absence;
      if (absence !== undefined && node.joined && !node.left) node.downFrom = absence(this, node);
    }
    this.#faults.startRound(round);
    for (const group of this.#groups.values()) {
      const { spec } = group;
      if (spec.joinRound === round) {
        for (const node of group.nodes) {
          node.joined = true;
          this.#pending.push({
            node,
            tx: { kind: "stake", task: this.task, amount: spec.stake, nodeUrl: `http://${node.name}.sim.invalid` },
          });
        }
      }
      if (spec.topUpRound === round) {
        for (const node of group.nodes) {
          this.#pending.push({
            node,
            tx: { kind: "stake", task: this.task, amount: spec.topUp, nodeUrl: `http://${node.name}.sim.invalid` },
          });
        }
      }
      if (spec.leaveRound === round) {
        // decide() leaves (DecideOptions.leaving): no new work or commit, its last reveal, then its unstake.
        for (const node of group.nodes) {
          node.left = true;
          this.#wakeAllNext = true;
        }
      }
    }
    if (round < this.scenario.rounds) {
      for (const node of this.nodes) if (node.joined && !node.left) this.#nodeRounds += 1;
    }
    this.#metricsOf().round(round);
    this.#options.onRound?.(round, this.scenario.rounds);
  }

  #auditCache(): AuditCache {
    if (this.#audits === null) throw new Error("simulation not set up");
    return this.#audits;
  }

  #metricsOf(): Metrics {
    if (this.#metrics === null) throw new Error("simulation not set up");
    return this.#metrics;
  }

  #shouldWakeAll(slot: number): boolean {
    if (this.#wakeMode === "every-slot" || this.#wakeAllNext) return true;
    const { roundSlots, commitSlots, revealSlots } = this.params;
    const offset = (slot - this.startSlot) % roundSlots;
    // Round start (work, reveals, lists), the slot after (the new round's state), the commit window's opening, and
    // the slot after the seed is fixed (assigned audits; the round's first quiet slot, where claims go, protocol.md
    // §7.1). Under the custom rule, every slot of the list window: a candidate may post in any of them (§6.1).
    if (this.params.distributionRule === "custom" && offset < this.params.distributionSlots) return true;
    return offset === 0 || offset === 1 || offset === roundSlots - commitSlots || offset === revealSlots + 1;
  }

  #step(slot: number, closeSlot: number): void {
    this.slot = slot;
    this.round = roundOf(this.#timing(), slot);
    const offset = (slot - this.startSlot) % this.params.roundSlots;
    if (offset === 0) this.#startRound(this.round);
    for (const node of this.nodes) node.down = node.downFrom !== null && offset >= node.downFrom;
    const outgoing: Outgoing[] = this.#pending.splice(0);
    const wakeAll = this.#shouldWakeAll(slot);
    for (const node of this.nodes) {
      if (!node.joined || node.down) continue;
      if (wakeAll || this.#wakeNext.has(node) || (this.#interest.get(node) ?? 0) > slot) this.#wake(node, outgoing);
    }
    this.#wakeAllNext = false;
    this.#wakeNext.clear();
    for (const group of this.#groups.values()) {
      for (const item of group.strategy.groupTransactions?.(this, group) ?? []) outgoing.push(item);
    }
    if (slot === closeSlot) outgoing.push({ node: null, tx: { kind: "closeTask", task: this.task } });
    this.#applyBlock(slot, this.#buildBlock(slot, outgoing));
  }

  /**
   * The node being stepped, its view and where its transactions go: one node at a time (a step is synchronous), so
   * that the decision loop's two functions are made once per run instead of once per wake.
   */
  #waking: { node: SimNode; view: NodeView; outgoing: Outgoing[] } | null = null;

  #wake(node: SimNode, outgoing: Outgoing[]): void {
    const view: NodeView = {
      state: this.state,
      task: this.task,
      me: node.account,
      memory: node.memory,
      options: node.left ? this.#leavingOptions : this.#decideOptions,
      hints: this.#options.auditHints === false ? undefined : this.#audits?.hintsFor(this.#stateOf, node.account),
      payloadOf: this.#payloadOf,
    };
    this.#waking = { node, view, outgoing };
    // The decision loop every node runs; the strategies are its effects (synchronous: no promise is made).
    stepNode(this.#decideNow, this.#execute);
    this.#waking = null;
  }

  #wakingNode(): { node: SimNode; view: NodeView; outgoing: Outgoing[] } {
    if (this.#waking === null) throw new Error("no node is being stepped");
    return this.#waking;
  }

  readonly #decideNow = (): NodeAction[] => {
    const before = this.#clock();
    const actions = decide(this.#wakingNode().view);
    if (this.#profile !== null) this.#profile.decideMs += this.#clock() - before;
    this.#decideCalls += 1;
    return actions;
  };

  readonly #execute = (action: NodeAction): boolean => {
    const { node, outgoing } = this.#wakingNode();
    const strategy = node.group.strategy;
    node.memory.done.add(action.key);
    if (action.type === "send") {
      if (action.tx.kind === "submitDistribution") this.#publishList(node, action.tx.cycle, action.tx.attempt);
      outgoing.push({ node, tx: action.tx });
      return false;
    }
    if (action.type === "runTask") return this.#runTask(node, strategy, action.cycle);
    if (action.type === "auditProof") return this.#audit(node, strategy, action);
    if (action.type === "fetchList") return this.#fetchList(node, action.cycle, action.attempt);
    return this.#computeList(node, strategy, action);
  };

  /*
   * Each executor below stores its result in the node's memory and says whether decide() could send something
   * because of it in this same slot (then it is called again): a commit when the commit window is open, a trigger
   * or a vote after a verdict that is not `valid` or whose target already has a trigger, a list or a contest after
   * a list computation. Otherwise the next decision waits for the node's next wake.
   */

  #runTask(node: SimNode, strategy: Strategy, cycle: number): boolean {
    node.memory.work.set(cycle, strategy.work(this, node, cycle));
    return this.slot >= commitWindow(this.#timing(), cycle).opensAt;
  }

  #audit(
    node: SimNode,
    strategy: Strategy,
    action: { key: string; cycle: number; target: Account; proofDigest: Hash; published?: string | undefined },
  ): boolean {
    const request: AuditRequest = {
      cycle: action.cycle,
      target: action.target,
      proofDigest: action.proofDigest,
      published: action.published !== undefined,
    };
    const verdict = strategy.audit(this, node, request);
    if (verdict === null) {
      this.#askAgain(node, action.key);
      return false;
    }
    node.memory.verdicts.set(verdictKey(action.cycle, action.target), verdict);
    this.#metricsOf().countAudit(this.round);
    if (verdict !== "valid") {
      this.#waitUntil(node, proofTriggerWindow(this.#timing(), action.cycle).closesAt);
      return true;
    }
    return this.#auditCache().hasProofTrigger(this.state, action.cycle, action.target);
  }

  /** The strategy has no answer yet: forget that decide() asked, and wake the node in the next slot. */
  #askAgain(node: SimNode, key: string): void {
    node.memory.done.delete(key);
    this.#waitUntil(node, this.slot + 2);
  }

  #computeList(node: SimNode, strategy: Strategy, action: { key: string; cycle: number; attempt: number }): boolean {
    const { cycle, attempt } = action;
    const list = strategy.computeList(this, node, cycle, attempt);
    if (list === null) {
      this.#askAgain(node, action.key);
      return false;
    }
    node.memory.lists.set(listKey(cycle, attempt), list);
    const posted = getDistribution(this.state, this.task, cycle, attempt);
    const record = getCycle(this.state, this.task, cycle);
    if (record === undefined || record.distributor === node.account || posted?.status !== "complete") return true;
    if (posted.listRoot !== list.root) {
      this.#waitUntil(node, distributionTriggerWindow(this.#timing(), record.attemptRound).closesAt);
      return true;
    }
    // An agreeing auditor can only act on a trigger against the list (a vote).
    return (
      readRecord(this.state, keys.triggerOf(this.task, cycle, "distribution", attempt, posted.distributor)) !==
      undefined
    );
  }

  /** The blob store of the simulated chain: a posted list's entries by blob hash (protocol.md §6.2). */
  #publishList(node: SimNode, cycle: number, attempt: number): void {
    const list = node.memory.lists.get(listKey(cycle, attempt));
    if (list !== undefined) this.#listBlobs.set(listBlobHash(list.entries), list);
  }

  /** A node fetches the accepted list it did not compute, to claim its entry with a proof (§6.4). */
  #fetchList(node: SimNode, cycle: number, attempt: number): boolean {
    const accepted = getAcceptedList(this.state, this.task, cycle);
    const list = accepted === undefined ? undefined : this.#listBlobs.get(accepted.listBlob);
    if (list === undefined || list.root !== accepted?.listRoot) return false;
    node.memory.lists.set(postedListKey(cycle, attempt), list);
    return true;
  }

  /** Wakes `node` every slot until `slot` (exclusive): it may trigger once its turn in the stagger comes. */
  #waitUntil(node: SimNode, slot: number): void {
    if ((this.#interest.get(node) ?? 0) < slot) this.#interest.set(node, slot);
  }

  /** Queues on the chain what reaches the ledger this slot (faults drop or delay it); nonces follow the order. */
  #buildBlock(slot: number, outgoing: Outgoing[]): Outgoing[] {
    const sent: Outgoing[] = [];
    const add = (item: Outgoing) => {
      this.#chain.send(item.node?.account ?? this.#creator, item.tx);
      sent.push(item);
    };
    for (const item of this.#delayed.get(slot) ?? []) add(item);
    this.#delayed.delete(slot);
    for (const item of outgoing) {
      const isMembership = item.tx.kind === "stake" || item.tx.kind === "unstake";
      const fate = item.node === null || isMembership ? { kind: "send" as const } : this.#faults.fate(item.node);
      if (fate.kind === "drop") continue;
      if (fate.kind === "delay") {
        const due = slot + fate.slots;
        const queue = this.#delayed.get(due) ?? [];
        queue.push(item);
        this.#delayed.set(due, queue);
        continue;
      }
      add(item);
    }
    return sent;
  }

  #applyBlock(slot: number, sent: readonly Outgoing[]): void {
    const before = this.#clock();
    const block = this.#chain.produce(slot);
    if (this.#profile !== null) this.#profile.protocolMs += this.#clock() - before;
    block.outcomes.forEach((outcome, index) => {
      if (outcome.ok) return;
      const item = sent[index] as Outgoing;
      if (!outcome.included) {
        const from = item.node?.account ?? this.#creator;
        throw new InvariantBreak(
          "engine",
          `${item.tx.kind} from ${from} refused at the edge: ${outcome.code} ${outcome.message}`,
        );
      }
      this.#refusals[outcome.code] = (this.#refusals[outcome.code] ?? 0) + 1;
    });
    const { state, events } = block;
    this.#transactions += sent.length;
    const metrics = this.#metricsOf();
    metrics.countTransactions(this.round, sent.length);
    metrics.observe(events, this.round);
    const monitor = this.#monitorOf();
    const checking = this.#clock();
    monitor.checkBlock(state, events);
    monitor.checkTotals(state);
    const offset = (slot - this.startSlot) % this.params.roundSlots;
    if (offset === this.params.roundSlots - 1) {
      monitor.checkRecords(state);
      const every = this.#options.fullCheckEveryRounds ?? this.scenario.fullCheckEveryRounds;
      if ((this.round + 1) % every === 0) monitor.checkConservation(state);
    }
    if (this.#profile !== null) this.#profile.checksMs += this.#clock() - checking;
    this.#afterEvents(events);
  }

  #afterEvents(events: readonly ProtocolEvent[]): void {
    for (const event of events) {
      if (WAKES_ALL.has(event.type)) {
        this.#wakeAllNext = true;
        if (event.type === "AuditTriggered") this.#revisit(event);
      } else if (event.type === "DistributionSubmitted") {
        // Every node compares a posted list with its own until the list's trigger window closes (§6.3).
        const record = getCycle(this.state, this.task, event.cycle);
        const until =
          record === undefined
            ? this.slot + 2
            : distributionTriggerWindow(this.#timing(), record.attemptRound).closesAt;
        for (const node of this.nodes) this.#waitUntil(node, until);
      } else if (event.type === "DistributionAccepted") {
        // Its recipients claim their entries (§6.4).
        this.#wakeAllNext = true;
      } else if (event.type === "CycleCompleted") {
        for (const node of this.nodes) if (holdsChallengeableVerdict(node.memory)) this.#wakeNext.add(node);
      } else if (event.type === "Claimed") {
        // A claim raises the node's balance: a trigger it could not bond before may be possible now.
        const node = this.#byAccount.get(event.node);
        if (node !== undefined && holdsChallengeableVerdict(node.memory)) this.#wakeNext.add(node);
      } else if (event.type === "Credited") {
        // A returned bond or a whistleblower share is claimable at once (§5.5), as a real node would see next slot.
        const node = this.#byAccount.get(event.node);
        if (node !== undefined) this.#wakeNext.add(node);
      } else if (event.type === "Vested" && this.params.vestingRounds === 0) {
        // Only unvested pay is claimable at once; vested pay starts releasing in the next round (woken anyway).
        const node = this.#byAccount.get(event.node);
        if (node !== undefined) this.#wakeNext.add(node);
      } else if (event.type === "SeedFixed") this.#audits?.onSeedFixed(this.state, event.cycle);
      else if (event.type === "TaskClosed") this.#closed = true;
    }
  }

  /** Strategies that copy a trigger's tally forget what they answered before the trigger existed. */
  #revisit(event: Extract<ProtocolEvent, { type: "AuditTriggered" }>): void {
    for (const node of this.nodes) {
      if (node.group.strategy.revisitsOnTrigger !== true) continue;
      if (event.kind === "proof") {
        node.memory.verdicts.delete(verdictKey(event.cycle, event.target));
        node.memory.done.delete(`audit/${event.cycle}/${event.target}`);
      } else {
        node.memory.lists.delete(listKey(event.cycle, event.attempt));
        node.memory.done.delete(`list/${event.cycle}/${event.attempt}`);
      }
    }
  }

  #result(): SimResult {
    const monitor = this.#monitorOf();
    const metrics = this.#metricsOf().finish(this.state, this.task, this.nodes);
    return {
      scenario: this.scenario.name,
      seed: this.seed,
      rules: this.rules.name,
      wake: this.#wakeMode,
      params: this.params,
      rounds: this.scenario.rounds,
      finalSlot: this.slot,
      stateRoot: this.#options.stateRoot === false ? null : stateRoot(this.state),
      taskClosed: this.#closed,
      nodes: this.nodes.length,
      nodeRounds: this.#nodeRounds,
      transactions: this.#transactions,
      decideCalls: this.#decideCalls,
      refusals: Object.fromEntries(Object.entries(this.#refusals).sort(([left], [right]) => left.localeCompare(right))),
      checks: { totals: monitor.totalsChecks, records: monitor.recordChecks, full: monitor.fullChecks },
      metrics,
      series: this.#metricsOf().series,
      ...(this.#profile === null ? {} : { profile: this.#profile }),
    };
  }
}

/** Runs one scenario under one rule set with one seed; throws SimulationError when an invariant breaks. */
export function runSimulation(scenario: Scenario, options: SimOptions): SimResult {
  return new Simulation(scenario, options).run();
}
