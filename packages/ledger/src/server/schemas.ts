import { type Static, type TSchema, Type } from "@sinclair/typebox";

/**
 * Wire schemas of the HTTP API (TypeBox: JSON Schema and TypeScript types in one). They document every route in
 * /v1/openapi.json, type the client, and the API tests check real responses against them. Amounts are decimal
 * strings of base units; hashes and accounts are 64 lowercase hex characters.
 */

export const Hex64 = Type.String({ pattern: "^[0-9a-f]{64}$", description: "64 lowercase hex characters" });
export const Amount = Type.String({ pattern: "^(0|[1-9][0-9]*)$", description: "base units as a decimal string" });
export const Uint = Type.Integer({ minimum: 0 });
export const SignatureHex = Type.String({ pattern: "^[0-9a-f]{128}$", description: "ed25519 signature, hex" });

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Loose = { additionalProperties: true } as const;

export const ErrorBodySchema = Type.Object(
  {
    code: Type.String({ description: "stable code, DOMAIN__DESCRIPTION (docs/errors.md)" }),
    message: Type.String(),
    context: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: "Error" },
);

export const WireTransactionSchema = Type.Object(
  {
    kind: Type.String(),
    chainId: Type.String(),
    from: Hex64,
    nonce: Uint,
  },
  { ...Loose, description: "A transaction in wire form (protocol.md §9.1): amounts as decimal strings" },
);

export const EnvelopeSchema = Type.Object({ tx: WireTransactionSchema, signature: SignatureHex });

export const TxResultSchema = Type.Union([
  Type.Object({ ok: Type.Literal(true) }),
  Type.Object({
    ok: Type.Literal(false),
    code: Type.String(),
    message: Type.String(),
    context: Type.Record(Type.String(), Type.Unknown()),
  }),
]);

export const PendingAckSchema = Type.Object({
  hash: Hex64,
  status: Type.Literal("pending"),
  receivedAtBlock: Uint,
});
export const IncludedAckSchema = Type.Object({
  hash: Hex64,
  status: Type.Literal("included"),
  block: Uint,
  position: Uint,
  result: TxResultSchema,
});
export const SubmitResultSchema = Type.Union([PendingAckSchema, IncludedAckSchema]);
export type SubmitResult = Static<typeof SubmitResultSchema>;

export const BatchResultSchema = Type.Object({
  results: Type.Array(Type.Union([SubmitResultSchema, Type.Object({ error: ErrorBodySchema })])),
});
export type BatchResult = Static<typeof BatchResultSchema>;

export const TxStatusSchema = Type.Union([
  Type.Object({
    hash: Hex64,
    status: Type.Literal("pending"),
    receivedAtBlock: Uint,
    tx: WireTransactionSchema,
    signature: SignatureHex,
  }),
  Type.Object({
    hash: Hex64,
    status: Type.Literal("included"),
    block: Uint,
    position: Uint,
    result: TxResultSchema,
    tx: WireTransactionSchema,
    signature: SignatureHex,
  }),
]);
export type TxStatusWire = Static<typeof TxStatusSchema>;

export const BlockHeaderSchema = Type.Object({
  number: Uint,
  slot: Uint,
  prevHash: Hex64,
  txsRoot: Hex64,
  stateRoot: Hex64,
  hash: Hex64,
  txCount: Uint,
  producedAtMs: Type.Number({ description: "wall time the block was stored (not hashed)" }),
});
export type BlockHeaderWire = Static<typeof BlockHeaderSchema>;

export const EventSchema = Type.Object(
  { type: Type.String() },
  { ...Loose, description: "A protocol event (events.ts)" },
);

export const BlockSchema = Type.Composite([
  BlockHeaderSchema,
  Type.Object({
    txs: Type.Array(
      Type.Object({ hash: Hex64, tx: WireTransactionSchema, signature: SignatureHex, result: TxResultSchema }),
    ),
    events: Type.Array(Type.Object({ tx: Nullable(Hex64), event: EventSchema })),
  }),
]);
export type BlockWire = Static<typeof BlockSchema>;

export const BlockListSchema = Type.Object({ blocks: Type.Array(BlockSchema) });

export const ChainInfoSchema = Type.Object({
  chainId: Type.String(),
  genesisHash: Hex64,
  head: BlockHeaderSchema,
  slotMs: Uint,
  manualSlots: Type.Boolean(),
  devnet: Type.Boolean(),
  faucet: Nullable(Hex64),
  mempoolSize: Uint,
  supply: Amount,
  taskCount: Uint,
});
export type ChainInfo = Static<typeof ChainInfoSchema>;

export const StakeViewSchema = Type.Object({
  task: Hex64,
  stake: Amount,
  weight: Amount,
  unbonding: Amount,
  unbondingUntilRound: Type.Integer(),
  slashedTotal: Amount,
});
export const VestingViewSchema = Type.Object({
  task: Hex64,
  claimable: Amount,
  locked: Amount,
  totalVested: Amount,
  totalClaimed: Amount,
});
export const AccountViewSchema = Type.Object({
  account: Hex64,
  balance: Amount,
  nonce: Uint,
  pending: Uint,
  nextNonce: Uint,
  stakes: Type.Array(StakeViewSchema),
  vesting: Type.Array(VestingViewSchema),
  claimable: Amount,
  slot: Uint,
});
export type AccountView = Static<typeof AccountViewSchema>;

export const WindowSchema = Type.Object({ opensAt: Type.Integer(), closesAt: Type.Integer() });
export const WINDOW_NAMES = [
  "commit",
  "reveal",
  "proofTriggers",
  "proofVotes",
  "distribution",
  "distributionTriggers",
  "distributionVotes",
] as const;
export const CycleWindowsSchema = Type.Object(
  Object.fromEntries(WINDOW_NAMES.map((name) => [name, WindowSchema])) as Record<
    (typeof WINDOW_NAMES)[number],
    typeof WindowSchema
  >,
);

export const CycleRecordSchema = Type.Object(
  {
    task: Hex64,
    cycle: Uint,
    reserved: Amount,
    commitCount: Uint,
    revealCount: Uint,
    seed: Nullable(Hex64),
    triggerCount: Uint,
    attempt: Uint,
    attemptRound: Type.Integer(),
    distributor: Nullable(Hex64),
    paid: Amount,
    outcome: Nullable(Type.String()),
  },
  Loose,
);

export const LiveCycleSchema = Type.Object({
  cycle: Uint,
  phase: Type.String({ description: "work, review, distribution or complete, at nextSlot" }),
  windows: CycleWindowsSchema,
  openWindows: Type.Array(Type.String(), { description: "windows that contain nextSlot" }),
  record: CycleRecordSchema,
});

export const TaskRecordSchema = Type.Object(
  {
    id: Hex64,
    creator: Hex64,
    name: Type.String(),
    bundleHash: Hex64,
    metadataHash: Nullable(Hex64),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
    createdSlot: Uint,
    startSlot: Uint,
    status: Type.String(),
    escrow: Amount,
    nodeCount: Uint,
    openCycles: Type.Array(Uint),
    totalPaid: Amount,
    totalSlashed: Amount,
  },
  Loose,
);

export const TaskViewSchema = Type.Object({
  task: TaskRecordSchema,
  slot: Uint,
  nextSlot: Uint,
  round: Type.Integer({ description: "the task's round at the head slot (negative before it starts)" }),
  activeWeight: Amount,
  cycles: Type.Array(LiveCycleSchema),
});
export type TaskView = Static<typeof TaskViewSchema>;

export const TaskListSchema = Type.Object({ tasks: Type.Array(Hex64), offset: Uint, total: Uint });

export const NodeViewSchema = Type.Object({
  task: Hex64,
  account: Hex64,
  index: Uint,
  url: Type.String(),
  stake: Amount,
  weight: Amount,
  rampedStake: Amount,
  lots: Type.Array(Type.Object({ amount: Amount, activationRound: Type.Integer() })),
  unbonding: Amount,
  unbondingUntilRound: Type.Integer(),
  slashedTotal: Amount,
  slashCount: Uint,
  missedDuties: Uint,
  losingVotes: Uint,
  equivocations: Uint,
  claimable: Amount,
  locked: Amount,
});
export type NodeView = Static<typeof NodeViewSchema>;

const page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), offset: Uint, total: Uint, next: Nullable(Uint) });

export const NodeListSchema = page(NodeViewSchema);

export const TriggerRecordSchema = Type.Object(
  {
    index: Uint,
    kind: Type.String(),
    attempt: Uint,
    target: Hex64,
    triggerer: Hex64,
    reasonDigest: Hex64,
    bond: Amount,
    slot: Uint,
    closesAt: Uint,
    validWeight: Amount,
    invalidWeight: Amount,
    unavailableWeight: Amount,
    voteCount: Uint,
    resolution: Nullable(Type.String()),
    slashed: Amount,
  },
  Loose,
);

export const DistributionRecordSchema = Type.Object(
  {
    attempt: Uint,
    distributor: Hex64,
    slot: Uint,
    chunkCount: Uint,
    chunksReceived: Uint,
    entryCount: Uint,
    total: Amount,
    listDigest: Hex64,
    status: Type.String(),
    triggered: Type.Boolean(),
  },
  Loose,
);

export const CycleViewSchema = Type.Object({
  task: Hex64,
  cycle: Uint,
  phase: Type.String(),
  windows: CycleWindowsSchema,
  openWindows: Type.Array(Type.String()),
  record: CycleRecordSchema,
  triggers: Type.Array(TriggerRecordSchema),
  distributions: Type.Array(DistributionRecordSchema),
  /** The cycle's details (commits, reveals, triggers, votes, lists) were pruned (protocol.md §9.3). */
  pruned: Type.Boolean(),
  slot: Uint,
  nextSlot: Uint,
});
export type CycleView = Static<typeof CycleViewSchema>;

export const CommitListSchema = page(Type.Object({ node: Hex64, commitment: Hex64, slot: Uint }));
export const RevealListSchema = page(
  Type.Object({
    node: Hex64,
    proofDigest: Hex64,
    salt: Hex64,
    index: Uint,
    slot: Uint,
    status: Type.String(),
    weight: Amount,
    published: Type.Boolean(),
  }),
);
export const AssignmentSchema = Type.Object({
  auditor: Hex64,
  targets: Type.Array(Hex64),
  auditedBy: Type.Array(Hex64),
});
export const AssignmentListSchema = page(AssignmentSchema);
export const VoteListSchema = Type.Composite([
  page(Type.Object({ voter: Hex64, choice: Type.String(), weight: Amount, slot: Uint })),
  Type.Object({ trigger: TriggerRecordSchema }),
]);
export const DistributionViewSchema = Type.Composite([
  page(Type.Object({ recipient: Hex64, amount: Amount })),
  Type.Object({ distribution: DistributionRecordSchema }),
]);

export const BlobStoredSchema = Type.Object({ hash: Hex64, size: Uint, created: Type.Boolean() });

export const FaucetRequestSchema = Type.Object({ account: Hex64, amount: Amount }, { additionalProperties: false });
export const AdminSlotsRequestSchema = Type.Object(
  { count: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);
export const AdminSlotsResultSchema = Type.Object({ head: BlockHeaderSchema, produced: Uint });

export const PageQuerySchema = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const WaitQuerySchema = Type.Object({
  wait: Type.Optional(Type.Literal("included", { description: "answer once the block is durable" })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 120_000, default: 30_000 })),
});
