import {
  type Account,
  type ApplyResult,
  advanceSlot,
  applyTransaction,
  type CycleWindows,
  checkConservation,
  checkTotals,
  computeCommitment,
  createGenesisState,
  DEVNET_PARAMS,
  type DistributionEntry,
  drawByWeight,
  getAcceptedList,
  getAccount,
  getChain,
  getCycle,
  getCycleWindows,
  getNode,
  getReveal,
  getRuleDistribution,
  getTask,
  getVesting,
  type Hash,
  listBlobHash,
  listProof,
  listRevealers,
  listRoot,
  nodeStake,
  nodeWeight,
  type ProtocolEvent,
  roundOf,
  roundStart,
  type State,
  sha256Hex,
  type TaskParams,
  type TaskRecord,
  TOKEN,
  type Transaction,
  vestingBalance,
} from "../src/index.ts";

/** Distributive Omit, so each member of the transaction union keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TxBody = Without<Transaction, "chainId" | "from" | "nonce">;

export const CHAIN_ID = "gradual-test";

export function accountOf(name: string): Account {
  return sha256Hex(`account:${name}`);
}

/**
 * One transition of a TestChain as its observers see it: a transaction (accepted, refused and included, or refused
 * at the edge) or one advanced slot, with the state before it.
 */
export type Transition =
  | { readonly kind: "tx"; readonly tx: Transaction; readonly result: ApplyResult; readonly before: State }
  | { readonly kind: "slot"; readonly slot: number; readonly events: readonly ProtocolEvent[]; readonly before: State };

export type TransitionObserver = (transition: Transition, after: State) => void;

/**
 * An in-memory chain for tests: named accounts, automatic nonces, one slot at a time, and the conservation
 * invariant checked after every transition (the full recount every `fullCheckEvery` slots).
 */
export class TestChain {
  state: State;
  readonly log: ProtocolEvent[] = [];
  readonly #nonces = new Map<Account, number>();
  readonly #names = new Map<Account, string>();
  fullCheckEvery = 1;
  /** Called after every transition (property tests record and check through these). */
  readonly observers: TransitionObserver[] = [];

  constructor(balances: Record<string, bigint>) {
    for (const name of Object.keys(balances)) this.#names.set(accountOf(name), name);
    this.state = createGenesisState({
      chainId: CHAIN_ID,
      accounts: Object.entries(balances).map(([name, balance]) => ({ account: accountOf(name), balance })),
    });
  }

  /** The name an account was created under (genesis accounts and any name passed to `send`). */
  nameOf(account: Account): string {
    const name = this.#names.get(account);
    if (name === undefined) throw new Error(`unknown account ${account}`);
    return name;
  }

  get slot(): number {
    return getChain(this.state).slot;
  }

  send(name: string, body: TxBody): ApplyResult {
    const from = accountOf(name);
    this.#names.set(from, name);
    const nonce = this.#nonces.get(from) ?? 0;
    const tx = { ...body, chainId: CHAIN_ID, from, nonce } as Transaction;
    const before = this.state;
    const result = applyTransaction(this.state, tx, { slot: this.slot });
    if (result.ok || result.included) {
      this.#nonces.set(from, nonce + 1);
      this.state = result.state;
      this.log.push(...result.events);
    }
    checkTotals(this.state);
    for (const observer of this.observers) observer({ kind: "tx", tx, result, before }, this.state);
    return result;
  }

  /** Sends and fails loudly unless accepted. */
  ok(name: string, body: TxBody): ApplyResult {
    const result = this.send(name, body);
    if (!result.ok) throw new Error(`${body.kind} by ${name} refused: ${result.code} ${result.message}`);
    return result;
  }

  advance(count = 1): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    for (let step = 0; step < count; step += 1) {
      const before = this.state;
      const result = advanceSlot(this.state, this.slot + 1);
      this.state = result.state;
      events.push(...result.events);
      if (this.slot % this.fullCheckEvery === 0) checkConservation(this.state);
      else checkTotals(this.state);
      for (const observer of this.observers) {
        observer({ kind: "slot", slot: this.slot, events: result.events, before }, this.state);
      }
    }
    this.log.push(...events);
    return events;
  }

  advanceTo(slot: number): ProtocolEvent[] {
    if (slot < this.slot) throw new Error(`advanceTo(${slot}) from slot ${this.slot}`);
    return this.advance(slot - this.slot);
  }

  /** Advances to `offset` slots into `round` of `task`. */
  advanceToRound(task: Hash, round: number, offset = 0): ProtocolEvent[] {
    const record = getTask(this.state, task);
    if (record === undefined) throw new Error(`no task ${task}`);
    return this.advanceTo(roundStart(record, round) + offset);
  }

  createTask(creator: string, params: Partial<TaskParams> = {}, funding = 1_000n * TOKEN): Hash {
    const result = this.ok(creator, {
      kind: "createTask",
      name: "test-task",
      bundleHash: sha256Hex("bundle"),
      metadataHash: null,
      params: { ...DEVNET_PARAMS, ...params },
      funding,
    });
    const created = result.events.find((event) => event.type === "TaskCreated");
    if (created?.type !== "TaskCreated") throw new Error("no TaskCreated event");
    return created.task;
  }

  eventsOf<T extends ProtocolEvent["type"]>(type: T): Extract<ProtocolEvent, { type: T }>[] {
    return this.log.filter((event): event is Extract<ProtocolEvent, { type: T }> => event.type === type);
  }

  // Reading the state by name ----------------------------------------------------------------------------------

  task(task: Hash): TaskRecord {
    const record = getTask(this.state, task);
    if (record === undefined) throw new Error(`no task ${task}`);
    return record;
  }

  balance(name: string): bigint {
    return getAccount(this.state, accountOf(name)).balance;
  }

  /**
   * The balance plus what the task credited and `claim` would pay at once (bond refunds, whistleblower shares, a
   * closed task's escrow: protocol.md §7.1), without the vesting rewards.
   */
  funds(task: Hash, name: string): bigint {
    return this.balance(name) + (getVesting(this.state, task, accountOf(name))?.unlocked ?? 0n);
  }

  /** Everything the task credited a node so far (`Credited` events: bonds, whistleblower shares; §5.5). */
  credited(task: Hash, name: string): bigint {
    const account = accountOf(name);
    return this.eventsOf("Credited")
      .filter((event) => event.task === task && event.node === account)
      .reduce((sum, event) => sum + event.amount, 0n);
  }

  /** Bonded stake plus unbonding stake of a node (0 when it has none). */
  stake(task: Hash, name: string): bigint {
    const node = getNode(this.state, task, accountOf(name));
    return node === undefined ? 0n : nodeStake(node) + node.unbonding;
  }

  /** Everything held in vesting for a node, unlocked or not. */
  vesting(task: Hash, name: string): bigint {
    const record = getVesting(this.state, task, accountOf(name));
    return record === undefined ? 0n : vestingBalance(record);
  }

  /** The windows of a cycle's current distribution attempt, as absolute slots. */
  windows(task: Hash, cycle: number): CycleWindows {
    const record = getCycle(this.state, task, cycle);
    return getCycleWindows(this.task(task), cycle, record?.attemptRound);
  }

  /**
   * The distributor of a cycle's current attempt, by name: the poster of the list in force, or before any list the
   * node that would win the race if every eligible node posted (§6.1). Null when nobody may post.
   */
  distributorOf(task: Hash, cycle: number): string | null {
    const record = getCycle(this.state, task, cycle);
    if (record === undefined) return null;
    if (record.distributor !== null) return this.nameOf(record.distributor);
    const params = this.task(task).params;
    const round = roundOf(this.task(task), this.slot + 1);
    const candidates = listRevealers(this.state, task, cycle)
      .filter(
        (account) =>
          getReveal(this.state, task, cycle, account)?.status === "valid" &&
          !record.failedDistributors.includes(account),
      )
      .map((account) => {
        const node = getNode(this.state, task, account);
        return { node: account, weight: node === undefined ? 0n : nodeWeight(node, round, params) };
      });
    const winner = drawByWeight(record.seed ?? this.task(task).seedHead, record.attempt, candidates);
    return winner === null ? null : this.nameOf(winner);
  }

  // Playing the protocol by name -------------------------------------------------------------------------------

  stakeIn(task: Hash, name: string, amount: bigint): ApplyResult {
    return this.ok(name, { kind: "stake", task, amount, nodeUrl: `https://${name}.test` });
  }

  commit(name: string, task: Hash, cycle: number, proofDigest: Hash): ApplyResult {
    return this.ok(name, { kind: "commit", task, cycle, commitment: commitmentFor(task, cycle, name, proofDigest) });
  }

  reveal(name: string, task: Hash, cycle: number, proofDigest: Hash): ApplyResult {
    return this.ok(name, { kind: "reveal", task, cycle, proofDigest, salt: saltOf(name, cycle) });
  }

  /**
   * Plays the submission half of a cycle: each node commits `proofs[name]` in the commit window of round `cycle`,
   * then the nodes in `revealing` (default: all) reveal at the start of round `cycle + 1`. Leaves the chain at the
   * first slot after the reveal window.
   */
  playSubmissions(task: Hash, cycle: number, proofs: Record<string, Hash>, revealing = Object.keys(proofs)): void {
    const windows = this.windows(task, cycle);
    this.advanceTo(windows.commit.opensAt);
    for (const [name, proof] of Object.entries(proofs)) this.commit(name, task, cycle, proof);
    this.advanceTo(windows.reveal.opensAt);
    for (const name of revealing) this.reveal(name, task, cycle, proofs[name] as Hash);
    this.advanceTo(windows.reveal.closesAt);
  }

  /** Opens a proof trigger (kind "proof", attempt 0) and returns its index in the cycle. */
  triggerProof(name: string, task: Hash, cycle: number, target: string, reason = "wrong proof"): number {
    const result = this.ok(name, {
      kind: "triggerAudit",
      task,
      cycle,
      target: accountOf(target),
      triggerKind: "proof",
      verdict: "invalid",
      attempt: 0,
      reasonDigest: sha256Hex(reason),
    });
    return triggerIndexOf(result);
  }

  /** Opens an availability challenge (protocol.md §5.6) against `target`'s proof and returns its index. */
  triggerAvailability(name: string, task: Hash, cycle: number, target: string): number {
    const result = this.ok(name, {
      kind: "triggerAudit",
      task,
      cycle,
      target: accountOf(target),
      triggerKind: "proof",
      verdict: "unavailable",
      attempt: 0,
      reasonDigest: sha256Hex("unreachable"),
    });
    return triggerIndexOf(result);
  }

  /** Publishes the payload `proof:${content}` (whose digest is `proofOf(content)`) to answer a challenge. */
  publish(name: string, task: Hash, cycle: number, trigger: number, content: string): ApplyResult {
    const payload = Buffer.from(`proof:${content}`, "utf8").toString("hex");
    return this.send(name, { kind: "publishProof", task, cycle, trigger, payload });
  }

  /** Opens a trigger against the current attempt's distribution list and returns its index. */
  triggerList(name: string, task: Hash, cycle: number, reason = "wrong list"): number {
    const record = getCycle(this.state, task, cycle);
    if (record?.distributor == null) throw new Error(`cycle ${cycle} has no distributor`);
    const result = this.ok(name, {
      kind: "triggerAudit",
      task,
      cycle,
      target: record.distributor,
      triggerKind: "distribution",
      verdict: "invalid",
      attempt: record.attempt,
      reasonDigest: sha256Hex(reason),
    });
    return triggerIndexOf(result);
  }

  vote(name: string, task: Hash, cycle: number, trigger: number, choice: "valid" | "invalid" | "unavailable"): void {
    this.ok(name, { kind: "vote", task, cycle, trigger, choice });
  }

  /**
   * Runs a cycle to its payment and returns the events on the way (or, if it was already paid, the events it left).
   * Under a ledger-computed rule the cycle pays itself at the first slot of round c + 2 (§6.2); under `custom` the
   * selected distributor of the current attempt posts the equal split and the attempt is settled.
   */
  payCycle(task: Hash, cycle: number): ProtocolEvent[] {
    const windows = this.windows(task, cycle);
    if (this.task(task).params.distributionRule !== "custom") {
      if (this.slot < windows.distribution.opensAt) return this.advanceTo(windows.distribution.opensAt);
      return this.log.filter(
        (event) => "cycle" in event && event.cycle === cycle && "task" in event && event.task === task,
      );
    }
    this.advanceTo(windows.distribution.opensAt);
    const distributor = this.distributorOf(task, cycle);
    if (distributor === null) throw new Error(`cycle ${cycle} has no distributor`);
    const attempt = getCycle(this.state, task, cycle)?.attempt ?? 0;
    const entries = equalSplit(this.state, task, cycle);
    this.submitList(distributor, task, cycle, attempt, entries);
    const events = this.advanceTo(windows.distributionVotes.closesAt);
    if (getAcceptedList(this.state, task, cycle) === undefined) return events;
    return [...events, ...this.claimList(task, cycle, entries)];
  }

  /** Posts a list (§6.2): its root, blob hash, total and size in one transaction. */
  submitList(
    name: string,
    task: Hash,
    cycle: number,
    attempt: number,
    entries: readonly DistributionEntry[],
  ): ApplyResult {
    return this.send(name, listTx(task, cycle, attempt, entries));
  }

  /** Each recipient claims its non-zero entry of the cycle's accepted list (§6.4); the events of the claims. */
  claimList(task: Hash, cycle: number, entries: readonly DistributionEntry[]): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    entries.forEach((entry, index) => {
      if (entry.amount === 0n) return;
      const result = this.send(this.nameOf(entry.recipient), {
        kind: "claimDistribution",
        task,
        cycle,
        recipient: entry.recipient,
        amount: entry.amount,
        index,
        proof: listProof(entries, index),
      });
      events.push(...result.events);
    });
    return events;
  }
}

/** The transaction that posts `entries` as the attempt's list. */
export function listTx(
  task: Hash,
  cycle: number,
  attempt: number,
  entries: readonly DistributionEntry[],
): Extract<TxBody, { kind: "submitDistribution" }> {
  return {
    kind: "submitDistribution",
    task,
    cycle,
    attempt,
    listRoot: listRoot(entries),
    listBlob: listBlobHash(entries),
    total: entries.reduce((sum, entry) => sum + entry.amount, 0n),
    entryCount: entries.length,
  };
}

function triggerIndexOf(result: ApplyResult): number {
  const event = result.events.find((candidate) => candidate.type === "AuditTriggered");
  if (event?.type !== "AuditTriggered") throw new Error("no AuditTriggered event");
  return event.trigger;
}

/**
 * The list an honest distributor submits in these tests: the bounty split equally (floored) among the cycle's
 * valid revealers, sorted by account. The remainder returns to the escrow when the cycle completes.
 */
export function equalSplit(state: State, task: Hash, cycle: number): DistributionEntry[] {
  const record = getTask(state, task);
  if (record === undefined) return [];
  const ruled = getRuleDistribution(state, task, cycle);
  if (ruled !== null) return ruled;
  const valid = listRevealers(state, task, cycle)
    .filter((account) => getReveal(state, task, cycle, account)?.status === "valid")
    .sort();
  if (valid.length === 0) return [];
  const amount = record.params.bountyPerRound / BigInt(valid.length);
  if (amount === 0n) return [];
  return valid.map((recipient) => ({ recipient, amount }));
}

export function saltOf(name: string, cycle: number): Hash {
  return sha256Hex(`salt:${name}:${cycle}`);
}

export function proofOf(content: string): Hash {
  return sha256Hex(`proof:${content}`);
}

export function commitmentFor(task: Hash, cycle: number, name: string, proofDigest: Hash): Hash {
  return computeCommitment({ task, cycle, node: accountOf(name), proofDigest, salt: saltOf(name, cycle) });
}
