export { type Anvil, anvilBinary, type StartAnvilOptions, startAnvil } from "./anvil.ts";
export {
  type Artifact,
  type CompileOptions,
  type CompileResult,
  ContractsCompileError,
  compileContracts,
  gradualAbi,
  loadArtifact,
  SOLC_SETTINGS,
} from "./compile.ts";
export {
  assertContractAt,
  type DeployContractsErrorType,
  type DeployContractsParameters,
  type DeployContractsReturnType,
  type DeployedContract,
  deployContracts,
  MAX_SLOT_MS,
  MIN_SLOT_MS,
} from "./deploy.ts";
export {
  callGradual,
  depositToGradual,
  type EvmDevnetChain,
  mintAndDeposit,
  type PrepareEvmDevnetParameters,
  prepareEvmDevnet,
} from "./devnet.ts";
export { EvmError, type EvmErrorCode } from "./errors.ts";
export {
  createLogFollower,
  DEFAULT_MAX_BLOCK_RANGE,
  DEFAULT_MAX_LOGS_PER_RANGE,
  DEFAULT_POLL_INTERVAL_MS,
  type FollowLogsParameters,
  type FollowLogsReturnType,
  type FollowProgress,
  type FollowRange,
  type FollowReorg,
  followLogs,
  type LogFollower,
  MAX_FORK_SEARCH_STEPS,
  type PollResult,
} from "./follow.ts";
export {
  accountOf,
  type DecodedLog,
  decodeGradualLog,
  POOL_SUPPLY,
  paramsFromStruct,
  paramsToStruct,
  poolAccount,
} from "./indexer/calls.ts";
export {
  type Indexer,
  type IndexerProgress,
  readContractClock,
  type StartIndexerParameters,
  startIndexer,
} from "./indexer/indexer.ts";
export { ChainReplay, type ChainReplayOptions, coreChainId, type LogPosition } from "./indexer/replay.ts";
export { type IndexerServer, startIndexerServer } from "./indexer/server.ts";
export {
  addressOfAccountId,
  type EvmKey,
  type EvmKeyFile,
  evmAccountId,
  evmKeyFromPrivateKey,
  generateEvmKey,
  loadEvmKeyFile,
  saveEvmKeyFile,
} from "./keys.ts";
export {
  type FollowTarget,
  type LogStore,
  MAX_LOGS_PER_READ,
  openLogStore,
  RETAINED_EMPTY_BLOCKS,
  type StoredBlock,
  type StoredLog,
} from "./logStore.ts";
export {
  asEvmError,
  type Connection,
  type ConnectParameters,
  connect,
  RECEIPT_TIMEOUT_MS,
  RPC_TIMEOUT_MS,
  revertErrorName,
} from "./rpc.ts";
export {
  type CreateEvmSettlementParameters,
  contractCallOf,
  createEvmSettlement,
  evmTaskId,
} from "./settlement.ts";
export {
  type MintTestTokenParameters,
  type MintTestTokenReturnType,
  mintTestToken,
  type TokenBalanceParameters,
  tokenBalance,
} from "./token.ts";
