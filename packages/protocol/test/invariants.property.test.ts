/**
 * A model-free fuzzer for the invariants of protocol.md §11. Each run draws a genesis (3-8 accounts with roles),
 * one or two tasks with small random parameters, stakes, and a sequence of steps: slot advances, slots played by
 * the role-playing nodes of honestDriver.ts, and random transactions of every kind with plausible fields (existing
 * tasks, cycles near the current round, revealers, correct commitments sometimes) so that many are accepted and
 * many refused. After every transition and every step it checks:
 *
 *   1. conservation, recounted from every record, and a constant supply;
 *   2. each cycle pays at most bountyPerRound, only to valid revealers of that cycle, each at most once;
 *   3. every Slashed event comes with an upheld TriggerResolved for the same task, cycle, trigger and target, and no
 *      stake or vesting ever shrinks without an event that says why;
 *   4. replaying the recorded transactions (through their wire JSON) from the same genesis gives the same state root
 *      and the same events after every transition.
 *
 * Also: a transaction refused at the edge changes nothing; one refused while applied changes only the sender's nonce
 * (and the equivocation mark of a conflicting vote).
 *
 * Runs: GRADUAL_FUZZ_RUNS (default 100), seed: GRADUAL_FUZZ_SEED (default: random; fast-check prints it on failure).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Account,
  advanceSlot,
  applyBlock,
  applyTransaction,
  bytesToHex,
  canonicalStringify,
  checkConservation,
  createGenesisState,
  decodeTransaction,
  diffStates,
  getAccount,
  getChain,
  getCycle,
  getNode,
  getReveal,
  getTask,
  getVesting,
  type Hash,
  isDecodeRejection,
  listNodeAccounts,
  listProof,
  listRevealers,
  listTaskIds,
  listTriggers,
  nodeStake,
  type ProtocolEvent,
  roundOf,
  type State,
  sha256Hex,
  stateEntries,
  stateFromEntries,
  stateRoot,
  type TaskParams,
  TOKEN,
  type Transaction,
  type TransactionKind,
  transactionToJson,
  trieFullRehash,
  vestingBalance,
} from "../src/index.ts";
import {
  accountOf,
  CHAIN_ID,
  commitmentFor,
  equalSplit,
  listTx,
  saltOf,
  TestChain,
  type Transition,
  type TxBody,
} from "./harness.ts";
import { type Actor, drive, driveSlot, expectedProof, ROLES } from "./honestDriver.ts";

// Generators ------------------------------------------------------------------------------------------------------

/** Small valid parameters: windows are fitted into roundSlots (6..16) from free draws, so every draw is valid. */
const paramsArb: fc.Arbitrary<TaskParams> = fc
  .record({
    roundSlots: fc.integer({ min: 6, max: 16 }),
    commit: fc.nat(),
    vote: fc.nat(),
    reveal: fc.nat(),
    audit: fc.nat(),
    distribution: fc.nat(),
    distributionAudit: fc.nat(),
    minimumStake: fc.integer({ min: 1, max: 20 }),
    bountyPerRound: fc.integer({ min: 5, max: 200 }),
    maxNodes: fc.integer({ min: 2, max: 8 }),
    auditsPerNode: fc.integer({ min: 1, max: 4 }),
    auditMode: fc.constantFrom("sampled" as const, "sampled" as const, "all" as const),
    triggerBond: fc.integer({ min: 0, max: 5 }),
    slashQuorumBps: fc.constantFrom(5_000, 6_667, 8_000),
    slashMargin: fc.constantFrom(0, 1_333, 2_000),
    minParticipationBps: fc.constantFrom(0, 3_000, 5_000),
    slashFractionBps: fc.constantFrom(0, 1_000, 3_333, 5_000, 10_000),
    whistleblowerShareBps: fc.constantFrom(0, 1_000, 5_000, 10_000),
    losingVotePenalty: fc.constantFrom(0, 0, 1),
    maxTriggersPerNodePerCycle: fc.integer({ min: 1, max: 4 }),
    allowedFailedDistributions: fc.integer({ min: 0, max: 3 }),
    warmupRounds: fc.integer({ min: 0, max: 2 }),
    rampRounds: fc.integer({ min: 0, max: 4 }),
    unbondingRounds: fc.integer({ min: 2, max: 4 }),
    vestingRounds: fc.integer({ min: 0, max: 4 }),
    rule: fc.constantFrom("weighted" as const, "equal" as const, "custom" as const),
  })
  .map((draw): TaskParams => {
    const round = draw.roundSlots;
    const voteSlots = draw.vote % (Math.floor((round - 2) / 2) + 1);
    const free = round - voteSlots; // at least 2
    // One task in five pairs its reveals with the next commits (revealSlots 0, §2.2).
    const revealSlots = draw.reveal % 5 === 0 ? 0 : 1 + (draw.reveal % (free - 1));
    const auditSlots = 1 + (draw.audit % (free - Math.max(1, revealSlots)));
    const distributionSlots = 1 + (draw.distribution % (free - 1));
    const distributionAuditSlots = 1 + (draw.distributionAudit % (free - distributionSlots));
    return {
      roundSlots: round,
      commitSlots: 1 + (draw.commit % round),
      revealSlots,
      auditSlots,
      voteSlots,
      distributionSlots,
      distributionAuditSlots,
      minimumStake: BigInt(draw.minimumStake) * TOKEN,
      bountyPerRound: BigInt(draw.bountyPerRound) * TOKEN,
      maxNodes: draw.maxNodes,
      auditsPerNode: draw.auditsPerNode,
      auditMode: draw.auditMode,
      triggerBond: BigInt(draw.triggerBond) * TOKEN,
      slashQuorumBps: draw.slashQuorumBps,
      slashSupermajorityBps: Math.min(10_000, draw.slashQuorumBps + draw.slashMargin),
      minParticipationBps: draw.minParticipationBps,
      slashFractionBps: draw.slashFractionBps,
      whistleblowerShareBps: draw.whistleblowerShareBps,
      losingVotePenalty: BigInt(draw.losingVotePenalty) * TOKEN,
      maxTriggersPerNodePerCycle: draw.maxTriggersPerNodePerCycle,
      allowedFailedDistributions: draw.allowedFailedDistributions,
      warmupRounds: draw.warmupRounds,
      rampRounds: draw.rampRounds,
      unbondingRounds: draw.unbondingRounds,
      vestingRounds: draw.vestingRounds,
      maxProofBytes: 1024,
      distributionRule: draw.rule,
    };
  });

/** Kinds of random transactions, weighted towards the ones that move the protocol. */
const TX_KINDS: readonly (readonly [TransactionKind, number])[] = [
  ["transfer", 2],
  ["createTask", 1],
  ["fundTask", 2],
  ["closeTask", 1],
  ["stake", 4],
  ["unstake", 2],
  ["withdraw", 2],
  ["commit", 4],
  ["reveal", 4],
  ["commitAndReveal", 3],
  ["triggerAudit", 5],
  ["vote", 5],
  ["publishProof", 2],
  ["submitDistribution", 4],
  ["claimDistribution", 3],
  ["claim", 3],
];

type RandomTx = {
  readonly actor: number;
  readonly kind: TransactionKind;
  readonly picks: readonly [number, number, number, number];
  readonly flag: boolean;
};

type Step =
  | { readonly type: "advance"; readonly slots: number }
  | { readonly type: "honest"; readonly slots: number }
  /** Honest play with one random transaction after the nodes act in each slot, so random ones hit live windows. */
  | { readonly type: "mixed"; readonly txs: readonly RandomTx[] }
  | { readonly type: "tx"; readonly tx: RandomTx }
  | { readonly type: "edge"; readonly actor: number; readonly variant: number };

const randomTxArb: fc.Arbitrary<RandomTx> = fc.record({
  actor: fc.nat(7),
  kind: fc.oneof(...TX_KINDS.map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind) }))),
  picks: fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()),
  flag: fc.boolean(),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((slots): Step => ({ type: "advance", slots })) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 60 }).map((slots): Step => ({ type: "honest", slots })) },
  {
    weight: 3,
    arbitrary: fc.array(randomTxArb, { minLength: 1, maxLength: 40 }).map((txs): Step => ({ type: "mixed", txs })),
  },
  { weight: 3, arbitrary: randomTxArb.map((tx): Step => ({ type: "tx", tx })) },
  {
    weight: 1,
    arbitrary: fc.record({ actor: fc.nat(7), variant: fc.nat(3) }).map((edge): Step => ({ type: "edge", ...edge })),
  },
);

const scenarioArb = fc.record({
  actors: fc.array(
    fc.record({
      role: fc.constantFrom(...ROLES, "honest", "honest", "honest"),
      balance: fc.integer({ min: 30, max: 2_000 }),
    }),
    {
      minLength: 3,
      maxLength: 8,
    },
  ),
  tasks: fc.array(fc.record({ params: paramsArb, bounties: fc.integer({ min: 3, max: 30 }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  stakes: fc.array(fc.record({ actor: fc.nat(7), task: fc.nat(1), amount: fc.integer({ min: 1, max: 300 }) }), {
    minLength: 2,
    maxLength: 12,
  }),
  steps: fc.array(stepArb, { minLength: 5, maxLength: 40 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

// Turning random picks into plausible transactions ---------------------------------------------------------------

function pickOf<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

const UNKNOWN = sha256Hex("unknown");

/** Kinds whose sender is usually one of the task's nodes (or the selected distributor), so they get past the checks. */
const NODE_KINDS: ReadonlySet<TransactionKind> = new Set([
  "unstake",
  "withdraw",
  "commit",
  "reveal",
  "commitAndReveal",
  "triggerAudit",
  "vote",
  "publishProof",
  "submitDistribution",
  "claim",
]);

function senderOf(chain: TestChain, actors: readonly Actor[], random: RandomTx, task: Hash): string {
  const [, p1, p2] = random.picks;
  const fallback = (pickOf(actors, random.actor) as Actor).name;
  if (!NODE_KINDS.has(random.kind) || p1 % 4 === 0) return fallback;
  const known = new Set(actors.map((actor) => accountOf(actor.name)));
  const nodes = listNodeAccounts(chain.state, task).filter((account) => known.has(account));
  if (random.kind === "submitDistribution" && p2 % 2 === 0) {
    for (const cycle of getTask(chain.state, task)?.openCycles ?? []) {
      const distributor = chain.distributorOf(task, cycle);
      if (distributor !== null && known.has(accountOf(distributor))) return distributor;
    }
  }
  const node = pickOf(nodes, random.actor);
  return node === undefined ? fallback : chain.nameOf(node);
}

function materialize(chain: TestChain, actors: readonly Actor[], random: RandomTx): { name: string; body: TxBody } {
  const [p0, p1, p2, p3] = random.picks;
  const tasks = listTaskIds(chain.state);
  const task = p0 % 8 === 7 ? UNKNOWN : (pickOf(tasks, p0) ?? UNKNOWN);
  const name = senderOf(chain, actors, random, task);
  const from = accountOf(name);
  const record = getTask(chain.state, task);
  const round = record === undefined ? 0 : Math.max(0, roundOf(record, chain.slot));
  const near = (base: number) => Math.max(0, base + (p1 % 3) - 1);
  const accounts = actors.map((actor) => accountOf(actor.name));
  const someone = p2 % 9 === 8 ? UNKNOWN : (pickOf(accounts, p2) as Account);
  const balance = getAccount(chain.state, from).balance;
  const amountNear = (reference: bigint) => {
    const choices = [1n, reference - 1n, reference, reference * 2n, balance, balance + 1n].filter(
      (value) => value > 0n,
    );
    return choices[p3 % choices.length] as bigint;
  };
  const params = record?.params;
  switch (random.kind) {
    case "transfer":
      return { name, body: { kind: "transfer", to: someone, amount: amountNear(TOKEN) } };
    case "createTask": {
      // Another task mid-run: valid parameters borrowed from an existing task, or a round too short for them.
      const base = params ?? chain.task(tasks[0] as Hash).params;
      return {
        name,
        body: {
          kind: "createTask",
          name: "fuzz task",
          bundleHash: sha256Hex(`bundle:${p1}`),
          metadataHash: null,
          params: random.flag ? base : { ...base, roundSlots: 1 },
          funding: amountNear(base.bountyPerRound * 5n),
        },
      };
    }
    case "fundTask":
      return { name, body: { kind: "fundTask", task, amount: amountNear(params?.bountyPerRound ?? TOKEN) } };
    case "closeTask":
      // Closing ends the task's cycles for the rest of the run: only the creator, and rarely.
      return { name: random.flag && p3 % 4 === 0 ? "a0" : name, body: { kind: "closeTask", task } };
    case "stake":
      return {
        name,
        body: { kind: "stake", task, amount: amountNear(params?.minimumStake ?? TOKEN), nodeUrl: "https://fuzz.test" },
      };
    case "unstake":
      return { name, body: { kind: "unstake", task } };
    case "withdraw":
      return { name, body: { kind: "withdraw", task } };
    case "commit": {
      const cycle = near(round);
      const commitment = random.flag
        ? commitmentFor(task, cycle, name, expectedProof(task, cycle, from))
        : sha256Hex(`c:${p3}`);
      return { name, body: { kind: "commit", task, cycle, commitment } };
    }
    case "reveal": {
      const cycle = near(round - 1);
      const proofDigest = random.flag ? expectedProof(task, cycle, from) : sha256Hex(`p:${p3}`);
      const salt = random.flag || p3 % 2 === 0 ? saltOf(name, cycle) : sha256Hex(`s:${p3}`);
      return { name, body: { kind: "reveal", task, cycle, proofDigest, salt } };
    }
    case "commitAndReveal": {
      // Paired (§2.2): the reveal of the cycle before the one committed to, near the current round's.
      const cycle = near(round);
      const revealed = Math.max(0, cycle - 1);
      const commitment = random.flag
        ? commitmentFor(task, cycle, name, expectedProof(task, cycle, from))
        : sha256Hex(`c:${p3}`);
      const proofDigest = random.flag ? expectedProof(task, revealed, from) : sha256Hex(`p:${p3}`);
      const salt = random.flag || p3 % 2 === 0 ? saltOf(name, revealed) : sha256Hex(`s:${p3}`);
      return { name, body: { kind: "commitAndReveal", task, cycle, commitment, proofDigest, salt } };
    }
    case "triggerAudit": {
      const kind = random.flag ? "proof" : "distribution";
      const cycle = near(kind === "proof" ? round - 1 : round - 2);
      const cycleRecord = getCycle(chain.state, task, cycle);
      const revealers = listRevealers(chain.state, task, cycle);
      const target =
        kind === "distribution" && cycleRecord?.distributor != null && p2 % 3 !== 0
          ? cycleRecord.distributor
          : (pickOf(revealers, p2) ?? someone);
      const attempt = Math.max(0, (cycleRecord?.attempt ?? 0) + (p3 % 3 === 0 ? 1 : 0));
      return {
        name,
        body: {
          kind: "triggerAudit",
          task,
          cycle,
          target,
          triggerKind: kind,
          verdict: p1 % 5 === 0 ? "unavailable" : "invalid",
          attempt,
          reasonDigest: sha256Hex(`r:${p3}`),
        },
      };
    }
    case "vote": {
      const cycle = near(random.flag ? round - 1 : round - 2);
      const count = getCycle(chain.state, task, cycle)?.triggerCount ?? 0;
      const choice = (["valid", "invalid", "unavailable"] as const)[p3 % 3] as "valid" | "invalid" | "unavailable";
      const trigger = p2 % 5 === 0 ? count : p2 % Math.max(1, count);
      return { name, body: { kind: "vote", task, cycle, trigger, choice } };
    }
    case "submitDistribution": {
      const cycle = near(round - 2);
      const cycleRecord = getCycle(chain.state, task, cycle);
      const attempt = (cycleRecord?.attempt ?? 0) + (p2 % 5 === 0 ? 1 : 0);
      const honest = equalSplit(chain.state, task, cycle);
      const variants = [
        honest,
        honest.map((entry) => ({ ...entry, amount: entry.amount * 2n })),
        [...honest].reverse(),
        honest.slice(1),
        [...honest, { recipient: "f".repeat(64), amount: 1n }],
        cycleRecord === undefined ? [] : [{ recipient: from, amount: cycleRecord.reserved + (random.flag ? 0n : 1n) }],
      ];
      const entries = variants[p3 % variants.length] as typeof honest;
      const body = listTx(task, cycle, attempt, entries);
      // Now and then a total or a size that does not match the entries: only the auditors can tell.
      if (p2 % 7 === 0) return { name, body: { ...body, total: body.total + 1n } };
      if (p2 % 7 === 1) return { name, body: { ...body, entryCount: body.entryCount + (p1 % 3) } };
      return { name, body };
    }
    case "claimDistribution": {
      const cycle = near(round - 3);
      const entries = equalSplit(chain.state, task, cycle);
      const index = entries.length === 0 ? 0 : p3 % entries.length;
      const entry = entries[index] ?? { recipient: from, amount: 1n };
      const proof = entries.length === 0 ? [] : listProof(entries, index);
      return {
        name,
        body: {
          kind: "claimDistribution",
          task,
          cycle,
          recipient: random.flag ? entry.recipient : from,
          amount: p2 % 5 === 0 ? entry.amount + 1n : entry.amount,
          index: p1 % 4 === 0 ? index + 1 : index,
          proof,
        },
      };
    }
    case "publishProof": {
      const cycle = near(round - 1);
      const count = getCycle(chain.state, task, cycle)?.triggerCount ?? 0;
      const trigger = p2 % 5 === 0 ? count : p2 % Math.max(1, count);
      const content = random.flag ? `${task}:${cycle}:${from}` : `other:${p3}`;
      const payload = Buffer.from(`proof:${content}`, "utf8").toString("hex");
      return { name, body: { kind: "publishProof", task, cycle, trigger, payload } };
    }
    case "claim":
      return { name, body: { kind: "claim", task } };
  }
}

// The invariant monitor ------------------------------------------------------------------------------------------

type Recorded = { readonly transition: Transition; readonly root: string; readonly events: string };

type Coverage = Record<string, number>;

class Monitor {
  readonly #supply: bigint;
  readonly #accounts: readonly Account[];
  readonly #paid = new Map<string, bigint>();
  readonly #paidTo = new Set<string>();
  readonly recorded: Recorded[] = [];
  readonly coverage: Coverage;

  constructor(state: State, accounts: readonly Account[], coverage: Coverage) {
    this.#supply = getChain(state).supply;
    this.#accounts = accounts;
    this.coverage = coverage;
  }

  observe = (transition: Transition, after: State): void => {
    const events = transition.kind === "tx" ? transition.result.events : transition.events;
    assert.equal(getChain(after).supply, this.#supply, "supply is constant");
    if (transition.kind === "tx") this.#checkRefusal(transition, after);
    this.#checkPayouts(events, after);
    this.#checkSlashes(events, after);
    this.#checkSlashAmounts(events, transition.before);
    this.#checkHoldings(transition.before, after, events);
    for (const event of events) this.coverage[event.type] = (this.coverage[event.type] ?? 0) + 1;
    if (transition.kind === "tx") {
      const outcome = transition.result.ok
        ? "accepted"
        : transition.result.included
          ? "refusedIncluded"
          : "refusedEdge";
      this.coverage[outcome] = (this.coverage[outcome] ?? 0) + 1;
      const kindKey = `${transition.tx.kind}:${transition.result.ok ? "ok" : transition.result.code}`;
      this.coverage[kindKey] = (this.coverage[kindKey] ?? 0) + 1;
    }
    for (const event of events) {
      if (event.type === "TriggerResolved") {
        const key = `${event.kind}:${event.resolution}`;
        this.coverage[key] = (this.coverage[key] ?? 0) + 1;
      }
    }
    this.recorded.push({ transition, root: stateRoot(after), events: canonicalStringify(events) });
  };

  /** Refused at the edge: nothing changes. Refused while applied: only the nonce (and an equivocation mark). */
  #checkRefusal(transition: Extract<Transition, { kind: "tx" }>, after: State): void {
    const { result, tx, before } = transition;
    if (result.ok) return;
    if (!result.included) {
      assert.equal(after, before, `${result.code}: the state is untouched`);
      return;
    }
    const allowed = new Set([`account/${tx.from}`]);
    if (result.code === "VOTE__EQUIVOCATION" && tx.kind === "vote") allowed.add(`node/${tx.task}/${tx.from}`);
    for (const [key] of diffStates(before, after)) {
      assert.ok(allowed.has(key), `${tx.kind} refused with ${result.code} changed ${key}`);
    }
    const was = getAccount(before, tx.from);
    const now = getAccount(after, tx.from);
    assert.deepEqual(now, { ...was, nonce: was.nonce + 1 }, `${result.code}: only the nonce moves`);
  }

  /** The total of each cycle's accepted custom list. */
  readonly #listTotals = new Map<string, bigint>();

  /** §11.2: at most bountyPerRound per cycle, only to valid revealers of the cycle, once each. */
  #checkPayouts(events: readonly ProtocolEvent[], after: State): void {
    const accepted = new Map<string, bigint>();
    for (const event of events) {
      if (event.type !== "Vested") continue;
      const cycleKey = `${event.task}/${event.cycle}`;
      const task = getTask(after, event.task);
      assert.ok(task !== undefined);
      const paid = (this.#paid.get(cycleKey) ?? 0n) + event.amount;
      this.#paid.set(cycleKey, paid);
      accepted.set(cycleKey, (accepted.get(cycleKey) ?? 0n) + event.amount);
      assert.ok(event.amount > 0n, "payments are positive");
      assert.ok(paid <= task.params.bountyPerRound, `cycle ${cycleKey} paid ${paid} > bounty`);
      const recipientKey = `${cycleKey}/${event.node}`;
      assert.ok(!this.#paidTo.has(recipientKey), `${recipientKey} paid twice`);
      this.#paidTo.add(recipientKey);
      assert.equal(getReveal(after, event.task, event.cycle, event.node)?.status, "valid", "paid a non-valid revealer");
    }
    // A custom list pays nothing when accepted: each entry is claimed later (§6.4), and never beyond its total.
    for (const event of events) {
      if (event.type === "DistributionAccepted") {
        const cycleKey = `${event.task}/${event.cycle}`;
        assert.equal(accepted.get(cycleKey) ?? 0n, 0n, "an accepted list pays nothing by itself");
        this.#listTotals.set(cycleKey, event.total);
      }
    }
    for (const [cycleKey, paid] of this.#paid) {
      const total = this.#listTotals.get(cycleKey);
      if (total !== undefined) assert.ok(paid <= total, `cycle ${cycleKey} paid ${paid} > its list's ${total}`);
    }
  }

  /** §11.3: every Slashed event comes with an upheld resolution of a trigger against the same node. */
  #checkSlashes(events: readonly ProtocolEvent[], after: State): void {
    for (const event of events) {
      if (event.type !== "Slashed") continue;
      const resolved = events.some(
        (other) =>
          other.type === "TriggerResolved" &&
          other.resolution === "upheld" &&
          other.task === event.task &&
          other.cycle === event.cycle &&
          other.trigger === event.trigger &&
          other.target === event.node,
      );
      assert.ok(resolved, `Slashed ${event.node} in cycle ${event.cycle} without an upheld trigger`);
      const trigger = listTriggers(after, event.task, event.cycle)[event.trigger];
      assert.equal(trigger?.resolution, "upheld");
      assert.equal(trigger?.target, event.node);
      const task = getTask(after, event.task) as { params: TaskParams };
      const total = event.fromStake + event.fromVesting;
      assert.equal(event.toWhistleblower, (total * BigInt(task.params.whistleblowerShareBps)) / 10_000n);
      assert.equal(event.burned, total - event.toWhistleblower);
    }
  }

  /**
   * A slash takes slashFractionBps of what the node holds (bonded and unbonding), floored per lot; several slashes or
   * penalties in one transition apply in event order.
   */
  #checkSlashAmounts(events: readonly ProtocolEvent[], before: State): void {
    const running = new Map<string, bigint>();
    const heldBefore = (task: Hash, account: Account) => {
      const node = getNode(before, task, account);
      return node === undefined ? 0n : nodeStake(node) + node.unbonding;
    };
    for (const event of events) {
      if (event.type !== "Slashed" && event.type !== "LosingVotePenalized") continue;
      const key = `${event.task}/${event.node}`;
      const held = running.get(key) ?? heldBefore(event.task, event.node);
      if (event.type === "LosingVotePenalized") {
        running.set(key, held - event.amount);
        continue;
      }
      const params = (getTask(before, event.task) as { params: TaskParams }).params;
      const exact = (held * BigInt(params.slashFractionBps)) / 10_000n;
      const lots = BigInt(getNode(before, event.task, event.node)?.lots.length ?? 0);
      assert.ok(
        event.fromStake <= exact && exact - event.fromStake <= lots + 2n,
        `slash of ${event.fromStake} from ${held} at ${params.slashFractionBps} bps (expected about ${exact})`,
      );
      running.set(key, held - event.fromStake);
    }
  }

  /** No stake (bonded or unbonding) and no vesting changes without an event that accounts for it. */
  #checkHoldings(before: State, after: State, events: readonly ProtocolEvent[]): void {
    const stakeDelta = new Map<string, bigint>();
    const vestingDelta = new Map<string, bigint>();
    const add = (map: Map<string, bigint>, key: string, amount: bigint) => map.set(key, (map.get(key) ?? 0n) + amount);
    for (const event of events) {
      if (event.type === "Staked") add(stakeDelta, `${event.task}/${event.node}`, event.amount);
      if (event.type === "Withdrawn") add(stakeDelta, `${event.task}/${event.node}`, -event.amount);
      if (event.type === "LosingVotePenalized") add(stakeDelta, `${event.task}/${event.node}`, -event.amount);
      if (event.type === "Slashed") {
        add(stakeDelta, `${event.task}/${event.node}`, -event.fromStake);
        add(vestingDelta, `${event.task}/${event.node}`, -event.fromVesting);
      }
      if (event.type === "Vested") add(vestingDelta, `${event.task}/${event.node}`, event.amount);
      if (event.type === "Claimed") add(vestingDelta, `${event.task}/${event.node}`, -event.amount);
      if (event.type === "Credited") add(vestingDelta, `${event.task}/${event.node}`, event.amount);
      if (event.type === "RewardClawedBack") add(vestingDelta, `${event.task}/${event.node}`, -event.amount);
    }
    const held = (state: State, task: Hash, account: Account) => {
      const node = getNode(state, task, account);
      return node === undefined ? 0n : nodeStake(node) + node.unbonding;
    };
    const vested = (state: State, task: Hash, account: Account) => {
      const record = getVesting(state, task, account);
      return record === undefined ? 0n : vestingBalance(record);
    };
    for (const task of listTaskIds(after)) {
      const accounts = new Set([
        ...this.#accounts,
        ...listNodeAccounts(before, task),
        ...listNodeAccounts(after, task),
      ]);
      for (const account of accounts) {
        const key = `${task}/${account}`;
        assert.equal(
          held(after, task, account) - held(before, task, account),
          stakeDelta.get(key) ?? 0n,
          `stake of ${key}`,
        );
        assert.equal(
          vested(after, task, account) - vested(before, task, account),
          vestingDelta.get(key) ?? 0n,
          `vesting of ${key}`,
        );
      }
    }
  }
}

// Running a scenario ---------------------------------------------------------------------------------------------

function genesisBalances(scenario: Scenario): Record<string, bigint> {
  const balances: Record<string, bigint> = {};
  scenario.actors.forEach((actor, index) => {
    balances[`a${index}`] = BigInt(actor.balance) * TOKEN;
  });
  const funding = scenario.tasks.reduce((sum, task) => sum + task.params.bountyPerRound * BigInt(task.bounties), 0n);
  balances.a0 = (balances.a0 ?? 0n) + funding;
  return balances;
}

function sendEdge(chain: TestChain, actors: readonly Actor[], actor: number, variant: number): void {
  const name = (pickOf(actors, actor) as Actor).name;
  const from = accountOf(name);
  const nonce = getAccount(chain.state, from).nonce;
  const tx = { kind: "transfer", chainId: CHAIN_ID, from, nonce, to: accountOf("a0"), amount: 1n } as Transaction;
  const bad: unknown[] = [
    { ...tx, nonce: nonce + 3 },
    { ...tx, chainId: "other-chain" },
    { ...tx, amount: "one" },
    nonce > 0 ? { ...tx, nonce: nonce - 1 } : { ...tx, memo: "x" },
  ];
  const before = chain.state;
  const result = applyTransaction(before, bad[variant % bad.length] as Transaction, { slot: chain.slot });
  assert.ok(!result.ok && !result.included, "edge refusals are never included");
  assert.equal(result.state, before);
}

function runScenario(scenario: Scenario, coverage: Coverage): void {
  const balances = genesisBalances(scenario);
  const chain = new TestChain(balances);
  const actors: Actor[] = scenario.actors.map((actor, index) => ({ name: `a${index}`, role: actor.role }));
  const genesis = chain.state;
  const monitor = new Monitor(
    genesis,
    actors.map((actor) => accountOf(actor.name)),
    coverage,
  );
  chain.observers.push(monitor.observe);

  const tasks = scenario.tasks.map((task) =>
    chain.createTask("a0", task.params, task.params.bountyPerRound * BigInt(task.bounties)),
  );
  for (const stake of scenario.stakes) {
    const actor = pickOf(actors, stake.actor) as Actor;
    const task = pickOf(tasks, stake.task) as Hash;
    const params = chain.task(task).params;
    chain.send(actor.name, {
      kind: "stake",
      task,
      amount: (params.minimumStake * BigInt(stake.amount)) / 10n + 1n,
      nodeUrl: "https://fuzz.test",
    });
  }
  for (const step of scenario.steps) {
    if (step.type === "advance") chain.advance(step.slots);
    else if (step.type === "honest") drive(chain, actors, step.slots);
    else if (step.type === "mixed") {
      for (const random of step.txs) {
        // The random transaction goes first or last in its slot, so it can also beat the honest nodes to a window.
        const first = random.picks[0] % 2 === 1;
        if (!first) driveSlot(chain, actors);
        const { name, body } = materialize(chain, actors, random);
        chain.send(name, body);
        if (first) driveSlot(chain, actors);
        chain.advance(1);
      }
    } else if (step.type === "tx") {
      const { name, body } = materialize(chain, actors, step.tx);
      chain.send(name, body);
    } else sendEdge(chain, actors, step.actor, step.variant);
    checkConservation(chain.state);
    checkLiveness(chain.state);
  }
  replay(genesis, monitor.recorded);
  replayBlocks(genesis, monitor.recorded);
  const entries = [...stateEntries(chain.state)];
  assert.equal(stateRoot(stateFromEntries(entries.reverse())), stateRoot(chain.state), "root from the records alone");
  assert.equal(bytesToHex(trieFullRehash(chain.state.root)), stateRoot(chain.state), "cached root = full rehash");
  coverage.runs = (coverage.runs ?? 0) + 1;
}

/**
 * Nothing is left hanging: every trigger is resolved once its vote window closed (no bond stuck), and every cycle
 * completes by the round after its last allowed distribution attempt.
 */
function checkLiveness(state: State): void {
  const slot = getChain(state).slot;
  for (const task of listTaskIds(state)) {
    const record = getTask(state, task);
    if (record === undefined || slot < record.startSlot) continue;
    const round = roundOf(record, slot);
    for (let cycle = 0; cycle <= round; cycle += 1) {
      const cycleRecord = getCycle(state, task, cycle);
      if (cycleRecord === undefined) continue;
      for (const trigger of listTriggers(state, task, cycle)) {
        if (trigger.closesAt <= slot)
          assert.notEqual(trigger.resolution, null, `trigger ${cycle}/${trigger.index} open`);
      }
      if (round > cycle + 3 + record.params.allowedFailedDistributions) {
        assert.notEqual(cycleRecord.outcome, null, `cycle ${cycle} still open in round ${round}`);
        assert.ok(!record.openCycles.includes(cycle));
      }
    }
  }
}

/** §11.4: the same transactions from the same genesis, sent as wire JSON, give the same roots and events. */
function replay(genesis: State, recorded: readonly Recorded[]): void {
  const chain = getChain(genesis);
  let state = createGenesisState({ chainId: chain.chainId, accounts: genesisAccounts(genesis) });
  assert.equal(stateRoot(state), stateRoot(genesis));
  for (const [index, entry] of recorded.entries()) {
    const { transition } = entry;
    let events: readonly ProtocolEvent[];
    if (transition.kind === "tx") {
      const wire = JSON.parse(JSON.stringify(transactionToJson(transition.tx)));
      const decoded = decodeTransaction(wire);
      if (isDecodeRejection(decoded)) {
        // Malformed when sent (an amount of 0, say): the wire form must be refused with the same code.
        const original = transition.result;
        assert.ok(!original.ok && !original.included && original.code === decoded.code, "same edge refusal");
        events = [];
      } else {
        const result = applyTransaction(state, decoded, { slot: getChain(state).slot });
        state = result.state;
        events = result.events;
      }
    } else {
      const result = advanceSlot(state, transition.slot);
      state = result.state;
      events = result.events;
    }
    assert.equal(stateRoot(state), entry.root, `replay diverged at transition ${index}`);
    assert.equal(canonicalStringify(events), entry.events, `replay events differ at transition ${index}`);
  }
}

/**
 * The same log cut into blocks (a slot advance, then that slot's transactions) and applied with applyBlock, whose
 * edit sessions change trie branches in place: each block must end on the root and events recorded one by one.
 */
function replayBlocks(genesis: State, recorded: readonly Recorded[]): void {
  let state = genesis;
  let index = 0;
  // Transactions of slot 0 come before any advance: apply them one by one.
  for (; index < recorded.length; index += 1) {
    const { transition } = recorded[index] as Recorded;
    if (transition.kind !== "tx") break;
    state = applyTransaction(state, transition.tx, { slot: 0 }).state;
  }
  while (index < recorded.length) {
    const start = recorded[index] as Recorded;
    assert.ok(start.transition.kind === "slot");
    const slot = start.transition.slot;
    const txs: Recorded[] = [];
    for (index += 1; index < recorded.length && recorded[index]?.transition.kind === "tx"; index += 1) {
      txs.push(recorded[index] as Recorded);
    }
    const block = applyBlock(
      state,
      slot,
      txs.map((entry) => (entry.transition as Extract<Transition, { kind: "tx" }>).tx),
    );
    assert.equal(canonicalStringify(block.slotEvents), start.events, `slot ${slot}: block slot events`);
    for (const [position, outcome] of block.outcomes.entries()) {
      const entry = txs[position] as Recorded;
      const original = (entry.transition as Extract<Transition, { kind: "tx" }>).result;
      assert.equal(outcome.ok ? "ok" : outcome.code, original.ok ? "ok" : original.code, `slot ${slot} tx ${position}`);
      assert.equal(canonicalStringify(outcome.events), entry.events, `slot ${slot} tx ${position}: events`);
    }
    state = block.state;
    const last = txs.at(-1) ?? start;
    assert.equal(stateRoot(state), last.root, `slot ${slot}: block root differs from one-by-one`);
  }
  assert.equal(bytesToHex(trieFullRehash(state.root)), stateRoot(state), "block state: cached root = full rehash");
}

function genesisAccounts(genesis: State): { account: Account; balance: bigint }[] {
  const accounts: { account: Account; balance: bigint }[] = [];
  for (const [key, value] of stateEntries(genesis)) {
    if (key.startsWith("account/"))
      accounts.push({ account: key.slice(8), balance: (value as { balance: bigint }).balance });
  }
  return accounts;
}

// The property -----------------------------------------------------------------------------------------------------

const RUNS = Number(process.env.GRADUAL_FUZZ_RUNS ?? 100);
const SEED = process.env.GRADUAL_FUZZ_SEED === undefined ? undefined : Number(process.env.GRADUAL_FUZZ_SEED);

describe("invariants under random play (protocol.md §11)", () => {
  it("hold for random genesis, parameters, honest and deviant nodes, and random transactions", () => {
    const coverage: Coverage = {};
    fc.assert(
      fc.property(scenarioArb, (scenario) => runScenario(scenario, coverage)),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    // The runs must reach what the invariants are about; these counts are far below what any run set produces.
    if (RUNS >= 30) {
      for (const reached of [
        "Vested",
        "Slashed",
        "BondForfeited",
        "DistributionRejected",
        "Claimed",
        "refusedIncluded",
      ]) {
        assert.ok((coverage[reached] ?? 0) > 0, `no ${reached} in ${RUNS} runs: ${JSON.stringify(coverage)}`);
      }
    }
    if (process.env.GRADUAL_FUZZ_COVERAGE !== undefined) console.log(coverage);
  });
});
