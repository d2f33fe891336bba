import { createHash } from "node:crypto";
import { createWriteStream, promises as fsPromises, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { base58, hex } from "@scure/base";
import {
  accountToKoiiKey,
  createNodeKeypair,
  isAccount,
  isNodeSecretKeyHandle,
  type KoiiKeypair,
  koiiKeyToAccount,
  tryKoiiKeyToAccount,
} from "../keys.ts";
import { attachSignature, type OpenedPayload, openAttached, payloadBytes, signAttached } from "../signing.ts";
import {
  auditTriggers,
  ChainReader,
  getLocalRounds,
  type KoiiDistributionInfo,
  type KoiiSubmission,
  type KoiiSubmissionInfo,
  payoutRecord,
  toKoiiNumber,
  type WireCycle,
  type WireReveal,
} from "./chain.ts";
import { currentContext, type KoiiCallContext } from "./context.ts";
import { KoiiUnsupportedError } from "./errors.ts";
import { getLocalDuties } from "./taskManager.ts";

/**
 * gradual's implementation of Koii's namespace wrapper (@_koii/namespace-wrapper, also re-exported as
 * @_koii/task-manager/namespace-wrapper). Every method either works against the gradual node and ledger, or throws a
 * KoiiUnsupportedError naming the method and why; none answers with made-up data. docs/koii.md lists each method with
 * its status and the fields of each Koii shape that are filled or left empty.
 */

export type TaskStateOptions = {
  is_submission_required?: boolean;
  is_distribution_required?: boolean;
  is_available_balances_required?: boolean;
  is_stake_list_required?: boolean;
};

export type LogLevel = "log" | "warn" | "error";

/** Set by the adapter from config-task.yml, so getTaskState can answer with the task's description. */
export const taskInfo = { description: "" };

/** Where a task's files live when the operator names no folder (GRADUAL_KOII_BASE_PATH task variable). */
function defaultBasePath(ctx: KoiiCallContext): string {
  return path.join(tmpdir(), "gradual-koii", ctx.taskId.slice(0, 16), ctx.node.slice(0, 16));
}

/** fs.promises methods a task may call through `fs`, with the positions of their path arguments. */
const FS_METHODS: Readonly<Record<string, readonly number[]>> = {
  access: [0],
  appendFile: [0],
  chmod: [0],
  copyFile: [0, 1],
  cp: [0, 1],
  mkdir: [0],
  mkdtemp: [0],
  open: [0],
  opendir: [0],
  readdir: [0],
  readFile: [0],
  realpath: [0],
  rename: [0, 1],
  rm: [0],
  rmdir: [0],
  stat: [0],
  lstat: [0],
  truncate: [0],
  unlink: [0],
  utimes: [0],
  writeFile: [0],
};

const PROOF_FETCH_TIMEOUT_MS = 3_000;

function unsupported(method: string, reason: string, status: "by-design" | "not-yet" = "by-design"): Promise<never> {
  return Promise.reject(new KoiiUnsupportedError(`namespaceWrapper.${method}`, reason, status));
}

const NODE_DUTY =
  "the gradual node runs this duty itself (commit-reveal, seeded audits, posting and checking the Merkle-root list)";

export class NamespaceWrapper {
  /** Koii's local-testing fields; on gradual the task always runs under a node. */
  testingMainSystemAccount = null;
  testingStakingSystemAccount = null;
  testingTaskState = null;
  testingDistributionList = null;

  #chain(method: string): { ctx: KoiiCallContext; chain: ChainReader } {
    const ctx = currentContext(`namespaceWrapper.${method}`);
    return { ctx, chain: new ChainReader(ctx.ledger, ctx.taskId, ctx.blobs) };
  }

  // Storage ---------------------------------------------------------------------------------------------------------

  /** The value stored under `key` by this task on this node, or null. Errors are logged and give null, as in Koii. */
  async storeGet(key: string): Promise<string | null> {
    const ctx = currentContext("namespaceWrapper.storeGet");
    try {
      const value = await ctx.store.get(String(key));
      return value === undefined ? null : (value as string);
    } catch (error) {
      ctx.log.error(`namespaceWrapper.storeGet(${JSON.stringify(key)}) failed: ${String(error)}`);
      return null;
    }
  }

  /** Stores a value (Koii's contract: a string) for this task on this node, durably. Errors are logged, as in Koii. */
  async storeSet(key: string, value: string): Promise<void> {
    const ctx = currentContext("namespaceWrapper.storeSet");
    try {
      await ctx.store.set(String(key), value === undefined ? null : (value as string));
    } catch (error) {
      ctx.log.error(`namespaceWrapper.storeSet(${JSON.stringify(key)}) failed: ${String(error)}`);
    }
  }

  async initializeDB(): Promise<void> {}

  getDb(): Promise<never> {
    return unsupported(
      "getDb",
      "there is no NeDB datastore; use storeGet/storeSet, which the node keeps durably per task",
    );
  }

  getTaskLevelDBPath(): Promise<never> {
    return unsupported("getTaskLevelDBPath", "there is no NeDB file; use storeGet/storeSet, or getBasePath for files");
  }

  getTaskDBPath(): Promise<never> {
    return unsupported("getTaskDBPath", "there is no NeDB file; use storeGet/storeSet, or getBasePath for files");
  }

  /** This task's folder on this node: the GRADUAL_KOII_BASE_PATH task variable, else a folder under the OS temp dir. */
  async getBasePath(): Promise<string> {
    const ctx = currentContext("namespaceWrapper.getBasePath");
    const base = path.resolve(ctx.config.GRADUAL_KOII_BASE_PATH ?? defaultBasePath(ctx));
    await fsPromises.mkdir(base, { recursive: true });
    return base;
  }

  // Files -----------------------------------------------------------------------------------------------------------

  async #confined(method: string, relative: unknown): Promise<string> {
    if (typeof relative !== "string" && !(relative instanceof URL)) {
      throw new TypeError(`namespaceWrapper.${method}: expected a path, got ${typeof relative}`);
    }
    const base = await this.getBasePath();
    const target = path.resolve(base, relative instanceof URL ? relative.pathname : relative);
    const inside = path.relative(base, target);
    if (inside.startsWith("..") || path.isAbsolute(inside)) {
      throw new Error(`namespaceWrapper.${method}: ${String(relative)} is outside the task folder ${base}`);
    }
    return target;
  }

  /** Runs an fs.promises method inside the task folder (getBasePath); paths leaving it are refused. */
  async fs(method: string, filePath: string, ...args: unknown[]): Promise<unknown> {
    const positions = FS_METHODS[method];
    if (positions === undefined) {
      throw new KoiiUnsupportedError(
        `namespaceWrapper.fs(${JSON.stringify(method)})`,
        `only these fs.promises methods are confined to the task folder: ${Object.keys(FS_METHODS).join(", ")}`,
      );
    }
    const all = [filePath, ...args];
    for (const position of positions) all[position] = await this.#confined(`fs.${method}`, all[position]);
    const fn = (fsPromises as unknown as Record<string, (...inner: unknown[]) => Promise<unknown>>)[method];
    return (fn as (...inner: unknown[]) => Promise<unknown>)(...all);
  }

  fsStaking(method: string, _filePath: string): Promise<never> {
    return unsupported(
      `fsStaking(${JSON.stringify(method)})`,
      "there is no staking-wallet folder; the node keeps its key itself",
    );
  }

  async fsWriteStream(filePath: string): Promise<WriteStream> {
    return createWriteStream(await this.#confined("fsWriteStream", filePath));
  }

  async fsReadStream(filePath: string): Promise<Buffer> {
    return fsPromises.readFile(await this.#confined("fsReadStream", filePath));
  }

  // Keys and signatures --------------------------------------------------------------------------------------------

  /**
   * This node's key as a Keypair-shaped object. The public key is real; `secretKey` is a handle the node recognises
   * in payloadSigning but whose bytes cannot be read (gradual keeps keys in the node). taskType ('KOII' or 'KPL')
   * makes no difference: a gradual node stakes with its one key.
   */
  async getSubmitterAccount(_taskType?: string): Promise<KoiiKeypair> {
    return createNodeKeypair(currentContext("namespaceWrapper.getSubmitterAccount").node);
  }

  async getMainAccountPubkey(): Promise<string> {
    return accountToKoiiKey(currentContext("namespaceWrapper.getMainAccountPubkey").node);
  }

  /**
   * Signs `JSON.stringify(body)` and returns Koii's format: base58 of the 64-byte ed25519 signature followed by the
   * message. Without a key (or with the handle from getSubmitterAccount) the node signs with its own key; with a
   * 64-byte tweetnacl secret key the signature is made here.
   */
  async payloadSigning(body: unknown, privateKey?: Uint8Array | null): Promise<string> {
    const message = payloadBytes(body);
    if (privateKey !== undefined && privateKey !== null && !isNodeSecretKeyHandle(privateKey)) {
      return signAttached(message, privateKey);
    }
    // The node's key signs the JSON text as it is (Koii's format, opened by nacl.sign.open), through ctx.signJson:
    // the node refuses anything that is not one JSON text, so no body can make it sign a ledger transaction, whose
    // signed bytes start with "gradual/tx/v1\n" (protocol.md §9.2).
    const ctx = currentContext("namespaceWrapper.payloadSigning");
    const signature = hex.decode(await ctx.signJson(new TextDecoder().decode(message)));
    return attachSignature(signature, message);
  }

  /** Opens a Koii signed message: `{ data }` (the signed JSON text) when valid, `{ error }` otherwise. */
  async verifySignature(signedMessage: string, pubKey: string): Promise<OpenedPayload> {
    return openAttached(signedMessage, pubKey);
  }

  async bs58Encode(data: Uint8Array): Promise<string> {
    return base58.encode(Uint8Array.from(data));
  }

  async bs58Decode(data: string): Promise<Uint8Array> {
    return base58.decode(data);
  }

  decodePayload(payload: Uint8Array): string {
    return new TextDecoder().decode(payload);
  }

  // Time and task state --------------------------------------------------------------------------------------------

  /** The task's current round on the ledger. */
  async getRound(): Promise<number> {
    const { chain } = this.#chain("getRound");
    return (await chain.task()).round;
  }

  /** The ledger's current slot. */
  async getSlot(): Promise<number> {
    const { chain } = this.#chain("getSlot");
    return (await chain.task()).slot;
  }

  /** The ledger's slot length in ms (Koii answers 400 when it cannot tell; so does this). */
  async getAverageSlotTime(): Promise<number> {
    const { ctx, chain } = this.#chain("getAverageSlotTime");
    try {
      return await chain.slotMs();
    } catch (error) {
      ctx.log.warn(`namespaceWrapper.getAverageSlotTime: ${String(error)}; answering 400 as Koii does`);
      return 400;
    }
  }

  /** Koii's task state, built from the ledger (docs/koii.md lists each field). */
  async getTaskState(options: TaskStateOptions = {}): Promise<Record<string, unknown>> {
    const { ctx, chain } = this.#chain("getTaskState");
    return buildTaskState(ctx, chain, ctx.taskId, options ?? {});
  }

  /** Any gradual task's state by its id (base58 as Koii writes it, or 64 hex), in Koii's shape; task_type is ignored. */
  async getTaskStateById(
    taskId: string,
    _taskType?: string,
    options: TaskStateOptions = {},
  ): Promise<Record<string, unknown>> {
    const { ctx, chain } = this.#chain("getTaskStateById");
    const id = isAccount(taskId) ? taskId : tryKoiiKeyToAccount(String(taskId));
    if (id === undefined) {
      throw new TypeError(
        `namespaceWrapper.getTaskStateById: expected a task id (base58, or 64 hex), got ${String(taskId)}`,
      );
    }
    return buildTaskState(ctx, chain, id, options ?? {});
  }

  /** `{ submissions, submissions_audit_trigger }` of one round (a gradual cycle). */
  async getTaskSubmissionInfo(round: number): Promise<KoiiSubmissionInfo> {
    const { ctx, chain } = this.#chain("getTaskSubmissionInfo");
    return submissionInfo(ctx, chain, round);
  }

  /** `{ distribution_rewards_submission, distributions_audit_trigger, distributions_audit_record }` of one round. */
  async getTaskDistributionInfo(round: number): Promise<KoiiDistributionInfo> {
    const { chain } = this.#chain("getTaskDistributionInfo");
    return distributionInfo(chain, round);
  }

  /**
   * The list `publicKey` submitted for `round`, as the JSON text of `{ publicKey: amount }`, or null. Without a key
   * (Koii's own tests pass "" or null), the round's latest list, whoever submitted it.
   */
  async getDistributionList(publicKey: string | null | undefined, round: number): Promise<string | null> {
    const { chain } = this.#chain("getDistributionList");
    const distributor = publicKey ? koiiKeyToAccount(publicKey) : undefined;
    const cycle = await chain.cycle(round);
    const attempt = [...(cycle?.distributions ?? [])]
      .reverse()
      .find((item) => distributor === undefined || item.distributor === distributor);
    if (cycle === null || attempt === undefined) return null;
    const entries = await chain.entries(round, attempt.attempt);
    return JSON.stringify(
      Object.fromEntries(
        entries.map((entry) => [accountToKoiiKey(entry.recipient), toKoiiNumber("amount", entry.amount)]),
      ),
    );
  }

  async logger(level: LogLevel, message: string, action?: string): Promise<boolean> {
    const ctx = currentContext("namespaceWrapper.logger");
    const text = action === undefined || action === "" ? String(message) : `${String(message)} (${String(action)})`;
    if (level === "log") ctx.log.info(text);
    else if (level === "warn") ctx.log.warn(text);
    else if (level === "error") ctx.log.error(text);
    else {
      ctx.log.warn(`Invalid log level: ${String(level)}. The log levels can be log, warn or error`);
      return false;
    }
    return true;
  }

  logMessage(level: LogLevel, message: string, action?: string): Promise<boolean> {
    return this.logger(level, message, action);
  }

  async defaultTaskSetup(): Promise<void> {}

  fetchWithTimeout = async (url: string, timeout = 60_000): Promise<Response> =>
    fetch(url, { signal: AbortSignal.timeout(timeout) });

  getTaskNodeVersion(): Promise<never> {
    return unsupported("getTaskNodeVersion", "there is no Koii task node; gradual's node is not versioned like it");
  }

  getRpcUrl(): Promise<never> {
    return unsupported(
      "getRpcUrl",
      "there is no K2 RPC; task code reads the gradual ledger through the wrapper's methods",
    );
  }

  getNodes(_url?: string): Promise<never> {
    return unsupported(
      "getNodes",
      "K2's node list does not exist; getTaskState({}).ip_address_list has every node's URL",
      "not-yet",
    );
  }

  getProgramAccounts(): Promise<never> {
    return unsupported("getProgramAccounts", "there are no K2 program accounts");
  }

  retrieveThroughHttpGateway(_cid: string, _fileName?: string): Promise<never> {
    return unsupported("retrieveThroughHttpGateway", "IPFS gateways are not wired into gradual", "not-yet");
  }

  // Node duties: the gradual node does them -----------------------------------------------------------------------

  checkSubmissionAndUpdateRound(_value?: string, _round?: number): Promise<never> {
    return unsupported("checkSubmissionAndUpdateRound", `${NODE_DUTY}: return the value from submission(round)`);
  }
  validateAndVoteOnNodes(..._args: unknown[]): Promise<never> {
    return unsupported("validateAndVoteOnNodes", NODE_DUTY);
  }
  auditSubmission(..._args: unknown[]): Promise<never> {
    return unsupported("auditSubmission", NODE_DUTY);
  }
  selectAndGenerateDistributionList(..._args: unknown[]): Promise<never> {
    return unsupported("selectAndGenerateDistributionList", NODE_DUTY);
  }
  nodeSelectionDistributionList(..._args: unknown[]): Promise<never> {
    return unsupported(
      "nodeSelectionDistributionList",
      `${NODE_DUTY}; nobody is selected: every valid submitter may post, and a post replaces the list in force only if its poster wins the race`,
    );
  }
  uploadDistributionList(..._args: unknown[]): Promise<never> {
    return unsupported("uploadDistributionList", `${NODE_DUTY}: return the list from distribution(...)`);
  }
  distributionListSubmissionOnChain(..._args: unknown[]): Promise<never> {
    return unsupported("distributionListSubmissionOnChain", NODE_DUTY);
  }
  validateAndVoteOnDistributionList(..._args: unknown[]): Promise<never> {
    return unsupported("validateAndVoteOnDistributionList", NODE_DUTY);
  }
  distributionListAuditSubmission(..._args: unknown[]): Promise<never> {
    return unsupported("distributionListAuditSubmission", NODE_DUTY);
  }
  payoutTrigger(..._args: unknown[]): Promise<never> {
    return unsupported(
      "payoutTrigger",
      "accepted lists are paid into vesting by the ledger at the end of the audit window",
    );
  }
  /** On a node: by design (the node stakes itself). In a linked folder's local chain: stakes `amount` base units. */
  async stakeOnChain(
    _taskStateInfoPublicKey?: unknown,
    _stakingAccKeypair?: unknown,
    _stakePotAccount?: unknown,
    amount?: unknown,
  ): Promise<void> {
    const local = getLocalDuties();
    if (local === undefined) return unsupported("stakeOnChain", "the node stakes itself (gradual node --stake)");
    return local.stakeOnChain(typeof amount === "number" && Number.isSafeInteger(amount) && amount > 0 ? amount : 0);
  }
  claimReward(..._args: unknown[]): Promise<never> {
    return unsupported("claimReward", "the node claims vested rewards itself (auto-claim)");
  }
  sendTransaction(..._args: unknown[]): Promise<never> {
    return unsupported("sendTransaction", "task code cannot send ledger transactions; the node sends its own");
  }
  sendAndConfirmTransactionWrapper(..._args: unknown[]): Promise<never> {
    return unsupported(
      "sendAndConfirmTransactionWrapper",
      "task code cannot send ledger transactions; the node sends its own",
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------------

/** The text a submitter revealed, fetched from its node (which serves it only after the reveal), or null. */
async function proofText(ctx: KoiiCallContext, chain: ChainReader, reveal: WireReveal): Promise<string | null> {
  try {
    const node = await chain.node(reveal.node);
    if (node === null || node.url === "") return null;
    const response = await ctx.fetch(`${node.url.replace(/\/$/, "")}/proofs/${reveal.proofDigest}`, {
      signal: AbortSignal.timeout(PROOF_FETCH_TIMEOUT_MS),
    });
    if (!response.ok) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (createHash("sha256").update(bytes).digest("hex") !== reveal.proofDigest) return null;
    return new TextDecoder().decode(bytes);
  } catch {
    return null;
  }
}

async function submissionInfo(ctx: KoiiCallContext, chain: ChainReader, round: number): Promise<KoiiSubmissionInfo> {
  const cycle = await chain.cycle(round);
  if (cycle === null) return { submissions: {}, submissions_audit_trigger: {} };
  const reveals = await chain.reveals(round);
  const values = await Promise.all(reveals.map((reveal) => proofText(ctx, chain, reveal)));
  const submissions: Record<string, KoiiSubmission> = {};
  reveals.forEach((reveal, index) => {
    submissions[accountToKoiiKey(reveal.node)] = { submission_value: values[index] ?? null, slot: reveal.slot, round };
  });
  return {
    submissions: { [round]: submissions },
    submissions_audit_trigger: { [round]: await auditTriggers(chain, cycle, "proof") },
  };
}

async function distributionInfo(chain: ChainReader, round: number): Promise<KoiiDistributionInfo> {
  const cycle = await chain.cycle(round);
  if (cycle === null)
    return { distribution_rewards_submission: {}, distributions_audit_trigger: {}, distributions_audit_record: {} };
  return distributionInfoOf(chain, cycle, round);
}

async function distributionInfoOf(chain: ChainReader, cycle: WireCycle, round: number): Promise<KoiiDistributionInfo> {
  const lists: Record<string, KoiiSubmission> = {};
  for (const distribution of cycle.distributions) {
    const key = accountToKoiiKey(distribution.distributor);
    // Koii's list submission carries the distributor's key as its value, and the slot it landed in.
    lists[key] = { submission_value: key, slot: distribution.slot ?? null, round };
  }
  return {
    distribution_rewards_submission: { [round]: lists },
    distributions_audit_trigger: { [round]: await auditTriggers(chain, cycle, "distribution") },
    distributions_audit_record: { [round]: payoutRecord(cycle) },
  };
}

async function buildTaskState(
  ctx: KoiiCallContext,
  chain: ChainReader,
  taskId: string,
  options: TaskStateOptions,
): Promise<Record<string, unknown>> {
  const view = await chain.task(taskId);
  const { task } = view;
  const nodes = await chain.nodes(taskId);
  const stakeList: Record<string, number> = {};
  const balances: Record<string, number> = {};
  const urls: Record<string, string> = {};
  let totalStake = 0;
  for (const node of nodes) {
    const key = accountToKoiiKey(node.account);
    stakeList[key] = toKoiiNumber("stake", node.stake);
    balances[key] = toKoiiNumber("claimable", node.claimable);
    urls[key] = node.url;
    totalStake += stakeList[key] as number;
  }
  const state: Record<string, unknown> = {
    task_id: accountToKoiiKey(task.id),
    task_name: task.name,
    task_manager: accountToKoiiKey(task.creator),
    is_allowlisted: false,
    is_active: task.status === "active",
    task_audit_program: task.bundleHash,
    stake_pot_account: "",
    total_bounty_amount: toKoiiNumber("escrow", task.escrow),
    bounty_amount_per_round: toKoiiNumber("bountyPerRound", task.params.bountyPerRound),
    current_round: view.round,
    available_balances: options.is_available_balances_required ? balances : {},
    stake_list: options.is_stake_list_required ? stakeList : {},
    task_metadata: task.metadataHash ?? "",
    task_description: taskId === ctx.taskId ? taskInfo.description : "",
    submissions: {},
    submissions_audit_trigger: {},
    total_stake_amount: totalStake,
    minimum_stake_amount: toKoiiNumber("minimumStake", task.params.minimumStake),
    ip_address_list: urls,
    round_time: task.params.roundSlots,
    starting_slot: task.startSlot,
    audit_window: task.params.auditSlots,
    submission_window: task.params.revealSlots,
    task_executable_network: "GRADUAL",
    distribution_rewards_submission: {},
    distributions_audit_trigger: {},
    distributions_audit_record: {},
    task_vars: "",
    koii_vars: "",
    is_migrated: false,
    migrated_to: "",
    allowed_failed_distributions: task.params.allowedFailedDistributions,
  };
  const taskChain = taskId === chain.taskId ? chain : new ChainReader(ctx.ledger, taskId);
  // A linked folder's local chain answers as Koii's wrapper does locally: every round it ran, every map filled.
  const local = getLocalRounds();
  if (local !== undefined) options = { is_submission_required: true, is_distribution_required: true, ...options };
  for (const round of local?.rounds() ?? task.openCycles) {
    if (options.is_submission_required) {
      const info = await submissionInfo(ctx, taskChain, round);
      Object.assign(state.submissions as object, info.submissions);
      Object.assign(state.submissions_audit_trigger as object, info.submissions_audit_trigger);
    }
    if (options.is_distribution_required) {
      const info = await distributionInfo(taskChain, round);
      Object.assign(state.distribution_rewards_submission as object, info.distribution_rewards_submission);
      Object.assign(state.distributions_audit_trigger as object, info.distributions_audit_trigger);
      Object.assign(state.distributions_audit_record as object, info.distributions_audit_record);
    }
  }
  return state;
}

export const namespaceWrapper = new NamespaceWrapper();
