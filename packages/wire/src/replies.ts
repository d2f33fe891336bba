import {
  array,
  boolean,
  type Decoder,
  type Infer,
  integer,
  literal,
  nullable,
  number,
  object,
  optional,
  string,
  union,
} from "./decoder.ts";
import { wireEvent } from "./events.ts";
import { amount, hex64, int, signatureHex, uint } from "./primitives.ts";
import {
  cyclePhase,
  cycleRecord,
  cycleWindows,
  distributionRecord,
  revealStatus,
  taskRecord,
  triggerRecord,
  voteChoice,
} from "./records.ts";
import { errorBody, txResult, wireTransaction } from "./transactions.ts";

/**
 * What the ledger answers, route by route (routes.ts says which route answers which). Amounts are decimal strings
 * of base units; hashes and accounts are 64 lowercase hex characters.
 */

export type ErrorBodyWire = Infer<typeof errorBody>;
export type TxResultWire = Infer<typeof txResult>;

// ------------------------------------------------------------------------------------------------------------------
// Transactions

export const pendingAck = object({ hash: hex64, status: literal("pending"), receivedAtBlock: uint });
export const includedAck = object({
  hash: hex64,
  status: literal("included"),
  block: uint,
  position: uint,
  result: txResult,
});
export const submitResult = union(pendingAck, includedAck);
export type SubmitResult = Infer<typeof submitResult>;

export const batchResult = object({ results: array(union(submitResult, object({ error: errorBody }))) });
export type BatchResult = Infer<typeof batchResult>;

export const txStatus = union(
  object({ ...pendingAck.shape, tx: wireTransaction, signature: signatureHex }),
  object({ ...includedAck.shape, tx: wireTransaction, signature: signatureHex }),
);
export type TxStatusWire = Infer<typeof txStatus>;

export const dropped = object({ dropped: array(hex64) });

// ------------------------------------------------------------------------------------------------------------------
// Blocks

export const blockHeader = object({
  number: uint,
  slot: uint,
  prevHash: hex64,
  txsRoot: hex64,
  stateRoot: hex64,
  hash: hex64,
  txCount: uint,
  producedAtMs: number({ description: "wall time the block was stored (not hashed)" }),
});
export type BlockHeaderWire = Infer<typeof blockHeader>;

/** A protocol event with the transaction that caused it (null for window ends and round starts). */
export const blockEvent = object({ tx: nullable(hex64), event: wireEvent });
export type BlockEventWire = Infer<typeof blockEvent>;

export const block = object({
  ...blockHeader.shape,
  txs: array(object({ hash: hex64, tx: wireTransaction, signature: signatureHex, result: txResult })),
  events: array(blockEvent),
});
export type BlockWire = Infer<typeof block>;

export const blockList = object({ blocks: array(block) });

/** One `block` message of the event stream (/v1/events). */
export const blockEventData = object({
  header: blockHeader,
  txs: array(object({ hash: hex64, kind: string(), from: hex64, result: txResult })),
  events: array(blockEvent),
});
export type BlockEventData = Infer<typeof blockEventData>;

// ------------------------------------------------------------------------------------------------------------------
// Chain

export const chainInfo = object({
  chainId: string(),
  genesisHash: hex64,
  head: blockHeader,
  slotMs: uint,
  manualSlots: boolean(),
  devnet: boolean(),
  faucet: nullable(hex64),
  mempoolSize: uint,
  supply: amount,
  taskCount: uint,
});
export type ChainInfo = Infer<typeof chainInfo>;

export const health = object({
  ok: boolean(),
  head: blockHeader,
  slotLag: integer(),
  code: optional(string()),
  reason: optional(string()),
});
export type Health = Infer<typeof health>;

export const genesis = object({
  chainId: string(),
  stateRoot: hex64,
  accounts: array(object({ account: hex64, balance: string() })),
});
export type GenesisWire = Infer<typeof genesis>;

// ------------------------------------------------------------------------------------------------------------------
// Accounts

export const stakeView = object({
  task: hex64,
  stake: amount,
  weight: amount,
  unbonding: amount,
  unbondingUntilRound: int,
  slashedTotal: amount,
});
export const vestingView = object({
  task: hex64,
  claimable: amount,
  locked: amount,
  totalVested: amount,
  totalClaimed: amount,
});
export const accountView = object({
  account: hex64,
  balance: amount,
  nonce: uint,
  pending: uint,
  nextNonce: uint,
  stakes: array(stakeView),
  vesting: array(vestingView),
  claimable: amount,
  slot: uint,
});
export type AccountView = Infer<typeof accountView>;

// ------------------------------------------------------------------------------------------------------------------
// Tasks, nodes and cycles

export const liveCycle = object({
  cycle: uint,
  phase: cyclePhase,
  windows: cycleWindows,
  openWindows: array(string(), { description: "windows that contain nextSlot" }),
  record: cycleRecord,
});
export type LiveCycle = Infer<typeof liveCycle>;

export const taskView = object({
  task: taskRecord,
  slot: uint,
  nextSlot: uint,
  round: integer({ description: "the task's round at the head slot (negative before it starts)" }),
  activeWeight: amount,
  cycles: array(liveCycle),
});
export type TaskView = Infer<typeof taskView>;

export const taskList = object({ tasks: array(hex64), offset: uint, total: uint });
export type TaskList = Infer<typeof taskList>;

export const nodeView = object({
  task: hex64,
  account: hex64,
  index: uint,
  url: string(),
  stake: amount,
  weight: amount,
  rampedStake: amount,
  lots: array(object({ amount, activationRound: int })),
  unbonding: amount,
  unbondingUntilRound: int,
  /** The newest cycle the node revealed (-1: none): its stake stays until that cycle's late-challenge window ends. */
  lastRevealCycle: int,
  slashedTotal: amount,
  slashCount: uint,
  missedDuties: uint,
  losingVotes: uint,
  equivocations: uint,
  claimable: amount,
  locked: amount,
  /**
   * The node's newest commitment not revealed yet whose reveal window is still open (null: none). A reveal needs
   * stake: an unstake before it forfeits the cycle's pay (`gradual unstake` refuses without --force).
   */
  pendingReveal: nullable(object({ cycle: uint, revealClosesAt: uint })),
});
export type NodeView = Infer<typeof nodeView>;

/** A page of a list: `next` is the offset of the following page, null after the last. */
export function page<T>(item: Decoder<T>) {
  return object({ items: array(item), offset: uint, total: uint, next: nullable(uint) });
}
export type Page<T> = {
  readonly items: readonly T[];
  readonly offset: number;
  readonly total: number;
  readonly next: number | null;
};

export const nodeList = page(nodeView);
export type NodeList = Infer<typeof nodeList>;

export const cycleView = object({
  task: hex64,
  cycle: uint,
  phase: cyclePhase,
  windows: cycleWindows,
  openWindows: array(string()),
  record: cycleRecord,
  triggers: array(triggerRecord),
  distributions: array(distributionRecord),
  /** The cycle's details (commits, reveals, triggers, votes, lists) were pruned (protocol.md §9.3). */
  pruned: boolean(),
  slot: uint,
  nextSlot: uint,
});
export type CycleView = Infer<typeof cycleView>;

export const commit = object({ node: hex64, commitment: hex64, slot: uint });
export type Commit = Infer<typeof commit>;
export const commitList = page(commit);
export type CommitList = Infer<typeof commitList>;

export const reveal = object({
  node: hex64,
  proofDigest: hex64,
  salt: hex64,
  index: uint,
  slot: uint,
  status: revealStatus,
  weight: amount,
  published: boolean(),
});
export type Reveal = Infer<typeof reveal>;
export const revealList = page(reveal);
export type RevealList = Infer<typeof revealList>;

export const assignment = object({ auditor: hex64, targets: array(hex64), auditedBy: array(hex64) });
export type Assignment = Infer<typeof assignment>;
export const assignmentList = page(assignment);
export type AssignmentList = Infer<typeof assignmentList>;

export const vote = object({ voter: hex64, choice: voteChoice, weight: amount, slot: uint });
export type Vote = Infer<typeof vote>;
export const voteList = object({ ...page(vote).shape, trigger: triggerRecord });
export type VoteList = Infer<typeof voteList>;

export const distributionEntry = object({ recipient: hex64, amount });
export type DistributionEntryWire = Infer<typeof distributionEntry>;
export const distributionView = object({ ...page(distributionEntry).shape, distribution: distributionRecord });
export type DistributionView = Infer<typeof distributionView>;

// ------------------------------------------------------------------------------------------------------------------
// Blobs and devnet

export const blobStored = object({ hash: hex64, size: uint, created: boolean() });
export type BlobStored = Infer<typeof blobStored>;

export const adminSlotsResult = object({ head: blockHeader, produced: uint });
export type AdminSlotsResult = Infer<typeof adminSlotsResult>;
