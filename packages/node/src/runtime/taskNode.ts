import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blobUploadPayload, type KeyPair, signBytes, signTransaction, VerifierPool } from "@gradual/ledger/client";
import {
  encodeList,
  formatTokenAmount,
  GradualError,
  getAccount,
  getChain,
  getNode,
  getNodeView,
  getTask,
  type Hash,
  nodeStake,
  type ProtocolEvent,
  pendingReveals,
  type RegisteredCode,
  roundOf,
  type State,
  sha256Hex,
  type TaskRecord,
  type Transaction,
  transactionHash,
  transactionToJson,
} from "@gradual/protocol";
import { parseTaskLimitsConfig, type TaskLimitsConfig } from "@gradual/sdk";
import { DEFAULT_DECIDE_OPTIONS, decide, listKey, type NodeAction, type NodeMemory, stepNode } from "../decide.ts";
import { failureCode } from "../sandbox/codes.ts";
import {
  DEFAULT_TASK_LIMITS,
  deriveTaskLimits,
  describeTaskLimits,
  type TaskHost,
  type TaskLimits,
  type TaskRunner,
} from "../sandbox/types.ts";
import type { Settlement } from "../settlement/settlement.ts";
import {
  AuditAttempts,
  Executor,
  httpProofSource,
  type IoAction,
  MAX_AUDIT_FAILURES,
  type TaskCall,
} from "./executor.ts";
import { NodeMetrics } from "./metrics.ts";
import { NodeStore } from "./nodeStore.ts";
import { describeOwnEvent } from "./ownEvents.ts";
import { Replica, type ReplicaBlock, ReplicaMismatchError } from "./replica.ts";

/** The outbox key of the stake a node sends when it joins a task (at most one pending at a time). */
const STAKE_KEY = "stake/initial";

/**
 * The store's meta key that records this node's account leaving the task (an unstake or a withdraw seen while the
 * node ran, by the node itself or by a CLI command): `--stake` is not sent again, even after a restart.
 */
const leftKey = (task: Hash) => `left/${task}`;

/** Transactions an operator sends with the node's key from the CLI (money moves), not a second node's duties. */
const MONEY_KINDS: ReadonlySet<string> = new Set(["stake", "unstake", "withdraw", "claim", "transfer"]);

/** Blocks the replica may trail the ledger's head by and still act (a decision targets the next slot). */
const MAX_ACTING_LAG_BLOCKS = 1;

/** A start-up failure the operator can act on, with a stable code (the CLI prints it as `error[CODE]`). */
export class NodeStartError extends GradualError {
  override readonly name = "NodeStartError";
  constructor(code: RegisteredCode, message: string) {
    super(code, { message });
  }
}

/** A pass's failure in one line: a down ledger says so and what to do, instead of `TypeError: fetch failed`. */
export function describeFailure(error: unknown, ledgerUrl: string): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (
    (error instanceof TypeError && /fetch failed/.test(error.message)) ||
    cause === "ECONNREFUSED" ||
    (error as Error).name === "TimeoutError"
  )
    return `LEDGER__UNREACHABLE: cannot reach the ledger at ${ledgerUrl} (${cause ?? (error as Error).message}); is it running? (npm start, gradual ledger, or --ledger URL)`;
  // With its code (a bundle the sandbox refused something as it loaded: SANDBOX__ACCESS_DENIED).
  if (error instanceof GradualError && !error.message.startsWith(error.code)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A task node (protocol.md §2): follows the ledger as a verifying replica, asks `decide` what to do, runs task code
 * in its sandbox, and sends signed transactions through a durable outbox. One node serves one task.
 */

/** The slot length assumed when the ledger does not report one, in ms (the devnet's). */
const FALLBACK_SLOT_MS = 400;

export type NodeLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export type RunnerFactory = (bundlePath: string, host: TaskHost, limits: TaskLimits) => Promise<TaskRunner>;

export type TaskNodeOptions = {
  /** Where the task settles: the gradual ledger over HTTP (`httpSettlement`), or a `memorySettlement`. */
  readonly settlement: Settlement;
  readonly keyPair: KeyPair;
  readonly taskId: Hash;
  readonly dataDir: string;
  /** A name for people (the devnet's node-1, ...), served in /health; never on the ledger. */
  readonly name?: string;
  /** The URL other nodes use to fetch this node's proofs (recorded on the ledger with the stake). */
  readonly publicUrl: string;
  /** Stake to hold in the task, in base units; staked once at start when the node holds less. */
  readonly stake?: bigint;
  readonly autoClaim: boolean;
  /** With auto-claim, claim only in rounds that are a multiple of this (DecideOptions.claimEveryRounds). */
  readonly claimEveryRounds?: number;
  /**
   * Leave the task (`gradual node --leave`, DecideOptions.leaving): no new work or commit, the last reveals, then the
   * unstake. The node goes on claiming; `gradual withdraw` returns the stake once it is unbonded.
   */
  readonly leaving?: boolean;
  readonly pollMs: number;
  readonly taskVars: Readonly<Record<string, string>>;
  readonly limits?: Partial<TaskLimits>;
  readonly log: NodeLog;
  readonly createRunner: RunnerFactory;
  /** Called with the protocol events of every replayed block (the devnet prints them). */
  readonly onEvents?: (events: readonly ProtocolEvent[], slot: number) => void;
  /** Signature verifier threads for the replica (default 1; 0 verifies on the main thread). */
  readonly verifierWorkers?: number;
  /** Called once if the node stops because the ledger served a block that does not verify. */
  readonly onFatal?: (error: ReplicaMismatchError) => void;
};

/** What the node's calls of `task` + `submission` came to since it started (GET /health `taskCalls`). */
export type TaskCallCounts = {
  /** Calls that produced a proof. */
  submitted: number;
  /** Calls whose submission returned nothing: not a fault, but nothing is committed. */
  nothing: number;
  /** Calls that failed (the task threw, overran, was refused by the sandbox, ...): the cycle is missed. */
  failed: number;
  /** The latest failure, with its stable code. */
  lastFailure: { readonly cycle: number; readonly code: string; readonly message: string } | undefined;
};

export class TaskNode {
  readonly options: TaskNodeOptions;
  readonly store: NodeStore;
  readonly metrics = new NodeMetrics();
  readonly taskCalls: TaskCallCounts = { submitted: 0, nothing: 0, failed: 0, lastFailure: undefined };
  replica: Replica | undefined;
  runner: TaskRunner | undefined;
  #executor: Executor | undefined;
  ledgerHead = 0;
  #inFlight = new Set<string>();
  readonly #audits = new AuditAttempts();
  #submittedAt = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #again = false;
  #closed = false;
  #lastError: string | undefined;
  #verifier: VerifierPool | undefined;
  /** Set when a block did not verify: the node stopped and acts no more. */
  fatal: ReplicaMismatchError | undefined;
  /** Blocks up to this one were produced before the node started: their events are not logged again. */
  #loggedAfterBlock = Number.POSITIVE_INFINITY;
  /** Cycles whose current distribution attempt drew this node. */
  /** The replica height when the node found itself behind the ledger, until it caught up. */
  #behindSince: number | undefined;
  /** Cycles whose reveal the node dropped because it has no stake any more (warned once each). */
  readonly #droppedReveals = new Set<number>();
  /** #hasLeft's answer, once read. */
  #left: boolean | undefined;

  constructor(options: TaskNodeOptions) {
    this.options = options;
    this.store = new NodeStore(options.dataDir);
  }

  /** The node's account: the settlement's when it authenticates senders itself (EVM), else its ed25519 key's. */
  get me(): string {
    return this.options.settlement.account ?? this.options.keyPair.publicKey;
  }

  async start(): Promise<void> {
    const { settlement } = this.options;
    const genesis = await settlement.genesis();
    // A settlement that authenticates senders itself (EVM) records no ed25519 signatures: none to verify.
    if (settlement.account === undefined)
      this.#verifier = new VerifierPool({ chainId: genesis.chainId, workers: this.options.verifierWorkers ?? 1 });
    const taskIdOf = settlement.taskIdOf?.bind(settlement);
    this.replica = new Replica(genesis, this.#verifier, taskIdOf === undefined ? {} : { taskIdOf });
    this.#loggedAfterBlock = await this.options.settlement.head();
    await this.tick();
    const state = this.replica.state;
    const task = getTask(state, this.options.taskId);
    if (task === undefined && this.#lastError === undefined)
      throw new NodeStartError(
        "NODE__TASK_NOT_FOUND",
        `no task ${this.options.taskId} on the ledger at ${this.options.settlement.url} (list them with: gradual task list)`,
      );
    if (task !== undefined) {
      const view = getNodeView(state, task.id, this.me);
      this.#checkStake(state, task, view !== undefined);
      this.options.log("info", "started", {
        task: `${task.name} (${task.status})`,
        round: roundOf(task, getChain(state).slot),
        escrow: formatTokenAmount(task.escrow),
        minimumStake: formatTokenAmount(task.params.minimumStake),
        stake: formatTokenAmount(view?.stake ?? 0n),
        weight: formatTokenAmount(view?.weight ?? 0n),
        locked: formatTokenAmount(view?.locked ?? 0n),
        claimable: formatTokenAmount(view?.claimable ?? 0n),
        ...(view === undefined && this.options.stake === undefined
          ? { note: "not staked: pass --stake N or run gradual stake" }
          : {}),
        ...(this.#hasLeft() && this.options.stake !== undefined && this.options.stake > 0n
          ? { note: `this node left the task before: --stake is not sent again (rejoin: gradual stake ${task.id})` }
          : {}),
      });
    }
    if (!this.#closed) this.#timer = setInterval(() => void this.tick(), this.options.pollMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.runner?.close();
    await this.#verifier?.close();
    this.#verifier = undefined;
    this.store.close();
  }

  /** Task calls, proof fetches and list computations started by a pass and not finished yet. */
  get actionsInFlight(): number {
    return this.#inFlight.size;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** One pass: catch up with the ledger, then act. Re-entrant calls coalesce into one follow-up pass. */
  async tick(): Promise<void> {
    // Closed, or stopped by a block that does not verify: never act again (not even on the last good state).
    if (this.#closed) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    try {
      do {
        this.#again = false;
        await this.#sync();
        await this.#ensureRunner();
        await this.#reconcileOutbox();
        await this.#ensureStake();
        await this.#act();
      } while (this.#again && !this.#closed);
      if (this.#lastError !== undefined) this.options.log("info", "recovered: the ledger answers again");
      this.#lastError = undefined;
    } catch (error) {
      if (error instanceof ReplicaMismatchError) {
        // The ledger served a block that does not verify: never act on it; stop and say why.
        this.#lastError = error.message;
        this.fatal = error;
        this.#closed = true;
        if (this.#timer !== undefined) clearInterval(this.#timer);
        this.options.log("error", "the ledger served a block that does not verify; the node stopped", {
          code: error.code,
          block: error.block,
          error: error.message,
        });
        this.options.onFatal?.(error);
        return;
      }
      const message = describeFailure(error, this.options.settlement.url);
      // One line per distinct failure, not one per pass (a pass runs every pollMs while the ledger is down).
      if (message !== this.#lastError) this.options.log("error", `${message}; retrying`);
      this.#lastError = message;
    } finally {
      this.#ticking = false;
    }
  }

  async #sync(): Promise<void> {
    const replica = this.replica as Replica;
    this.ledgerHead = await this.options.settlement.head();
    while (replica.height < this.ledgerHead && !this.#closed) {
      const to = Math.min(replica.height + 100, this.ledgerHead);
      for (const block of await this.options.settlement.blocks(replica.height + 1, to)) {
        const events = await replica.apply(block);
        this.options.onEvents?.(events, block.slot);
        this.#logOwnEvents(events, block.number);
        this.#noticeLeaving(events, block.number);
        this.#noticeForeignSigner(block);
      }
    }
    this.metrics.replicaHeight = replica.height;
    this.metrics.ledgerHead = this.ledgerHead;
  }

  /**
   * A transaction from this node's account that its outbox does not hold under that nonce was signed by something
   * else with the same key: a second node, or a CLI command. The node's own transaction for that nonce is then lost
   * (refused, or never included) and its windows may pass: said once per nonce, with what to do.
   */
  #noticeForeignSigner(block: ReplicaBlock): void {
    // An EVM settlement sends from its own key and orders calls by the chain's nonces: nothing to compare.
    if (block.number <= this.#loggedAfterBlock || this.options.settlement.account !== undefined) return;
    for (const { tx } of block.txs) {
      if (tx.from !== this.me) continue;
      const own = this.store.outboxFrom(tx.nonce).find((entry) => entry.nonce === tx.nonce);
      if (own !== undefined && own.hash === transactionHash(tx)) continue;
      // The operator's money moves (`gradual unstake`, `withdraw`, `claim`, `stake`, a transfer) use the node's key
      // by design: not a second node, unless one took the nonce of a transaction this node sent.
      if (own === undefined && MONEY_KINDS.has(tx.kind)) {
        this.options.log("info", `a ${tx.kind} sent with this node's key by another program (a CLI command)`, {
          block: block.number,
          nonce: tx.nonce,
          kind: tx.kind,
        });
        continue;
      }
      this.options.log("warn", "another signer used this node's key: run one node per key", {
        block: block.number,
        nonce: tx.nonce,
        kind: tx.kind,
        note:
          own === undefined
            ? "a transaction this node did not send (another node on the same key, or a CLI command)"
            : `it replaces this node's ${own.key} at that nonce, which is lost`,
      });
    }
  }

  /** Whether this node saw its account unstake or withdraw in the task (while it ran, now or before a restart). */
  #hasLeft(): boolean {
    // Read from the store once; #noticeLeaving sets it (it never goes back to false).
    this.#left ??= this.store.getMeta(leftKey(this.options.taskId)) !== undefined;
    return this.#left;
  }

  /**
   * An unstake or a withdraw of this node's account in the task, after the node started (its own `--leave`, or
   * `gradual unstake`/`withdraw` with its key): the operator left, so `--stake` must not stake it again once the
   * stake is withdrawn. Recorded in the store (a restart remembers) and said once.
   */
  #noticeLeaving(events: readonly ProtocolEvent[], block: number): void {
    if (block <= this.#loggedAfterBlock || this.#hasLeft()) return;
    const left = events.find(
      (event) =>
        (event.type === "Unstaked" || event.type === "Withdrawn") &&
        event.task === this.options.taskId &&
        event.node === this.me,
    );
    if (left === undefined) return;
    this.store.setMeta(leftKey(this.options.taskId), JSON.stringify({ block, event: left.type }));
    this.#left = true;
    this.options.log(
      "info",
      `this node's account left the task (${left.type === "Unstaked" ? "unstaked" : "withdrew"}): it will not stake again, whatever --stake says; to rejoin, run gradual stake ${this.options.taskId}`,
      { block },
    );
  }

  #logOwnEvents(events: readonly ProtocolEvent[], block: number): void {
    for (const event of events) {
      if (block <= this.#loggedAfterBlock) continue;
      const line = describeOwnEvent(event, this.me, this.options.taskId);
      if (line === undefined) continue;
      this.options.log(line.level, line.message, { ...line.fields, block });
    }
  }

  /** Downloads the task bundle named on the ledger, checks its hash, and starts the sandboxed runner. */
  async #ensureRunner(): Promise<void> {
    if (this.runner !== undefined) return;
    const task = getTask((this.replica as Replica).state, this.options.taskId);
    if (task === undefined) return;
    const bytes = await this.options.settlement.blob(task.bundleHash);
    const directory = join(this.options.dataDir, "bundles");
    mkdirSync(directory, { recursive: true });
    const bundlePath = join(directory, `${task.bundleHash}.mjs`);
    writeFileSync(bundlePath, bytes);
    const published = await this.#published(task.metadataHash);
    // Time limits follow the task's round (deriveTaskLimits); what the task published asks for more or less; the
    // operator's explicit limits win over both.
    const limits = deriveTaskLimits(task.params, await this.#slotMs(), DEFAULT_TASK_LIMITS, {
      ...published.limits,
      ...this.options.limits,
      maxProofBytes: task.params.maxProofBytes,
    });
    this.options.log("info", describeTaskLimits(limits));
    const config = { ...published.config, ...this.options.taskVars };
    this.runner = await this.options.createRunner(bundlePath, this.#host(config), limits);
    this.#executor = new Executor({
      taskId: task.id,
      me: this.me,
      store: this.store,
      runner: this.runner,
      proofs: httpProofSource({ timeoutMs: 2_000, attempts: 3 }),
      salt: () => randomBytes(32).toString("hex"),
      onCall: (call) => {
        this.#countCall(call);
        this.#logCall(call);
      },
      blob: (hash) => this.options.settlement.blob(hash),
    });
    const setup = await this.runner.setup();
    if (!setup.ok) this.options.log("warn", "task setup failed", { code: failureCode(setup), message: setup.message });
    this.options.log("info", "task bundle loaded", { task: task.id, bundle: task.bundleHash, bytes: bytes.length });
  }

  /** The settlement's slot length in ms, or the devnet's when it does not say. */
  async #slotMs(): Promise<number> {
    try {
      const slotMs = await this.options.settlement.slotMs();
      if (slotMs !== undefined && Number.isSafeInteger(slotMs) && slotMs > 0) return slotMs;
    } catch (error) {
      this.options.log("warn", "cannot read the slot length; time limits assume 400 ms slots", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return FALLBACK_SLOT_MS;
  }

  /** The creator's config values and limits, published as the task's metadata blob (`gradual task create`). */
  async #published(metadataHash: string | null): Promise<{ config: Record<string, string>; limits: TaskLimitsConfig }> {
    if (metadataHash === null) return { config: {}, limits: {} };
    const metadata = JSON.parse(new TextDecoder().decode(await this.options.settlement.blob(metadataHash))) as {
      config?: Record<string, string>;
      limits?: unknown;
    };
    let limits: TaskLimitsConfig = {};
    try {
      limits = parseTaskLimitsConfig(metadata.limits);
    } catch (error) {
      this.options.log("warn", "the task's published limits are invalid; using the defaults", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return { config: metadata.config ?? {}, limits };
  }

  #host(config: Readonly<Record<string, string>>): TaskHost {
    const { keyPair, taskId, settlement, log } = this.options;
    return {
      taskId,
      node: this.me,
      sign: async (bytes) => signBytes(keyPair, bytes),
      store: this.store.taskStore(),
      blobs: {
        put: async (bytes) => {
          const chainId = getChain((this.replica as Replica).state).chainId;
          const signature = signBytes(keyPair, blobUploadPayload(chainId, sha256Hex(bytes)));
          return settlement.putBlob(bytes, keyPair.publicKey, signature);
        },
        get: (hash) => settlement.blob(hash),
      },
      ledger: { get: (path) => settlement.get(path.startsWith("/v1") ? path : `/v1${path}`) },
      log: {
        info: (message, fields) => log("info", `task: ${message}`, fields),
        warn: (message, fields) => log("warn", `task: ${message}`, fields),
        error: (message, fields) => log("error", `task: ${message}`, fields),
      },
      config,
      currentRound: () => {
        const state = (this.replica as Replica).state;
        const task = getTask(state, taskId);
        return task === undefined ? 0 : roundOf(task, getChain(state).slot);
      },
    };
  }

  /**
   * `--stake` the ledger would refuse, said before anything is sent (a refused stake is included with its code and the
   * node would send it again every pass): below the task's minimum, or above the account's balance.
   */
  #checkStake(state: State, task: TaskRecord, staked: boolean): void {
    const wanted = this.options.stake;
    if (wanted === undefined || wanted === 0n || staked || this.#hasLeft()) return;
    if (wanted < task.params.minimumStake)
      throw new NodeStartError(
        "STAKE__BELOW_MINIMUM",
        `--stake ${formatTokenAmount(wanted)} is below the task's minimum stake of ${formatTokenAmount(task.params.minimumStake)} tokens`,
      );
    const balance = getAccount(state, this.me).balance;
    if (balance < wanted)
      throw new NodeStartError(
        "ACCOUNT__INSUFFICIENT_BALANCE",
        `--stake ${formatTokenAmount(wanted)} is more than the account's balance of ${formatTokenAmount(balance)} tokens`,
      );
  }

  async #ensureStake(): Promise<void> {
    const wanted = this.options.stake;
    // A leaving node stakes nothing (it unstakes once its last reveal is sent), nor does one whose account left the
    // task while it ran (`gradual unstake` then `withdraw` with its key): the operator's choice stands.
    if (wanted === undefined || wanted === 0n || this.options.leaving === true || this.#hasLeft()) return;
    const state = (this.replica as Replica).state;
    const task = getTask(state, this.options.taskId);
    if (task === undefined || getNode(state, task.id, this.me) !== undefined) return;
    // Sent already and not yet in a block this replica has: sending again would stake twice.
    const pending = this.store.outboxFrom(getAccount(state, this.me).nonce);
    if (pending.some((entry) => entry.key === STAKE_KEY)) return;
    await this.#send({
      type: "send",
      key: STAKE_KEY,
      tx: { kind: "stake", task: task.id, amount: wanted, nodeUrl: this.options.publicUrl },
    });
  }

  #memory(): NodeMemory {
    const memory = this.store.nodeMemory;
    const gaveUp = this.#audits.gaveUp;
    const inFlight = this.#inFlight;
    if (inFlight.size === 0 && gaveUp.size === 0) return memory;
    // A view over the three sets: copying the stored one (every action ever done) on each pass cost time and
    // garbage that grew with the node's age.
    const done = memory.done;
    return { ...memory, done: { has: (key: string) => done.has(key) || inFlight.has(key) || gaveUp.has(key) } };
  }

  async #act(): Promise<void> {
    if (this.runner === undefined) return;
    const replica = this.replica as Replica;
    // A node that fell behind (CPU starved, slow ledger) would decide on a past slot and send transactions for
    // windows that already closed (DISTRIBUTION__WRONG_ATTEMPT, late commits). Catch up first; act on a fresh state.
    const head = await this.options.settlement.head();
    const lag = head - replica.height;
    if (lag > MAX_ACTING_LAG_BLOCKS) {
      if (this.#behindSince === undefined) {
        this.#behindSince = replica.height;
        this.options.log("warn", "behind the ledger: catching up before acting (windows that closed are skipped)", {
          replica: replica.height,
          head,
        });
      }
      this.#again = true;
      return;
    }
    if (this.#behindSince !== undefined) {
      this.options.log("info", "caught up with the ledger", { from: this.#behindSince, head });
      this.#behindSince = undefined;
    }
    this.metrics.ledgerHead = head;
    const state = replica.state;
    this.#noticeDroppedReveals(state);
    const decideNow = () =>
      decide({
        state,
        task: this.options.taskId,
        me: this.me,
        memory: this.#memory(),
        options: {
          ...DEFAULT_DECIDE_OPTIONS,
          autoClaim: this.options.autoClaim,
          claimEveryRounds: this.options.claimEveryRounds,
          leaving: this.options.leaving,
        },
        payloadOf: (digest) => {
          try {
            const proof = this.store.proof(digest);
            return proof === undefined ? undefined : Buffer.from(proof.bytes).toString("hex");
          } catch (error) {
            // A damaged proof is not published (it would not match its digest); the node's other duties go on.
            this.options.log("error", "cannot publish a damaged proof", { digest, error: String(error) });
            return undefined;
          }
        },
      });
    // One pass: sends go out in order; task calls, fetches and lists run in the background, and when one finishes
    // the node passes again (on the state it has then).
    await stepNode(
      decideNow,
      async (action) => {
        this.metrics.count(`action_${action.type}`);
        if (action.type === "send") await this.#send(action);
        else this.#runIo(state, action);
        return false;
      },
      1,
    );
  }

  /**
   * A cycle this node committed and has not revealed while its reveal window is open or ahead, once the node has no
   * bonded stake (an unstake, `gradual unstake --force`): a reveal needs stake, so decide drops it and the cycle is not
   * paid. Said once per cycle.
   */
  #noticeDroppedReveals(state: State): void {
    const task = getTask(state, this.options.taskId);
    if (task === undefined) return;
    const node = getNode(state, task.id, this.me);
    if (node !== undefined && nodeStake(node) > 0n) return;
    for (const { cycle } of pendingReveals(state, task, this.me)) {
      if (this.#droppedReveals.has(cycle) || this.store.nodeMemory.work.get(cycle)?.status !== "done") continue;
      this.#droppedReveals.add(cycle);
      this.options.log(
        "warn",
        `reveal of cycle ${cycle} dropped: this node has no stake any more and a reveal needs stake; cycle ${cycle} will not be paid`,
        { cycle },
      );
    }
  }

  #runIo(state: State, action: IoAction): void {
    this.#inFlight.add(action.key);
    const executor = this.#executor as Executor;
    void executor
      .execute(state, action)
      .then((stored) => {
        if (action.type !== "auditProof") return;
        if (this.#audits.record(action.key, stored) === "gave-up") {
          this.options.log(
            "warn",
            `gave up auditing after ${MAX_AUDIT_FAILURES} failed audit calls: no verdict, no vote`,
            {
              cycle: action.cycle,
              target: action.target,
            },
          );
        }
      })
      .catch((error: unknown) => this.options.log("error", `${action.type} failed`, { error: String(error) }))
      .finally(() => {
        // A runTask, once finished, is recorded in the store (done or failed) and never re-decided; an audit or
        // list that produced nothing may be decided again on a later pass.
        this.#inFlight.delete(action.key);
        if (!this.#closed) void this.tick();
      });
  }

  #countCall(call: TaskCall): void {
    if (call.call !== "task+submission") return;
    const outcome = "submitted" in call ? "submitted" : "nothing" in call ? "nothing" : "failed";
    this.taskCalls[outcome] += 1;
    if ("failed" in call) {
      this.taskCalls.lastFailure = { cycle: call.cycle, code: call.failed.code, message: call.failed.message };
    }
    this.metrics.count(`task_call_${outcome}`);
  }

  /** A task call in the node's log. */
  #logCall(call: TaskCall): void {
    const { log } = this.options;
    const { cycle } = call;
    if (call.call === "task+submission") {
      if ("submitted" in call)
        log("info", "work done", { cycle, proofDigest: call.proofDigest, bytes: call.submitted.length });
      else if ("nothing" in call) log("info", "nothing to submit this cycle", { cycle, code: call.code });
      else
        log("warn", "task failed; this cycle is missed", {
          cycle,
          code: call.failed.code,
          message: call.failed.message,
        });
    } else if (call.call === "audit") {
      if ("failed" in call)
        log("warn", "own audit function failed; no verdict", {
          cycle,
          target: call.target,
          code: call.failed.code,
          message: call.failed.message,
        });
      else
        log(call.verdict === "valid" ? "info" : "warn", "audited proof", {
          cycle,
          target: call.target,
          verdict: call.verdict,
        });
    } else if ("failed" in call) {
      log("warn", "distribution function failed", { cycle, code: call.failed.code, message: call.failed.message });
    } else log("info", "list computed", { cycle, entries: call.entries.length });
  }

  #nextNonce(): number {
    const accountNonce = getAccount((this.replica as Replica).state, this.me).nonce;
    const last = this.store.lastOutboxNonce();
    return last === undefined ? accountNonce : Math.max(accountNonce, last + 1);
  }

  /** Signs, records in the outbox (durably, with the action marked done), then submits. */
  async #send(action: Extract<NodeAction, { type: "send" }>): Promise<void> {
    const { keyPair } = this.options;
    const chainId = getChain((this.replica as Replica).state).chainId;
    const nonce = this.#nextNonce();
    const tx = { ...action.tx, chainId, from: this.me, nonce } as Transaction;
    // A list is posted as its root; the list itself goes to the blob store first, for recipients to prove from.
    if (tx.kind === "submitDistribution" && !(await this.#publishList(tx.cycle, tx.attempt, tx.listBlob))) return;
    // Unsigned where the settlement sends it from its own key (EVM).
    const signature = this.options.settlement.account === undefined ? signTransaction(keyPair, tx) : "";
    const envelope = JSON.stringify({ tx: transactionToJson(tx), signature });
    this.store.saveOutgoing({ nonce, key: action.key, hash: transactionHash(tx), envelope });
    this.metrics.count(`tx_${tx.kind}`);
    await this.#submit(nonce, envelope);
  }

  /** Uploads this node's list for the attempt; false (logged) when it cannot, so the list is not posted. */
  async #publishList(cycle: number, attempt: number, blob: Hash): Promise<boolean> {
    const list = this.store.nodeMemory.lists.get(listKey(cycle, attempt));
    if (list === undefined) return false;
    const bytes = encodeList(list.entries);
    try {
      const chainId = getChain((this.replica as Replica).state).chainId;
      const signature = signBytes(this.options.keyPair, blobUploadPayload(chainId, sha256Hex(bytes)));
      const stored = await this.options.settlement.putBlob(bytes, this.options.keyPair.publicKey, signature);
      if (stored === blob) return true;
      this.options.log("error", "list blob stored under another hash; not posting it", { cycle, blob, stored });
    } catch (error) {
      this.options.log("warn", "cannot upload the list; not posting it", { cycle, error: String(error) });
    }
    return false;
  }

  async #submit(nonce: number, envelope: string): Promise<void> {
    this.#submittedAt.set(nonce, Date.now());
    const outcome = await this.options.settlement.submit(
      JSON.parse(envelope) as { tx: Record<string, unknown>; signature: string },
    );
    if (outcome.ok || outcome.code === "TX__NONCE_TOO_LOW") return;
    if (outcome.code === "TX__NONCE_TOO_HIGH") return; // an earlier outbox entry is missing: reconcile resubmits it
    // On a chain that orders calls by its own nonces (EVM), a refused call leaves no gap: the later ones stand.
    const alone = this.options.settlement.account !== undefined;
    if (alone && outcome.code === "DISTRIBUTION__NOT_BETTER") {
      // The posting race's expected outcome (this replica had not seen the better list yet): final for the attempt.
      this.options.log("info", "list not posted: a list whose poster beats this node's is in force", { nonce });
      this.store.dropOutboxEntry(nonce, { keepDone: true });
      return;
    }
    this.options.log(
      "error",
      alone
        ? "settlement refused a call; dropping it"
        : "ledger refused a transaction; dropping it and everything after it",
      { nonce, code: outcome.code, message: outcome.message },
    );
    const dropped = alone ? this.store.dropOutboxEntry(nonce) : this.store.dropOutboxFrom(nonce);
    this.options.log("warn", "dropped outbox entries", { keys: dropped.join(",") });
  }

  /** Resubmits signed transactions the ledger has not included yet (after a restart, or when one went missing). */
  async #reconcileOutbox(): Promise<void> {
    const accountNonce = getAccount((this.replica as Replica).state, this.me).nonce;
    const resendAfterMs = Math.max(2_000, this.options.pollMs * 8);
    for (const entry of this.store.outboxFrom(accountNonce)) {
      const last = this.#submittedAt.get(entry.nonce);
      if (last !== undefined && Date.now() - last < resendAfterMs) continue;
      await this.#submit(entry.nonce, entry.envelope);
    }
  }
}
