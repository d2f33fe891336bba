/**
 * The indexer's core: the `Gradual` contract's logs replayed through the TypeScript core, on a `MemoryChain` that
 * keeps its blocks, so the state, the blocks and the events are the ledger's (its read API serves them as they are).
 *
 * - **Clock.** An EVM block's slot is the contract's: `(timestamp − genesisTimestamp) · 1000 / slotMs`. The chain has
 *   one gradual block per slot, as the ledger has (block n holds slot n); the calls of every EVM block of one slot go
 *   into that slot's block, in log order. A slot's block is produced when a log of a later slot arrives or when the
 *   follower is past the slot (`advanceTo`).
 * - **Calls.** Each log that records a call becomes the core's transaction of that kind (`calls.ts`), from the
 *   account the log names, with the core state's next nonce; a createTask keeps the contract's task id
 *   (`Env.taskId`). Deposits and balance withdrawals are transfers from and to the pool account (`POOL_SUPPLY`).
 * - **Divergence.** The contract accepted every call it logged: a call the core refuses, a core event that differs
 *   from the log in a field the contract computed (a task id, an activation round, a reveal's index, a refund...), a
 *   commit weight that differs from the core's record, or a window end the contract logged that the core did not
 *   reach or reached with other values, is a divergence (`EVM__INDEXER_DIVERGED`, with the log's position). The
 *   replay stops there: the state served is the one after the slot block holding the diverging call, and nothing
 *   after it is applied.
 *
 * - **Audits and claims.** `AuditTriggered`, `Voted`, `ProofPublished` (its payload is in the event), `Claimed`,
 *   `DistributionSubmitted` and `ListEntryClaimed` (the EVM's own event of `claimDistribution`, with its proof) are
 *   calls (the trigger's index, bond and late flag, a vote's weight, a claim's amount, a list's `replaced` are
 *   compared; an entry claim must be accepted). The
 *   triggerer's own vote, a `Voted` in the trigger's transaction, is compared with the trigger's events, not sent.
 *   `Equivocated` is a vote with the other choice than the voter's recorded one (the core refuses it with
 *   VOTE__EQUIVOCATION and records it: that outcome is expected).
 * - **Lazy window ends.** `TriggerResolved`, `Slashed`, `DistributionAccepted`, `DistributionRejected` and
 *   `ListClaimWindowClosed` (a list's claim window, §6.4) are matched like the others: the contract logs them when a
 *   later call settles the window, the core at the window's end, and they must agree field by field. Not compared
 *   (documented in the README): `Vested` (the contract logs a rule share when it is materialized, the core at the
 *   payment), `CycleCompleted` (the contract's `paid` includes what the rule shares owe), `Credited`,
 *   `BondForfeited`, `LosingVotePenalized`, `RewardClawedBack`: their effects are in the records the calls after them
 *   use, and a call the core then computes otherwise (a claim's amount) is a divergence.
 */

import type { TransactionBody } from "@gradual/node/decide";
import { MemoryChain, type ProducedBlock } from "@gradual/node/local";
import { getChain, getCommit, getVote, type ProtocolEvent } from "@gradual/protocol";
import type { Abi, Address } from "viem";
import { EvmError } from "../errors.ts";
import type { StoredLog } from "../logStore.ts";
import { evmTaskId } from "../taskId.ts";
import { type DecodedLog, decodeGradualLog, derivedKey, POOL_SUPPLY, poolAccount } from "./calls.ts";

export type LogPosition = { readonly blockNumber: bigint; readonly logIndex: number };

export type ChainReplayOptions = {
  readonly abi: Abi;
  readonly contract: Address;
  /** The core's chain id (`coreChainId`). */
  readonly chainId: string;
  /** The contract's `genesisTimestamp` (seconds) and `slotMs`. */
  readonly genesisTimestamp: bigint;
  readonly slotMs: number;
  /**
   * The EVM chain id: when given, each created task's id is checked against the contract's rule
   * (`evmTaskId`, what nodes' replicas compute), as a computed field.
   */
  readonly evmChainId?: number;
  /** Hears each block's core events (slot events first), as the ledger's event stream. */
  readonly onEvents?: (events: readonly ProtocolEvent[], block: ProducedBlock) => void;
  /** Hears the divergence once, when it is found. */
  readonly onDivergence?: (error: EvmError) => void;
};

/** The core's chain id for a contract: `evm-<chain id>-<the address's first 8 hex>` (at most 32 characters). */
export function coreChainId(evmChainId: number, contract: Address): string {
  return `evm-${evmChainId}-${contract.slice(2, 10).toLowerCase()}`;
}

/**
 * What a replayed call's block entry holds in the ed25519 signature's place (64 bytes, hex): the EVM transaction's
 * hash, then the log's index as a 32-byte integer. The chain authenticated the call; this says where it is.
 */
export function evmSignature(log: StoredLog): string {
  return `${log.transactionHash.slice(2).toLowerCase()}${log.logIndex.toString(16).padStart(64, "0")}`;
}

/** Window ends the contract logs lazily (when a later call settles them) and the core at the window's end. */
const DERIVED = [
  "CycleStarted",
  "SeedFixed",
  "TaskPaused",
  "TaskResumed",
  "TaskClosed",
  "TriggerResolved",
  "Slashed",
  "DistributionAccepted",
  "DistributionRejected",
  "ListClaimWindowClosed",
];

/**
 * A queued log; `also`: the triggerer's own vote, which the contract logs as a `Voted` in the trigger's transaction
 * (the core's triggerAudit records and emits it too): compared with the trigger call's events, not sent.
 */
type Pending = { readonly log: StoredLog; decoded: DecodedLog; also?: Readonly<Record<string, unknown>>[] };

const same = (a: unknown, b: unknown): boolean =>
  typeof a === "bigint" || typeof b === "bigint" ? String(a) === String(b) : a === b;

const show = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item));

export class ChainReplay {
  readonly chain: MemoryChain;
  readonly pool: string;
  #options: ChainReplayOptions;
  #pendingSlot: number | undefined;
  #pending: Pending[] = [];
  /** Window ends the core reached that the contract has not logged yet, by `derivedKey`. */
  readonly #coreWindowEnds = new Map<string, ProtocolEvent>();
  #diverged: EvmError | undefined;
  #position: LogPosition | undefined;
  #applied = 0;

  constructor(options: ChainReplayOptions) {
    this.#options = options;
    this.pool = poolAccount(options.contract);
    this.chain = new MemoryChain({
      chainId: options.chainId,
      accounts: [{ account: this.pool, balance: POOL_SUPPLY }],
      keepBlocks: true,
      // A slot's block is dated at the slot's start on the contract's clock (the ledger dates it when produced).
      blockTimeMs: (slot) => Number(options.genesisTimestamp) * 1000 + slot * options.slotMs,
      onEvents: (events) => {
        for (const event of events) {
          if (DERIVED.includes(event.type))
            this.#coreWindowEnds.set(derivedKey(event as unknown as Record<string, unknown>), event);
        }
      },
    });
  }

  /** The divergence found, if any: nothing is applied after it. */
  get diverged(): EvmError | undefined {
    return this.#diverged;
  }

  /** The last log applied (or queued for its slot's block). */
  get position(): LogPosition | undefined {
    return this.#position;
  }

  /** Logs applied so far (calls and window ends). */
  get applied(): number {
    return this.#applied;
  }

  /** The contract's slot at an EVM block's timestamp. */
  slotOf(timestamp: bigint): number {
    const { genesisTimestamp, slotMs } = this.#options;
    if (timestamp < genesisTimestamp) return 0;
    return Number(((timestamp - genesisTimestamp) * 1000n) / BigInt(slotMs));
  }

  /** Applies the next log (in chain order): queued for its slot's block, which is produced when the slot is over. */
  applyLog(log: StoredLog): void {
    if (this.#diverged !== undefined) return;
    const slot = this.slotOf(log.blockTimestamp);
    if (this.#pendingSlot !== undefined && slot > this.#pendingSlot) this.#flush();
    if (this.#diverged !== undefined) return;
    if (slot <= this.chain.slot) {
      this.#diverge(log, "CLOCK", `its slot ${slot} is not after the last block's (${this.chain.slot})`);
      return;
    }
    const decoded = decodeGradualLog(this.#options.abi, this.#options.contract, log);
    this.#position = { blockNumber: log.blockNumber, logIndex: log.logIndex };
    this.#applied += 1;
    if (decoded.kind === "unknown") return; // an event of rules the indexer does not replay: nothing to apply
    this.#pendingSlot = slot;
    const last = this.#pending.at(-1);
    if (
      decoded.kind === "call" &&
      decoded.event === "Voted" &&
      last?.decoded.kind === "call" &&
      last.decoded.event === "AuditTriggered" &&
      last.log.transactionHash === log.transactionHash
    ) {
      last.also = [...(last.also ?? []), decoded.expected];
      return;
    }
    // A `commitAndReveal` call (paired reveals, §2.2) logs its reveal, then its commit of the next cycle: the
    // core's one `commitAndReveal` transaction (only that call logs both in one EVM transaction).
    if (
      decoded.kind === "call" &&
      decoded.body.kind === "commit" &&
      last?.decoded.kind === "call" &&
      last.decoded.body.kind === "reveal" &&
      last.log.transactionHash === log.transactionHash &&
      last.decoded.from === decoded.from &&
      last.decoded.body.task === decoded.body.task &&
      last.decoded.body.cycle + 1 === decoded.body.cycle
    ) {
      const { proofDigest, salt } = last.decoded.body;
      const body = { ...decoded.body, kind: "commitAndReveal" as const, proofDigest, salt };
      last.decoded = { ...last.decoded, body, ...(decoded.weight === undefined ? {} : { weight: decoded.weight }) };
      last.also = [...(last.also ?? []), decoded.expected];
      return;
    }
    this.#pending.push({ log, decoded });
  }

  /** Produces every block through `slot` (the follower is past it: no later log can belong to it). */
  advanceTo(slot: number): void {
    if (this.#diverged !== undefined) return;
    if (this.#pendingSlot !== undefined && this.#pendingSlot <= slot) this.#flush();
    if (this.#diverged !== undefined) return;
    const through = this.#pendingSlot === undefined ? slot : Math.min(slot, this.#pendingSlot - 1);
    this.chain.advanceTo(through);
  }

  #diverge(log: StoredLog, event: string, reason: string): void {
    const error = new EvmError("EVM__INDEXER_DIVERGED", {
      message:
        `the core and the contract diverged at block ${log.blockNumber}, log ${log.logIndex} ` +
        `(${event}, tx ${log.transactionHash}): ${reason}; nothing after it is applied`,
      context: {
        blockNumber: log.blockNumber.toString(),
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
        event,
        reason,
      },
    });
    this.#diverged = error;
    this.#options.onDivergence?.(error);
  }

  #flush(): void {
    const slot = this.#pendingSlot;
    if (slot === undefined) return;
    const pending = this.#pending;
    this.#pendingSlot = undefined;
    this.#pending = [];
    this.chain.advanceTo(slot - 1);
    // Sent only now: the empty blocks before the slot must not take them.
    const votes = new Map<string, string>(); // this block's votes, for an equivocation in the same slot
    for (const { log, decoded } of pending) {
      if (decoded.kind !== "call") continue;
      const signature = evmSignature(log);
      const body = decoded.equivocation === true ? this.#equivocation(decoded, votes) : decoded.body;
      if (body.kind === "vote") votes.set(`${body.task}/${body.cycle}/${body.trigger}/${decoded.from}`, body.choice);
      this.chain.send(
        decoded.from,
        body,
        decoded.taskId === undefined ? { signature } : { signature, taskId: decoded.taskId },
      );
    }
    let taskCount = getChain(this.chain.state).taskCount;
    const block = this.chain.produce(slot);
    this.#options.onEvents?.(block.events, block);
    let call = 0;
    for (const { log, decoded, also } of pending) {
      if (decoded.kind === "call") {
        const outcome = block.outcomes[call];
        call += 1;
        let problem = this.#checkCall(decoded, outcome, block);
        // The call's later logs (a trigger's first vote, a commitAndReveal's commit), each against its event.
        for (const expected of also ?? []) {
          if (problem !== undefined || outcome === undefined || !outcome.ok) break;
          const type = expected.type as string;
          const events = outcome.events.filter((event) => event.type === type);
          const problems = events.map((event) => this.#compare(expected, event));
          if (!problems.includes(undefined)) {
            problem = problems[0] ?? `the core's ${decoded.body.kind} emitted no ${type}`;
          }
        }
        if (problem === undefined && decoded.taskId !== undefined) {
          problem = this.#checkTaskId(decoded.taskId, decoded.from, taskCount);
          taskCount += 1;
        }
        if (problem !== undefined) {
          this.#diverge(log, decoded.event, problem);
          return;
        }
      } else if (decoded.kind === "derived") {
        const key = derivedKey(decoded.expected);
        const core = this.#coreWindowEnds.get(key);
        const problem =
          core === undefined ? `the core has no ${key} by slot ${slot}` : this.#compare(decoded.expected, core);
        if (problem !== undefined) {
          this.#diverge(log, decoded.event, problem);
          return;
        }
        this.#coreWindowEnds.delete(key);
      }
    }
  }

  /** An `Equivocated` log's vote: the other choice than the voter's recorded one. */
  #equivocation(decoded: Extract<DecodedLog, { kind: "call" }>, votes: ReadonlyMap<string, string>): TransactionBody {
    const body = decoded.body as Extract<TransactionBody, { kind: "vote" }>;
    const previous =
      votes.get(`${body.task}/${body.cycle}/${body.trigger}/${decoded.from}`) ??
      getVote(this.chain.state, body.task, body.cycle, body.trigger, decoded.from)?.choice;
    return { ...body, choice: previous === "valid" ? "invalid" : "valid" };
  }

  #compare(expected: Readonly<Record<string, unknown>>, core: ProtocolEvent): string | undefined {
    const fields = core as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (!same(value, fields[key]))
        return `${String(expected.type)}.${key}: the contract logged ${show(value)}, the core has ${show(fields[key])}`;
    }
    return undefined;
  }

  /** A created task's id against the contract's rule (what nodes' replicas compute), when the chain id is known. */
  #checkTaskId(taskId: string, creator: string, taskCount: number): string | undefined {
    const { evmChainId, contract } = this.#options;
    if (evmChainId === undefined) return undefined;
    const rule = evmTaskId(evmChainId, contract, creator, taskCount);
    return rule === taskId
      ? undefined
      : `TaskCreated.task: the contract logged ${taskId}, its rule gives ${rule} (task count ${taskCount})`;
  }

  #checkCall(
    decoded: Extract<DecodedLog, { kind: "call" }>,
    outcome: ProducedBlock["outcomes"][number] | undefined,
    block: ProducedBlock,
  ): string | undefined {
    if (outcome === undefined) return "the core's block has no outcome for the call";
    if (decoded.equivocation === true) {
      // The core refuses an equivocating vote (VOTE__EQUIVOCATION) and records it: the contract logs it.
      if (outcome.ok || outcome.code !== "VOTE__EQUIVOCATION")
        return `Equivocated: the core's outcome is ${outcome.ok ? "ok" : outcome.code}, not VOTE__EQUIVOCATION`;
      const events = (outcome as { events?: readonly ProtocolEvent[] }).events ?? [];
      const equivocated = events.find((event) => event.type === "Equivocated");
      return equivocated === undefined
        ? "the core emitted no Equivocated"
        : this.#compare(decoded.expected, equivocated);
    }
    if (!outcome.ok) return `the core refused the call: ${outcome.code} (${outcome.message})`;
    // An entry claim: accepted is all (its Vested is not compared; none when slashes took the whole entry).
    if (decoded.body.kind === "claimDistribution") return undefined;
    const type = decoded.expected.type as string;
    const candidates = outcome.events.filter((event) => event.type === type);
    if (candidates.length === 0) return `the core's ${decoded.body.kind} emitted no ${type}`;
    const problems = candidates.map((event) => this.#compare(decoded.expected, event));
    if (!problems.includes(undefined)) return problems[0];
    if ((decoded.body.kind === "commit" || decoded.body.kind === "commitAndReveal") && decoded.weight !== undefined) {
      const { task, cycle } = decoded.body;
      const record = getCommit(block.state, task, cycle, decoded.from);
      if (record === undefined || record.weight !== decoded.weight)
        return `Committed.weight: the contract logged ${decoded.weight}, the core has ${String(record?.weight)}`;
    }
    return undefined;
  }
}
