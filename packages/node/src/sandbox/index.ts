export { createInProcessTaskRunner } from "./inProcessRunner.ts";
export {
  createSandboxedTaskRunner,
  DEFAULT_START_TIMEOUT_MS,
  type SandboxedTaskRunnerOptions,
} from "./sandboxedRunner.ts";
export * from "./types.ts";
export { workerResourceLimits } from "./workerConnection.ts";
