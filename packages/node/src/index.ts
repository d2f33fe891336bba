export * from "./bundle.ts";
export * from "./decide.ts";
export * from "./local/index.ts";
export {
  Executor,
  type ExecutorOptions,
  MemoryNodeStore,
  type NodeMemoryStore,
  type ProofSource,
  type TaskCall,
  type TaskFailure,
} from "./runtime/executor.ts";
export * from "./runtime/faults.ts";
export * from "./runtime/replica.ts";
export { answerTaskRoute, type HttpReply, sendReply } from "./runtime/server.ts";
export * from "./runtime/taskNode.ts";
export {
  createInProcessTaskRunner,
  createSandboxedTaskRunner,
  failureCode,
  type SandboxedTaskRunnerOptions,
  type SandboxUser,
  type TaskFailureCode,
} from "./sandbox/index.ts";
export type * from "./sandbox/types.ts";
export { callTimeoutMs, DEFAULT_TASK_LIMITS, deriveTaskLimits, describeTaskLimits } from "./sandbox/types.ts";
export { createScratchFolder, recordScratchOwner } from "./scratchFolders.ts";
export * from "./settlement/httpSettlement.ts";
export * from "./settlement/memorySettlement.ts";
export * from "./settlement/settlement.ts";
export * from "./startNode.ts";
