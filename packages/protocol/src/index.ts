/**
 * @gradual/protocol: Gradual Consensus as a pure state machine (docs/protocol.md). No IO, no clock, no randomness:
 * time is the slot number given to `advanceSlot`, and every choice comes from seeds fixed on the ledger.
 */
export { type AdvanceSlotResult, advanceSlot } from "./advanceSlot.ts";
export { type FormatTokenAmountOptions, formatTokenAmount, groupDigits, parseTokenAmount } from "./amounts.ts";
export { applyBlock, type BlockResult, type TransactionOutcome } from "./applyBlock.ts";
export {
  type Applied,
  type ApplyFailureListener,
  type ApplyResult,
  applyTransaction,
  type Refused,
} from "./applyTransaction.ts";
export {
  decodeList,
  encodeList,
  listBlobHash,
  listLeaf,
  listProof,
  listProofDepth,
  listRoot,
  listTree,
  proofAt,
  verifyListProof,
} from "./distributionList.ts";
export { canonicalBytes, canonicalParse, canonicalStringify, isBigintString } from "./encoding/canonical.ts";
export { bytesToHex, hashCanonical, hashCanonicalHex, hexToBytes, sha256, sha256Hex } from "./encoding/hash.ts";
export { merkleRoot } from "./encoding/merkle.ts";
export { recordBytes } from "./encoding/recordBytes.ts";
export {
  type ApiErrorCode,
  ERROR_REGISTRY,
  type ErrorEntry,
  errorEntry,
  errorMeaning,
  httpStatusOf,
  isRegisteredCode,
  LEDGER_ERROR_CODES,
  type LedgerErrorCode,
  NODE_ERROR_CODES,
  type RegisteredCode,
  type RegistrySection,
  SDK_ERROR_CODES,
  WIRE_ERROR_CODES,
  type WireErrorCode,
} from "./errorRegistry.ts";
export {
  ERROR_CODES,
  type ErrorCode,
  type ErrorContextMap,
  isEdgeCode,
  RETIRED_ERROR_CODES,
  type Rejection,
  type RejectionEntry,
  reject,
} from "./errors.ts";
export { CREDIT_REASONS, type CreditReason, type ProtocolEvent, type ProtocolEventType } from "./events.ts";
export { createGenesisState, type GenesisParameters } from "./genesis.ts";
export { assert, GradualError, type GradualErrorOptions, ProtocolError } from "./gradualError.ts";
export { addToTotals, checkConservation, checkTotals, recomputeTotals } from "./invariants.ts";
export {
  AUDIT_MODES,
  type AuditMode,
  BPS,
  DEVNET_PARAMS,
  DISTRIBUTION_RULES,
  type DistributionRule,
  findParamsProblems,
  LIMITS,
  MAINNET_PARAMS,
  type ParamsProblem,
  PRESETS,
  type PresetName,
  type TaskParams,
  TOKEN,
  TOKEN_DECIMALS,
} from "./params.ts";
export * from "./queries.ts";
export {
  accumulateSalt,
  auditorIndicesOf,
  auditTargetIndices,
  beatsInRace,
  drawByWeight,
  log2Fixed,
  nextSeed,
  RACE_FRACTION_BITS,
  type RaceScore,
  raceTime,
  SeededPermutation,
  taskGenesisSeed,
} from "./random.ts";
export * from "./schedule.ts";
export { keys, triggerSlotName } from "./state/keys.ts";
export {
  Draft,
  diffStates,
  forEachStateChange,
  readRecord,
  type State,
  stateEntries,
  stateFromEntries,
  stateRoot,
  ZERO_TOTALS,
} from "./state/store.ts";
export { keyHashOf, trieFullRehash, trieHash } from "./state/trie.ts";
export {
  type CommitmentInput,
  computeCommitment,
  computeOwnCommitment,
  openCommitment,
} from "./transactions/commit.ts";
export { signingPayload, transactionHash } from "./transactions/encoding.ts";
export {
  decodeParams,
  decodeTransaction,
  isDecodeRejection,
  PARAM_NAMES,
  TRANSACTION_FIELDS,
  TRANSACTION_KINDS,
  transactionToJson,
} from "./transactions/schema.ts";
export { ruleAmount } from "./transactions/submitDistribution.ts";
export {
  jsonPayloadBytes,
  TASK_PAYLOAD_DOMAIN,
  TRANSACTION_DOMAIN,
  taskPayloadBytes,
} from "./transactions/taskPayload.ts";
export { lateChallengeWindow } from "./transactions/triggerAudit.ts";
export {
  challengeableUntilRound,
  type WithdrawNode,
  type WithdrawParams,
  withdrawableFrom,
  withdrawRejection,
} from "./transactions/withdraw.ts";

export type * from "./types.ts";
export {
  addListEntry,
  addPayment,
  claimAll,
  claimableAt,
  clawBack,
  hasClaimable,
  lockedAt,
  releaseTo,
  slashLocked,
  trancheUnlocked,
  VESTING_END_SCALE,
  vestingBalance,
  vestingEndRound,
} from "./vesting.ts";
export {
  foldRamp,
  lateWeight,
  lotWeight,
  meetsLateQuorum,
  nodeActiveStake,
  nodeStake,
  nodeWeight,
  totalWeight,
} from "./weight.ts";
