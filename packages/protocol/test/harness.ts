import {
  type Account,
  type ApplyResult,
  advanceSlot,
  applyTransaction,
  checkConservation,
  checkTotals,
  computeCommitment,
  createGenesisState,
  DEVNET_PARAMS,
  getChain,
  getTask,
  type Hash,
  type ProtocolEvent,
  roundStart,
  type State,
  sha256Hex,
  type TaskParams,
  TOKEN,
  type Transaction,
} from "../src/index.ts";

/** Distributive Omit, so each member of the transaction union keeps its own fields. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TxBody = Without<Transaction, "chainId" | "from" | "nonce">;

export const CHAIN_ID = "gradual-test";

export function accountOf(name: string): Account {
  return sha256Hex(`account:${name}`);
}

/**
 * An in-memory chain for tests: named accounts, automatic nonces, one slot at a time, and the conservation
 * invariant checked after every transition (the full recount every `fullCheckEvery` slots).
 */
export class TestChain {
  state: State;
  readonly log: ProtocolEvent[] = [];
  readonly #nonces = new Map<Account, number>();
  fullCheckEvery = 1;

  constructor(balances: Record<string, bigint>) {
    this.state = createGenesisState({
      chainId: CHAIN_ID,
      accounts: Object.entries(balances).map(([name, balance]) => ({ account: accountOf(name), balance })),
    });
  }

  get slot(): number {
    return getChain(this.state).slot;
  }

  send(name: string, body: TxBody): ApplyResult {
    const from = accountOf(name);
    const nonce = this.#nonces.get(from) ?? 0;
    const tx = { ...body, chainId: CHAIN_ID, from, nonce } as Transaction;
    const result = applyTransaction(this.state, tx, { slot: this.slot });
    if (result.ok || result.included) {
      this.#nonces.set(from, nonce + 1);
      this.state = result.state;
      this.log.push(...result.events);
    }
    checkTotals(this.state);
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
      const result = advanceSlot(this.state, this.slot + 1);
      this.state = result.state;
      events.push(...result.events);
      if (this.slot % this.fullCheckEvery === 0) checkConservation(this.state);
      else checkTotals(this.state);
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
