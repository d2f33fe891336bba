import { type KeyPair, keyPairFromSecret, signTransaction } from "@gradual/ledger";
import {
  type Expectation,
  expectationMismatch,
  runSteps,
  type Step,
  type StepResult,
  type TxResult,
  type TxStep,
} from "@gradual/ledger/t8n";
import {
  type Account,
  type CycleRecord,
  type CycleWindows,
  computeCommitment,
  createGenesisState,
  type DistributionEntry,
  Draft,
  decodeTransaction,
  drawByWeight,
  type ErrorCode,
  getAccount,
  getChain,
  getCycle,
  getCycleWindows,
  getNode,
  getReveal,
  getTask,
  type Hash,
  isDecodeRejection,
  isEdgeCode,
  listBlobHash,
  listProof,
  listRevealers,
  listRoot,
  nodeWeight,
  roundOf,
  type State,
  sha256Hex,
  type TaskParams,
  type TaskRecord,
  type Transaction,
  transactionHash,
  transactionToJson,
  type VoteChoice,
} from "@gradual/protocol";

/**
 * Builds spec vectors by driving the real protocol: a case first plays a short history (the setup) to reach its
 * pre-state, calls `begin()`, then records the steps under test. Every action, setup or recorded, goes through the
 * same `runSteps` as `gradual t8n` and the runner, and must meet its expectation or the generator stops.
 */

export const CHAIN_ID = "gradual-spec";

/** Accounts of the vectors. Each key pair comes from sha256 of the name, so signatures are reproducible. */
export const NAMES = ["alice", "bob", "carol", "dave", "erin", "frank"] as const;
export type Name = (typeof NAMES)[number];

export const GENESIS_BALANCES: Readonly<Partial<Record<Name, bigint>>> = {
  alice: 20_000n,
  bob: 1_000n,
  carol: 1_000n,
  dave: 1_000n,
};

/** devnet-like parameters with small numbers: rounds of 10 slots, full weight at activation, 2-round vesting. */
export const SPEC_PARAMS: TaskParams = {
  roundSlots: 10,
  commitSlots: 3,
  revealSlots: 2,
  auditSlots: 3,
  voteSlots: 2,
  distributionSlots: 2,
  distributionAuditSlots: 3,
  minimumStake: 100n,
  bountyPerRound: 1_000n,
  maxNodes: 8,
  auditsPerNode: 2,
  auditMode: "sampled",
  triggerBond: 10n,
  slashQuorumBps: 6_667,
  slashSupermajorityBps: 7_700,
  minParticipationBps: 3_000,
  slashFractionBps: 5_000,
  whistleblowerShareBps: 1_000,
  losingVotePenalty: 0n,
  maxTriggersPerNodePerCycle: 2,
  allowedFailedDistributions: 1,
  warmupRounds: 1,
  rampRounds: 0,
  unbondingRounds: 2,
  vestingRounds: 2,
  maxProofBytes: 1_024,
  distributionRule: "custom",
};

const keyPairs = new Map<string, KeyPair>();

export function keyOf(name: Name): KeyPair {
  let pair = keyPairs.get(name);
  if (pair === undefined) {
    pair = keyPairFromSecret(sha256Hex(`gradual/spec-tests/${name}`));
    keyPairs.set(name, pair);
  }
  return pair;
}

export function accountOf(name: Name): Account {
  return keyOf(name).publicKey;
}

/** A node's proof payload for a cycle, as the lowercase hex a `publishProof` carries. */
export function payloadOf(name: Name, cycle: number): string {
  return Buffer.from(`proof:${name}:${cycle}`, "utf8").toString("hex");
}

/** The revealed proof digest: the SHA-256 of the payload (`payloadOf`), so a node can publish it when challenged. */
export function proofOf(name: Name, cycle: number): Hash {
  return sha256Hex(`proof:${name}:${cycle}`);
}

export function saltOf(name: Name, cycle: number): Hash {
  return sha256Hex(`salt:${name}:${cycle}`);
}

/** Distributive Omit, so each member of the transaction union keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TxBody = Without<Transaction, "chainId" | "from" | "nonce">;

export type SendOptions = {
  /** The rejection code the step must produce; omitted: it must be accepted. */
  readonly expect?: ErrorCode;
  readonly note?: string;
  /** Sign the transaction so it goes through the ledger edge. */
  readonly sign?: boolean;
  readonly nonce?: number;
  readonly chainId?: string;
};

export function expectation(code: ErrorCode | undefined): Expectation {
  return code === undefined ? { ok: true } : { ok: false, code, included: !isEdgeCode(code) };
}

export class VectorBuilder {
  state: State;
  #task: Hash | null = null;
  #pre: State | null = null;
  readonly #steps: Step[] = [];
  readonly #results: StepResult[] = [];

  constructor(balances: Readonly<Partial<Record<Name, bigint>>> = GENESIS_BALANCES) {
    this.state = createGenesisState({
      chainId: CHAIN_ID,
      accounts: Object.entries(balances).map(([name, balance]) => ({ account: accountOf(name as Name), balance })),
    });
  }

  get slot(): number {
    return getChain(this.state).slot;
  }

  /** The pre-state is the state now; every later action is a recorded step. */
  begin(): void {
    if (this.#pre !== null) throw new Error("begin() called twice");
    this.#pre = this.state;
  }

  get pre(): State {
    if (this.#pre === null) throw new Error("the case never called begin()");
    return this.#pre;
  }

  get steps(): readonly Step[] {
    return this.#steps;
  }

  /** Replaces the state outright (synthetic pre-states only; the case's description must say so). */
  replaceState(state: State): void {
    if (this.#pre !== null) throw new Error("replaceState() after begin()");
    this.state = state;
  }

  /** The results of the recorded steps as the builder saw them (the spec outcome for a known-bug step). */
  get results(): readonly StepResult[] {
    return this.#results;
  }

  #record(step: Step, state: State, result: StepResult): void {
    this.state = state;
    if (this.#pre === null) return;
    this.#results.push({ ...result, step: this.#steps.length });
    this.#steps.push(step);
  }

  #run(step: Step): void {
    const { state, results } = runSteps(this.state, [step]);
    const result = results[0] as StepResult;
    if ("tx" in step) {
      const mismatch = expectationMismatch(result, step.expect);
      if (mismatch !== null) {
        const detail = "ok" in result && !result.ok ? ` ${JSON.stringify(result.context, bigintText)}` : "";
        const kind = (result as TxResult).kind;
        throw new Error(`step ${this.#steps.length} (${kind}) at slot ${this.slot}: ${mismatch}${detail}`);
      }
    }
    this.#record(step, state, result);
  }

  /**
   * Records a transaction that the brief requires to be refused (an included rejection) but that the protocol
   * accepts today: a known bug. The step is not run; its spec outcome (the sender's nonce used, nothing else) is
   * applied instead, so the vector's post.json says what a correct implementation must reach.
   */
  sendKnownBug(name: Name, body: TxBody, code: ErrorCode, context: Record<string, unknown>, note?: string): void {
    if (this.#pre === null || isEdgeCode(code))
      throw new Error("sendKnownBug: record an included rejection after begin()");
    const tx = this.wire(name, body);
    const decoded = decodeTransaction(tx);
    if (isDecodeRejection(decoded)) throw new Error(`sendKnownBug: ${decoded.message}`);
    const step: TxStep = { tx, expect: expectation(code), ...(note === undefined ? {} : { note }) };
    const draft = new Draft(this.state);
    const account = draft.account(decoded.from);
    draft.setAccount(decoded.from, { ...account, nonce: account.nonce + 1 });
    const result: TxResult = {
      step: 0,
      kind: decoded.kind,
      hash: transactionHash(decoded),
      ok: false,
      code,
      included: true,
      context,
      events: [],
    };
    this.#record(step, draft.finish(), result);
  }

  advanceTo(slot: number, note?: string): void {
    this.#run(note === undefined ? { advanceTo: slot } : { advanceTo: slot, note });
  }

  /** A transaction in wire JSON from `name`, with its next nonce. */
  wire(name: Name, body: TxBody, options: SendOptions = {}): Record<string, unknown> {
    const from = accountOf(name);
    // Common fields first, for readers of txs.json (the encoding itself sorts keys).
    const { kind, ...fields } = body;
    const tx = {
      kind,
      chainId: options.chainId ?? CHAIN_ID,
      from,
      nonce: options.nonce ?? getAccount(this.state, from).nonce,
      ...fields,
    } as Transaction;
    return transactionToJson(tx);
  }

  /** The ed25519 signature of `name` over a wire transaction (decoded first, as the edge verifies it). */
  signature(name: Name, wire: unknown): string {
    const decoded = decodeTransaction(wire);
    if (isDecodeRejection(decoded)) throw new Error(`cannot sign a malformed transaction: ${decoded.message}`);
    return signTransaction(keyOf(name), decoded);
  }

  /** Runs a raw transaction step (edge vectors build their own envelopes). */
  step(step: Omit<TxStep, "expect">, expect?: ErrorCode): void {
    this.#run({ ...step, expect: expectation(expect) });
  }

  send(name: Name, body: TxBody, options: SendOptions = {}): void {
    const tx = this.wire(name, body, options);
    const step: TxStep = {
      tx,
      ...(options.sign === true ? { signature: this.signature(name, tx) } : {}),
      expect: expectation(options.expect),
      ...(options.note === undefined ? {} : { note: options.note }),
    };
    this.#run(step);
  }

  // Task life cycle -----------------------------------------------------------------------------------------------

  get task(): Hash {
    if (this.#task === null) throw new Error("no task yet: call createTask()");
    return this.#task;
  }

  taskRecord(): TaskRecord {
    const task = getTask(this.state, this.task);
    if (task === undefined) throw new Error(`task ${this.task} is not in the state`);
    return task;
  }

  cycleRecord(cycle: number): CycleRecord {
    const record = getCycle(this.state, this.task, cycle);
    if (record === undefined) throw new Error(`cycle ${cycle} is not in the state`);
    return record;
  }

  /** The cycle's windows for its current attempt (the first attempt while the cycle has not started). */
  windows(cycle: number): CycleWindows {
    const record = getCycle(this.state, this.task, cycle);
    return getCycleWindows(this.taskRecord(), cycle, record?.attemptRound);
  }

  createTask(params: Partial<TaskParams> = {}, funding = 5_000n, creator: Name = "alice", options: SendOptions = {}) {
    const body: TxBody = {
      kind: "createTask",
      name: "spec-task",
      bundleHash: sha256Hex("bundle:spec-task"),
      metadataHash: null,
      params: { ...SPEC_PARAMS, ...params },
      funding,
    };
    const tx = this.wire(creator, body);
    this.send(creator, body, options);
    const decoded = decodeTransaction(tx);
    if (options.expect === undefined && !isDecodeRejection(decoded)) {
      this.#task = getTask(this.state, transactionHash(decoded))?.id ?? null;
    }
    return this.#task;
  }

  stake(name: Name, amount: bigint, options: SendOptions = {}): void {
    const nodeUrl = `http://${name}.test`;
    this.send(name, { kind: "stake", task: this.task, amount, nodeUrl }, options);
  }

  /** The commitment of `name`'s own proof and salt of `cycle`. */
  #commitmentOf(name: Name, cycle: number): Hash {
    return computeCommitment({
      task: this.task,
      cycle,
      node: accountOf(name),
      proofDigest: proofOf(name, cycle),
      salt: saltOf(name, cycle),
    });
  }

  commit(name: Name, cycle: number, options: SendOptions & { commitment?: Hash } = {}): void {
    const commitment = options.commitment ?? this.#commitmentOf(name, cycle);
    this.send(name, { kind: "commit", task: this.task, cycle, commitment }, options);
  }

  /** Paired reveals (§2.2): the reveal of `cycle − 1` and the commit of `cycle` in one transaction. */
  commitAndReveal(name: Name, cycle: number, options: SendOptions & { salt?: Hash; commitment?: Hash } = {}): void {
    const commitment = options.commitment ?? this.#commitmentOf(name, cycle);
    const revealed = Math.max(0, cycle - 1);
    const body: TxBody = {
      kind: "commitAndReveal",
      task: this.task,
      cycle,
      commitment,
      proofDigest: proofOf(name, revealed),
      salt: options.salt ?? saltOf(name, revealed),
    };
    this.send(name, body, options);
  }

  reveal(name: Name, cycle: number, options: SendOptions & { salt?: Hash } = {}): void {
    const salt = options.salt ?? saltOf(name, cycle);
    this.send(name, { kind: "reveal", task: this.task, cycle, proofDigest: proofOf(name, cycle), salt }, options);
  }

  trigger(
    name: Name,
    cycle: number,
    target: Account,
    options: SendOptions & {
      kind?: "proof" | "distribution";
      attempt?: number;
      verdict?: "invalid" | "unavailable" | "valid";
    } = {},
  ): void {
    this.send(
      name,
      {
        kind: "triggerAudit",
        task: this.task,
        cycle,
        target,
        triggerKind: options.kind ?? "proof",
        verdict: options.verdict ?? "invalid",
        attempt: options.attempt ?? 0,
        reasonDigest: sha256Hex(`reason:${name}:${cycle}:${target}`),
      },
      options,
    );
  }

  /** The target of availability challenge `trigger` publishes its payload (its own, unless `payload` is given). */
  publish(name: Name, cycle: number, trigger: number, options: SendOptions & { payload?: string } = {}): void {
    const payload = options.payload ?? payloadOf(name, cycle);
    this.send(name, { kind: "publishProof", task: this.task, cycle, trigger, payload }, options);
  }

  vote(name: Name, cycle: number, trigger: number, choice: VoteChoice, options: SendOptions = {}): void {
    this.send(name, { kind: "vote", task: this.task, cycle, trigger, choice }, options);
  }

  /** The selected distributor of the cycle's current attempt, by name. */
  /**
   * The poster of the cycle's list in force, or before any list the valid submitter that would win the race if every
   * eligible node posted (§6.1).
   */
  distributorOf(cycle: number): Name {
    const record = this.cycleRecord(cycle);
    const task = getTask(this.state, this.task) as TaskRecord;
    const round = roundOf(task, getChain(this.state).slot + 1);
    const candidates = listRevealers(this.state, this.task, cycle)
      .filter(
        (account) =>
          getReveal(this.state, this.task, cycle, account)?.status === "valid" &&
          !record.failedDistributors.includes(account),
      )
      .map((account) => {
        const node = getNode(this.state, this.task, account);
        return { node: account, weight: node === undefined ? 0n : nodeWeight(node, round, task.params) };
      });
    const distributor = record.distributor ?? drawByWeight(record.seed ?? task.seedHead, record.attempt, candidates);
    const name = NAMES.find((candidate) => accountOf(candidate) === distributor);
    if (name === undefined) throw new Error(`cycle ${cycle} has no distributor from NAMES (${distributor})`);
    return name;
  }

  /**
   * The honest list: the cycle's valid submitters in ascending order, each paid an equal share of what the cycle
   * holds now (a list's claims lower it: keep the list a case posted to claim from it).
   */
  honestList(cycle: number): DistributionEntry[] {
    const record = this.cycleRecord(cycle);
    const valid = listRevealers(this.state, this.task, cycle)
      .filter((account) => getReveal(this.state, this.task, cycle, account)?.status === "valid")
      .sort();
    const share = record.reserved / BigInt(Math.max(valid.length, 1));
    return valid.map((recipient) => ({ recipient, amount: share }));
  }

  /** Posts `entries` as a list (§6.2): its root, blob hash, total and size; `total`/`entryCount` override them. */
  submitList(
    name: Name,
    cycle: number,
    entries: readonly DistributionEntry[],
    options: SendOptions & { attempt?: number; total?: bigint; entryCount?: number } = {},
  ): void {
    this.send(
      name,
      {
        kind: "submitDistribution",
        task: this.task,
        cycle,
        attempt: options.attempt ?? this.cycleRecord(cycle).attempt,
        listRoot: listRoot(entries),
        listBlob: listBlobHash(entries),
        total: options.total ?? entries.reduce((sum, entry) => sum + entry.amount, 0n),
        entryCount: options.entryCount ?? entries.length,
      },
      options,
    );
  }

  /** `name` sends the claim of `recipient`'s entry of `entries`, the cycle's list (§6.4); `amount` overrides it. */
  claimEntry(
    name: Name,
    cycle: number,
    entries: readonly DistributionEntry[],
    recipient: Name,
    options: SendOptions & { amount?: bigint } = {},
  ): void {
    const index = entries.findIndex((entry) => entry.recipient === accountOf(recipient));
    if (index < 0) throw new Error(`${recipient} has no entry in the list`);
    this.send(
      name,
      {
        kind: "claimDistribution",
        task: this.task,
        cycle,
        recipient: accountOf(recipient),
        amount: options.amount ?? (entries[index] as DistributionEntry).amount,
        index,
        proof: listProof(entries, index),
      },
      options,
    );
  }

  claim(name: Name, options: SendOptions = {}): void {
    this.send(name, { kind: "claim", task: this.task }, options);
  }
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}
