export { failureCode, TASK_FAILURE_CODES, type TaskFailureCode } from "./codes.ts";
export { createInProcessTaskRunner } from "./inProcessRunner.ts";
export type { SandboxUser } from "./processConnection.ts";
export {
  createSandboxedTaskRunner,
  DEFAULT_START_TIMEOUT_MS,
  defaultSandboxUser,
  type SandboxedTaskRunnerOptions,
} from "./sandboxedRunner.ts";
export * from "./types.ts";
export { workerResourceLimits } from "./workerConnection.ts";
