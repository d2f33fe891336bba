/**
 * The ledger's HTTP API as the dashboard reads it (packages/ledger/src/server/schemas.ts). The browser bundle
 * cannot import the ledger package, so these types restate the wire shapes: amounts are decimal strings of base
 * units, hashes and accounts 64 lowercase hex characters. Fields marked optional are newer additions the
 * dashboard uses when a ledger provides them.
 */

export type Hex = string;
export type AmountWire = string;

export type ErrorBody = { readonly code: string; readonly message: string; readonly context: Record<string, unknown> };

export type TxResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly context: Record<string, unknown> };

export type WireTransaction = {
  readonly kind: string;
  readonly chainId: string;
  readonly from: Hex;
  readonly nonce: number;
  readonly [field: string]: unknown;
};

export type BlockHeader = {
  readonly number: number;
  readonly slot: number;
  readonly prevHash: Hex;
  readonly txsRoot: Hex;
  readonly stateRoot: Hex;
  readonly hash: Hex;
  readonly txCount: number;
  readonly producedAtMs: number;
};

/** A protocol event in wire form (packages/protocol/src/events.ts, bigints as strings). */
export type WireEvent = { readonly type: string; readonly [field: string]: unknown };

export type Block = BlockHeader & {
  readonly txs: readonly {
    readonly hash: Hex;
    readonly tx: WireTransaction;
    readonly signature: Hex;
    readonly result: TxResult;
  }[];
  readonly events: readonly { readonly tx: Hex | null; readonly event: WireEvent }[];
};

/** One `block` message of /v1/events. */
export type BlockEvent = {
  readonly header: BlockHeader;
  readonly txs: readonly { readonly hash: Hex; readonly kind: string; readonly from: Hex; readonly result: TxResult }[];
  readonly events: readonly { readonly tx: Hex | null; readonly event: WireEvent }[];
};

export type Totals = {
  readonly balances: AmountWire;
  readonly stakes: AmountWire;
  readonly unbonding: AmountWire;
  readonly escrows: AmountWire;
  readonly reserved: AmountWire;
  readonly vesting: AmountWire;
  readonly bonds: AmountWire;
};

export type ChainInfo = {
  readonly chainId: string;
  readonly genesisHash: Hex;
  readonly head: BlockHeader;
  readonly slotMs: number;
  readonly manualSlots: boolean;
  readonly devnet: boolean;
  readonly faucet: Hex | null;
  readonly mempoolSize: number;
  readonly supply: AmountWire;
  readonly taskCount: number;
  /** Where the money sits (protocol.md §11.1), when the ledger reports it. */
  readonly totals?: Totals;
};

export type TxStatus =
  | {
      readonly hash: Hex;
      readonly status: "pending";
      readonly receivedAtBlock: number;
      readonly tx: WireTransaction;
      readonly signature: Hex;
    }
  | {
      readonly hash: Hex;
      readonly status: "included";
      readonly block: number;
      readonly position: number;
      readonly result: TxResult;
      readonly tx: WireTransaction;
      readonly signature: Hex;
    };

export type AccountView = {
  readonly account: Hex;
  readonly balance: AmountWire;
  readonly nonce: number;
  readonly pending: number;
  readonly nextNonce: number;
  readonly stakes: readonly {
    readonly task: Hex;
    readonly stake: AmountWire;
    readonly weight: AmountWire;
    readonly unbonding: AmountWire;
    readonly unbondingUntilRound: number;
    readonly slashedTotal: AmountWire;
  }[];
  readonly vesting: readonly {
    readonly task: Hex;
    readonly claimable: AmountWire;
    readonly locked: AmountWire;
    readonly totalVested: AmountWire;
    readonly totalClaimed: AmountWire;
  }[];
  readonly claimable: AmountWire;
  readonly slot: number;
};

export type Window = { readonly opensAt: number; readonly closesAt: number };
export type CycleWindows = Readonly<
  Record<
    | "commit"
    | "reveal"
    | "proofTriggers"
    | "proofVotes"
    | "distribution"
    | "distributionTriggers"
    | "distributionVotes",
    Window
  >
>;

export type CycleRecord = {
  readonly task: Hex;
  readonly cycle: number;
  readonly reserved: AmountWire;
  readonly commitCount: number;
  readonly revealCount: number;
  readonly validCount?: number;
  readonly seed: Hex | null;
  readonly triggerCount: number;
  readonly attempt: number;
  readonly attemptRound: number;
  readonly distributor: Hex | null;
  readonly failedDistributors?: readonly Hex[];
  readonly paid: AmountWire;
  readonly outcome: string | null;
};

export type LiveCycle = {
  readonly cycle: number;
  readonly phase: string;
  readonly windows: CycleWindows;
  readonly openWindows: readonly string[];
  readonly record: CycleRecord;
};

export type WireTaskParams = Readonly<Record<string, string | number>>;

export type TaskRecord = {
  readonly id: Hex;
  readonly creator: Hex;
  readonly name: string;
  readonly bundleHash: Hex;
  readonly metadataHash: Hex | null;
  readonly params: WireTaskParams;
  readonly createdSlot: number;
  readonly startSlot: number;
  readonly status: string;
  readonly escrow: AmountWire;
  readonly nodeCount: number;
  readonly openCycles: readonly number[];
  readonly totalPaid: AmountWire;
  readonly totalSlashed: AmountWire;
  readonly ramp?: {
    readonly fullStake: AmountWire;
    readonly foldedThrough: number;
    readonly buckets: readonly (readonly [number, AmountWire])[];
  };
};

export type TaskView = {
  readonly task: TaskRecord;
  readonly slot: number;
  readonly nextSlot: number;
  readonly round: number;
  readonly activeWeight: AmountWire;
  readonly cycles: readonly LiveCycle[];
};

export type TaskList = { readonly tasks: readonly Hex[]; readonly offset: number; readonly total: number };

export type Page<T> = {
  readonly items: readonly T[];
  readonly offset: number;
  readonly total: number;
  readonly next: number | null;
};

export type VestingTrancheWire = {
  readonly cycle: number;
  readonly amount: AmountWire;
  readonly startRound: number;
  readonly endRound: number;
  readonly claimed: AmountWire;
};

export type NodeView = {
  readonly task: Hex;
  readonly account: Hex;
  readonly index: number;
  readonly url: string;
  readonly stake: AmountWire;
  readonly weight: AmountWire;
  readonly rampedStake: AmountWire;
  readonly lots: readonly { readonly amount: AmountWire; readonly activationRound: number }[];
  readonly unbonding: AmountWire;
  readonly unbondingUntilRound: number;
  readonly slashedTotal: AmountWire;
  readonly slashCount: number;
  readonly missedDuties: number;
  readonly losingVotes: number;
  readonly equivocations: number;
  readonly claimable: AmountWire;
  readonly locked: AmountWire;
  /** The vesting record itself, when the ledger reports it. */
  readonly vesting?: { readonly unlocked: AmountWire; readonly tranches: readonly VestingTrancheWire[] };
};

export type TriggerRecord = {
  readonly index: number;
  readonly kind: string;
  readonly attempt: number;
  readonly target: Hex;
  readonly triggerer: Hex;
  readonly reasonDigest: Hex;
  readonly bond: AmountWire;
  readonly slot: number;
  readonly closesAt: number;
  readonly validWeight: AmountWire;
  readonly invalidWeight: AmountWire;
  readonly unavailableWeight: AmountWire;
  readonly voteCount: number;
  readonly resolution: string | null;
  readonly slashed: AmountWire;
};

export type DistributionRecord = {
  readonly attempt: number;
  readonly distributor: Hex;
  readonly slot: number;
  readonly chunkCount: number;
  readonly chunksReceived: number;
  readonly entryCount: number;
  readonly total: AmountWire;
  readonly listDigest: Hex;
  readonly status: string;
  readonly triggered: boolean;
};

export type CycleView = {
  readonly task: Hex;
  readonly cycle: number;
  readonly phase: string;
  readonly windows: CycleWindows;
  readonly openWindows: readonly string[];
  readonly record: CycleRecord;
  readonly triggers: readonly TriggerRecord[];
  readonly distributions: readonly DistributionRecord[];
  /** Its commits, reveals, triggers, votes and lists were pruned (protocol.md §9.3); the summary stays. */
  readonly pruned: boolean;
  readonly slot: number;
  readonly nextSlot: number;
};

export type Commit = { readonly node: Hex; readonly commitment: Hex; readonly slot: number };
export type Reveal = {
  readonly node: Hex;
  readonly proofDigest: Hex;
  readonly salt: Hex;
  readonly index: number;
  readonly slot: number;
  readonly status: string;
};
export type Assignment = {
  readonly auditor: Hex;
  readonly targets: readonly Hex[];
  readonly auditedBy: readonly Hex[];
};
export type Vote = { readonly voter: Hex; readonly choice: string; readonly weight: AmountWire; readonly slot: number };
export type VoteList = Page<Vote> & { readonly trigger: TriggerRecord };
export type DistributionEntry = { readonly recipient: Hex; readonly amount: AmountWire };
export type DistributionView = Page<DistributionEntry> & { readonly distribution: DistributionRecord };

/** What the dashboard's server relays from a node's own /health and /metrics (serve.ts). */
export type NodeStatus = {
  readonly url: string;
  readonly reachable: boolean;
  readonly health: Record<string, unknown> | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly error: string | null;
};
